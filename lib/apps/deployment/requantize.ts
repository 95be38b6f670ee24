/**
 * Requantization of one FULLY_CONNECTED output value, step by step, with the numbers TFLite Micro's kernel
 * uses: the int32 accumulator, the bias, the fixed-point multiplier and shift, the zero point and the clamp.
 *
 * @module
 */
import type { Graph } from "../../graph/types.ts";
import { prepareOp } from "../../int8/prepare.ts";
import type { FullyConnectedParams } from "../../int8/params.ts";
import { multiplyByQuantizedMultiplier } from "../../quant/fixed_point.ts";
import { DeploymentLessonError } from "./errors.ts";

/** Every intermediate number of one requantized FULLY_CONNECTED output. */
export interface RequantizationSteps {
  opIndex: number;
  /** Which output unit (column of the output row). */
  unit: number;
  /** Σ (x + inputOffset)·(w + filterOffset) over the accumulation depth, before the bias. */
  dot: number;
  bias: number;
  /** dot + bias: the int32 the kernel requantizes. */
  accumulator: number;
  /** The real factor input_scale·weight_scale/output_scale the integer pair approximates. */
  realMultiplier: number;
  /** Q31 fixed-point multiplier and power-of-two shift, as Prepare computed them. */
  multiplier: number;
  shift: number;
  /** multiplyByQuantizedMultiplier(accumulator, multiplier, shift). */
  scaled: number;
  outputZeroPoint: number;
  /** scaled + zero point, then clamped to the activation range. */
  result: number;
  actMin: number;
  actMax: number;
}

/**
 * Recomputes output `unit` of FULLY_CONNECTED operator `opIndex` from that op's int8 input, the way the kernel
 * does, and returns each intermediate number (so a lesson can redo the last steps by hand).
 *
 * @example
 * const s = requantizeFullyConnected(graph, 2, fcInput, 0);
 * s.result === traced[0] // true
 */
export function requantizeFullyConnected(graph: Graph, opIndex: number, input: ArrayLike<number>, unit: number): RequantizationSteps {
  const op = graph.operators[opIndex];
  if (!op || op.options.op !== "FULLY_CONNECTED") {
    throw new DeploymentLessonError(`operator ${opIndex} is ${op ? op.options.op : "missing"}; pass the index of a FULLY_CONNECTED operator`);
  }
  const p = prepareOp(graph, opIndex) as FullyConnectedParams;
  if (input.length < p.accumDepth) throw new DeploymentLessonError(`input has ${input.length} values; FULLY_CONNECTED ${opIndex} needs ${p.accumDepth}`);
  if (!Number.isInteger(unit) || unit < 0 || unit >= p.outputDepth) throw new DeploymentLessonError(`unit ${unit} is outside 0..${p.outputDepth - 1}`);
  const weights = graph.tensors[op.inputs[1]].data as Int8Array;
  const biasT = op.inputs[2] !== undefined && op.inputs[2] >= 0 ? graph.tensors[op.inputs[2]] : undefined;
  let dot = 0;
  for (let d = 0; d < p.accumDepth; d++) dot += (input[d] + p.inputOffset) * (weights[unit * p.accumDepth + d] + p.filterOffset);
  const bias = biasT?.data ? Number((biasT.data as Int32Array)[unit]) : 0;
  const accumulator = dot + bias;
  const ch = p.outputMultiplier.length > 1 ? unit : 0;
  const multiplier = p.outputMultiplier[ch], shift = p.outputShift[ch];
  const scaled = multiplyByQuantizedMultiplier(accumulator, multiplier, shift);
  const sIn = graph.tensors[op.inputs[0]].quant!.scale[0];
  const wq = graph.tensors[op.inputs[1]].quant!.scale;
  const sOut = graph.tensors[op.outputs[0]].quant!.scale[0];
  const result = Math.min(p.actMax, Math.max(p.actMin, scaled + p.outputOffset));
  return {
    opIndex, unit, dot, bias, accumulator,
    realMultiplier: (sIn * wq[wq.length > 1 ? unit : 0]) / sOut,
    multiplier, shift, scaled, outputZeroPoint: p.outputOffset, result, actMin: p.actMin, actMax: p.actMax,
  };
}
