/**
 * Gradient kernels the tfjs wasm backend lacks (tfjs 4.22): `Conv2DBackpropFilter`,
 * `DepthwiseConv2dNativeBackpropFilter` and `DepthwiseConv2dNativeBackpropInput`.
 *
 * Each is written with ops the wasm backend does have (pad, strided slice, concat, matmul, multiply, sum), so
 * training a conv net stays on the ~10× faster wasm backend instead of falling back to the cpu backend.
 * Layout is NHWC throughout, as in tfjs layers.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from "@tensorflow/tfjs";

type Pad = "same" | "valid" | number | tf.backend_util.ExplicitPadding;

/** The conv geometry tfjs itself computes for these attributes (padding, output size, strides, dilations). */
function convGeometry(
  xShape: number[],
  filterShape: number[],
  attrs: NamedAttrMap,
  depthwise: boolean,
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as [number, number],
    (attrs.dilations as [number, number] | undefined) ?? 1,
    attrs.pad as Pad,
    attrs.dimRoundingMode as "floor" | "round" | "ceil" | undefined,
    depthwise,
  );
}

/** Input padded as the forward convolution sees it. */
function padInput(x: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const { top, bottom, left, right } = info.padInfo;
  return tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]);
}

/** The input pixels filter tap (kh, kw) meets at every output position: shape [N, outH, outW, C]. */
function tap(xPadded: tf.Tensor4D, info: tf.backend_util.Conv2DInfo, kh: number, kw: number): tf.Tensor4D {
  const top = kh * info.dilationHeight;
  const left = kw * info.dilationWidth;
  return tf.stridedSlice(
    xPadded,
    [0, top, left, 0],
    [
      info.batchSize,
      top + (info.outHeight - 1) * info.strideHeight + 1,
      left + (info.outWidth - 1) * info.strideWidth + 1,
      info.inChannels,
    ],
    [1, info.strideHeight, info.strideWidth, 1],
  ) as tf.Tensor4D;
}

/** A Tensor sharing a kernel input's data; the backend's reference count is raised so disposing it is safe. */
function asTensor(info: TensorInfo): tf.Tensor {
  const engine = tf.engine();
  engine.backend.incRef(info.dataId);
  return engine.makeTensorFromTensorInfo(info);
}

/**
 * dW for CONV_2D: im2col of the input (one column block per filter tap) times dy, as one matmul.
 * dW[kh, kw, c, o] = Σ_{n, oh, ow} x[n, oh·sh + kh·dh − top, ow·sw + kw·dw − left, c] · dy[n, oh, ow, o]
 */
export function conv2dBackpropFilter(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  attrs: NamedAttrMap,
): tf.Tensor4D {
  return tf.tidy(() => {
    const info = convGeometry(x.shape, filterShape, attrs, false);
    const xPadded = padInput(x, info);
    const taps: tf.Tensor4D[] = [];
    for (let kh = 0; kh < info.filterHeight; kh++) {
      for (let kw = 0; kw < info.filterWidth; kw++) taps.push(tap(xPadded, info, kh, kw));
    }
    const rows = info.batchSize * info.outHeight * info.outWidth;
    const patches = tf.concat(taps, 3).reshape([rows, info.filterHeight * info.filterWidth * info.inChannels]);
    const dW = tf.matMul(patches, dy.reshape([rows, info.outChannels]), true, false);
    return dW.reshape(filterShape);
  });
}

/**
 * dW for DEPTHWISE_CONV_2D: for each tap, the per-channel product of input and dy summed over positions.
 * dW[kh, kw, c, m] = Σ_{n, oh, ow} x[n, oh·sh + kh·dh − top, ow·sw + kw·dw − left, c] · dy[n, oh, ow, c·M + m]
 */
export function depthwiseBackpropFilter(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  attrs: NamedAttrMap,
): tf.Tensor4D {
  return tf.tidy(() => {
    const info = convGeometry(x.shape, filterShape, attrs, true);
    const [, , channels, multiplier] = filterShape;
    const rows = info.batchSize * info.outHeight * info.outWidth;
    const dy3 = dy.reshape([rows, channels, multiplier]);
    const xPadded = padInput(x, info);
    const taps: tf.Tensor[] = [];
    for (let kh = 0; kh < info.filterHeight; kh++) {
      for (let kw = 0; kw < info.filterWidth; kw++) {
        taps.push(tf.mul(tap(xPadded, info, kh, kw).reshape([rows, channels, 1]), dy3).sum(0));
      }
    }
    return tf.stack(taps).reshape(filterShape);
  });
}

/**
 * dx for DEPTHWISE_CONV_2D: each filter tap's contribution, spread back to the input positions it read
 * (zeros between strided positions), summed, then the padding cropped away.
 */
export function depthwiseBackpropInput(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  attrs: NamedAttrMap,
): tf.Tensor4D {
  return tf.tidy(() => {
    const info = convGeometry(inputShape, filter.shape, attrs, true);
    const [, , channels, multiplier] = filter.shape;
    const { top, bottom, left, right } = info.padInfo;
    const paddedH = info.inHeight + top + bottom;
    const paddedW = info.inWidth + left + right;
    const { batchSize: n, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
    const dy5 = dy.reshape([n, oh, ow, channels, multiplier]);
    let dxPadded: tf.Tensor4D = tf.zeros([n, paddedH, paddedW, channels]);
    for (let kh = 0; kh < info.filterHeight; kh++) {
      for (let kw = 0; kw < info.filterWidth; kw++) {
        const w = tf.slice(filter, [kh, kw, 0, 0], [1, 1, channels, multiplier]).reshape([channels, multiplier]);
        let contribution = tf.mul(dy5, w).sum(4) as tf.Tensor4D; // [n, oh, ow, channels]
        if (sh > 1 || sw > 1) {
          // Put each output position back at its stride: insert zeros between rows and columns.
          contribution = contribution.reshape([n, oh, 1, ow, 1, channels])
            .pad([[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]])
            .reshape([n, oh * sh, ow * sw, channels])
            .slice([0, 0, 0, 0], [n, (oh - 1) * sh + 1, (ow - 1) * sw + 1, channels]);
        }
        const rowStart = kh * info.dilationHeight;
        const colStart = kw * info.dilationWidth;
        const spanH = (oh - 1) * sh + 1;
        const spanW = (ow - 1) * sw + 1;
        dxPadded = dxPadded.add(contribution.pad([
          [0, 0],
          [rowStart, paddedH - rowStart - spanH],
          [colStart, paddedW - colStart - spanW],
          [0, 0],
        ]));
      }
    }
    return dxPadded.slice([0, top, left, 0], inputShape);
  });
}

type Kernel4D = (a: tf.Tensor4D, b: tf.Tensor4D, shape: [number, number, number, number], attrs: NamedAttrMap) => tf.Tensor4D;

/**
 * A wasm kernel config calling `fn` on tensors wrapping the kernel's inputs. The wrappers are made inside a tidy
 * so they are released again; the result is returned as a Tensor, which the engine adopts as the output.
 */
function wasmKernel(kernelName: string, [a, b]: [string, string], shapeAttr: string, fn: Kernel4D): KernelConfig {
  return {
    kernelName,
    backendName: "wasm",
    kernelFunc: ({ inputs, attrs }: { inputs: NamedTensorInfoMap; attrs?: NamedAttrMap }) =>
      tf.tidy(() =>
        fn(
          asTensor(inputs[a]) as tf.Tensor4D,
          asTensor(inputs[b]) as tf.Tensor4D,
          attrs![shapeAttr] as [number, number, number, number],
          attrs!,
        )
      ),
  };
}

/** Kernel configs for the wasm backend, wrapping the functions above. */
export const wasmGradientKernels: KernelConfig[] = [
  wasmKernel("Conv2DBackpropFilter", ["x", "dy"], "filterShape", conv2dBackpropFilter),
  wasmKernel("DepthwiseConv2dNativeBackpropFilter", ["x", "dy"], "filterShape", depthwiseBackpropFilter),
  wasmKernel("DepthwiseConv2dNativeBackpropInput", ["dy", "filter"], "inputShape", depthwiseBackpropInput),
];

/** Registers the missing gradient kernels with the wasm backend; safe to call more than once. */
export function registerWasmGradients(): void {
  for (const kernel of wasmGradientKernels) {
    if (!tf.getKernel(kernel.kernelName, "wasm")) tf.registerKernel(kernel);
  }
}
