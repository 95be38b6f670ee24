/**
 * `inspectTflite`: a readable summary of a .tflite file (ops, tensors, sizes), for notebooks and debugging.
 * Works on models the kit cannot run too (custom ops, exotic types), since it only parses the structure.
 *
 * @module
 */
import { parseTflite, type RawModel } from "./parse.ts";
import { builtinOperatorName, BuiltinOp, tensorTypeName } from "./schema.ts";

/** Lays out rows as a left-aligned text table with a header rule. */
function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((v, c) => v.padEnd(widths[c])).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

const TYPE_BYTES: Record<string, number> = {
  FLOAT32: 4, FLOAT16: 2, INT32: 4, UINT8: 1, INT64: 8, BOOL: 1, INT16: 2, INT8: 1, FLOAT64: 8,
  UINT64: 8, UINT32: 4, UINT16: 2, COMPLEX64: 8, COMPLEX128: 16,
};

function opName(m: RawModel, opcodeIndex: number): string {
  const c = m.operatorCodes[opcodeIndex];
  if (!c) return `opcode#${opcodeIndex}?`;
  const name = c.builtinCode === BuiltinOp.CUSTOM ? `CUSTOM:${c.customCode ?? ""}` : builtinOperatorName(c.builtinCode);
  return `${name} v${c.version}`;
}

/**
 * Summarises a .tflite file as text: model header, operator list with their tensors, and a tensor table
 * with shapes, types, sizes, quantization and whether each is a constant. Throws TfliteError when the file's
 * structure is malformed.
 *
 * @example
 * ```ts
 * console.log(inspectTflite(readFileSync("micro_speech_quantized.tflite")));
 * ```
 */
export function inspectTflite(bytes: Uint8Array): string {
  const m = parseTflite(bytes);
  const out: string[] = [];
  const constBytes = m.buffers.reduce((n, b) => n + b.length, 0);
  out.push(
    `TFLite model: schema v${m.version}, ${bytes.length} bytes, ${m.subgraphs.length} subgraph(s), ` +
      `${m.operatorCodes.length} operator code(s), ${m.buffers.length} buffers (${constBytes} bytes of data)`,
  );
  if (m.description) out.push(`description: ${m.description}`);
  if (m.metadata.length) out.push(`metadata: ${m.metadata.map((d) => d.name ?? "?").join(", ")}`);
  m.subgraphs.forEach((sg, s) => {
    const tname = (i: number) => (i === -1 ? "-" : `${i}`);
    out.push("", `subgraph ${s}${sg.name ? ` '${sg.name}'` : ""}: inputs [${sg.inputs}] outputs [${sg.outputs}]`, "");
    out.push(textTable(
      ["#", "op", "inputs", "outputs"],
      sg.operators.map((o, k) => [`${k}`, opName(m, o.opcodeIndex), o.inputs.map(tname).join(","), o.outputs.map(tname).join(",")]),
    ));
    let activations = 0;
    const rows = sg.tensors.map((t, i) => {
      const type = tensorTypeName(t.type);
      const bytes = t.shape.reduce((a, b) => a * b, 1) * (TYPE_BYTES[type] ?? 0);
      const data = m.buffers[t.buffer];
      const isConst = t.buffer !== 0 && data !== undefined && data.length > 0;
      if (!isConst) activations += bytes;
      const q = t.quant && t.quant.scale.length
        ? t.quant.scale.length === 1
          ? `s=${t.quant.scale[0].toPrecision(4)} zp=${t.quant.zeroPoint[0]}`
          : `per-channel ×${t.quant.scale.length} (axis ${t.quant.quantizedDimension})`
        : "";
      return [`${i}`, t.name, type.toLowerCase(), `[${t.shape.join(",")}]`, `${bytes}`, isConst ? "const" : t.isVariable ? "var" : "", q];
    });
    out.push("", textTable(["#", "tensor", "type", "shape", "bytes", "kind", "quantization"], rows));
    out.push("", `activations (no reuse): ${activations} bytes; constants: ${constBytes} bytes`);
  });
  return out.join("\n");
}
