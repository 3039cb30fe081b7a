/**
 * Training kernels for the wasm backend, which ships only the forward conv (XNNPACK) and a
 * scalar-loop Conv2DBackpropInput. Written here because no package provides them; each one is
 * a re-arrangement of wasm's own fast Conv2D, so the heavy arithmetic stays in XNNPACK.
 * Tested against the cpu backend's gradients in test/train/wasm-kernels.test.ts.
 */
import * as tf from "@tensorflow/tfjs";

type Pad = [[number, number], [number, number], [number, number], [number, number]];

interface ConvAttrs {
  strides: [number, number] | number;
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dataFormat: "NHWC" | "NCHW";
  dilations: [number, number] | number;
  dimRoundingMode?: "floor" | "round" | "ceil";
}

function convInfo(xShape: number[], filterShape: number[], attrs: ConvAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    "channelsLast",
  );
}

function checkSupported(kernel: string, attrs: ConvAttrs, info: tf.backend_util.Conv2DInfo): void {
  if (attrs.dataFormat !== "NHWC") throw new Error(`${kernel} on wasm supports NHWC only, got ${attrs.dataFormat}`);
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) {
    throw new Error(`${kernel} on wasm supports dilation 1 only, got ${info.dilationHeight}x${info.dilationWidth}`);
  }
}

/**
 * dW[kh,kw,ci,co] = sum_{b,oh,ow} x[b, oh*s+kh-top, ow*s+kw-left, ci] * dy[b,oh,ow,co]:
 * a forward convolution of x (channels as batch, batch as channels) with dy as the filter,
 * the original stride becoming the filter's dilation.
 */
function conv2DBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const x = args.inputs.x as tf.Tensor4D;
  const dy = args.inputs.dy as tf.Tensor4D;
  const attrs = args.attrs as unknown as ConvAttrs & { filterShape: [number, number, number, number] };
  const [kh, kw] = attrs.filterShape;
  const info = convInfo(x.shape, attrs.filterShape, attrs);
  checkSupported("Conv2DBackpropFilter", attrs, info);
  const { top, left } = info.padInfo;
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const [, oh, ow] = dy.shape;
  const [, h, w] = x.shape;
  return tf.tidy(() => {
    const xt = tf.transpose(x, [3, 1, 2, 0]); // [ci, H, W, B]
    const f = tf.transpose(dy, [1, 2, 0, 3]); // [OH, OW, B, co]
    const bottom = Math.max(0, kh + (oh - 1) * sh - h - top);
    const right = Math.max(0, kw + (ow - 1) * sw - w - left);
    const pad: Pad = [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ];
    const out = tf.conv2d(xt, f, 1, pad, "NHWC", [sh, sw]); // [ci, >=kh, >=kw, co]
    const cropped = out.shape[1] === kh && out.shape[2] === kw ? out : tf.slice(out, [0, 0, 0, 0], [-1, kh, kw, -1]);
    return tf.transpose(cropped, [1, 2, 0, 3]);
  });
}

let stockBackpropInput: tf.KernelConfig | undefined;

/**
 * Stride 1: dx = conv(dy, W flipped and with in/out swapped), padded by k-1-pad ("full").
 * Other strides go to the stock kernel.
 */
function conv2DBackpropInput(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
  backend: unknown;
}): tf.TensorInfo | tf.TensorInfo[] {
  const dy = args.inputs.dy as tf.Tensor4D;
  const filter = args.inputs.filter as tf.Tensor4D;
  const attrs = args.attrs as unknown as ConvAttrs & { inputShape: [number, number, number, number] };
  const info = convInfo(attrs.inputShape, filter.shape, attrs);
  if (
    info.strideHeight !== 1 ||
    info.strideWidth !== 1 ||
    attrs.dataFormat !== "NHWC" ||
    info.dilationHeight !== 1 ||
    info.dilationWidth !== 1
  ) {
    return stockBackpropInput!.kernelFunc(args as Parameters<tf.KernelFunc>[0]);
  }
  const [kh, kw] = filter.shape;
  const { top, bottom, left, right } = info.padInfo;
  return tf.tidy(() => {
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]); // [kh, kw, co, ci]
    const pad: Pad = [
      [0, 0],
      [kh - 1 - top, kh - 1 - bottom],
      [kw - 1 - left, kw - 1 - right],
      [0, 0],
    ];
    if (pad.some(([a, b]) => a < 0 || b < 0))
      throw new Error("Conv2DBackpropInput: padding larger than the kernel is not supported on wasm");
    return tf.conv2d(dy, flipped, 1, pad);
  });
}

let registered = false;

/** Register the kernels once (idempotent). Called by resolveBackend when it picks wasm. */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  if (!tf.getKernel("Conv2DBackpropFilter", "wasm")) {
    tf.registerKernel({
      kernelName: "Conv2DBackpropFilter",
      backendName: "wasm",
      kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc,
    });
  }
  stockBackpropInput = tf.getKernel("Conv2DBackpropInput", "wasm");
  if (stockBackpropInput) {
    tf.unregisterKernel("Conv2DBackpropInput", "wasm");
    // Keep the stock kernel's setup (it binds the wasm function the fallback path calls); this
    // runs before the backend initialises, which is when tfjs calls setup functions.
    tf.registerKernel({
      kernelName: "Conv2DBackpropInput",
      backendName: "wasm",
      kernelFunc: conv2DBackpropInput as unknown as tf.KernelFunc,
      ...(stockBackpropInput.setupFunc ? { setupFunc: stockBackpropInput.setupFunc } : {}),
    });
  }
}
