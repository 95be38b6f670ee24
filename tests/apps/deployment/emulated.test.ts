/**
 * The deployment helpers on emulated boards: the layer-by-layer trace from a Cortex-M4 under QEMU, cycles per
 * inference on an ATmega328P in avr8js, and instructions per inference on the Cortex-M4.
 */
import { describe, expect, test } from "vitest";
import { hostOutputs } from "../../../lib/deploy/pipeline/mod.ts";
import { compareTraces, hostTrace, measureAvrInference, measureCortexM4Inference, traceOnCortexM4 } from "../../../lib/apps/deployment/mod.ts";
import { hasTool, randInt8, smallMlp } from "./helpers.ts";

const arm = hasTool("arm-none-eabi-gcc") && hasTool("qemu-system-arm");
const avr = hasTool("avr-gcc") && hasTool("avr-objcopy");
if (!arm) console.warn("arm-none-eabi-gcc or qemu-system-arm missing: skipping the Cortex-M4 tests");
if (!avr) console.warn("avr-gcc missing: skipping the AVR timing tests");

const graph = smallMlp(4);
const samples = [randInt8(16, 11), randInt8(16, 12), randInt8(16, 13)];

describe.skipIf(!arm)("Cortex-M4 under QEMU", () => {
  test("every layer the board prints equals the interpreter's trace; a wrong input differs from op 0 on", { timeout: 60_000 }, async () => {
    const dev = await traceOnCortexM4(graph, samples[0], { name: "mlp" });
    expect(dev.layers).toHaveLength(3);
    const rows = compareTraces(hostTrace(graph, samples[0]), dev.layers);
    expect(rows.map((r) => r.bytes)).toEqual([8, 4, 4]);
    expect(rows.every((r) => r.differing === 0)).toBe(true);
    expect(Array.from(dev.output)).toEqual(Array.from(hostOutputs(graph, [samples[0]])[0]));
    expect(dev.flashBytes).toBeGreaterThan(1000);
    // The board ran a different input: the comparison must notice.
    const other = await traceOnCortexM4(graph, samples[1], { name: "mlp" });
    const bad = compareTraces(hostTrace(graph, samples[0]), other.layers);
    expect(bad[0].differing).toBeGreaterThan(0);
    await expect(traceOnCortexM4(graph, new Int8Array(5))).rejects.toThrow(/input has 5 bytes/);
  });

  test("instructions per inference: one count per run, same input same count, right outputs", { timeout: 60_000 }, async () => {
    const t = await measureCortexM4Inference(graph, [samples[0], samples[0], samples[1]], { runs: 3 });
    expect(t.instructions).toHaveLength(3);
    expect(t.instructions[0]).toBe(t.instructions[1]);
    // 16·8 + 8·4 = 160 MACs: at least one instruction per MAC, and not absurdly many
    expect(t.instructions[0]).toBeGreaterThan(160);
    expect(t.instructions[0]).toBeLessThan(50_000);
    expect(t.outputs.map((o) => Array.from(o))).toEqual(hostOutputs(graph, [samples[0], samples[0], samples[1]]).map((o) => Array.from(o)));
  });
});

describe.skipIf(!avr)("ATmega328P in avr8js", () => {
  test("cycles per inference: exact per run, outputs equal the interpreter's, bigger model costs more", { timeout: 60_000 }, async () => {
    const t = await measureAvrInference(graph, samples, { runs: 6 });
    expect(t.cycles).toHaveLength(6);
    expect(t.cycles[0]).toBe(t.cycles[3]); // same sample, same cycles: the count is exact
    expect(t.cycles[0]).toBeGreaterThan(160 * 4); // an 8-bit CPU needs several cycles per int8 MAC
    expect(t.cycles[0]).toBeLessThan(2_000_000);
    const host = hostOutputs(graph, samples);
    expect(t.outputs.map((o) => Array.from(o))).toEqual([0, 1, 2, 0, 1, 2].map((i) => Array.from(host[i])));
    expect(t.ramBytes).toBeLessThan(2048);

    // Without the softmax (whose cost depends on the data), cost follows the MACs: twice the hidden layer's
    // inputs (256 + 32 MACs instead of 128 + 32) costs at least 5 cycles per extra MAC (lpm + ld + mul + adds).
    const noSoftmax = (g: typeof graph) => ({ ...g, operators: g.operators.slice(0, 2), outputs: [6] });
    const wide = smallMlp(4);
    wide.tensors[0].shape = [1, 32];
    wide.tensors[1].shape = [8, 32];
    wide.tensors[1].data = randInt8(256, 99, -127, 127);
    const tn = await measureAvrInference(noSoftmax(graph), [samples[0]], { runs: 1 });
    const tw = await measureAvrInference(noSoftmax(wide), [randInt8(32, 5)], { runs: 1 });
    expect(tn.cycles[0]).toBeLessThan(t.cycles[0]);
    expect(tw.cycles[0] - tn.cycles[0]).toBeGreaterThan(128 * 5);
    expect(tw.cycles[0] - tn.cycles[0]).toBeLessThan(128 * 60);
    await expect(measureAvrInference(graph, samples, { runs: 0 })).rejects.toThrow(/runs must be/);
  });
});
