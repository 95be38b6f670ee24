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

/** Keeps the first `height` × `width` rows and columns of a [B, H, W, C] tensor (the conv trick may give more). */
function cropTo(t: tf.Tensor4D, height: number, width: number): tf.Tensor4D {
  const [b, , , c] = t.shape;
  return tf.slice(t, [0, 0, 0, 0], [b, height, width, c]);
}

/**
 * dW for CONV_2D, itself computed as one convolution: the input with channels and batch swapped, convolved with
 * dy used as a filter whose taps sit `stride` apart (a dilated filter).
 * dW[kh, kw, c, o] = Σ_{n, oh, ow} x[n, oh·sh + kh − top, ow·sw + kw − left, c] · dy[n, oh, ow, o]
 * (tfjs supports only dilation 1 in conv gradients, so none is handled here.)
 */
export function conv2dBackpropFilter(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  attrs: NamedAttrMap,
): tf.Tensor4D {
  return tf.tidy(() => {
    const info = convGeometry(x.shape, filterShape, attrs, false);
    const channelsAsBatch = padInput(x, info).transpose([3, 1, 2, 0]) as tf.Tensor4D; // [C, H', W', N]
    const dyAsFilter = dy.transpose([1, 2, 0, 3]) as tf.Tensor4D; // [oH, oW, N, O]
    const strides: [number, number] = [info.strideHeight, info.strideWidth];
    const dW = tf.conv2d(channelsAsBatch, dyAsFilter, 1, "valid", "NHWC", strides); // [C, ≥fh, ≥fw, O]
    return cropTo(dW, info.filterHeight, info.filterWidth).transpose([1, 2, 0, 3]);
  });
}

/**
 * dW for DEPTHWISE_CONV_2D, as one depthwise convolution: every (example, channel) pair becomes a channel of a
 * single image, dy becomes a dilated per-channel filter, and the examples are summed afterwards.
 * dW[kh, kw, c, m] = Σ_{n, oh, ow} x[n, oh·sh + kh − top, ow·sw + kw − left, c] · dy[n, oh, ow, c·M + m]
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
    const { batchSize: n, outHeight: oh, outWidth: ow } = info;
    const xPadded = padInput(x, info);
    const [, hp, wp] = xPadded.shape;
    const image = xPadded.transpose([1, 2, 0, 3]).reshape([1, hp, wp, n * channels]) as tf.Tensor4D;
    const filter = dy.reshape([n, oh, ow, channels * multiplier]).transpose([1, 2, 0, 3])
      .reshape([oh, ow, n * channels, multiplier]) as tf.Tensor4D;
    const strides: [number, number] = [info.strideHeight, info.strideWidth];
    const perExample = tf.depthwiseConv2d(image, filter, 1, "valid", "NHWC", strides); // [1, ≥fh, ≥fw, N·C·M]
    const [, rh, rw] = perExample.shape;
    const summed = perExample.reshape([rh, rw, n, channels * multiplier]).sum(2)
      .reshape([1, rh, rw, channels * multiplier]) as tf.Tensor4D;
    return cropTo(summed, info.filterHeight, info.filterWidth).reshape(filterShape);
  });
}

/**
 * dx for DEPTHWISE_CONV_2D, as one depthwise convolution: dy spread back to the input grid (zeros between strided
 * positions), padded, and correlated with the spatially flipped filter; the multiplier outputs of a channel are
 * summed. dx[n, i, j, c] = Σ_{kh, kw, m} dy[n, oh, ow, c·M + m] · W[kh, kw, c, m] where i = oh·sh + kh − top.
 */
export function depthwiseBackpropInput(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  attrs: NamedAttrMap,
): tf.Tensor4D {
  return tf.tidy(() => {
    const info = convGeometry(inputShape, filter.shape, attrs, true);
    const [fh, fw, channels, multiplier] = filter.shape;
    const { batchSize: n, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
    const { dilationHeight: dh, dilationWidth: dw } = info;
    let spread: tf.Tensor4D = dy;
    if (sh > 1 || sw > 1) {
      spread = dy.reshape([n, oh, 1, ow, 1, channels * multiplier])
        .pad([[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]])
        .reshape([n, oh * sh, ow * sw, channels * multiplier])
        .slice([0, 0, 0, 0], [n, (oh - 1) * sh + 1, (ow - 1) * sw + 1, channels * multiplier]) as tf.Tensor4D;
    }
    // Pad so that a VALID correlation with the (dilated) filter gives exactly the input's height and width.
    const before = [(fh - 1) * dh - info.padInfo.top, (fw - 1) * dw - info.padInfo.left];
    const after = [
      info.inHeight + (fh - 1) * dh - before[0] - spread.shape[1],
      info.inWidth + (fw - 1) * dw - before[1] - spread.shape[2],
    ];
    const padded = spread.pad([[0, 0], [before[0], after[0]], [before[1], after[1]], [0, 0]]) as tf.Tensor4D;
    const flipped = tf.reverse(filter, [0, 1]).reshape([fh, fw, channels * multiplier, 1]) as tf.Tensor4D;
    const dx = tf.depthwiseConv2d(padded, flipped, 1, "valid", "NHWC", [dh, dw]);
    return dx.reshape([n, info.inHeight, info.inWidth, channels, multiplier]).sum(4) as tf.Tensor4D;
  });
}

/** A Tensor sharing a kernel input's data; the backend's reference count is raised so disposing it is safe. */
function asTensor(info: TensorInfo | undefined): tf.Tensor {
  if (!info) throw new RangeError("wasm gradient kernel called without one of its inputs");
  const engine = tf.engine();
  engine.backend.incRef(info.dataId);
  return engine.makeTensorFromTensorInfo(info);
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
