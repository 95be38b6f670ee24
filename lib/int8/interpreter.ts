/**
 * The interpreter: prepares every operator once, then runs them in order on preallocated buffers.
 *
 * @module
 */
import type { DType, Graph, Tensor, TensorData } from "../graph/types.ts";
import { DTypeError, GraphError, ShapeMismatchError, UnsupportedOpError } from "./errors.ts";
import { evalOp, type KernelSet } from "./eval.ts";
import type { PreparedOp } from "./params.ts";
import { numElements, prepareOp } from "./prepare.ts";
import { MIN_WASM_MACS, WasmKernels } from "./wasm/engine.ts";

/** Options of {@link Interpreter}. */
export interface InterpreterOptions {
  /**
   * "reference" (default): the readable kernels; "fast": optimised JS CONV/DEPTHWISE/FC kernels;
   * "wasm": WebAssembly SIMD CONV/DEPTHWISE/FC where shapes allow (falls back to "fast" otherwise, and
   * entirely when the runtime lacks WebAssembly SIMD). All three are bit-identical.
   */
  kernels?: KernelSet;
  /** With "wasm": ops with fewer multiply-accumulates stay in JS (default {@link MIN_WASM_MACS}). */
  minWasmMacs?: number;
}

/** One step of a layer-by-layer trace: an operator and the tensor it wrote. */
export interface TraceEntry {
  opIndex: number;
  opName: string;
  tensorIndex: number;
  tensorName: string;
  shape: number[];
  dtype: DType;
  /** A copy of the tensor's data after the operator ran. */
  data: TensorData;
}

/** Result of `invoke(inputs, { trace: true })`. */
export interface InvokeTrace {
  outputs: TensorData[];
  trace: TraceEntry[];
}

/** What callers may pass as one input: a typed array of the right element type, or plain numbers. */
export type InputData = TensorData | ArrayLike<number>;

const CTORS: Record<string, new (n: number) => TensorData> = {
  float32: Float32Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  bool: Uint8Array,
};

/** Allocate a zeroed buffer for a tensor. */
export function allocateTensor(t: Tensor): TensorData {
  const Ctor = CTORS[t.dtype];
  if (!Ctor) throw new DTypeError(`tensor "${t.name}": dtype ${t.dtype} has no buffer type`);
  return new Ctor(numElements(t.shape));
}

/**
 * Runs a {@link Graph} with TFLite Micro's integer arithmetic (and float32 kernels for float models).
 *
 * @example
 * const interp = new Interpreter(readTflite(bytes));
 * const [scores] = interp.invoke([features]);              // Int8Array
 * const { trace } = interp.invoke([features], { trace: true }); // every intermediate tensor
 */
export class Interpreter {
  readonly graph: Graph;
  /** Prepared parameters of every operator, in execution order. */
  readonly prepared: PreparedOp[];
  readonly kernels: KernelSet;
  private readonly buffers: (TensorData | null)[];
  private readonly wasm: WasmKernels | null;
  /** Per operator: its input and output buffers (fixed for the interpreter's lifetime). */
  private readonly opIo: { ins: (TensorData | null)[]; outs: TensorData[] }[];

  constructor(graph: Graph, options: InterpreterOptions = {}) {
    this.graph = graph;
    this.kernels = options.kernels ?? "reference";
    this.prepared = graph.operators.map((_, i) => prepareOp(graph, i));
    this.buffers = graph.tensors.map((t) => (t.data ? t.data : null));
    const need = (i: number) => {
      if (i < 0) return;
      const t = graph.tensors[i];
      if (!t) throw new GraphError(`tensor index ${i} does not exist (graph has ${graph.tensors.length})`);
      if (!this.buffers[i]) this.buffers[i] = allocateTensor(t);
    };
    graph.inputs.forEach(need);
    for (const op of graph.operators) {
      op.inputs.forEach(need);
      op.outputs.forEach(need);
    }
    graph.outputs.forEach(need);
    this.wasm = this.kernels === "wasm" ? WasmKernels.create(graph, this.prepared, options.minWasmMacs ?? MIN_WASM_MACS) : null;
    this.opIo = graph.operators.map((op) => ({
      ins: op.inputs.map((t) => (t < 0 ? null : this.buffers[t])),
      outs: op.outputs.map((t) => this.buffers[t]!),
    }));
  }

  /** Operator indices that run on WebAssembly SIMD (empty unless `kernels: "wasm"`). */
  get wasmOps(): number[] {
    return this.wasm ? this.wasm.handledOps : [];
  }

  /** Tensors the graph takes as inputs, in order. */
  get inputTensors(): Tensor[] {
    return this.graph.inputs.map((i) => this.graph.tensors[i]);
  }

  /** Tensors the graph produces as outputs, in order. */
  get outputTensors(): Tensor[] {
    return this.graph.outputs.map((i) => this.graph.tensors[i]);
  }

  /** Run the graph. Returns copies of the output tensors (int8 → Int8Array, float32 → Float32Array). */
  invoke(inputs: InputData[]): TensorData[];
  /** Run the graph and also return every operator's output tensor, layer by layer. */
  invoke(inputs: InputData[], options: { trace: true }): InvokeTrace;
  invoke(inputs: InputData[], options?: { trace?: boolean }): TensorData[] | InvokeTrace;
  invoke(inputs: InputData[], options?: { trace?: boolean }): TensorData[] | InvokeTrace {
    const g = this.graph;
    const tracing = options?.trace === true;
    if (inputs.length !== g.inputs.length) {
      throw new ShapeMismatchError(`the graph takes ${g.inputs.length} input(s), got ${inputs.length}`);
    }
    for (let k = 0; k < inputs.length; k++) this.setInput(k, inputs[k]);
    const trace: TraceEntry[] = [];
    for (let i = 0; i < g.operators.length; i++) {
      const op = g.operators[i];
      const { ins, outs } = this.opIo[i];
      if (!this.wasm || !this.wasm.run(i, ins[0]!, outs[0])) evalOp(this.prepared[i], ins, outs, this.kernels);
      if (tracing) {
        for (const t of op.outputs) {
          const tensor = g.tensors[t];
          trace.push({
            opIndex: i,
            opName: op.options.op,
            tensorIndex: t,
            tensorName: tensor.name,
            shape: tensor.shape.slice(),
            dtype: tensor.dtype,
            data: this.buffers[t]!.slice(),
          });
        }
      }
    }
    const outputs: TensorData[] = new Array(g.outputs.length);
    for (let k = 0; k < outputs.length; k++) outputs[k] = this.buffers[g.outputs[k]]!.slice();
    return tracing ? { outputs, trace } : outputs;
  }

  /** The current contents of any tensor (a live view: copy it to keep it). */
  tensorData(index: number): TensorData | null {
    return this.buffers[index] ?? null;
  }

  private setInput(k: number, data: InputData): void {
    const ti = this.graph.inputs[k];
    const t = this.graph.tensors[ti];
    const buf = this.buffers[ti]!;
    const n = buf.length;
    if (data.length !== n) {
      throw new ShapeMismatchError(
        `input ${k} ("${t.name}") needs ${n} values (shape [${t.shape}]), got ${data.length}`,
      );
    }
    if (ArrayBuffer.isView(data) && data.constructor !== buf.constructor) {
      throw new DTypeError(
        `input ${k} ("${t.name}") is ${t.dtype}; got a ${data.constructor.name}` +
          (t.dtype === "int8" && data instanceof Uint8Array
            ? " (reinterpret bytes with new Int8Array(u8.buffer, u8.byteOffset, u8.length))"
            : ""),
      );
    }
    if (buf instanceof BigInt64Array) throw new UnsupportedOpError(`input ${k}: int64 inputs are not supported`);
    (buf as Exclude<TensorData, BigInt64Array>).set(data as ArrayLike<number>);
  }
}
