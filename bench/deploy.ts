/**
 * Size and speed of generated deployments (lib/deploy/codegen).
 *
 *   node_modules/.bin/deno run -A bench/deploy.ts
 *
 * 1. micro_speech on a Cortex-M4F: flash (text + data) and static RAM (data + bss) of the generated model +
 *    kernels, from arm-none-eabi-size, against TensorFlow Lite Micro's published figures for the same model:
 *    - code: "The core runtime fits in 16 KB on an Arm Cortex M3, and with enough operators to run a speech
 *      keyword detection model, takes up a total of 22 KB." (tensorflow.org/lite/microcontrollers/overview,
 *      the TFLM overview page of TensorFlow 2.x) -> 22 KB = 22528 bytes of code;
 *    - model: the flatbuffer itself, micro_speech_quantized.tflite = 18800 bytes, stored in flash as a C array;
 *    - RAM: the micro_speech example's arena, `constexpr int kTensorArenaSize = 10 * 1024;`
 *      (tensorflow/lite/micro/examples/micro_speech/main_functions.cc) -> 10240 bytes.
 *    Ours is measured two ways: the object files alone (model .c + kernels .c, -Os), and the increase of a
 *    linked firmware (with --gc-sections) over the same firmware without the model.
 * 2. AVR cycles per multiply-accumulate in avr8js (ATmega328P, Uno) for FULLY_CONNECTED, CONV_2D and
 *    DEPTHWISE_CONV_2D layers that fit the Uno: cycles of N inferences minus cycles of 0 inferences, divided by
 *    N * MACs (MACs counted from the shapes), next to the figures of the previous kernels (plain C dot
 *    products, a 64-bit multiply per requantization; recorded in PREVIOUS below, same layers, same method).
 *    Every output is checked against the host build of the same C and against the TypeScript int8 engine.
 *
 *    Goal: <= 8 cycles/MAC; measured (this script): FULLY_CONNECTED 12.4 (256 deep) and 11.2 (1024 deep),
 *    was 16.5 and 13.4; CONV_2D 18.0, was 120.9; DEPTHWISE_CONV_2D 84.0, was 438.4. Where the cycles go
 *    (avr8js counts the datasheet's cycles: ld 2, lpm 3, muls 2, taken branch 2):
 *    - FULLY_CONNECTED, tml_avr_dot_rows: ld x 2 + lpm w 3 + muls 2 + add/adc 2 + brvs 1 = 10 per MAC, + 3 per
 *      8 for the loop, + ~0.6 for the out-of-line counting of 16-bit overflows on these uniformly random int8
 *      values (less on real, smaller weights), so ~11.0; then ~370 cycles per output (~170 for the exact
 *      requantization in assembly, 16 MULs for its 32 x 32 -> 64 product; the rest call and loop overhead):
 *      +1.4/MAC at depth 256, +0.4 at depth 1024.
 *      The floor with the weights in flash is lpm 3 + muls 2 + add/adc 2 = 7, leaving one cycle for loading x
 *      and catching overflow. <= 8 needs x shared across rows, but each row's weights need Z (the only lpm
 *      pointer) swapped in and out (movw, 2 cycles), and x kept in registers, for ~8.8 at four rows at once.
 *    - CONV_2D, tml_avr_dot2_rows: two neighbouring output columns share each weight: lpm 3 + 2 * (ld 2 +
 *      muls 2 + add/adc/brvs 3) = 8.5 per MAC, + 3 per 8 for the loop, + overflow counting: ~8.9 in the loop,
 *      10.1 with the call. A 3x3x8 filter gives each output only 72 MACs, so per-output work weighs more:
 *      requantization ~2.4/MAC, output and row/channel set-up ~5.7/MAC (filter sums, padding bounds,
 *      clamping), to 18.2. Sharing each weight across four columns (ldd Y+q) would reach 7.75 in the loop, but
 *      q is an opcode constant and the column stride is only known at run time.
 *    - DEPTHWISE_CONV_2D, tml_avr_dot_strided: taps are out_c bytes apart in the filter and in_c in the input,
 *      so each MAC also steps two pointers: 17 cycles per MAC; with 9 MACs per output the ~600 cycles of
 *      requantization and set-up per output dominate.
 * 3. The whole micro_speech model on the Mega 2560 (it needs more than the Uno's 2 KB of RAM), on 8 of the
 *    conformance inputs (real "yes" features): 7.87-7.94 cycles/MAC, was 22.0 (57.6 before that), goal met,
 *    outputs byte-identical to the host build and to lib/int8. Its DEPTHWISE_CONV_2D (one input channel, so a
 *    CONV_2D) takes the assembly generated for its shape (lib/deploy/codegen/avr_conv.ts; bench/avr_profile.ts
 *    shows where cycles go):
 *    - the kernel, 2.11 M of the 2.65 M cycles (6.58 per MAC of the convolution): 5 output columns share each weight, the taps
 *      of a filter row split by column parity so 8 input registers serve 4 taps each; unsigned `mul` on
 *      x + 128 and w + 128 (any registers, where `muls` wants r16-r23) into 24-bit sums that cannot overflow,
 *      so mul 2 + add/adc/adc 3 per MAC, + ld w 2/5 (the filter copied to RAM; lpm takes 3) + ldd x 2*8/20;
 *      each sum starts at 2^23 - 128 * (its window's input sum), the column sums sliding down two rows at a
 *      time, the window sums along the row; the input is copied once with its padding, so no edge cases;
 *    - the epilogue, after the ReLU: 72 % of the outputs are at the zero point, and the kernel only reports the
 *      sums at or above each channel's threshold (the first sum whose output is above act_min, found on the
 *      host by bisection on TFLite's arithmetic); only those are requantized (exactly: the 56-bit product of
 *      12 MULs, ~150 cycles) and multiplied into the 4 FULLY_CONNECTED sums held in registers (13.5 cycles per
 *      MAC). With every output above zero (no ReLU sparsity) the same model would take ~9.6 cycles/MAC.
 *    The per-layer Uno figures above are of the portable kernels: their layers leave no RAM for the padded copy
 *    on a 2 KB Uno, so the assembly convolution is not generated there.
 * @module
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Graph, Tensor } from "../lib/graph/types.ts";
import { readTflite } from "../lib/tflite/mod.ts";
import { generateArduinoLibrary } from "../lib/deploy/codegen/mod.ts";
import { buildCortexM4, CORTEX_M4_FLAGS, runAvr } from "../lib/deploy/emulate/mod.ts";
import { Interpreter } from "../lib/int8/mod.ts";

/**
 * cycles/MAC of earlier kernels, same layers, inputs and method: the layers' figures are of the plain C inner
 * loops with a 64-bit multiply per output; micro_speech's of the assembly kernels before its depthwise layer ran
 * as CONV_2D on AVR and before edge windows and the fused FULLY_CONNECTED took the assembly dot products.
 */
const PREVIOUS: Record<string, number> = {
  "FULLY_CONNECTED 256 -> 64": 16.51,
  "FULLY_CONNECTED 1024 -> 16": 13.37,
  "CONV_2D 10x10x8 -> 8x8x8, 3x3": 120.92,
  "DEPTHWISE_CONV_2D 10x10x8 -> 8x8x8, 3x3": 438.40,
  "micro_speech": 22.0,
};
const GOAL_CYCLES_PER_MAC = 8;

const CONFORMANCE = fileURLToPath(new URL("../../shared/conformance/", import.meta.url));
const TFLM_CODE_BYTES = 22 * 1024;
const TFLM_ARENA_BYTES = 10 * 1024;

function sh(cmd: string, args: string[], input?: Uint8Array): { stdout: string; raw: Uint8Array } {
  const r = spawnSync(cmd, args, { input, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stderr}`);
  return { stdout: r.stdout.toString(), raw: new Uint8Array(r.stdout) };
}

/** text+data and data+bss of object files, from arm-none-eabi-size (Berkeley format). */
function objectSizes(objs: string[]): { flash: number; ram: number } {
  let flash = 0, ram = 0;
  for (const line of sh("arm-none-eabi-size", objs).stdout.trim().split("\n").slice(1)) {
    const [text, data, bss] = line.trim().split(/\s+/).map(Number);
    flash += text + data;
    ram += data + bss;
  }
  return { flash, ram };
}

const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(1)} %`;

async function microSpeechSizes(): Promise<void> {
  const tflite = join(CONFORMANCE, "micro_speech_quantized.tflite");
  const modelBytes = statSync(tflite).size;
  const graph = readTflite(new Uint8Array(readFileSync(tflite)));
  const dir = mkdtempSync(join(tmpdir(), "tinyml-bench-deploy-"));
  const lib = generateArduinoLibrary(graph, { name: "micro_speech", outDir: join(dir, "lib") });
  const objs = ["micro_speech_model.c", "tinyml_kernels.c"].map((f) => {
    const o = join(dir, f + ".o");
    sh("arm-none-eabi-gcc", [...CORTEX_M4_FLAGS, "-Os", "-std=c99", "-ffunction-sections", "-fdata-sections", `-I${lib.srcDir}`, "-c", join(lib.srcDir, f), "-o", o]);
    return o;
  });
  const objSize = objectSizes(objs);
  // Marginal cost in a linked firmware: main() that runs the model vs main() that does not.
  const withModel = join(dir, "with.c"), without = join(dir, "without.c");
  writeFileSync(withModel, `#include "micro_speech.h"\nint main(void) { micro_speech_run(); return micro_speech_output()[0]; }\n`);
  writeFileSync(without, `int main(void) { return 0; }\n`);
  const a = await buildCortexM4([withModel, join(lib.srcDir, "micro_speech_model.c"), join(lib.srcDir, "tinyml_kernels.c")], [lib.srcDir], { outDir: join(dir, "a"), cflags: ["-Os"] });
  const b = await buildCortexM4([without], [], { outDir: join(dir, "b"), cflags: ["-Os"] });
  const linked = { flash: a.flashBytes - b.flashBytes, ram: a.ramBytes - b.ramBytes };
  const tflmFlash = TFLM_CODE_BYTES + modelBytes;
  console.log("## micro_speech on Cortex-M4F (arm-none-eabi-gcc -Os)");
  console.log(`generated: ${lib.constBytes} B constants, ${lib.arenaBytes} B arena, ${lib.macs} MACs`);
  console.log(`TFLM (published): flash ${tflmFlash} B (22 KB runtime+ops + ${modelBytes} B model), RAM ${TFLM_ARENA_BYTES} B arena`);
  console.log(`| measure | flash (text+data) | RAM (data+bss) | flash vs TFLM | RAM vs TFLM |`);
  console.log(`|---|---|---|---|---|`);
  console.log(`| objects (model + kernels) | ${objSize.flash} | ${objSize.ram} | ${pct(objSize.flash, tflmFlash)} | ${pct(objSize.ram, TFLM_ARENA_BYTES)} |`);
  console.log(`| linked increase (gc-sections) | ${linked.flash} | ${linked.ram} | ${pct(linked.flash, tflmFlash)} | ${pct(linked.ram, TFLM_ARENA_BYTES)} |`);
  console.log("");
}

/** Deterministic pseudo-random int8 values (LCG), so every run measures the same layer. */
function int8s(n: number, seed: number): Int8Array {
  const out = new Int8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s >>> 24) % 255) - 127;
  }
  return out;
}

function act(name: string, shape: number[], scale: number, zp: number): Tensor {
  return { name, shape, dtype: "int8", quant: { scale: [scale], zeroPoint: [zp], quantizedDimension: 0 } };
}

/** One FULLY_CONNECTED layer: in -> out features. */
function fcGraph(inF: number, outF: number): Graph {
  const w: Tensor = { name: "w", shape: [outF, inF], dtype: "int8", data: int8s(inF * outF, 1), quant: { scale: [0.01], zeroPoint: [0], quantizedDimension: 0 } };
  const b: Tensor = { name: "b", shape: [outF], dtype: "int32", data: new Int32Array(outF).fill(100), quant: { scale: [0.0005], zeroPoint: [0], quantizedDimension: 0 } };
  return {
    tensors: [act("x", [1, inF], 0.05, -3), w, b, act("y", [1, outF], 0.2, 5)],
    operators: [{ options: { op: "FULLY_CONNECTED", fusedActivation: "NONE", keepNumDims: false }, inputs: [0, 1, 2], outputs: [3] }],
    inputs: [0],
    outputs: [3],
  };
}

/** One CONV_2D layer, VALID padding (every MAC counted from the shapes is performed). */
function convGraph(h: number, w: number, cin: number, cout: number, k: number): Graph {
  const f: Tensor = { name: "f", shape: [cout, k, k, cin], dtype: "int8", data: int8s(cout * k * k * cin, 2), quant: { scale: new Array(cout).fill(0.01), zeroPoint: new Array(cout).fill(0), quantizedDimension: 0 } };
  const b: Tensor = { name: "b", shape: [cout], dtype: "int32", data: new Int32Array(cout).fill(-50), quant: { scale: new Array(cout).fill(0.0005), zeroPoint: new Array(cout).fill(0), quantizedDimension: 0 } };
  return {
    tensors: [act("x", [1, h, w, cin], 0.05, -3), f, b, act("y", [1, h - k + 1, w - k + 1, cout], 0.2, 5)],
    operators: [{ options: { op: "CONV_2D", padding: "VALID", strideW: 1, strideH: 1, dilationW: 1, dilationH: 1, fusedActivation: "RELU" }, inputs: [0, 1, 2], outputs: [3] }],
    inputs: [0],
    outputs: [3],
  };
}

/** One DEPTHWISE_CONV_2D layer (multiplier 1), VALID padding. */
function depthwiseGraph(h: number, w: number, c: number, k: number): Graph {
  const f: Tensor = { name: "f", shape: [1, k, k, c], dtype: "int8", data: int8s(k * k * c, 3), quant: { scale: new Array(c).fill(0.01), zeroPoint: new Array(c).fill(0), quantizedDimension: 3 } };
  const b: Tensor = { name: "b", shape: [c], dtype: "int32", data: new Int32Array(c).fill(30), quant: { scale: new Array(c).fill(0.0005), zeroPoint: new Array(c).fill(0), quantizedDimension: 0 } };
  return {
    tensors: [act("x", [1, h, w, c], 0.05, -3), f, b, act("y", [1, h - k + 1, w - k + 1, c], 0.1, 2)],
    operators: [{ options: { op: "DEPTHWISE_CONV_2D", padding: "VALID", strideW: 1, strideH: 1, dilationW: 1, dilationH: 1, depthMultiplier: 1, fusedActivation: "RELU6" }, inputs: [0, 1, 2], outputs: [3] }],
    inputs: [0],
    outputs: [3],
  };
}

/** Bare-metal AVR program: fill the input, run the model `reps` times, print the output and END. */
function avrMain(reps: number, input: Int8Array, outBytes: number): string {
  return `#include <avr/io.h>
#include <avr/pgmspace.h>
#include <stdint.h>
#include "layer.h"
static const int8_t sample[${input.length}] PROGMEM = {${Array.from(input).join(",")}};
static void put(char c) { while (!(UCSR0A & (1 << UDRE0))) {} UDR0 = c; }
static void hex(uint8_t b) { static const char d[] = "0123456789abcdef"; put(d[b >> 4]); put(d[b & 15]); }
int main(void) {
  uint16_t i;
  uint8_t r;
  UBRR0H = 0; UBRR0L = 8; UCSR0B = 1 << TXEN0; UCSR0C = 3 << UCSZ00;
  for (i = 0; i < ${input.length}; ++i) layer_input()[i] = (int8_t)pgm_read_byte(&sample[i]);
  for (r = 0; r < ${reps}; ++r) layer_run();
  put('O'); put('U'); put('T');
  for (i = 0; i < ${outBytes}; ++i) { put(' '); hex((uint8_t)layer_output()[i]); }
  put('\\n'); put('E'); put('N'); put('D'); put('\\n');
  for (;;) {}
}
`;
}

interface AvrTarget {
  board: "uno" | "mega2560";
  mcu: "atmega328p" | "atmega2560";
}
const UNO: AvrTarget = { board: "uno", mcu: "atmega328p" };
const MEGA: AvrTarget = { board: "mega2560", mcu: "atmega2560" };

/**
 * Cycles per MAC of `graph` on an AVR in avr8js, on `sample` (default: a fixed pseudo-random pattern), with its
 * output checked against the host build of the same C and against lib/int8.
 */
function avrCyclesPerMac(label: string, graph: Graph, target: AvrTarget = UNO, reps = 4, sample?: Int8Array): number {
  const dir = mkdtempSync(join(tmpdir(), "tinyml-bench-avr-"));
  const lib = generateArduinoLibrary(graph, { name: "layer", outDir: join(dir, "lib"), board: target.board });
  const input = sample ?? Int8Array.from({ length: lib.inputBytes }, (_, i) => ((i * 37 + 11) << 24) >> 24);
  const cycles: number[] = [];
  let out = "";
  for (const n of [0, reps]) {
    const main = join(dir, `main${n}.c`), elf = join(dir, `fw${n}.elf`), hex = join(dir, `fw${n}.hex`);
    writeFileSync(main, avrMain(n, input, lib.outputBytes));
    sh("avr-gcc", [`-mmcu=${target.mcu}`, "-DF_CPU=16000000UL", "-Os", "-std=c99", "-ffunction-sections", "-fdata-sections", "-Wl,--gc-sections", `-I${lib.srcDir}`, main, join(lib.srcDir, "layer_model.c"), join(lib.srcDir, "tinyml_kernels.c"), "-o", elf]);
    sh("avr-objcopy", ["-O", "ihex", "-R", ".eeprom", elf, hex]);
    const run = runAvr(readFileSync(hex, "utf8"), { mcu: target.mcu, maxCycles: 400_000_000 });
    if (run.stoppedBy !== "marker") throw new Error(`${label}: the AVR program did not finish (${run.stoppedBy})`);
    cycles.push(run.cycles);
    out = run.output;
  }
  // Cross-check the AVR result against the same generated C on the host.
  const host = join(dir, "host");
  writeFileSync(join(dir, "host.c"), `#include <stdio.h>
#include "layer.h"
static const int8_t sample[${input.length}] = {${Array.from(input).join(",")}};
int main(void) { int i; for (i = 0; i < ${lib.inputBytes}; ++i) layer_input()[i] = sample[i];
  layer_run(); printf("OUT"); for (i = 0; i < ${lib.outputBytes}; ++i) printf(" %02x", (unsigned)(uint8_t)layer_output()[i]); printf("\\nEND\\n"); return 0; }
`);
  sh("gcc", ["-O2", "-std=c99", `-I${lib.srcDir}`, join(dir, "host.c"), join(lib.srcDir, "layer_model.c"), join(lib.srcDir, "tinyml_kernels.c"), "-lm", "-o", host]);
  const same = sh(host, []).stdout === out.replace(/\r/g, "");
  // ... and against the TypeScript int8 engine (TFLite Micro's reference arithmetic).
  const want = new Interpreter(graph).invoke([input])[0] as Int8Array;
  const ref = `OUT${Array.from(want, (v) => " " + (v & 255).toString(16).padStart(2, "0")).join("")}\nEND\n`;
  const exact = ref === out.replace(/\r/g, "");
  const perInference = (cycles[1] - cycles[0]) / reps;
  const perMac = perInference / lib.macs;
  const before = PREVIOUS[label];
  const prev = before ? `${before.toFixed(2)} | ${(before / perMac).toFixed(1)}x` : "- | -";
  console.log(`| ${label} | ${lib.macs} | ${Math.round(perInference)} | ${perMac.toFixed(2)} | ${prev} | ${perMac <= GOAL_CYCLES_PER_MAC ? "yes" : "no"} | ${(perInference / 16e3).toFixed(1)} ms | ${same ? "yes" : "NO"} | ${exact ? "yes" : "NO"} |`);
  return perMac;
}

await microSpeechSizes();
console.log(`## AVR ATmega328P (Uno) in avr8js, avr-gcc -Os; goal <= ${GOAL_CYCLES_PER_MAC} cycles/MAC`);
console.log("| layer | MACs | cycles/inference | cycles/MAC | previous kernels | speed-up | <= goal | at 16 MHz | same bytes as host | same bytes as lib/int8 |");
console.log("|---|---|---|---|---|---|---|---|---|---|");
avrCyclesPerMac("FULLY_CONNECTED 256 -> 64", fcGraph(256, 64));
avrCyclesPerMac("FULLY_CONNECTED 1024 -> 16", fcGraph(1024, 16));
avrCyclesPerMac("CONV_2D 10x10x8 -> 8x8x8, 3x3", convGraph(10, 10, 8, 8, 3));
avrCyclesPerMac("DEPTHWISE_CONV_2D 10x10x8 -> 8x8x8, 3x3", depthwiseGraph(10, 10, 8, 3));

// The whole micro_speech model does not fit the Uno's 2 KB of RAM; on the Mega, on the conformance input (real
// "yes" features).
const speech = readTflite(new Uint8Array(readFileSync(join(CONFORMANCE, "micro_speech_quantized.tflite"))));
// The golden file holds several inputs of 1960 bytes; the first.
const golden = new Int8Array(readFileSync(join(CONFORMANCE, "golden/micro_speech_quantized.input.bin")));
const speechInput = golden.slice(0, 1960);
console.log("");
console.log(`## micro_speech, whole model, ATmega2560 (Mega) in avr8js; goal <= ${GOAL_CYCLES_PER_MAC} cycles/MAC`);
console.log("| model | MACs | cycles/inference | cycles/MAC | previous kernels | speed-up | <= goal | at 16 MHz | same bytes as host | same bytes as lib/int8 |");
console.log("|---|---|---|---|---|---|---|---|---|---|");
avrCyclesPerMac("micro_speech", speech, MEGA, 1, speechInput);
// The cycles depend a little on the input (outputs above zero take a requantization): 7 more inputs.
for (let s = 4; s < 32 && (s + 1) * 1960 <= golden.length; s += 4) {
  avrCyclesPerMac(`micro_speech, conformance input ${s}`, speech, MEGA, 1, golden.slice(s * 1960, (s + 1) * 1960));
}
