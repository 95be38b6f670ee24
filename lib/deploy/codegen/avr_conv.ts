/**
 * A CONV_2D generated as AVR assembly for one layer's shape: the kernel behind micro_speech's ~7 cycles per
 * multiply-accumulate on an ATmega.
 *
 * Why per layer: AVR's `ldd Y+q` addresses a byte at a constant offset for free, but q is part of the opcode, so
 * the offsets of a filter window's inputs (which depend on stride, filter width and channels) must be known
 * when the code is written. With them known, one weight loaded from flash serves N neighbouring output columns
 * and one input byte in a register serves up to N taps.
 *
 * The arithmetic is unsigned so that `mul` (any registers, unlike `muls`, which wants r16-r23) and a 24-bit sum
 * without overflow checks do: the input is copied once, with its padding, as u = x + 128 (0..255), the filter
 * is stored as w + 128 (0..255), and
 *
 *     sum (w + 128) u - 128 sum u = sum w u = sum w (x - zp) + (128 + zp) sum w
 *
 * so each output's accumulator starts at 2^23 - 128 sum(u over its window) (the driver computes the window
 * sums, shared by all output channels) and the channel's constant (bias - (128 + zp) sum w - 2^23) is added
 * after. Every partial sum stays in 0 .. 2^24 when the filter has at most 257 taps (|w u| <= 128 * 255).
 *
 * Per MAC: mul 2 + add/adc/adc 3 = 5 cycles, plus a share of the weight's lpm (3 cycles per N MACs) and of
 * the input's ldd (2 cycles per up to N taps): ~6.4 for N = 5 and 4-tap chunks.
 *
 * @module
 */
import { multiplyByQuantizedMultiplier } from "../../quant/fixed_point.ts";

/** The shape of a CONV_2D (one-channel DEPTHWISE_CONV_2D included) as the AVR kernel sees it. */
export interface AvrConvShape {
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  filterH: number;
  filterW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  dilationH: number;
  dilationW: number;
}

/** One run of taps sharing input registers: taps of one filter row with the same column parity and channel. */
export interface AvrConvChunk {
  /** ldd offsets (from the window's row start) of the input bytes loaded into the chunk's registers. */
  loads: number[];
  /** The chunk's taps, in the order their weights are stored: filter column and input channel. */
  taps: { fx: number; ic: number }[];
}

/** How {@link avrConvKernel} computes a layer; from {@link planAvrConv}. */
export interface AvrConvPlan {
  shape: AvrConvShape;
  /** Output columns computed together (N): each weight loaded serves N of them. */
  cols: number;
  /** Groups of N columns per output row (the last may compute a few columns past the output, unused). */
  groups: number;
  /** Width (pixels) and height of the padded copy of the input the kernel reads. */
  paddedW: number;
  paddedH: number;
  /** The chunks of every filter row (each row is the same). */
  chunks: AvrConvChunk[];
  /**
   * The kernel reads the filter from a copy in RAM (`ld`, 2 cycles) rather than from flash (`lpm`, 3), when
   * the RAM allows; the driver copies it there at each run (a few cycles per byte).
   */
  filterInRam: boolean;
  /** Static RAM the kernel's driver needs: the padded input, start and found sums, column sums, one row's outputs and their columns, per-channel constants, the filter copy. */
  scratchBytes: number;
  /** Bytes of AVR code of the generated kernel (about). */
  codeBytes: number;
}

/** Why {@link planAvrConv} leaves a layer to the generic kernels. */
export type AvrConvRefusal = { reason: string };

/** Registers r2.. hold the N 24-bit sums; the inputs follow; r25 the weight, r26 zero, r27 the group count. */
const MAX_INPUT_REGS = 8;
/** ldd reaches Y+0 .. Y+63. */
const MAX_LDD = 63;
/** Taps per output whose sums stay within 24 bits (see the module doc). */
export const AVR_CONV_MAX_TAPS = 257;

/**
 * Plans the AVR assembly convolution of a layer, or says why it does not apply (then the generic C/assembly
 * kernels run it). `scratchLimit` bounds the static RAM for the padded input copy and sums.
 *
 * @example
 * const plan = planAvrConv({ inH: 49, inW: 40, inC: 1, outH: 25, outW: 20, outC: 8, filterH: 10, filterW: 8,
 *   strideH: 2, strideW: 2, padH: 4, padW: 3, dilationH: 1, dilationW: 1 }, 4096);
 * if ("cols" in plan) console.log(plan.cols, plan.scratchBytes); // 5 2940
 */
export function planAvrConv(s: AvrConvShape, scratchLimit: number): AvrConvPlan | AvrConvRefusal {
  if (s.dilationH !== 1 || s.dilationW !== 1) return { reason: "dilated" };
  const taps = s.filterH * s.filterW * s.inC;
  if (taps > AVR_CONV_MAX_TAPS) return { reason: `${taps} taps per output (at most ${AVR_CONV_MAX_TAPS} keep the sums within 24 bits)` };
  // the driver counts rows, window bytes and columns in 8 bits
  if (s.filterH > 255 || s.filterW * s.inC > 255 || s.strideW * s.inC > 255 || s.outW > 250) return { reason: "its filter or output rows are too long for the 8-bit counts" };
  let best: AvrConvPlan | undefined;
  for (const cols of [5, 4]) {
    const groups = Math.ceil(s.outW / cols);
    const chunks = rowChunks(s, cols);
    if (chunks.some((c) => c.loads.some((q) => q > MAX_LDD))) continue;
    const paddedW = (groups * cols - 1) * s.strideW + s.filterW;
    const paddedH = (s.outH - 1) * s.strideH + s.filterH;
    const rowBytes = paddedW * s.inC;
    const scratchBytes = paddedH * rowBytes + 2 * 4 * groups * cols + 2 * rowBytes + 3 * s.outW + 16 * s.outC;
    // words: per chunk its loads, per tap an lpm and 4 per MAC; rows, 2 to step Y; ~60 around the groups
    const rowWords = chunks.reduce((n, c) => n + c.loads.length + c.taps.length * (1 + 4 * cols), 0) + 2;
    const plan = { shape: s, cols, groups, paddedW, paddedH, chunks, filterInRam: false, scratchBytes, codeBytes: 2 * (s.filterH * rowWords + 60) };
    const waste = (p: AvrConvPlan) => p.groups * p.cols - s.outW;
    if (!best || waste(plan) < waste(best)) best = plan;
  }
  if (!best) return { reason: "its window is wider than ldd's 63-byte reach" };
  if (best.scratchBytes > scratchLimit) return { reason: `its padded input copy needs ${best.scratchBytes} bytes of RAM (limit ${scratchLimit})` };
  if (best.codeBytes > 4000) return { reason: `the unrolled kernel would take ${best.codeBytes} bytes of flash` };
  const filterBytes = s.outC * taps;
  if (best.scratchBytes + filterBytes <= scratchLimit) return { ...best, filterInRam: true, scratchBytes: best.scratchBytes + filterBytes };
  return best;
}

/** Chunks of one filter row for N output columns: by column residue mod stride and channel, <= 9 - N taps. */
function rowChunks(s: AvrConvShape, cols: number): AvrConvChunk[] {
  const maxTaps = MAX_INPUT_REGS + 1 - cols;
  const chunks: AvrConvChunk[] = [];
  for (let r = 0; r < Math.min(s.strideW, s.filterW); r++) {
    for (let ic = 0; ic < s.inC; ic++) {
      const ks: number[] = [];
      for (let k = 0; r + k * s.strideW < s.filterW; k++) ks.push(k);
      for (let a = 0; a < ks.length; a += maxTaps) {
        const part = ks.slice(a, a + maxTaps), k0 = part[0];
        // register m holds the input of output column j for tap k0 + (m - j)
        const loads = Array.from({ length: cols + part.length - 1 }, (_, m) => (s.strideW * (m + k0) + r) * s.inC + ic);
        chunks.push({ loads, taps: part.map((k) => ({ fx: r + k * s.strideW, ic })) });
      }
    }
  }
  return chunks;
}

/**
 * The filter as the kernel reads it with `lpm Z+`: per output channel, per filter row, per chunk, per tap,
 * w + 128 as a byte. `ohwi` is the filter in [out_c][h][w][in_c] order.
 */
export function avrConvFilter(plan: AvrConvPlan, ohwi: ArrayLike<number>): number[] {
  const s = plan.shape, out: number[] = [];
  for (let c = 0; c < s.outC; c++) {
    for (let fy = 0; fy < s.filterH; fy++) {
      for (const chunk of plan.chunks) {
        for (const t of chunk.taps) out.push(ohwi[((c * s.filterH + fy) * s.filterW + t.fx) * s.inC + t.ic] + 128);
      }
    }
  }
  return out;
}

/**
 * Per output channel, the constant added to the kernel's sum to give TFLite's accumulator
 * (bias + sum w (x - zp)): bias - (128 + zp) * sum(w) - 2^23.
 */
export function avrConvBias(plan: AvrConvPlan, ohwi: ArrayLike<number>, bias: ArrayLike<number> | undefined, inputZeroPoint: number): number[] {
  const s = plan.shape, taps = s.filterH * s.filterW * s.inC;
  return Array.from({ length: s.outC }, (_, c) => {
    let sum = 0;
    for (let t = 0; t < taps; t++) sum += ohwi[c * taps + t];
    return (bias ? bias[c] : 0) - (128 + inputZeroPoint) * sum - 2 ** 23;
  });
}

/**
 * Per output channel, the smallest kernel sum whose output is above `actMin`: sums below it give actMin
 * without a requantization (after a ReLU most outputs do). Found by bisection on TFLite's own arithmetic,
 * which is monotone in the accumulator; 0 when every sum passes, 2^24 when none does.
 */
export function avrConvLowSums(
  offsets: number[],
  multipliers: number[],
  shifts: number[],
  outputZeroPoint: number,
  actMin: number,
): number[] {
  return offsets.map((b, c) => {
    const above = (sum: number) => multiplyByQuantizedMultiplier(sum + b, multipliers[c], shifts[c]) + outputZeroPoint > actMin;
    let lo = 0, hi = 2 ** 24; // answer in [lo, hi]
    if (above(lo)) return 0;
    if (!above(hi - 1)) return hi;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (above(mid)) hi = mid;
      else lo = mid;
    }
    return hi;
  });
}

/**
 * The kernel as C source: a prototype and a top-level `__asm__` function `symbol` (compiled on AVR only; the
 * caller guards it) with the avr-gcc ABI
 *
 *     uint8_t* symbol(const uint8_t* x, const uint8_t* w, const uint8_t* start, uint8_t* found,
 *                     uint8_t groups, uint32_t low);
 *
 * x: the padded input at the first window's top-left byte; w: one channel's filter ({@link avrConvFilter}),
 * in flash, or in RAM with `filterInRam`; start: 4 bytes per output column, the sums' starting values. `groups` groups of N
 * columns are computed; each sum at or above `low` (< 2^24) is written to `found` as 4 bytes, its column and
 * the sum's 3 bytes: after a ReLU the others are outputs at the zero point, and most are. Returns the end of
 * what was written.
 */
export function avrConvKernel(symbol: string, plan: AvrConvPlan): string {
  const s = plan.shape, N = plan.cols;
  const rowBytes = plan.paddedW * s.inC;
  const acc = (j: number, b: number) => `r${2 + 3 * j + b}`;
  const inReg = (m: number) => `r${2 + 3 * N + m}`;
  if (2 + 3 * N + MAX_INPUT_REGS > 25) throw new Error(`avrConvKernel: ${N} columns do not fit the registers`);
  const state = `${symbol}_state`; // between groups: w, start, found pointers, low (3 bytes), column
  const saved = ["r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "r16", "r17", "r28", "r29"];
  const a: string[] = [];
  const ins = (line: string) => a.push(`  ${line}`);
  const lo8 = (v: number) => `lo8(${v})`, hi8 = (v: number) => `hi8(${v})`;
  const mac = `${symbol}_mac`;
  a.push(`.section .bss.${state},"aw",@nobits`, `${state}: .zero 10`);
  a.push(`.section .text.${symbol},"ax",@progbits`);
  a.push(`.macro ${mac} x, s0, s1, s2 /* 24-bit sum s += x * w (w in r25, r26 zero) */`);
  ins("mul \\x, r25");
  ins("add \\s0, r0");
  ins("adc \\s1, r1");
  ins("adc \\s2, r26");
  a.push(".endm");
  a.push(`.global ${symbol}`, `.type ${symbol}, @function`, `${symbol}:`);
  a.push(`.irp r, ${saved.join(", ")}`, "  push \\r", ".endr");
  ins("movw r28, r24 /* Y: input */");
  ins(`sts ${state}+0, r22 /* filter */`);
  ins(`sts ${state}+1, r23`);
  ins(`sts ${state}+2, r20 /* start values */`);
  ins(`sts ${state}+3, r21`);
  ins(`sts ${state}+4, r18 /* found */`);
  ins(`sts ${state}+5, r19`);
  ins(`sts ${state}+6, r12 /* low */`);
  ins(`sts ${state}+7, r13`);
  ins(`sts ${state}+8, r14`);
  ins(`sts ${state}+9, r1 /* column: 0 */`);
  ins("mov r27, r16 /* groups left */");
  ins("clr r26 /* zero */");
  a.push(`.L${symbol}_group:`);
  ins(`lds r30, ${state}+2`);
  ins(`lds r31, ${state}+3`);
  for (let j = 0; j < N; j++) for (let b = 0; b < 3; b++) ins(`ldd ${acc(j, b)}, Z+${4 * j + b}`);
  ins(`adiw r30, ${4 * N}`);
  ins(`sts ${state}+2, r30`);
  ins(`sts ${state}+3, r31`);
  ins(`lds r30, ${state}+0`);
  ins(`lds r31, ${state}+1`);
  // Every filter row is the same code: inputs at the same offsets from Y, weights next in flash.
  a.push(`.rept ${s.filterH} /* filter rows */`);
  for (const chunk of plan.chunks) {
    const taps = chunk.taps.map((t) => `${t.fx}`).join(",");
    ins(`/* columns ${taps}${s.inC > 1 ? ` of channel ${chunk.taps[0].ic}` : ""}: ${chunk.loads.length} inputs, each used by up to ${Math.min(N, chunk.taps.length)} taps */`);
    chunk.loads.forEach((q, m) => ins(`ldd ${inReg(m)}, Y+${q}`));
    chunk.taps.forEach((_, k) => {
      ins(plan.filterInRam ? "ld r25, Z+" : "lpm r25, Z+");
      for (let j = 0; j < N; j++) ins(`${mac} ${inReg(j + k)}, ${acc(j, 0)}, ${acc(j, 1)}, ${acc(j, 2)}`);
    });
  }
  ins(`subi r28, ${lo8(-rowBytes)} /* next row */`);
  ins(`sbci r29, ${hi8(-rowBytes)}`);
  a.push(".endr");
  // the sums at or above low, with their columns
  ins(`lds r18, ${state}+6`);
  ins(`lds r19, ${state}+7`);
  ins(`lds r20, ${state}+8`);
  ins(`lds r17, ${state}+9`);
  ins(`lds r30, ${state}+4`);
  ins(`lds r31, ${state}+5`);
  for (let j = 0; j < N; j++) {
    ins(`cp ${acc(j, 0)}, r18`);
    ins(`cpc ${acc(j, 1)}, r19`);
    ins(`cpc ${acc(j, 2)}, r20`);
    ins(`brlo ${j + 1}f`);
    ins("st Z+, r17");
    for (let b = 0; b < 3; b++) ins(`st Z+, ${acc(j, b)}`);
    a.push(`${j + 1}: inc r17`);
  }
  ins(`sts ${state}+9, r17`);
  ins(`sts ${state}+4, r30`);
  ins(`sts ${state}+5, r31`);
  // back to the first filter row, N columns to the right
  const next = N * s.strideW * s.inC - s.filterH * rowBytes;
  ins(`subi r28, ${lo8(-next)}`);
  ins(`sbci r29, ${hi8(-next)}`);
  ins("dec r27");
  ins(`breq .L${symbol}_done`);
  ins(`rjmp .L${symbol}_group`);
  a.push(`.L${symbol}_done:`);
  ins("movw r24, r30 /* the end of found */");
  ins("clr r1");
  a.push(`.irp r, ${[...saved].reverse().join(", ")}`, "  pop \\r", ".endr");
  ins("ret");
  a.push(`.size ${symbol}, .-${symbol}`, `.purgem ${mac}`, ".text");
  return [
    `uint8_t* ${symbol}(const uint8_t* x, const uint8_t* w, const uint8_t* start, uint8_t* found, uint8_t groups, uint32_t low);`,
    "__asm__(",
    ...a.map((l) => `    "${l.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}\\n"`),
    ");",
  ].join("\n");
}
