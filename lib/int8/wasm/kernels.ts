/**
 * The engine's WebAssembly SIMD kernels, written with the small assembler in `assembler.ts`:
 * `pad` (int8 → offset-added, zero-padded int16), `conv` (any conv: dot products with
 * i32x4.dot_i16x8_s), `conv1x1` (1×1 conv / fully connected as a register-blocked matrix product
 * straight from int8), `dw3x3` / `dw3x3s` (depthwise 3×3, taps paired into dot products; `s` = one input
 * channel broadcast), `dwconv` / `dwconv1` (any depthwise: extmul), `avgpool` (scalar), and `requant`
 * (TFLite's double-rounding MultiplyByQuantizedMultiplier with native i64, + zero point, clamp). The
 * vector kernels requantize 4 lanes at a time inline (see `requant4Inline`), each in the variants of
 * {@link RequantMode}.
 *
 * Padding with zeros *after* adding the input offset is exactly TFLM's "skip points outside the image".
 * Accumulators start at the bias: int32 addition wraps, so the order does not change the result.
 *
 * @module
 */
const cat = (...parts: Code[]): Code => parts.flat();

import {
  add,
  add64,
  and,
  call,
  type Code,
  encodeModule,
  eq,
  extendS,
  Func,
  geS64,
  gtS,
  i32,
  I32,
  i32x4Add,
  i16x8Shuffle,
  i32x4DotI16x8S,
  i32x4ExtmulHighI16x8S,
  i32x4ExtmulLowI16x8S,
  i32x4ExtractLane,
  i32x4Splat,
  i16x8Add,
  i64x2Splat,
  v128And,
  i8x16NarrowI16x8S,
  i16x8NarrowI32x4S,
  i32x4Mul,
  i32x4MinS,
  i32x4MaxS,
  i64x2Shl,
  i32x4ShrS,
  v128Load16Splat,
  i64x2Add,
  i64x2ExtmulLowI32x4S,
  i64x2ExtmulHighI32x4S,
  i16x8Splat,
  i64,
  I64,
  load32,
  load8s,
  ltS,
  ltS64,
  shrS64,
  store32,
  i32x4Shuffle,
  memoryFill,
  mul,
  or,
  eqz,
  divS,
  maxS,
  minS,
  mul64,
  ret,
  select,
  shl,
  shrS,
  store16,
  store8,
  store64,
  i64x2ExtractLane,
  sub,
  v128Load,
  v128Load8x8S,
  v128Store,
  V128,
  wrap,
} from "./assembler.ts";

const REQUANT = 0;

/** Bytes of per-channel requantization parameters per group of 4 channels (see {@link requant4Params}). */
export const REQUANT4_BYTES = 128;

/**
 * How the kernels requantize 4 lanes: "uniform" (cheaper; the usual case: right shifts ≤ 21) brings every
 * channel to one common right shift so a constant lane-wide shift does the rounding; "uniform-left" adds the
 * left shifts of multipliers > 1; "wide" handles any shift. See {@link requantMode} for which applies.
 */
export type RequantMode = "uniform" | "uniform-left" | "wide";

/** Every {@link RequantMode}. */
export const REQUANT_MODES: readonly RequantMode[] = ["uniform", "uniform-left", "wide"];

/** Largest right shift the "wide" vector requantization handles (ops with more stay on the JS kernels). */
export const MAX_REQUANT4_RIGHT_SHIFT = 30;

/**
 * The common right shift R of the "uniform" requantization: every lane's r ≤ R is scaled up to it
 * (|t| ≤ 2^(r+9) becomes ≤ 2^(R+9), which with the rounding terms still fits int32), and a constant
 * shift count compiles to a single instruction.
 */
const UNIFORM_RIGHT_SHIFT = 21;

/**
 * The requantization mode for a layer, or null when no vector requantization applies (negative
 * multipliers, or right shifts beyond {@link MAX_REQUANT4_RIGHT_SHIFT}).
 */
export function requantMode(
  multipliers: Int32Array,
  shifts: Int32Array,
  outputOffset: number,
  actMin: number,
  actMax: number,
): RequantMode | null {
  if (multipliers.some((m) => m < 0)) return null;
  const R = Math.max(0, ...Array.from(shifts, (s) => -s));
  if (R > MAX_REQUANT4_RIGHT_SHIFT) return null;
  // "uniform" clamps the rounding input to ±2^(r+9), i.e. results to ±512: exact once the output clamp
  // [actMin, actMax] lies well inside ±512 of the zero point (always, for int8 outputs).
  const clampSafe = actMax - outputOffset < 512 && outputOffset - actMin < 512 && Math.abs(outputOffset) <= 128;
  if (R > UNIFORM_RIGHT_SHIFT || !clampSafe) return "wide";
  return shifts.some((s) => s > 0) ? "uniform-left" : "uniform";
}

/**
 * Per-channel parameters of the vector requantization, 4 channels per 128-byte group, with
 * left = max(shift, 0), r = max(−shift, 0):
 * - "wide": multiplier (i32×4), 2^left (i32×4), r > 0 ? −1 : 0 (i32×4), 2^(30−r) (i32×4), then as i64×2
 *   pairs r > 0 ? 2^31 : 0 (r ≤ {@link MAX_REQUANT4_RIGHT_SHIFT}).
 * - "uniform" (every r ≤ R = 21): multiplier, 2^left, −2^(r+9), 2^(r+9), 2^(R−r),
 *   2^(R−1) + outputOffset·2^R (all i32×4).
 */
export function requant4Params(
  multipliers: Int32Array,
  shifts: Int32Array,
  mode: RequantMode = "wide",
  outputOffset = 0,
): Uint8Array {
  const groups = Math.ceil(multipliers.length / 4);
  const bytes = new Uint8Array(groups * REQUANT4_BYTES);
  const dv = new DataView(bytes.buffer);
  for (let ch = 0; ch < groups * 4; ch++) {
    const g = Math.floor(ch / 4) * REQUANT4_BYTES, lane = ch % 4;
    const m = ch < multipliers.length ? multipliers[ch] : 0;
    const shift = ch < shifts.length ? shifts[ch] : 0;
    const left = Math.max(shift, 0), r = Math.min(Math.max(-shift, 0), MAX_REQUANT4_RIGHT_SHIFT);
    dv.setInt32(g + lane * 4, m, true);
    dv.setInt32(g + 16 + lane * 4, 2 ** left | 0, true);
    if (mode === "wide") {
      dv.setInt32(g + 32 + lane * 4, r > 0 ? -1 : 0, true);
      dv.setInt32(g + 48 + lane * 4, 2 ** (30 - r), true);
      dv.setBigInt64(g + 64 + lane * 8, r > 0 ? 1n << 31n : 0n, true);
    } else {
      dv.setInt32(g + 32 + lane * 4, -(2 ** (r + 9)), true);
      dv.setInt32(g + 48 + lane * 4, 2 ** (r + 9), true);
      const R = UNIFORM_RIGHT_SHIFT;
      dv.setInt32(g + 64 + lane * 4, 2 ** (R - r), true);
      dv.setInt32(g + 80 + lane * 4, 2 ** (R - 1) + outputOffset * 2 ** R, true);
    }
  }
  return bytes;
}

/**
 * Vector form of `requant` for 4 lanes, generated inline into a kernel (a wasm call per 4 outputs costs
 * more than the arithmetic); result (clamped int32×4) left in local `rqOut`. Requires multipliers ≥ 0
 * (always true for positive scales), which rules out the one saturating case of
 * SaturatingRoundingDoublingHighMul. Only cheap lane ops (no i64 multiply or arithmetic shift, which
 * x86 lacks before AVX-512): a floor division by 2^k is the high half of the i64 value shifted left
 * by 32 − k.
 *
 * - SRDHM is `t = floor((x·m + 2^30) / 2^31)` (for x·m < 0 C's truncation adds 2^31 − 1 before
 *   flooring, and 1 − 2^30 + 2^31 − 1 = 2^30): high half of (x·m + 2^30)·2.
 * - RoundingDivideByPOT(t, r) rounds half away from zero: `floor((t + 2^(r−1) − [t < 0]) / 2^r)` for r > 0.
 *   "wide": the high half of (t − [t < 0])·2^(32−r) + 2^31, computed as ((t − [t<0])·2^(30−r))·4.
 *   "uniform": t clamped to ±2^(r+9) (RoundingDivideByPOT gives ±512 there, which the output clamp
 *   saturates either way), u = t·2^(R−r), then `(u − [u < 0] + 2^(R−1)) >> R` — the same value, since
 *   scaling by 2^(R−r) keeps both the half and the tie-breaking −1 on the same side of every multiple;
 *   the output zero point rides along as + zp·2^R before the shift.
 */
function requant4Inline(f: Func, mode: RequantMode, acc: Code, p: Code): Code {
  const g = (n: string) => f.get(n);
  const high = [1, 3, 5, 7] as [number, number, number, number];
  const srdhm = cat(
    // x = acc·2^left (skipped when the layer has no left shifts).
    f.set("rqXl", mode === "uniform" ? acc : i32x4Mul(acc, v128Load(p, 16))),
    f.set("rqLo", i64x2Shl(i64x2Add(i64x2ExtmulLowI32x4S(g("rqXl"), v128Load(p)), g("vHalf30")), i32(1))),
    f.set("rqT", i64x2Shl(i64x2Add(i64x2ExtmulHighI32x4S(g("rqXl"), v128Load(p)), g("vHalf30")), i32(1))),
    f.set("rqT", i32x4Shuffle(g("rqLo"), g("rqT"), high)),
  );
  const finish = (v: Code) =>
    f.set("rqOut", i32x4MinS(i32x4MaxS(i32x4Add(v, g("vOutOff")), g("vActMin")), g("vActMax")));
  if (mode !== "wide") {
    return cat(
      srdhm,
      f.set("rqT", i32x4Mul(i32x4MinS(i32x4MaxS(g("rqT"), v128Load(p, 32)), v128Load(p, 48)), v128Load(p, 64))),
      f.set("rqT", i32x4Add(g("rqT"), i32x4ShrS(g("rqT"), i32(31)))),
      f.set("rqOut", i32x4MinS(i32x4MaxS(i32x4ShrS(i32x4Add(g("rqT"), v128Load(p, 80)), i32(UNIFORM_RIGHT_SHIFT)), g("vActMin")), g("vActMax"))),
    );
  }
  return cat(
    srdhm,
    f.set("rqT", i32x4Add(g("rqT"), v128And(i32x4ShrS(g("rqT"), i32(31)), v128Load(p, 32)))),
    f.set("rqLo", i64x2Add(i64x2Shl(i64x2ExtmulLowI32x4S(g("rqT"), v128Load(p, 48)), i32(2)), v128Load(p, 64))),
    f.set("rqT", i64x2Add(i64x2Shl(i64x2ExtmulHighI32x4S(g("rqT"), v128Load(p, 48)), i32(2)), v128Load(p, 80))),
    finish(i32x4Shuffle(g("rqLo"), g("rqT"), high)),
  );
}

/** Locals used by {@link requant4Inline}, and the splatted output offset / clamp vectors. */
function declareRequant4Locals(f: Func): Code {
  f.local(["rqXl", "rqLo", "rqT", "rqOut", "vOutOff", "vActMin", "vActMax", "vHalf30"], V128);
  return cat(
    f.set("vOutOff", i32x4Splat(f.get("outOff"))),
    f.set("vActMin", i32x4Splat(f.get("actMin"))),
    f.set("vActMax", i32x4Splat(f.get("actMax"))),
    f.set("vHalf30", i64x2Splat(i64(2 ** 30))),
  );
}

/** Store the 4 int32 lanes (already in int8 range) as 4 bytes. */
/** Store 8 or 16 int32 lanes (in int8 range, 4 per vector) as bytes. */
function storeI8(addr: Code, vs: Code[]): Code {
  if (vs.length === 2) {
    const n16 = i16x8NarrowI32x4S(vs[0], vs[1]);
    return store64(addr, i64x2ExtractLane(i8x16NarrowI16x8S(n16, n16), 0));
  }
  return v128Store(addr, i8x16NarrowI16x8S(i16x8NarrowI32x4S(vs[0], vs[1]), i16x8NarrowI32x4S(vs[2], vs[3])));
}

function store4xI8(addr: Code, v: Code): Code {
  const n16 = i16x8NarrowI32x4S(v, v);
  return store32(addr, i32x4ExtractLane(i8x16NarrowI16x8S(n16, n16), 0));
}

function requantFunc(): Func {
  const f = new Func("requant", ["acc", "m", "shift", "outOff", "actMin", "actMax"], I32);
  f.local(["left", "right", "x", "srdhm", "mask", "v"]).local(["ab"], I64);
  const g = (n: string) => f.get(n);
  const positive = gtS(g("shift"), i32(0));
  f.body = [
    ...f.set("left", select(g("shift"), i32(0), positive)),
    ...f.set("right", select(i32(0), sub(i32(0), g("shift")), positive)),
    ...f.set("x", shl(g("acc"), g("left"))),
    // SaturatingRoundingDoublingHighMul: (x·m + nudge) / 2^31 truncated toward zero (a negative
    // numerator gets 2^31 − 1 added before the arithmetic shift); INT32_MIN² saturates.
    ...f.set("ab", mul64(extendS(g("x")), extendS(g("m")))),
    ...f.set("ab", add64(g("ab"), select(i64(2 ** 30), i64(1 - 2 ** 30), geS64(g("ab"), i64(0))))),
    ...f.set("ab", add64(g("ab"), select(i64(2 ** 31 - 1), i64(0), ltS64(g("ab"), i64(0))))),
    ...f.set("srdhm", wrap(shrS64(g("ab"), i64(31)))),
    ...f.set(
      "srdhm",
      select(i32(0x7fffffff), g("srdhm"), and(eq(g("x"), i32(-0x80000000)), eq(g("m"), i32(-0x80000000)))),
    ),
    // RoundingDivideByPOT(srdhm, right)
    ...f.set("mask", sub(shl(i32(1), g("right")), i32(1))),
    ...f.set(
      "v",
      add(
        shrS(g("srdhm"), g("right")),
        gtS(and(g("srdhm"), g("mask")), add(shrS(g("mask"), i32(1)), ltS(g("srdhm"), i32(0)))),
      ),
    ),
    ...f.set("v", add(g("v"), g("outOff"))),
    ...f.set("v", select(g("actMin"), g("v"), ltS(g("v"), g("actMin")))),
    ...ret(select(g("actMax"), g("v"), gtS(g("v"), g("actMax")))),
  ];
  return f;
}

function padFunc(): Func {
  const f = new Func("pad", ["src", "dst", "N", "H", "W", "C", "M", "padT", "padL", "PH", "PW", "offset", "fill"]);
  f.local(["n", "y", "x", "c", "k", "v", "base", "srcp", "len", "len8"]).local(["off8"], V128);
  const g = (n: string) => f.get(n);
  const CM = mul(g("C"), g("M"));
  const rowBase = (x: Code) =>
    f.set("base", add(g("dst"), shl(mul(add(mul(add(mul(g("n"), g("PH")), add(g("y"), g("padT"))), g("PW")), add(x, g("padL"))), CM), i32(1))));
  f.body = [
    // Zero the borders (the whole buffer) only when there are any and `fill` is set (a buffer owned by
    // one op keeps its zero borders between calls): unpadded inputs are fully overwritten.
    ...f.ifElse(
      or(eqz(g("fill")), and(eq(g("PH"), g("H")), eq(g("PW"), g("W")))),
      [],
      memoryFill(g("dst"), i32(0), shl(mul(mul(mul(g("N"), g("PH")), g("PW")), CM), i32(1))),
    ),
    ...f.set("srcp", g("src")),
    ...f.set("off8", i16x8Splat(g("offset"))),
    ...f.set("len", mul(g("W"), g("C"))),
    ...f.set("len8", and(g("len"), i32(-8))),
    ...f.for("n", i32(0), g("N"), 1,
      f.for("y", i32(0), g("H"), 1,
        // M = 1: a row of W·C int8 values is contiguous in both buffers; widen 8 at a time.
        // M > 1 (depthwise with a depth multiplier): replicate each input channel M times.
        f.ifElse(
          eq(g("M"), i32(1)),
          cat(
            rowBase(i32(0)),
            f.for("k", i32(0), g("len8"), 8,
              v128Store(add(g("base"), shl(g("k"), i32(1))), i16x8Add(v128Load8x8S(add(g("srcp"), g("k"))), g("off8"))),
            ),
            f.for("k", g("len8"), g("len"), 1,
              store16(add(g("base"), shl(g("k"), i32(1))), add(load8s(add(g("srcp"), g("k"))), g("offset"))),
            ),
            f.set("srcp", add(g("srcp"), g("len"))),
          ),
          f.for("x", i32(0), g("W"), 1,
            rowBase(g("x")),
            f.for("c", i32(0), g("C"), 1,
              f.set("v", add(load8s(g("srcp")), g("offset"))),
              f.set("srcp", add(g("srcp"), i32(1))),
              // M a multiple of 8 (e.g. one input channel × 8): eight copies per vector store.
              f.ifElse(
                eq(and(g("M"), i32(7)), i32(0)),
                f.for("k", i32(0), g("M"), 8,
                  v128Store(add(g("base"), shl(add(mul(g("c"), g("M")), g("k")), i32(1))), i16x8Splat(g("v"))),
                ),
                f.for("k", i32(0), g("M"), 1,
                  store16(add(g("base"), shl(add(mul(g("c"), g("M")), g("k")), i32(1))), g("v")),
                ),
              ),
            ),
          ),
        ),
      ),
    ),
  ];
  return f;
}

const CONV_PARAMS = [
  "xp", "PH", "PW", "C", "w", "OC", "FH", "FW", "bias", "mults", "shifts", "out",
  "N", "OH", "OW", "SH", "SW", "DH", "DW", "outOff", "actMin", "actMax", "rq", "scratch", "wpk",
];

/**
 * Conv weights repacked for the 4-output-channel blocks: [oc/4][tap][ic/8][4 oc][8 ic], so one pointer
 * walks all four filters with constant load offsets 0, 8, 16, 24. Channels past the last full block of 4
 * are read from the original OHWI layout.
 */
export function packConvWeights(w: Int8Array, oc: number, taps: number, c: number): Int8Array {
  const oc4 = oc & ~3;
  const out = new Int8Array(oc4 * taps * c);
  let o = 0;
  for (let ob = 0; ob < oc4; ob += 4) {
    for (let t = 0; t < taps; t++) {
      for (let icb = 0; icb < c; icb += 8) {
        for (let k = 0; k < 4; k++) {
          for (let j = 0; j < 8; j++) out[o++] = w[((ob + k) * taps + t) * c + icb + j];
        }
      }
    }
  }
  return out;
}

/**
 * Fill `scratch + 64` with the byte offset of every filter tap in the padded int16 input:
 * `((fy·DH)·PW + fx·DW)·C·2`, so the kernels walk taps with one table load.
 */
function tapTable(f: Func): Code {
  const g = (n: string) => f.get(n);
  return [
    ...f.set("t", i32(0)),
    ...f.for("fy", i32(0), g("FH"), 1,
      f.for("fx", i32(0), g("FW"), 1,
        store32(add(g("taps"), shl(g("t"), i32(2))), shl(mul(add(mul(mul(g("fy"), g("DH")), g("PW")), mul(g("fx"), g("DW"))), g("C")), i32(1))),
        f.set("t", add(g("t"), i32(1))),
      ),
    ),
    ...f.set("T", mul(g("FH"), g("FW"))),
  ];
}

/** Start of the current output pixel in the padded input. */
function pixelBase(f: Func, channelStride: Code = f.get("C")): Code {
  const g = (n: string) => f.get(n);
  return f.set("pix", add(g("xp"), shl(mul(add(mul(add(mul(g("n"), g("PH")), mul(g("oy"), g("SH"))), g("PW")), mul(g("ox"), g("SW"))), channelStride), i32(1))));
}

function requantStore(f: Func, outAddr: Code, acc: Code, ch: Code): Code {
  const g = (n: string) => f.get(n);
  return store8(outAddr, call(REQUANT, acc, load32(add(g("mults"), shl(ch, i32(2)))), load32(add(g("shifts"), shl(ch, i32(2)))), g("outOff"), g("actMin"), g("actMax")));
}

function convFunc(mode: RequantMode): Func {
  const f = new Func(kernelName("conv", mode), CONV_PARAMS);
  f.local(["n", "oy", "ox", "oc", "fy", "fx", "t", "T", "TC", "ic", "k", "outp", "pix", "xr", "wt", "taps", "OC4"]);
  f.local(["a0", "a1", "a2", "a3", "xv", "s01", "s23"], V128);
  const g = (n: string) => f.get(n);
  const dot = (acc: string, wAddr: Code) => f.set(acc, i32x4Add(g(acc), i32x4DotI16x8S(g("xv"), v128Load8x8S(wAddr))));
  f.body = [
    ...declareRequant4Locals(f),
    ...f.set("taps", add(g("scratch"), i32(64))),
    ...tapTable(f),
    ...f.set("TC", mul(g("T"), g("C"))),
    ...f.set("OC4", and(g("OC"), i32(-4))),
    ...f.set("outp", g("out")),
    ...f.for("n", i32(0), g("N"), 1,
      f.for("oy", i32(0), g("OH"), 1,
        f.for("ox", i32(0), g("OW"), 1,
          pixelBase(f),
          // Four output channels at a time share every input load.
          f.for("oc", i32(0), g("OC4"), 4,
            f.set("a0", i32x4Splat(i32(0))),
            f.set("a1", i32x4Splat(i32(0))),
            f.set("a2", i32x4Splat(i32(0))),
            f.set("a3", i32x4Splat(i32(0))),
            // Packed weights of this block of 4 filters: one pointer, constant offsets.
            f.set("wt", add(g("wpk"), mul(g("oc"), g("TC")))),
            f.for("t", i32(0), g("T"), 1,
              f.set("xr", add(g("pix"), load32(add(g("taps"), shl(g("t"), i32(2)))))),
              f.for("ic", i32(0), g("C"), 8,
                f.set("xv", v128Load(g("xr"))),
                f.set("a0", i32x4Add(g("a0"), i32x4DotI16x8S(g("xv"), v128Load8x8S(g("wt"))))),
                f.set("a1", i32x4Add(g("a1"), i32x4DotI16x8S(g("xv"), v128Load8x8S(g("wt"), 8)))),
                f.set("a2", i32x4Add(g("a2"), i32x4DotI16x8S(g("xv"), v128Load8x8S(g("wt"), 16)))),
                f.set("a3", i32x4Add(g("a3"), i32x4DotI16x8S(g("xv"), v128Load8x8S(g("wt"), 24)))),
                f.set("xr", add(g("xr"), i32(16))),
                f.set("wt", add(g("wt"), i32(32))),
              ),
            ),
            // Horizontal sums of a0…a3 into one vector [Σa0, Σa1, Σa2, Σa3], plus the biases.
            f.set("s01", i32x4Add(i32x4Shuffle(g("a0"), g("a1"), [0, 4, 1, 5]), i32x4Shuffle(g("a0"), g("a1"), [2, 6, 3, 7]))),
            f.set("s23", i32x4Add(i32x4Shuffle(g("a2"), g("a3"), [0, 4, 1, 5]), i32x4Shuffle(g("a2"), g("a3"), [2, 6, 3, 7]))),
            requant4Inline(f, mode,
              i32x4Add(
                i32x4Add(i32x4Shuffle(g("s01"), g("s23"), [0, 1, 4, 5]), i32x4Shuffle(g("s01"), g("s23"), [2, 3, 6, 7])),
                v128Load(add(g("bias"), shl(g("oc"), i32(2)))),
              ),
              add(g("rq"), mul(shrS(g("oc"), i32(2)), i32(REQUANT4_BYTES))),
            ),
            store4xI8(add(g("outp"), g("oc")), g("rqOut")),
          ),
          // Remaining channels one by one.
          f.for("oc", g("OC4"), g("OC"), 1,
            f.set("a0", i32x4Splat(i32(0))),
            f.for("t", i32(0), g("T"), 1,
              f.set("xr", add(g("pix"), load32(add(g("taps"), shl(g("t"), i32(2)))))),
              f.set("wt", add(add(g("w"), mul(g("oc"), g("TC"))), mul(g("t"), g("C")))),
              f.for("ic", i32(0), g("C"), 8,
                f.set("xv", v128Load(add(g("xr"), shl(g("ic"), i32(1))))),
                dot("a0", add(g("wt"), g("ic"))),
              ),
            ),
            requantStore(
              f,
              add(g("outp"), g("oc")),
              add(
                add(add(i32x4ExtractLane(g("a0"), 0), i32x4ExtractLane(g("a0"), 1)), add(i32x4ExtractLane(g("a0"), 2), i32x4ExtractLane(g("a0"), 3))),
                load32(add(g("bias"), shl(g("oc"), i32(2)))),
              ),
              g("oc"),
            ),
          ),
          f.set("outp", add(g("outp"), g("OC"))),
        ),
      ),
    ),
  ];
  return f;
}

/**
 * 1×1 conv weights for {@link conv1x1Func}: [oc/8][ic/8][pair j of 4][half of 2][4 oc][2 ic] (int8, widened
 * by the loads), so `i32x4.dot_i16x8_s(broadcast(x[2j], x[2j+1]), w)` gives 4 output channels' partial
 * sums at once.
 */
export function packConv1x1Weights(w: Int8Array, oc: number, c: number): Int8Array {
  const out = new Int8Array(oc * c);
  let o = 0;
  for (let ob = 0; ob < oc; ob += 8) {
    for (let icb = 0; icb < c; icb += 8) {
      for (let j = 0; j < 4; j++) {
        for (let k = 0; k < 8; k++) {
          out[o++] = w[(ob + k) * c + icb + 2 * j];
          out[o++] = w[(ob + k) * c + icb + 2 * j + 1];
        }
      }
    }
  }
  return out;
}

/**
 * 1×1 convolution (stride 1, no padding) and fully connected layers as a plain matrix product, straight
 * from the int8 input (no pad pass): per pixel and block of 8 output channels, each pair of input
 * channels is broadcast to all lanes and dotted with the packed weights — no horizontal sums. Needs
 * C and OC multiples of 8.
 */
function conv1x1Func(mode: RequantMode): Func {
  const f = new Func(kernelName("conv1x1", mode), ["x", "P", "C", "OC", "wpk", "bias", "rq", "out", "inOff", "outOff", "actMin", "actMax"]);
  f.local(["px", "P2", "oc", "OC16", "ic", "xrow", "xr", "wt", "wt2", "wstep", "outp"]);
  f.local(["a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "xa", "xb", "s", "w0", "w1", "w2", "w3", "off8"], V128);
  f.local(["r0", "r1", "r2", "r3"], V128);
  const g = (n: string) => f.get(n);
  const dot = (acc: string, w: string) => f.set(acc, i32x4Add(g(acc), i32x4DotI16x8S(g("s"), g(w))));
  const A = ["a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7"];
  /**
   * A block of `n` pixels (1 or 2) × `q`·4 output channels (q = 2 or 4, weights of the second 8 at `wt2`):
   * every weight load feeds each pixel, every broadcast input feeds each output vector.
   */
  const block = (n: 1 | 2, q: 2 | 4) => {
    const acc = (pixel: number, k: number) => A[pixel * q + k];
    const ws = ["w0", "w1", "w2", "w3"].slice(0, q);
    const biasInit: Code = [];
    for (let k = 0; k < q; k++) biasInit.push(...f.set(acc(0, k), v128Load(add(g("bias"), shl(g("oc"), i32(2))), 16 * k)));
    if (n === 2) for (let k = 0; k < q; k++) biasInit.push(...f.set(acc(1, k), g(acc(0, k))));
    // Requantize a pixel's 4·q channels, then narrow them to bytes with one store.
    const outs: Code = [];
    const R = ["r0", "r1", "r2", "r3"].slice(0, q);
    for (let pixel = 0; pixel < n; pixel++) {
      for (let k = 0; k < q; k++) {
        const ch = k ? add(g("oc"), i32(4 * k)) : g("oc");
        outs.push(...requant4Inline(f, mode, g(acc(pixel, k)), add(g("rq"), mul(shrS(ch, i32(2)), i32(REQUANT4_BYTES)))));
        outs.push(...f.set(R[k], g("rqOut")));
      }
      outs.push(...storeI8(add(pixel ? add(g("outp"), g("OC")) : g("outp"), g("oc")), R.map((r) => g(r))));
    }
    return cat(
      biasInit,
      f.set("xr", g("xrow")),
      q === 4 ? f.set("wt2", add(g("wt"), g("wstep"))) : [],
      f.for("ic", i32(0), g("C"), 8,
        f.set("xa", i16x8Add(v128Load8x8S(g("xr")), g("off8"))),
        n === 2 ? f.set("xb", i16x8Add(v128Load8x8S(add(g("xr"), g("C"))), g("off8"))) : [],
        ...[0, 1, 2, 3].map((j) => cat(
          ...ws.map((w, k) => f.set(w, v128Load8x8S(k < 2 ? g("wt") : g("wt2"), 16 * j + 8 * (k % 2)))),
          ...["xa", "xb"].slice(0, n).map((x, pixel) => cat(
            f.set("s", i32x4Shuffle(g(x), g(x), [j, j, j, j])),
            ...ws.map((w, k) => dot(acc(pixel, k), w)),
          )),
        )),
        f.set("xr", add(g("xr"), i32(8))),
        f.set("wt", add(g("wt"), i32(64))),
        q === 4 ? f.set("wt2", add(g("wt2"), i32(64))) : [],
      ),
      q === 4 ? f.set("wt", g("wt2")) : [],
      outs,
    );
  };
  const row = (n: 1 | 2) => cat(
    f.set("wt", g("wpk")),
    f.for("oc", i32(0), g("OC16"), 16, block(n, 4)),
    f.for("oc", g("OC16"), g("OC"), 8, block(n, 2)),
    f.set("xrow", add(g("xrow"), mul(g("C"), i32(n)))),
    f.set("outp", add(g("outp"), mul(g("OC"), i32(n)))),
  );
  f.body = [
    ...declareRequant4Locals(f),
    ...f.set("off8", i16x8Splat(g("inOff"))),
    ...f.set("outp", g("out")),
    ...f.set("xrow", g("x")),
    // Blocks of 16 output channels (then 8); the packed weights of the second 8 start C·8 bytes later.
    ...f.set("OC16", and(g("OC"), i32(-16))),
    ...f.set("wstep", shl(g("C"), i32(3))),
    // Pixels in pairs, then the odd one out.
    ...f.set("P2", and(g("P"), i32(-2))),
    ...f.for("px", i32(0), g("P2"), 2, row(2)),
    ...f.for("px", g("P2"), g("P"), 1, row(1)),
  ];
  return f;
}

/**
 * Depthwise 3×3 weights for {@link dw3x3Func} (int8, widened by the loads): [C/8][tap pair p of 5][half of 2][4 ch][2 taps]
 * (taps 2p and 2p + 1; the ninth tap is paired with zeros), so one `i32x4.dot_i16x8_s` of two taps'
 * inputs interleaved does two taps of four channels.
 */
export function packDw3x3Weights(w: Int8Array, c: number): Int8Array {
  const out = new Int8Array(c * 10);
  let o = 0;
  for (let cb = 0; cb < c; cb += 8) {
    for (let p = 0; p < 5; p++) {
      for (let ch = 0; ch < 8; ch++) {
        out[o++] = w[2 * p * c + cb + ch];
        out[o++] = p < 4 ? w[(2 * p + 1) * c + cb + ch] : 0;
      }
    }
  }
  return out;
}

/**
 * Depthwise 3×3 convolution, 8 channels at a time: the channel group is the outer loop (its bias and
 * packed weights fixed) while the kernel walks every output pixel, taps unrolled and taken in pairs
 * with `i32x4.dot_i16x8_s`. With `splat` (one input channel, depth multiplier a multiple of 8: the first
 * layer of person_detect) the padded input holds that single channel and is read as a broadcast.
 * `wpk` points at {@link packDw3x3Weights}.
 */
function dw3x3Func(mode: RequantMode, splat = false): Func {
  const f = new Func(kernelName(splat ? "dw3x3s" : "dw3x3", mode), CONV_PARAMS);
  f.local(["n", "oy", "ox", "c", "outp", "pix", "rowp", "pxStep", "rowStep", "o1", "o2", "o3", "o4", "o5", "o6", "o7", "o8", "rqp", "nBase", "oBase", "wt"]);
  f.local(["b0", "b1", "a0", "a1", "xa", "xb", "zero"], V128);
  const g = (n: string) => f.get(n);
  const inStride = splat ? i32(1) : g("C");
  const tapOff = (fy: number, fx: number) =>
    shl(mul(add(mul(mul(i32(fy), g("DH")), g("PW")), mul(i32(fx), g("DW"))), inStride), i32(1));
  const load = (k: number) => {
    const addr = k === 0 ? g("pix") : add(g("pix"), g(`o${k}`));
    return splat ? v128Load16Splat(addr) : v128Load(addr);
  };
  const pair = (p: number) => cat(
    f.set("xa", load(2 * p)),
    f.set("xb", p < 4 ? load(2 * p + 1) : g("zero")),
    f.set("a0", i32x4Add(g("a0"), i32x4DotI16x8S(i16x8Shuffle(g("xa"), g("xb"), [0, 8, 1, 9, 2, 10, 3, 11]), v128Load8x8S(g("wt"), 16 * p)))),
    f.set("a1", i32x4Add(g("a1"), i32x4DotI16x8S(i16x8Shuffle(g("xa"), g("xb"), [4, 12, 5, 13, 6, 14, 7, 15]), v128Load8x8S(g("wt"), 16 * p + 8)))),
  );
  const offsets: Code = [];
  for (let k = 1; k < 9; k++) offsets.push(...f.set(`o${k}`, tapOff(Math.floor(k / 3), k % 3)));
  f.body = [
    ...declareRequant4Locals(f),
    ...f.set("zero", i32x4Splat(i32(0))),
    ...offsets,
    ...f.set("pxStep", shl(mul(g("SW"), inStride), i32(1))),
    ...f.set("rowStep", shl(mul(mul(g("SH"), g("PW")), inStride), i32(1))),
    ...f.for("n", i32(0), g("N"), 1,
      f.set("nBase", add(g("xp"), shl(mul(mul(mul(g("n"), g("PH")), g("PW")), inStride), i32(1)))),
      f.set("oBase", add(g("out"), mul(mul(mul(g("n"), g("OH")), g("OW")), g("C")))),
      f.for("c", i32(0), g("C"), 8,
        f.set("wt", add(g("wpk"), mul(g("c"), i32(10)))),
        f.set("b0", v128Load(add(g("bias"), shl(g("c"), i32(2))))),
        f.set("b1", v128Load(add(g("bias"), shl(g("c"), i32(2))), 16)),
        f.set("rqp", add(g("rq"), mul(shrS(g("c"), i32(2)), i32(REQUANT4_BYTES)))),
        f.set("rowp", splat ? g("nBase") : add(g("nBase"), shl(g("c"), i32(1)))),
        f.set("outp", add(g("oBase"), g("c"))),
        f.for("oy", i32(0), g("OH"), 1,
          f.set("pix", g("rowp")),
          f.for("ox", i32(0), g("OW"), 1,
            f.set("a0", g("b0")),
            f.set("a1", g("b1")),
            ...[0, 1, 2, 3, 4].map(pair),
            requant4Inline(f, mode, g("a0"), g("rqp")),
            f.set("a0", g("rqOut")),
            requant4Inline(f, mode, g("a1"), add(g("rqp"), i32(REQUANT4_BYTES))),
            storeI8(g("outp"), [g("a0"), g("rqOut")]),
            f.set("pix", add(g("pix"), g("pxStep"))),
            f.set("outp", add(g("outp"), g("C"))),
          ),
          f.set("rowp", add(g("rowp"), g("rowStep"))),
        ),
      ),
    ),
  ];
  return f;
}

/**
 * Depthwise convolution. With `splat` (one input channel, depth multiplier a multiple of 8: the first
 * layer of person_detect) the padded input holds that one channel, and every output channel group
 * reads it as a broadcast int16 instead of a replicated copy.
 */
function dwconvFunc(mode: RequantMode, splat = false): Func {
  const f = new Func(kernelName(splat ? "dwconv1" : "dwconv", mode), CONV_PARAMS);
  f.local(["n", "oy", "ox", "c", "fy", "fx", "k", "outp", "pix", "xfy", "xp2", "wp", "dxStep", "dyStep", "C16"]);
  f.local(["a0", "a1", "a2", "a3", "xv", "wv", "xv2", "wv2"], V128);
  const g = (n: string) => f.get(n);
  const mac = (acc: string, ext: (a: Code, b: Code) => Code, x: string, w: string) =>
    f.set(acc, i32x4Add(g(acc), ext(g(x), g(w))));
  const requantOut = (acc: string, ch: Code) =>
    cat(
      requant4Inline(f, mode, g(acc), add(g("rq"), mul(shrS(ch, i32(2)), i32(REQUANT4_BYTES)))),
      store4xI8(add(g("outp"), ch), g("rqOut")),
    );
  /** Walk the filter taps for channels [c, c + 8·groups), accumulating into a0…a(2·groups − 1). */
  const taps = (groups: 1 | 2) =>
    cat(
      f.set("xfy", splat ? g("pix") : add(g("pix"), shl(g("c"), i32(1)))),
      f.set("wp", add(g("w"), g("c"))),
      f.for("fy", i32(0), g("FH"), 1,
        f.set("xp2", g("xfy")),
        f.for("fx", i32(0), g("FW"), 1,
          f.set("xv", splat ? v128Load16Splat(g("xp2")) : v128Load(g("xp2"))),
          f.set("wv", v128Load8x8S(g("wp"))),
          mac("a0", i32x4ExtmulLowI16x8S, "xv", "wv"),
          mac("a1", i32x4ExtmulHighI16x8S, "xv", "wv"),
          groups === 2
            ? cat(
              f.set("xv2", splat ? g("xv") : v128Load(g("xp2"), 16)),
              f.set("wv2", v128Load8x8S(g("wp"), 8)),
              mac("a2", i32x4ExtmulLowI16x8S, "xv2", "wv2"),
              mac("a3", i32x4ExtmulHighI16x8S, "xv2", "wv2"),
            )
            : [],
          f.set("xp2", add(g("xp2"), g("dxStep"))),
          f.set("wp", add(g("wp"), g("C"))),
        ),
        f.set("xfy", add(g("xfy"), g("dyStep"))),
      ),
    );
  const biasAt = (ch: Code, off: number) => v128Load(add(g("bias"), shl(ch, i32(2))), off);
  const inStride = splat ? i32(1) : g("C");
  f.body = [
    ...declareRequant4Locals(f),
    // Byte steps between horizontally / vertically adjacent filter taps in the padded int16 input.
    ...f.set("dxStep", shl(mul(g("DW"), inStride), i32(1))),
    ...f.set("dyStep", shl(mul(mul(g("DH"), g("PW")), inStride), i32(1))),
    ...f.set("C16", and(g("C"), i32(-16))),
    ...f.set("outp", g("out")),
    ...f.for("n", i32(0), g("N"), 1,
      f.for("oy", i32(0), g("OH"), 1,
        f.for("ox", i32(0), g("OW"), 1,
          pixelBase(f, inStride),
          // 16 channels per pass (shares the tap walk), then a last group of 8 if C is not a multiple of 16.
          f.for("c", i32(0), g("C16"), 16,
            f.set("a0", biasAt(g("c"), 0)),
            f.set("a1", biasAt(g("c"), 16)),
            f.set("a2", biasAt(g("c"), 32)),
            f.set("a3", biasAt(g("c"), 48)),
            taps(2),
            requantOut("a0", g("c")),
            requantOut("a1", add(g("c"), i32(4))),
            requantOut("a2", add(g("c"), i32(8))),
            requantOut("a3", add(g("c"), i32(12))),
          ),
          f.for("c", g("C16"), g("C"), 8,
            f.set("a0", biasAt(g("c"), 0)),
            f.set("a1", biasAt(g("c"), 16)),
            taps(1),
            requantOut("a0", g("c")),
            requantOut("a1", add(g("c"), i32(4))),
          ),
          f.set("outp", add(g("outp"), g("C"))),
        ),
      ),
    ),
  ];
  return f;
}

/**
 * int8 AVERAGE_POOL_2D (scalar): windows clipped to the image, the sum divided by the clipped count,
 * rounded half away from zero with C's truncating division, then clamped — TFLite's reference.
 */
function avgPoolFunc(): Func {
  const f = new Func("avgpool", ["x", "N", "H", "W", "C", "OH", "OW", "FH", "FW", "SH", "SW", "padT", "padL", "out", "actMin", "actMax"]);
  f.local(["n", "oy", "ox", "c", "iy0", "ix0", "fy0", "fy1", "fx0", "fx1", "fy", "fx", "count", "acc", "half", "v", "outp", "rowp"]);
  const g = (n: string) => f.get(n);
  const pixel = (y: Code, x: Code) => add(g("x"), mul(add(mul(add(mul(g("n"), g("H")), y), g("W")), x), g("C")));
  f.body = [
    ...f.set("outp", g("out")),
    ...f.for("n", i32(0), g("N"), 1,
      f.for("oy", i32(0), g("OH"), 1,
        f.for("ox", i32(0), g("OW"), 1,
          f.set("iy0", sub(mul(g("oy"), g("SH")), g("padT"))),
          f.set("ix0", sub(mul(g("ox"), g("SW")), g("padL"))),
          f.set("fy0", maxS(i32(0), sub(i32(0), g("iy0")))),
          f.set("fy1", minS(g("FH"), sub(g("H"), g("iy0")))),
          f.set("fx0", maxS(i32(0), sub(i32(0), g("ix0")))),
          f.set("fx1", minS(g("FW"), sub(g("W"), g("ix0")))),
          f.set("count", mul(maxS(i32(0), sub(g("fy1"), g("fy0"))), maxS(i32(0), sub(g("fx1"), g("fx0"))))),
          f.set("half", shrS(g("count"), i32(1))),
          f.for("c", i32(0), g("C"), 1,
            f.set("acc", i32(0)),
            f.for("fy", g("fy0"), g("fy1"), 1,
              f.set("rowp", add(pixel(add(g("iy0"), g("fy")), add(g("ix0"), g("fx0"))), g("c"))),
              f.for("fx", g("fx0"), g("fx1"), 1,
                f.set("acc", add(g("acc"), load8s(g("rowp")))),
                f.set("rowp", add(g("rowp"), g("C"))),
              ),
            ),
            f.ifElse(
              eq(g("count"), i32(0)),
              f.set("v", i32(0)),
              f.set("v", divS(select(add(g("acc"), g("half")), sub(g("acc"), g("half")), gtS(g("acc"), i32(0))), g("count"))),
            ),
            store8(add(g("outp"), g("c")), minS(maxS(g("v"), g("actMin")), g("actMax"))),
          ),
          f.set("outp", add(g("outp"), g("C"))),
        ),
      ),
    ),
  ];
  return f;
}

/** Kinds of kernel, each exported once per {@link RequantMode} (see {@link kernelName}). */
export type KernelKind = "conv" | "dwconv" | "dwconv1" | "conv1x1" | "dw3x3" | "dw3x3s";

/** Export name of a kernel: `conv`, `conv_uniform-left`, `conv_wide`, … */
export function kernelName(kind: KernelKind, mode: RequantMode): string {
  return mode === "uniform" ? kind : `${kind}_${mode}`;
}

/** Exported kernel functions of the module. */
export interface WasmKernelExports {
  requant(acc: number, m: number, shift: number, outOff: number, actMin: number, actMax: number): number;
  pad(...args: number[]): void;
  /** The kernels, by {@link kernelName}. */
  [kernel: string]: (...args: number[]) => number | void;
}

let cached: WebAssembly.Module | null | undefined;

/** The compiled kernel module, or null when this runtime lacks WebAssembly SIMD. */
export function kernelModule(): WebAssembly.Module | null {
  if (cached !== undefined) return cached;
  try {
    const kernels = REQUANT_MODES.flatMap((mode) => [
      convFunc(mode), dwconvFunc(mode), dwconvFunc(mode, true), conv1x1Func(mode), dw3x3Func(mode), dw3x3Func(mode, true),
    ]);
    const bytes = encodeModule([requantFunc(), padFunc(), ...kernels, avgPoolFunc()], 1);
    cached = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    cached = null;
  }
  return cached;
}

/** Instantiate the kernels on a memory. */
export function instantiateKernels(memory: WebAssembly.Memory): WasmKernelExports | null {
  const mod = kernelModule();
  if (!mod) return null;
  return new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as WasmKernelExports;
}
