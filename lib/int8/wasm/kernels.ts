/**
 * The engine's WebAssembly SIMD kernels, written with the small assembler in `assembler.ts`:
 * `pad` (int8 → offset-added, zero-padded int16), `conv` (dot products with i32x4.dot_i16x8_s),
 * `dwconv` (per-channel multiply-accumulate with i32x4.extmul_*_i16x8_s) and `requant` (TFLite's
 * double-rounding MultiplyByQuantizedMultiplier with native i64, + zero point, clamp).
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
  i64x2ShrS,
  i64x2Add,
  i64x2Sub,
  i64x2Mul,
  i64x2LtS,
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
  mul64,
  ret,
  select,
  shl,
  shrS,
  store16,
  store8,
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
 * Per-channel parameters of the vector requantization, 4 channels per 128-byte group:
 * multiplier (i32×4), 2^left (i32×4), then as i64×2 pairs: 2^(r−1) (0 when r = 0), r > 0 ? 1 : 0, 2^(31−r),
 * where left = max(shift, 0), r = max(−shift, 0).
 */
export function requant4Params(multipliers: Int32Array, shifts: Int32Array): Uint8Array {
  const groups = Math.ceil(multipliers.length / 4);
  const bytes = new Uint8Array(groups * REQUANT4_BYTES);
  const dv = new DataView(bytes.buffer);
  for (let ch = 0; ch < groups * 4; ch++) {
    const g = Math.floor(ch / 4) * REQUANT4_BYTES, lane = ch % 4;
    const m = ch < multipliers.length ? multipliers[ch] : 0;
    const shift = ch < shifts.length ? shifts[ch] : 0;
    const left = Math.max(shift, 0), r = Math.max(-shift, 0);
    dv.setInt32(g + lane * 4, m, true);
    dv.setInt32(g + 16 + lane * 4, 2 ** left | 0, true);
    dv.setBigInt64(g + 32 + lane * 8, r > 0 ? 1n << BigInt(r - 1) : 0n, true);
    dv.setBigInt64(g + 64 + lane * 8, r > 0 ? 1n : 0n, true);
    dv.setBigInt64(g + 96 + lane * 8, 1n << BigInt(31 - r), true);
  }
  return bytes;
}

/**
 * Vector form of `requant` for 4 lanes, generated inline into a kernel (a wasm call per 4 outputs costs
 * more than the arithmetic): lane-wise shifts via i64 multiplications, result (clamped int32×4) left in
 * local `rqOut`. Requires multipliers ≥ 0 (always true for positive scales), which rules out the one
 * saturating case of SaturatingRoundingDoublingHighMul. SRDHM is `floor((x·m + 2^30) / 2^31)`: for
 * x·m < 0 C's truncation adds 2^31 − 1 before flooring, and 1 − 2^30 + 2^31 − 1 = 2^30.
 */
function requant4Inline(f: Func, acc: Code, p: Code): Code {
  const g = (n: string) => f.get(n);
  const zero = i64x2Splat(i64(0));
  const half = (product: Code, off: number): Code => cat(
    f.set("rqT", i64x2ShrS(i64x2Add(product, i64x2Splat(i64(2 ** 30))), i32(31))),
    f.set("rqT", i64x2Sub(i64x2Add(g("rqT"), v128Load(p, 32 + off)), v128And(i64x2LtS(g("rqT"), zero), v128Load(p, 64 + off)))),
    f.set("rqT", i64x2ShrS(i64x2Mul(g("rqT"), v128Load(p, 96 + off)), i32(31))),
  );
  return cat(
    f.set("rqXl", i32x4Mul(acc, v128Load(p, 16))),
    half(i64x2ExtmulLowI32x4S(g("rqXl"), v128Load(p)), 0),
    f.set("rqLo", g("rqT")),
    half(i64x2ExtmulHighI32x4S(g("rqXl"), v128Load(p)), 16),
    f.set("rqOut", i32x4MinS(
      i32x4MaxS(i32x4Add(i32x4Shuffle(g("rqLo"), g("rqT"), [0, 2, 4, 6]), g("vOutOff")), g("vActMin")),
      g("vActMax"),
    )),
  );
}

/** Locals used by {@link requant4Inline}, and the splatted output offset / clamp vectors. */
function declareRequant4Locals(f: Func): Code {
  f.local(["rqXl", "rqLo", "rqT", "rqOut", "vOutOff", "vActMin", "vActMax"], V128);
  return cat(
    f.set("vOutOff", i32x4Splat(f.get("outOff"))),
    f.set("vActMin", i32x4Splat(f.get("actMin"))),
    f.set("vActMax", i32x4Splat(f.get("actMax"))),
  );
}

/** Store the 4 int32 lanes (already in int8 range) as 4 bytes. */
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
  const f = new Func("pad", ["src", "dst", "N", "H", "W", "C", "M", "padT", "padL", "PH", "PW", "offset"]);
  f.local(["n", "y", "x", "c", "k", "v", "base", "srcp", "len", "len8"]).local(["off8"], V128);
  const g = (n: string) => f.get(n);
  const CM = mul(g("C"), g("M"));
  const rowBase = (x: Code) =>
    f.set("base", add(g("dst"), shl(mul(add(mul(add(mul(g("n"), g("PH")), add(g("y"), g("padT"))), g("PW")), add(x, g("padL"))), CM), i32(1))));
  f.body = [
    // Zero the borders (the whole buffer) only when there are any: unpadded inputs are fully overwritten.
    ...f.ifElse(
      and(eq(g("PH"), g("H")), eq(g("PW"), g("W"))),
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
function pixelBase(f: Func): Code {
  const g = (n: string) => f.get(n);
  return f.set("pix", add(g("xp"), shl(mul(add(mul(add(mul(g("n"), g("PH")), mul(g("oy"), g("SH"))), g("PW")), mul(g("ox"), g("SW"))), g("C")), i32(1))));
}

function requantStore(f: Func, outAddr: Code, acc: Code, ch: Code): Code {
  const g = (n: string) => f.get(n);
  return store8(outAddr, call(REQUANT, acc, load32(add(g("mults"), shl(ch, i32(2)))), load32(add(g("shifts"), shl(ch, i32(2)))), g("outOff"), g("actMin"), g("actMax")));
}

function convFunc(): Func {
  const f = new Func("conv", CONV_PARAMS);
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
            requant4Inline(f,
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

function dwconvFunc(): Func {
  const f = new Func("dwconv", CONV_PARAMS);
  f.local(["n", "oy", "ox", "c", "fy", "fx", "k", "outp", "pix", "xfy", "xp2", "wp", "dxStep", "dyStep", "C16"]);
  f.local(["a0", "a1", "a2", "a3", "xv", "wv", "xv2", "wv2"], V128);
  const g = (n: string) => f.get(n);
  const mac = (acc: string, ext: (a: Code, b: Code) => Code, x: string, w: string) =>
    f.set(acc, i32x4Add(g(acc), ext(g(x), g(w))));
  const requantOut = (acc: string, ch: Code) =>
    cat(
      requant4Inline(f, g(acc), add(g("rq"), mul(shrS(ch, i32(2)), i32(REQUANT4_BYTES)))),
      store4xI8(add(g("outp"), ch), g("rqOut")),
    );
  /** Walk the filter taps for channels [c, c + 8·groups), accumulating into a0…a(2·groups − 1). */
  const taps = (groups: 1 | 2) =>
    cat(
      f.set("xfy", add(g("pix"), shl(g("c"), i32(1)))),
      f.set("wp", add(g("w"), g("c"))),
      f.for("fy", i32(0), g("FH"), 1,
        f.set("xp2", g("xfy")),
        f.for("fx", i32(0), g("FW"), 1,
          f.set("xv", v128Load(g("xp2"))),
          f.set("wv", v128Load8x8S(g("wp"))),
          mac("a0", i32x4ExtmulLowI16x8S, "xv", "wv"),
          mac("a1", i32x4ExtmulHighI16x8S, "xv", "wv"),
          groups === 2
            ? cat(
              f.set("xv2", v128Load(g("xp2"), 16)),
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
  f.body = [
    ...declareRequant4Locals(f),
    // Byte steps between horizontally / vertically adjacent filter taps in the padded int16 input.
    ...f.set("dxStep", shl(mul(g("DW"), g("C")), i32(1))),
    ...f.set("dyStep", shl(mul(mul(g("DH"), g("PW")), g("C")), i32(1))),
    ...f.set("C16", and(g("C"), i32(-16))),
    ...f.set("outp", g("out")),
    ...f.for("n", i32(0), g("N"), 1,
      f.for("oy", i32(0), g("OH"), 1,
        f.for("ox", i32(0), g("OW"), 1,
          pixelBase(f),
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

/** Exported kernel functions of the module. */
export interface WasmKernelExports {
  requant(acc: number, m: number, shift: number, outOff: number, actMin: number, actMax: number): number;
  pad(...args: number[]): void;
  conv(...args: number[]): void;
  dwconv(...args: number[]): void;
}

let cached: WebAssembly.Module | null | undefined;

/** The compiled kernel module, or null when this runtime lacks WebAssembly SIMD. */
export function kernelModule(): WebAssembly.Module | null {
  if (cached !== undefined) return cached;
  try {
    const bytes = encodeModule([requantFunc(), padFunc(), convFunc(), dwconvFunc()], 1);
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
