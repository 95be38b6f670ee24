/**
 * Dispatch from a prepared op to its kernel.
 *
 * @module
 */
import type { TensorData } from "../graph/types.ts";
import { addFloat, addInt8, mulFloat, mulInt8 } from "./arithmetic.ts";
import { logisticFloat, logisticInt8, reluFloat, reluInt8, tanhFloat, tanhInt8 } from "./activations.ts";
import { convFloat, convInt8, depthwiseConvFloat, depthwiseConvInt8 } from "./conv.ts";
import { UnsupportedOpError } from "./errors.ts";
import { convInt8Fast, depthwiseConvInt8Fast, fullyConnectedInt8Fast } from "./fast.ts";
import { fullyConnectedFloat, fullyConnectedInt8 } from "./fully_connected.ts";
import { meanFloat, meanInt8 } from "./mean.ts";
import type { PreparedOp } from "./params.ts";
import { averagePoolFloat, averagePoolInt8, maxPoolFloat, maxPoolInt8 } from "./pooling.ts";
import { dequantizeInt8, quantizeFloatToInt8, requantizeInt8 } from "./quantize.ts";
import { concatenation, pad, reshape } from "./shape_ops.ts";
import { softmaxFloat, softmaxInt8 } from "./softmax.ts";

/**
 * Which kernel set to run: the readable reference kernels; the fast JS ones where they exist; or "wasm":
 * WebAssembly SIMD for CONV/DEPTHWISE/FC (set up by the Interpreter) with the fast JS kernels elsewhere.
 */
export type KernelSet = "reference" | "fast" | "wasm";

// deno-lint-ignore no-explicit-any
type Any = any;

/**
 * Run one prepared op. `inputs` follow the operator's input order (`null` for absent optional inputs);
 * `outputs` are preallocated buffers.
 */
export function evalOp(p: PreparedOp, inputs: (TensorData | null)[], outputs: TensorData[], kernels: KernelSet = "reference"): void {
  const x: Any = inputs[0];
  const y: Any = outputs[0];
  const int8 = p.dtype === "int8";
  const fast = kernels !== "reference";
  switch (p.op) {
    case "FULLY_CONNECTED":
      if (!int8) return fullyConnectedFloat(p, x, inputs[1] as Any, inputs[2] as Any, y);
      return (fast ? fullyConnectedInt8Fast : fullyConnectedInt8)(p, x, inputs[1] as Any, inputs[2] as Any, y);
    case "CONV_2D":
      if (!int8) return convFloat(p, x, inputs[1] as Any, inputs[2] as Any, y);
      return (fast ? convInt8Fast : convInt8)(p, x, inputs[1] as Any, inputs[2] as Any, y);
    case "DEPTHWISE_CONV_2D":
      if (!int8) return depthwiseConvFloat(p, x, inputs[1] as Any, inputs[2] as Any, y);
      return (fast ? depthwiseConvInt8Fast : depthwiseConvInt8)(p, x, inputs[1] as Any, inputs[2] as Any, y);
    case "AVERAGE_POOL_2D":
      return int8 ? averagePoolInt8(p, x, y) : averagePoolFloat(p, x, y);
    case "MAX_POOL_2D":
      return int8 ? maxPoolInt8(p, x, y) : maxPoolFloat(p, x, y);
    case "SOFTMAX":
      return int8 ? softmaxInt8(p, x, y) : softmaxFloat(p, x, y);
    case "ADD":
      return int8 ? addInt8(p, x, inputs[1] as Any, y) : addFloat(p, x, inputs[1] as Any, y);
    case "MUL":
      return int8 ? mulInt8(p, x, inputs[1] as Any, y) : mulFloat(p, x, inputs[1] as Any, y);
    case "MEAN":
      return int8 ? meanInt8(p, x, y) : meanFloat(p, x, y);
    case "LOGISTIC":
      return int8 ? logisticInt8(p, x, y) : logisticFloat(p, x, y);
    case "TANH":
      return int8 ? tanhInt8(p, x, y) : tanhFloat(p, x, y);
    case "RELU":
    case "RELU6":
      return int8 ? reluInt8(p, x, y) : reluFloat(p, x, y);
    case "CONCATENATION":
      return concatenation(p, inputs as Any, y);
    case "PAD":
      return pad(p, x, y);
    case "QUANTIZE":
      return p.inputDtype === "float32" ? quantizeFloatToInt8(p, x, y) : requantizeInt8(p, x, y);
    case "DEQUANTIZE":
      return dequantizeInt8(p, x, y);
    case "RESHAPE":
      return reshape(p, x, y);
    default:
      throw new UnsupportedOpError(`no kernel for ${(p as { op: string }).op}`);
  }
}
