/**
 * The planner and data layouts of the per-shape AVR assembly convolution (lib/deploy/codegen/avr_conv.ts).
 * Its arithmetic is checked byte for byte in avr8js by codegen_avr_speed.test.ts; these pin down the pieces
 * that test can only see through the outputs.
 */
import { describe, expect, test } from "vitest";
import {
  avrConvBias,
  avrConvFilter,
  avrConvKernel,
  avrConvLowSums,
  type AvrConvShape,
  planAvrConv,
} from "../../lib/deploy/codegen/avr_conv.ts";
import { multiplyByQuantizedMultiplier } from "../../lib/quant/fixed_point.ts";

const MICRO_SPEECH: AvrConvShape = {
  inH: 49, inW: 40, inC: 1, outH: 25, outW: 20, outC: 8, filterH: 10, filterW: 8,
  strideH: 2, strideW: 2, padH: 4, padW: 3, dilationH: 1, dilationW: 1,
};

function plan(s: AvrConvShape, limit = 100_000) {
  const p = planAvrConv(s, limit);
  if (!("cols" in p)) throw new Error(`refused: ${p.reason}`);
  return p;
}

describe("planAvrConv", () => {
  test("micro_speech: 5 columns a group, taps split by column parity, 8 input registers each", () => {
    const p = plan(MICRO_SPEECH);
    expect(p.cols).toBe(5);
    expect(p.groups).toBe(4);
    expect(p.paddedW).toBe(19 * 2 + 8); // (groups * cols - 1) * stride + filter width
    expect(p.paddedH).toBe(24 * 2 + 10);
    expect(p.chunks.map((c) => c.taps.map((t) => t.fx))).toEqual([[0, 2, 4, 6], [1, 3, 5, 7]]);
    expect(p.chunks[0].loads).toEqual([0, 2, 4, 6, 8, 10, 12, 14]);
    expect(p.chunks[1].loads).toEqual([1, 3, 5, 7, 9, 11, 13, 15]);
    expect(p.filterInRam).toBe(true);
  });

  test("several input channels: one chunk per channel and parity, offsets step by the channel count", () => {
    const p = plan({ ...MICRO_SPEECH, inC: 3, filterH: 3, filterW: 3, strideH: 1, strideW: 1, outW: 13, inW: 13, padW: 1, padH: 1, outH: 49 });
    expect(p.cols).toBe(5); // 13 columns: 3 groups of 5 waste 2, 4 groups of 4 waste 3
    expect(p.chunks.map((c) => c.taps.map((t) => `${t.fx}/${t.ic}`))).toEqual([["0/0", "1/0", "2/0"], ["0/1", "1/1", "2/1"], ["0/2", "1/2", "2/2"]]);
    expect(p.chunks[1].loads).toEqual([1, 4, 7, 10, 13, 16, 19]); // (column + tap) * 3 + channel
  });

  test("long filter rows are cut into chunks of at most 9 - N taps", () => {
    const p = plan({ ...MICRO_SPEECH, filterW: 9, strideW: 1, filterH: 2, outW: 20, inW: 28, padW: 0 });
    expect(p.chunks.map((c) => c.taps.length)).toEqual([4, 4, 1]);
    expect(p.chunks[1].loads[0]).toBe(4);
  });

  test("refuses what it cannot do, saying why", () => {
    const reason = (s: AvrConvShape, limit = 100_000) => {
      const p = planAvrConv(s, limit);
      return "reason" in p ? p.reason : "planned";
    };
    expect(reason({ ...MICRO_SPEECH, dilationW: 2 })).toMatch(/dilated/);
    expect(reason({ ...MICRO_SPEECH, inC: 4 })).toMatch(/taps per output/); // 320 taps: sums past 24 bits
    expect(reason({ ...MICRO_SPEECH, inC: 8, filterH: 1, filterW: 8 })).toMatch(/ldd/);
    expect(reason(MICRO_SPEECH, 1000)).toMatch(/needs \d+ bytes of RAM \(limit 1000\)/);
    // just enough RAM for the padded copy but not the filter copy: the filter stays in flash
    const p = plan(MICRO_SPEECH);
    const flash = planAvrConv(MICRO_SPEECH, p.scratchBytes - 1);
    expect("cols" in flash && flash.filterInRam).toBe(false);
  });
});

describe("the kernel's data", () => {
  const s: AvrConvShape = { ...MICRO_SPEECH, inC: 2, outC: 3, filterH: 2, filterW: 4, inW: 12, outW: 5, outH: 4, inH: 8, padH: 0, padW: 0 };
  const taps = s.filterH * s.filterW * s.inC;
  const ohwi = Array.from({ length: s.outC * taps }, (_, i) => ((i * 37) % 255) - 127);

  test("avrConvFilter: per channel, row, chunk, tap, w + 128", () => {
    const p = plan(s);
    const f = avrConvFilter(p, ohwi);
    expect(f.length).toBe(ohwi.length);
    let k = 0;
    for (let c = 0; c < s.outC; c++) {
      for (let fy = 0; fy < s.filterH; fy++) {
        // stride 2: even columns then odd, each for channel 0 then 1
        for (const [r, ic] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
          for (const fx of [r, r + 2]) expect(f[k++]).toBe(ohwi[((c * s.filterH + fy) * s.filterW + fx) * s.inC + ic] + 128);
        }
      }
    }
    expect(Math.min(...f)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...f)).toBeLessThanOrEqual(255);
  });

  test("avrConvBias: sum (w + 128) u - 128 sum u + offset is TFLite's accumulator", () => {
    const p = plan(s);
    const bias = [1000, -2000, 30];
    const zp = -7;
    const offsets = avrConvBias(p, ohwi, bias, zp);
    const x = Array.from({ length: taps }, (_, i) => ((i * 91) % 256) - 128);
    for (let c = 0; c < s.outC; c++) {
      let tflite = bias[c], kernel = 2 ** 23, sumU = 0;
      for (let t = 0; t < taps; t++) {
        const w = ohwi[c * taps + t], u = x[t] + 128;
        tflite += w * (x[t] - zp);
        kernel += (w + 128) * u;
        sumU += u;
      }
      expect(kernel - 128 * sumU + offsets[c]).toBe(tflite);
    }
  });

  test("avrConvLowSums: the first sum whose output is above act_min", () => {
    const offsets = [-8_000_000, -8_388_608, -1_000_000, -8_388_608 - 8_400_000];
    const mults = [1_518_500_250, 1_073_741_824, 2_000_000_000, 1_300_000_000];
    const shifts = [-10, -12, -3, -9];
    const low = avrConvLowSums(offsets, mults, shifts, -128, -128);
    const out = (c: number, sum: number) => multiplyByQuantizedMultiplier(sum + offsets[c], mults[c], shifts[c]) - 128;
    for (let c = 0; c < 3; c++) {
      expect(low[c]).toBeGreaterThan(0);
      expect(out(c, low[c])).toBeGreaterThan(-128);
      expect(out(c, low[c] - 1)).toBeLessThanOrEqual(-128);
    }
    expect(low[3]).toBe(2 ** 24); // no sum below 2^24 gets above act_min
    expect(avrConvLowSums([5_000], [1_073_741_824], [0], -128, -128)).toEqual([0]); // every sum does
  });

  test("avrConvKernel: the same bytes for the same plan, one row of code repeated filter_h times", () => {
    const p = plan(MICRO_SPEECH);
    const a = avrConvKernel("m_op1_avr_rows", p);
    expect(avrConvKernel("m_op1_avr_rows", p)).toBe(a);
    expect(a).toContain(".rept 10");
    // per row: 2 chunks x 4 taps x 5 columns multiply-accumulates, 2 x 8 input loads, 8 weight loads
    expect(a.match(/m_op1_avr_rows_mac r/g)?.length).toBe(40);
    expect(a.match(/ldd r\d+, Y\+/g)?.length).toBe(16);
    expect(a.match(/ld r25, Z\+/g)?.length).toBe(8);
  });
});
