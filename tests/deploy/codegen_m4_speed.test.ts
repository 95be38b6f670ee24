/**
 * The Cortex-M4 DSP paths of the C kernels (SXTB16/SMLAD dot products, the packed depthwise windows, clipped
 * and whole) against the TypeScript int8 engine, byte for byte: random FULLY_CONNECTED, CONV_2D,
 * DEPTHWISE_CONV_2D and fused convolution -> FULLY_CONNECTED graphs are built with arm-none-eabi-gcc
 * (-mcpu=cortex-m4, so __ARM_FEATURE_DSP is on) and run in QEMU mps2-an386. Also prints (and loosely bounds)
 * the instructions of one micro_speech-sized inference, counted with QEMU's -icount clock.
 */
import { describe, expect, test } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Graph } from "../../lib/graph/types.ts";
import { Interpreter } from "../../lib/int8/mod.ts";
import { generateArduinoLibrary } from "../../lib/deploy/codegen/mod.ts";
import { buildCortexM4, parseHarness, runCortexM4 } from "../../lib/deploy/emulate/mod.ts";
import { countModelInstructions } from "../../lib/deploy/kws/profile.ts";
import { diffs, hasTool } from "./codegen_helpers.ts";
import { conv, dw, fc, GraphBuilder, noise, size } from "./graph_builder.ts";

const HAVE_ARM = hasTool("arm-none-eabi-gcc") && hasTool("qemu-system-arm");
if (!HAVE_ARM) console.warn("codegen Cortex-M4 kernel tests: no arm-none-eabi-gcc/qemu-system-arm, skipped");

/** micro_speech's shape: DEPTHWISE_CONV_2D [1,49,40,1] * [1,10,8,8] stride 2 SAME, then FULLY_CONNECTED 4000 -> 4. */
function microSpeechLike(seed: number): Graph {
  const g = new GraphBuilder(seed);
  const x = g.act([1, 49, 40, 1], 0.05, -128), y = g.act([1, 25, 20, 8], 0.4, -128), z = g.act([1, 4], 30, 14);
  g.op(dw("SAME", 2, 1, 8, "RELU"), [x, g.weights([1, 10, 8, 8], [0.01, 0.02, 0.015, 0.01, 0.012, 0.03, 0.02, 0.01], 3), g.bias(8, 0.0005)], [y]);
  g.op(fc("NONE"), [y, g.weights([4, 4000], 0.004), g.bias(4, 0.0004)], [z]);
  return g.graph(x, z);
}

function cases(): Record<string, Graph> {
  const out: Record<string, Graph> = {};
  for (const [depth, seed] of [[43, 1], [8, 2], [2100, 3], [5, 4]] as const) {
    const g = new GraphBuilder(seed);
    const extreme = seed === 3;
    const x = g.act([2, depth], 0.05, -3), y = g.act([2, 7], extreme ? 40 : 0.3, 4);
    g.op(fc(extreme ? "NONE" : "RELU6"), [x, g.weights([7, depth], 0.01, 0, extreme), g.bias(7, 0.0005)], [y]);
    out[`FULLY_CONNECTED depth ${depth}`] = g.graph(x, y);
  }
  {
    const g = new GraphBuilder(10);
    const x = g.act([1, 9, 11, 3], 0.05, 2), y = g.act([1, 5, 6, 6], 0.08, -10), z = g.act([1, 5, 6, 6], 0.1, 3);
    g.op(conv("SAME", 2, 1, "RELU"), [x, g.weights([6, 3, 3, 3], [0.01, 0.012, 0.008, 0.02, 0.011, 0.009]), g.bias(6, 0.0005)], [y]);
    g.op(conv("SAME", 1, 2, "NONE"), [y, g.weights([6, 3, 3, 6], 0.01), -1], [z]);
    out["CONV_2D SAME stride 2, then dilation 2"] = g.graph(x, z);
  }
  {
    const g = new GraphBuilder(11);
    const x = g.act([1, 7, 6, 5], 0.05, -1), y = g.act([1, 7, 6, 4], 0.1, 2);
    g.op(conv("SAME", 1, 1, "NONE"), [x, g.weights([4, 5, 5, 5], 0.01), g.bias(4, 0.0005)], [y]);
    out["CONV_2D 5x5 SAME: padding on every side"] = g.graph(x, y);
  }
  // one input channel: the packed depthwise path (whole windows with widths 4 and 8, clipped, odd widths)
  for (const [h, w, fh, fw, s, pad, m, seed] of [
    [12, 13, 3, 4, 1, "SAME", 3, 20], [15, 17, 5, 8, 2, "SAME", 2, 21], [9, 10, 3, 3, 1, "SAME", 4, 22],
    [11, 14, 4, 7, 1, "VALID", 1, 23], [10, 9, 2, 5, 3, "SAME", 2, 24],
  ] as const) {
    const g = new GraphBuilder(seed);
    const oh = pad === "SAME" ? Math.ceil(h / s) : Math.floor((h - fh) / s) + 1;
    const ow = pad === "SAME" ? Math.ceil(w / s) : Math.floor((w - fw) / s) + 1;
    const x = g.act([1, h, w, 1], 0.05, 7), y = g.act([1, oh, ow, m], 0.06, -5);
    g.op(dw(pad, s, 1, m, "RELU"), [x, g.weights([1, fh, fw, m], Array.from({ length: m }, (_, i) => 0.01 + 0.004 * i), 3, seed === 21), g.bias(m, 0.0005)], [y]);
    out[`DEPTHWISE_CONV_2D 1 channel ${h}x${w} * ${fh}x${fw} x${m} stride ${s} ${pad}`] = g.graph(x, y);
  }
  {
    const g = new GraphBuilder(25);
    const x = g.act([1, 14, 16, 1], 0.05, 9), y = g.act([1, 14, 8, 3], 0.06, -5);
    g.op({ ...dw("SAME", 1, 1, 3, "NONE"), strideW: 2, dilationH: 2 }, [x, g.weights([1, 3, 4, 3], [0.01, 0.02, 0.015], 3), g.bias(3, 0.0005)], [y]);
    out["DEPTHWISE_CONV_2D 1 channel, dilation_h 2, stride_w 2"] = g.graph(x, y);
  }
  {
    const g = new GraphBuilder(30);
    const x = g.act([1, 7, 8, 3], 0.05, -1), y = g.act([1, 7, 8, 6], 0.02, 0);
    g.op(dw("SAME", 1, 1, 2, "RELU"), [x, g.weights([1, 3, 3, 6], [0.01, 0.02, 0.015, 0.01, 0.012, 0.03], 3), g.bias(6, 0.0005)], [y]);
    out["DEPTHWISE_CONV_2D 3 channels multiplier 2 (portable path)"] = g.graph(x, y);
  }
  {
    const g = new GraphBuilder(31);
    const x = g.act([1, 7, 7, 4], 0.05, 3), y = g.act([1, 4, 4, 8], 0.1, -3), z = g.act([1, 10], 0.2, 2);
    g.op(conv("SAME", 2, 1, "RELU"), [x, g.weights([8, 3, 3, 4], 0.01), g.bias(8, 0.0005)], [y]);
    g.op(fc("NONE"), [y, g.weights([10, 128], 0.01), g.bias(10, 0.001)], [z]);
    out["CONV_2D fused into FULLY_CONNECTED"] = g.graph(x, z);
  }
  {
    const g = new GraphBuilder(32);
    const x = g.act([1, 19, 22, 1], 0.05, -20), y = g.act([1, 10, 11, 4], 0.1, -3), z = g.act([1, 5], 0.2, 2);
    g.op(dw("SAME", 2, 1, 4, "NONE"), [x, g.weights([1, 6, 8, 4], 0.02, 3), g.bias(4, 0.0004)], [y]);
    g.op(fc("NONE"), [y, g.weights([5, 440], 0.01), g.bias(5, 0.001)], [z]);
    out["DEPTHWISE_CONV_2D (1 channel) fused into FULLY_CONNECTED"] = g.graph(x, z);
  }
  out["micro_speech-sized DEPTHWISE_CONV_2D fused into FULLY_CONNECTED"] = microSpeechLike(40);
  return out;
}

function bytes(a: Int8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Bare-metal program: run the model on each input and print its output as one hex line, then END. */
function m4Main(inputs: Int8Array[], outBytes: number): string {
  const n = inputs[0].length;
  const data = inputs.map((x) => `{${Array.from(x).join(",")}}`).join(",\n");
  return `#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include "m.h"
static const int8_t inputs[${inputs.length}][${n}] = {${data}};
int main(void) {
  int s, i;
  for (s = 0; s < ${inputs.length}; ++s) {
    memcpy(m_input(), inputs[s], ${n});
    m_run();
    for (i = 0; i < ${outBytes}; ++i) printf("%02x", (unsigned)(uint8_t)m_output()[i]);
  }
  printf("\\nEND\\n");
  return 0;
}
`;
}

/** Output bytes of the generated model built for the Cortex-M4 (-Os, warnings are errors) and run in QEMU. */
async function runOnM4(graph: Graph, inputs: Int8Array[]): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), "tinyml-m4-kernels-"));
  const lib = generateArduinoLibrary(graph, { name: "m", outDir: join(dir, "m"), board: "nano33ble" });
  writeFileSync(join(dir, "main.c"), m4Main(inputs, lib.outputBytes));
  const build = await buildCortexM4([join(dir, "main.c"), join(lib.srcDir, "m_model.c"), join(lib.srcDir, "tinyml_kernels.c")], [lib.srcDir],
    { outDir: join(dir, "build"), cflags: ["-Os", "-std=c99", "-Wall", "-Wextra", "-Werror"] });
  const run = await runCortexM4(build.elfPath, { timeoutMs: 30_000 });
  expect(run.exitCode).toBe(0);
  expect(parseHarness(run.output).ended || run.output.includes("END")).toBe(true);
  const text = run.output.replace(/\r/g, "").split("\n")[0];
  return new Uint8Array((text.match(/../g) ?? []).map((h) => parseInt(h, 16)));
}

describe.skipIf(!HAVE_ARM)("Cortex-M4 DSP kernels (arm-none-eabi-gcc + QEMU) match the TypeScript int8 engine", () => {
  for (const [label, graph] of Object.entries(cases())) {
    test(label, async () => {
      const n = size(graph.tensors[graph.inputs[0]].shape);
      const inputs = [1, 2, 3].map((seed) => noise(n, 100 + seed));
      const interp = new Interpreter(graph);
      const want = new Uint8Array(inputs.flatMap((x) => Array.from(bytes(interp.invoke([x])[0] as Int8Array))));
      if (process.env.M4DBG) console.log(label, Array.from(want).slice(0, 24).join(","));
      expect(diffs(await runOnM4(graph, inputs), want)).toEqual([]);
      // Not a trivial check: outputs vary.
      expect(new Set(want).size).toBeGreaterThan(2);
    }, 60_000);
  }

  test("instructions of one micro_speech-sized inference", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tinyml-m4-count-"));
    const lib = generateArduinoLibrary(microSpeechLike(40), { name: "m", outDir: join(dir, "m"), board: "nano33ble" });
    const count = await countModelInstructions(lib.srcDir, "m", noise(1960, 7));
    console.log(`micro_speech-sized model on the Cortex-M4: ${count} instructions per inference (336k MACs)`);
    // The plain C kernels took ~3.5 M; the DSP paths ~1.9 M. Deterministic, so a generous bound is safe.
    expect(count).toBeLessThan(2_600_000);
    expect(count).toBeGreaterThan(100_000);
  }, 60_000);
});
