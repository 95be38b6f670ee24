/**
 * Layer by layer on the emulated board: the model's generated C is instrumented to print every operator's
 * output tensor, built for a Cortex-M4 and run in QEMU; the bytes are compared with the notebook's own
 * interpreter trace. This is the cure for "it works in Python but not on the device": the first layer whose
 * bytes differ is where to look.
 *
 * @module
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Graph } from "../../graph/types.ts";
import type { TraceEntry } from "../../int8/interpreter.ts";
import { Interpreter } from "../../int8/interpreter.ts";
import { kernelDir } from "../../deploy/codegen/kernels.ts";
import { emitModelC } from "../../deploy/codegen/model.ts";
import { cRows } from "../../deploy/codegen/c_source.ts";
import { tensorBytes } from "../../deploy/codegen/plan.ts";
import { buildCortexM4, runCortexM4 } from "../../deploy/emulate/cortexm4.ts";
import { HARNESS_C_SNIPPET, parseHarness } from "../../deploy/emulate/harness.ts";
import { DeploymentLessonError } from "./errors.ts";

/** One operator's output as the emulated board computed it. */
export interface DeviceLayer {
  opIndex: number;
  opName: string;
  tensorIndex: number;
  bytes: Uint8Array;
}

/** What {@link traceOnCortexM4} built and read back. */
export interface DeviceTrace {
  layers: DeviceLayer[];
  /** The final output, as the board's invoke returned it. */
  output: Uint8Array;
  flashBytes: number;
  ramBytes: number;
  /** The instrumented model source (for reading: look for `tinyml_trace_op`). */
  source: string;
  /** Folder with the sources and the ELF. */
  buildDir: string;
  wallMs: number;
}

/** Options of {@link traceOnCortexM4}. */
export interface TraceOnCortexM4Options {
  /** C identifier prefix of the generated model (default "traced"). */
  name?: string;
  /** Where sources and the ELF go (default: a fresh temp folder). */
  outDir?: string;
  /** QEMU wall-clock limit, ms (default 60 s). */
  timeoutMs?: number;
}

/**
 * Inserts `tinyml_trace_op(k, T<out>, bytes)` after each operator's block in the generated `<name>_run`. The
 * generator marks each operator with a `/* op k: … *\/` comment; the probe goes right before the next marker.
 */
export function instrumentModelSource(source: string, graph: Graph, name: string): string {
  const start = source.indexOf(`void ${name}_run(void) {`);
  if (start < 0) throw new DeploymentLessonError(`no ${name}_run in the generated source; was it generated with name "${name}"?`);
  const end = source.indexOf("\n}\n", start);
  const body = source.slice(start, end);
  const probe = (k: number): string => {
    const t = graph.operators[k].outputs[0];
    return `  tinyml_trace_op(${k}, (const uint8_t*)(const void*)T${t}, ${tensorBytes(graph, t)});\n`;
  };
  let out = body;
  for (let k = graph.operators.length - 1; k >= 0; k--) {
    const marker = `  /* op ${k}: `;
    const at = out.indexOf(marker);
    if (at < 0) throw new DeploymentLessonError(`operator ${k} has no marker in the generated code (fused?); generate with fuse: false`);
    const next = k + 1 < graph.operators.length ? out.indexOf(`  /* op ${k + 1}: `) : out.length;
    out = out.slice(0, next) + (next === out.length ? "\n" : "") + probe(k) + out.slice(next);
    if (next === out.length) out = out.trimEnd();
  }
  const decl = "#include <stdint.h>\nvoid tinyml_trace_op(int op, const uint8_t* bytes, unsigned n);\n";
  return source.slice(0, start).replace('#include "tinyml_kernels.h"', `#include "tinyml_kernels.h"\n${decl}`) + out.trimEnd() + "\n" + source.slice(end);
}

/**
 * Generates the model's C (unfused, so every intermediate tensor is stored), instruments it to print each
 * operator's output, builds it for a Cortex-M4 with arm-none-eabi-gcc and runs it on QEMU with `input`.
 *
 * @example
 * const dev = await traceOnCortexM4(graph, features);
 * compareTraces(interp.invoke([features], { trace: true }).trace, dev.layers) // every row equal
 */
export async function traceOnCortexM4(graph: Graph, input: Int8Array | Uint8Array, options: TraceOnCortexM4Options = {}): Promise<DeviceTrace> {
  const name = options.name ?? "traced";
  const model = emitModelC(graph, { name, fuse: false });
  if (input.length !== model.inputBytes) throw new DeploymentLessonError(`input has ${input.length} bytes; the model takes ${model.inputBytes}`);
  const dir = resolve(options.outDir ?? mkdtempSync(join(tmpdir(), "tinyml-trace-")));
  mkdirSync(dir, { recursive: true });
  const source = instrumentModelSource(model.source, graph, name);
  writeFileSync(join(dir, `${name}.h`), model.header);
  writeFileSync(join(dir, `${name}_model.c`), source);
  const inType = graph.tensors[graph.inputs[0]].dtype === "uint8" ? "uint8_t" : "int8_t";
  const outType = graph.tensors[graph.outputs[0]].dtype === "float32" ? "float" : graph.tensors[graph.outputs[0]].dtype === "int32" ? "int32_t" : "int8_t";
  const N = name.toUpperCase();
  writeFileSync(join(dir, "main.c"), [
    `#include "${name}.h"`,
    HARNESS_C_SNIPPET,
    `/* every operator's output, as soon as it is computed: "LAYER k" then an OUT line */`,
    `void tinyml_trace_op(int op, const uint8_t* bytes, unsigned n) { printf("LAYER %d\\n", op); tinyml_out(bytes, n); }`,
    `static const uint8_t input_bytes[${model.inputBytes}] = {`,
    cRows(new Uint8Array(input.buffer, input.byteOffset, input.byteLength), 24),
    "};",
    `static ${outType} output[${N}_OUTPUT_SIZE];`,
    "int main(void) {",
    `  ${name}_invoke((const ${inType}*)(const void*)input_bytes, output);`,
    `  puts("FINAL");`,
    `  tinyml_out((const uint8_t*)(const void*)output, sizeof output);`,
    "  tinyml_end();",
    "  return 0;",
    "}",
    "",
  ].join("\n"));
  const build = await buildCortexM4([join(dir, "main.c"), join(dir, `${name}_model.c`), join(kernelDir(), "tinyml_kernels.c")], [dir, kernelDir()], { outDir: dir });
  const run = await runCortexM4(build.elfPath, { timeoutMs: options.timeoutMs ?? 60_000 });
  const parsed = parseHarness(run.output);
  if (!parsed.ended || parsed.outputs.length !== graph.operators.length + 1) {
    throw new DeploymentLessonError(`the emulated board printed ${parsed.outputs.length} buffers (expected ${graph.operators.length + 1})${run.timedOut ? " and timed out" : ""}; output:\n${run.output.slice(0, 400)}`);
  }
  const layers = graph.operators.map((op, k) => ({ opIndex: k, opName: op.options.op, tensorIndex: op.outputs[0], bytes: parsed.outputs[k] }));
  return { layers, output: parsed.outputs[graph.operators.length], flashBytes: build.flashBytes, ramBytes: build.ramBytes, source, buildDir: dir, wallMs: run.wallMs };
}

/** One row of a host-vs-board comparison. */
export interface LayerComparison {
  opIndex: number;
  opName: string;
  bytes: number;
  /** How many bytes differ. */
  differing: number;
  /** Index of the first differing byte, or -1. */
  firstDiff: number;
  /** Largest |host − board| over the values, as int8 (0 when identical). */
  maxAbsDiff: number;
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Compares the interpreter's trace with the board's, byte by byte, one row per operator. */
export function compareTraces(host: readonly TraceEntry[], device: readonly DeviceLayer[]): LayerComparison[] {
  return host.map((h, k) => {
    const hb = bytesOf(h.data as ArrayBufferView);
    const d = device[k]?.bytes ?? new Uint8Array(0);
    let differing = Math.abs(hb.length - d.length), firstDiff = hb.length === d.length ? -1 : Math.min(hb.length, d.length), maxAbsDiff = 0;
    for (let i = 0; i < Math.min(hb.length, d.length); i++) {
      if (hb[i] === d[i]) continue;
      differing++;
      if (firstDiff < 0) firstDiff = i;
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(((hb[i] << 24) >> 24) - ((d[i] << 24) >> 24)));
    }
    return { opIndex: h.opIndex, opName: h.opName, bytes: hb.length, differing, firstDiff, maxAbsDiff };
  });
}

/** A fixed-width table of {@link compareTraces} rows. */
export function formatTraceComparison(rows: readonly LayerComparison[]): string {
  const head = "op  kind                 bytes  differing  first diff  max |Δ|";
  const lines = rows.map((r) =>
    `${String(r.opIndex).padEnd(4)}${r.opName.padEnd(21)}${String(r.bytes).padStart(5)}  ${String(r.differing).padStart(9)}  ${(r.firstDiff < 0 ? "-" : String(r.firstDiff)).padStart(10)}  ${String(r.maxAbsDiff).padStart(7)}`
  );
  return [head, ...lines].join("\n");
}

/** Host trace for one input with the reference kernels (a convenience for lessons and tests). */
export function hostTrace(graph: Graph, input: Int8Array | Uint8Array): TraceEntry[] {
  return new Interpreter(graph).invoke([input], { trace: true }).trace;
}
