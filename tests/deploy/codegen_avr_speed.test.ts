/**
 * The AVR fast paths of the C kernels (assembly dot products, the out-of-line 16-bit overflow counter, the
 * interior/edge split of CONV_2D, the AVR requantization) against the TypeScript int8 engine, byte for byte:
 * each graph is compiled with avr-gcc for an ATmega2560, run in avr8js on three inputs, and also built for the
 * host (the portable C path). Shapes are chosen to hit every branch: runs not a multiple of 4, runs over the
 * assembly loop's 1020 limit, padding on every side, strides, dilation, groups, large filters, saturated
 * int8 values (sums that overflow 16 bits every other product), and convolutions fused into a FULLY_CONNECTED.
 */
import { describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Graph } from "../../lib/graph/types.ts";
import { Interpreter } from "../../lib/int8/mod.ts";
import { generateArduinoLibrary } from "../../lib/deploy/codegen/mod.ts";
import { runAvr } from "../../lib/deploy/emulate/mod.ts";
import { buildHostRunner, diffs, hasTool, runHost } from "./codegen_helpers.ts";
import { conv, fc, GraphBuilder, noise, size } from "./graph_builder.ts";

const HAVE_AVR_GCC = hasTool("avr-gcc") && hasTool("avr-objcopy");
if (!HAVE_AVR_GCC) console.warn("codegen AVR kernel tests: no avr-gcc/avr-objcopy, skipped");

interface Case {
  graph: Graph;
  /** input values: "noise", or all -128 or all 127 for the first two of three (the third is noise) */
  input?: "noise" | "min" | "max";
  /** the convolution takes the assembly generated for its shape (lib/deploy/codegen/avr_conv.ts) */
  asm?: { filterIn: "ram" | "flash" };
}

function cases(): Record<string, Case> {
  const out: Record<string, Case> = {};
  {
    const g = new GraphBuilder();
    const x = g.act([2, 43], 0.05, -3), y = g.act([2, 12], 0.3, 4);
    g.op(fc("RELU6"), [x, g.weights([12, 43], 0.01), g.bias(12, 0.0005)], [y]);
    out["FULLY_CONNECTED batch 2, depth 43 (3 single MACs + groups of 8)"] = { graph: g.graph(x, y) };
  }
  {
    const g = new GraphBuilder();
    const x = g.act([1, 2100], 0.05, 5), y = g.act([1, 6], 40, 3);
    g.op(fc("NONE"), [x, g.weights([6, 2100], 0.01, 0, true), g.bias(6, 0.0005)], [y]);
    out["FULLY_CONNECTED depth 2100 (split runs), saturated weights and inputs"] = { graph: g.graph(x, y), input: "min" };
  }
  {
    const g = new GraphBuilder();
    const x = g.act([1, 2100], 0.05, 5), y = g.act([1, 6], 0.5, -7);
    g.op(fc("NONE"), [x, g.weights([6, 2100], 0.01), g.bias(6, 0.0005)], [y]);
    out["FULLY_CONNECTED depth 2100, noise"] = { graph: g.graph(x, y) };
  }
  {
    const g = new GraphBuilder();
    const x = g.act([1, 9, 11, 3], 0.05, 2), y = g.act([1, 5, 6, 6], 0.08, -10), z = g.act([1, 5, 6, 6], 0.1, 3);
    g.op(conv("SAME", 2, 1, "RELU"), [x, g.weights([6, 3, 3, 3], [0.01, 0.012, 0.008, 0.02, 0.011, 0.009]), g.bias(6, 0.0005)], [y]);
    g.op(conv("SAME", 1, 2, "NONE"), [y, g.weights([6, 3, 3, 6], 0.01), -1], [z]);
    out["CONV_2D SAME stride 2 per-channel (run 9), then dilation 2 without bias"] = { graph: g.graph(x, z), asm: { filterIn: "ram" } };
  }
  {
    const g = new GraphBuilder();
    const x = g.act([1, 7, 6, 5], 0.05, -1), y = g.act([1, 7, 6, 4], 0.1, 2);
    g.op(conv("SAME", 1, 1, "NONE"), [x, g.weights([4, 5, 5, 5], 0.01), g.bias(4, 0.0005)], [y]);
    out["CONV_2D 5x5 SAME stride 1: padding on every side"] = { graph: g.graph(x, y) };
  }
  {
    const g = new GraphBuilder();
    const x = g.act([1, 8, 8, 2], 0.05, 0), y = g.act([1, 8, 8, 3], 0.3, -5);
    g.op(conv("SAME", 1, 1, "RELU"), [x, g.weights([3, 7, 7, 2], 0.01), g.bias(3, 0.0005)], [y]);
    out["CONV_2D 7x7 SAME (more taps than the per-tap sums hold)"] = { graph: g.graph(x, y), asm: { filterIn: "ram" } };
  }
  {
    const g = new GraphBuilder();
    const x = g.act([1, 6, 6, 16], 0.05, 6), y = g.act([1, 4, 4, 4], 80, -2);
    g.op(conv("VALID", 1, 1, "NONE"), [x, g.weights([4, 3, 3, 16], 0.01, 0, true), g.bias(4, 0.0005)], [y]);
    out["CONV_2D VALID, saturated weights and inputs (16-bit overflow every other product)"] = { graph: g.graph(x, y), input: "min" };
  }
  {
    const g = new GraphBuilder();
    const x = g.act([1, 6, 7, 6], 0.05, -4), y = g.act([1, 6, 7, 4], 0.1, 1);
    g.op(conv("SAME", 1, 1, "RELU6"), [x, g.weights([4, 3, 3, 3], 0.01), g.bias(4, 0.0005)], [y]);
    out["CONV_2D in groups of 3 channels"] = { graph: g.graph(x, y) };
  }
  {
    const g = new GraphBuilder();
    const x = g.act([1, 7, 8, 3], 0.05, -1), y = g.act([1, 7, 8, 6], 0.02, 0);
    g.op({ op: "DEPTHWISE_CONV_2D", padding: "SAME", strideW: 1, strideH: 1, dilationW: 1, dilationH: 1, depthMultiplier: 2, fusedActivation: "RELU" },
      [x, g.weights([1, 3, 3, 6], [0.01, 0.02, 0.015, 0.01, 0.012, 0.03], 3), g.bias(6, 0.0005)], [y]);
    out["DEPTHWISE_CONV_2D multiplier 2 SAME"] = { graph: g.graph(x, y) };
  }
  {
    const g = new GraphBuilder();
    const x = g.act([1, 11, 12, 5], 0.05, -6), y = g.act([1, 4, 4, 5], 0.04, 1);
    g.op({ op: "DEPTHWISE_CONV_2D", padding: "VALID", strideW: 2, strideH: 2, dilationW: 2, dilationH: 2, depthMultiplier: 1, fusedActivation: "NONE" },
      [x, g.weights([1, 3, 3, 5], 0.02, 3, true), g.bias(5, 0.0004)], [y]);
    out["DEPTHWISE_CONV_2D VALID stride 2 dilation 2, saturated weights"] = { graph: g.graph(x, y) };
  }
  {
    const g = new GraphBuilder();
    const x = g.act([1, 7, 7, 4], 0.05, 3), y = g.act([1, 4, 4, 8], 0.1, -3), z = g.act([1, 10], 0.2, 2);
    g.op(conv("SAME", 2, 1, "RELU"), [x, g.weights([8, 3, 3, 4], 0.01), g.bias(8, 0.0005)], [y]);
    g.op(fc("NONE"), [y, g.weights([10, 128], 0.01), g.bias(10, 0.001)], [z]);
    out["CONV_2D fused into FULLY_CONNECTED"] = { graph: g.graph(x, z), asm: { filterIn: "ram" } };
  }
  {
    const g = new GraphBuilder();
    const x = g.act([1, 5, 20, 4], 0.05, 3), y = g.act([1, 3, 18, 4], 0.1, -3), z = g.act([1, 5], 0.2, 2);
    g.op({ op: "DEPTHWISE_CONV_2D", padding: "VALID", strideW: 1, strideH: 1, dilationW: 1, dilationH: 1, depthMultiplier: 1, fusedActivation: "NONE" },
      [x, g.weights([1, 3, 3, 4], 0.02, 3), g.bias(4, 0.0004)], [y]);
    g.op(fc("NONE"), [y, g.weights([5, 216], 0.01), g.bias(5, 0.001)], [z]);
    out["DEPTHWISE_CONV_2D fused into FULLY_CONNECTED (rows longer than 16)"] = { graph: g.graph(x, z) };
  }
  // Convolutions through the AVR assembly generated for their shape.
  // micro_speech's shape, smaller: a one-channel DEPTHWISE 10x8 stride 2 SAME with a ReLU, fused into 4 outputs
  const speechShaped = (saturated: boolean): Graph => {
    const g = new GraphBuilder();
    const x = g.act([1, 21, 16, 1], 0.05, -128), y = g.act([1, 11, 8, 4], 0.1, -128), z = g.act([1, 4], 0.2, 2);
    const filter = saturated ? g.weights([1, 10, 8, 4], 0.02, 0, true) : g.weights([1, 10, 8, 4], [0.01, 0.02, 0.015, 0.012]);
    g.op({ op: "DEPTHWISE_CONV_2D", padding: "SAME", strideW: 2, strideH: 2, dilationW: 1, dilationH: 1, depthMultiplier: 4, fusedActivation: "RELU" },
      [x, filter, g.bias(4, 0.0005)], [y]);
    g.op(fc("NONE"), [y, g.weights([4, 352], 0.01), g.bias(4, 0.001)], [z]);
    return g.graph(x, z);
  };
  out["AVR assembly: micro_speech's one-channel DEPTHWISE 10x8 stride 2 SAME, fused into 4 outputs"] = { graph: speechShaped(false), asm: { filterIn: "ram" } };
  out["AVR assembly: the same with saturated weights, inputs all 127 (the largest sums)"] = { graph: speechShaped(true), input: "max", asm: { filterIn: "ram" } };
  {
    const g = new GraphBuilder();
    const x = g.act([1, 9, 13, 3], 0.05, 7), y = g.act([1, 9, 13, 5], 0.08, -20);
    g.op(conv("SAME", 1, 1, "RELU"), [x, g.weights([5, 3, 3, 3], [0.01, 0.012, 0.008, 0.02, 0.011]), g.bias(5, 0.0005)], [y]);
    out["AVR assembly: CONV_2D 3x3 stride 1, 3 channels, 13 columns (spare ones in the last group), stored"] = { graph: g.graph(x, y), asm: { filterIn: "ram" } };
  }
  {
    const g = new GraphBuilder();
    const x = g.act([1, 12, 10, 2], 0.05, 3), y = g.act([1, 5, 4, 6], 0.05, 9), z = g.act([1, 7], 0.2, -2);
    g.op(conv("VALID", 2, 1, "NONE"), [x, g.weights([6, 3, 3, 2], 0.01), g.bias(6, 0.0005)], [y]);
    g.op(fc("NONE"), [y, g.weights([7, 120], 0.01), g.bias(7, 0.001)], [z]);
    out["AVR assembly: CONV_2D VALID stride 2, no activation (outputs below the zero point), fused into 7 outputs"] = { graph: g.graph(x, z), asm: { filterIn: "ram" } };
  }
  {
    const g = new GraphBuilder();
    const x = g.act([1, 4, 12, 8], 0.05, -3), y = g.act([1, 4, 12, 48], 0.1, -128);
    g.op(conv("SAME", 1, 1, "RELU6"), [x, g.weights([48, 3, 3, 8], 0.01), g.bias(48, 0.0005)], [y]);
    out["AVR assembly: CONV_2D 3x3x8, 48 channels (filter read from flash: too big to copy to RAM), RELU6"] = { graph: g.graph(x, y), asm: { filterIn: "flash" } };
  }
  return out;
}

function bytes(a: Int8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Bare-metal ATmega2560 program: for each input (kept in flash), run the model and print its output in hex. */
function avrMain(inputs: Int8Array[], outBytes: number): string {
  const n = inputs[0].length;
  const data = inputs.map((x) => `{${Array.from(x).join(",")}}`).join(",\n");
  return `#include <avr/io.h>
#include <avr/pgmspace.h>
#include <stdint.h>
#include "m.h"
static const int8_t inputs[${inputs.length}][${n}] PROGMEM = {${data}};
static void put(char c) { while (!(UCSR0A & (1 << UDRE0))) {} UDR0 = c; }
static void hex(uint8_t b) { static const char d[] = "0123456789abcdef"; put(d[b >> 4]); put(d[b & 15]); }
int main(void) {
  uint16_t i;
  uint8_t s;
  UBRR0H = 0; UBRR0L = 8; UCSR0B = 1 << TXEN0; UCSR0C = 3 << UCSZ00;
  for (s = 0; s < ${inputs.length}; ++s) {
    for (i = 0; i < ${n}; ++i) m_input()[i] = (int8_t)pgm_read_byte(&inputs[s][i]);
    m_run();
    for (i = 0; i < ${outBytes}; ++i) hex((uint8_t)m_output()[i]);
  }
  put('\\n'); put('E'); put('N'); put('D'); put('\\n');
  for (;;) {}
}
`;
}

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} failed:\n${r.stderr}`);
  if (r.stderr.trim()) throw new Error(`${cmd} warned:\n${r.stderr}`);
}

/** Output bytes of the generated model compiled with avr-gcc -Os and run in avr8js. */
function runOnAvr(graph: Graph, inputs: Int8Array[], asm?: Case["asm"]): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "tinyml-avr-kernels-"));
  const lib = generateArduinoLibrary(graph, { name: "m", outDir: join(dir, "m"), board: "mega2560" });
  // The generated assembly is used exactly where expected, reading its filter from where expected.
  const source = readFileSync(join(lib.srcDir, "m_model.c"), "utf8");
  expect(source.includes("(AVR: generated assembly)")).toBe(asm !== undefined);
  if (asm) expect(source.includes(asm.filterIn === "ram" ? "ld r25, Z+" : "lpm r25, Z+")).toBe(true);
  writeFileSync(join(dir, "main.c"), avrMain(inputs, lib.outputBytes));
  const elf = join(dir, "fw.elf"), hex = join(dir, "fw.hex");
  // -flto as the Arduino AVR core builds (the assembly is file-level asm, which LTO must keep).
  sh("avr-gcc", ["-mmcu=atmega2560", "-DF_CPU=16000000UL", "-Os", "-std=c99", "-Wall", "-Wextra", "-flto", "-ffunction-sections", "-fdata-sections", "-Wl,--gc-sections",
    `-I${lib.srcDir}`, join(dir, "main.c"), join(lib.srcDir, "m_model.c"), join(lib.srcDir, "tinyml_kernels.c"), "-o", elf]);
  sh("avr-objcopy", ["-O", "ihex", "-R", ".eeprom", elf, hex]);
  const run = runAvr(readFileSync(hex, "utf8"), { mcu: "atmega2560", maxCycles: 200_000_000 });
  expect(run.stoppedBy).toBe("marker");
  const text = run.output.replace(/\r/g, "").split("\n")[0];
  return new Uint8Array((text.match(/../g) ?? []).map((h) => parseInt(h, 16)));
}

describe.skipIf(!HAVE_AVR_GCC || !hasTool("gcc"))("AVR kernels (avr-gcc + avr8js) and host C match the TypeScript int8 engine", () => {
  for (const [label, c] of Object.entries(cases())) {
    test(label, () => {
      const inT = c.graph.tensors[c.graph.inputs[0]];
      const n = size(inT.shape);
      const fill = c.input === "min" ? -128 : c.input === "max" ? 127 : undefined;
      const inputs = [1, 2, 3].map((seed) => (fill !== undefined && seed < 3 ? new Int8Array(n).fill(fill) : noise(n, 100 + seed)));
      const interp = new Interpreter(c.graph);
      const want = new Uint8Array(inputs.flatMap((x) => Array.from(bytes(interp.invoke([x])[0] as Int8Array))));
      expect(diffs(runOnAvr(c.graph, inputs, c.asm), want)).toEqual([]);
      const host = runHost(buildHostRunner(c.graph, "m"), new Uint8Array(inputs.flatMap((x) => Array.from(bytes(x)))));
      expect(diffs(host, want)).toEqual([]);
      // Not a trivial check: outputs vary.
      expect(new Set(want).size).toBeGreaterThan(2);
    }, 60_000);
  }
});
