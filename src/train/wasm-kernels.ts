/**
 * Training kernels for the wasm backend, which lacks Conv2DBackpropFilter and has a scalar-loop
 * Tile. Written here because no package provides them. (A stride-1 Conv2DBackpropInput routed
 * through XNNPACK was tried and measured no faster than the stock 4.22 kernel: removed.)
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
  if (tf.getKernel("Tile", "wasm")) tf.unregisterKernel("Tile", "wasm");
  tf.registerKernel({ kernelName: "Tile", backendName: "wasm", kernelFunc: tileBlockCopy as unknown as tf.KernelFunc });
}

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/**
 * Tile as block copies on the wasm heap. The stock kernel computes every output element's source
 * index in a scalar loop; the batch-norm gradient tiles [1,1,1,C] to [N,H,W,C] every step, which
 * made Tile the largest kernel of a BN network's step. Here the input is placed once, then each
 * axis (innermost first) is replicated with copyWithin.
 */
export function tileBlockCopy(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
  backend: unknown;
}): tf.TensorInfo {
  const x = args.inputs.x!;
  const reps = (args.attrs as unknown as { reps: number[] }).reps;
  const backend = args.backend as WasmBackendLike;
  const shape = x.shape;
  const rank = shape.length;
  const outShape = shape.map((s, i) => s * reps[i]!);
  const out = backend.makeOutput(outShape, x.dtype);
  const total = outShape.reduce((a, b) => a * b, 1);
  if (total === 0) return out;
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  if (rank === 0) {
    dst[0] = src[0]!;
    return out;
  }
  const outStride = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) outStride[i] = outStride[i + 1]! * outShape[i + 1]!;
  // 1. The input at the origin block, one innermost row at a time.
  const row = shape[rank - 1]!;
  const rows = src.length / row;
  const idx = new Array<number>(rank).fill(0);
  for (let r = 0; r < rows; r++) {
    let o = 0;
    for (let i = 0; i < rank - 1; i++) o += idx[i]! * outStride[i]!;
    dst.set(src.subarray(r * row, (r + 1) * row), o);
    for (let i = rank - 2; i >= 0; i--) {
      if (++idx[i]! < shape[i]!) break;
      idx[i] = 0;
    }
  }
  // 2. Replicate along each axis k: the filled chunk spans shape[k] * outStride[k] elements.
  for (let k = rank - 1; k >= 0; k--) {
    if (reps[k] === 1) continue;
    const chunk = shape[k]! * outStride[k]!;
    const outer = shape.slice(0, k).reduce((a, b) => a * b, 1);
    const jdx = new Array<number>(k).fill(0);
    for (let q = 0; q < outer; q++) {
      let base = 0;
      for (let i = 0; i < k; i++) base += jdx[i]! * outStride[i]!;
      for (let rep = 1; rep < reps[k]!; rep++) dst.copyWithin(base + rep * chunk, base, base + chunk);
      for (let i = k - 1; i >= 0; i--) {
        if (++jdx[i]! < shape[i]!) break;
        jdx[i] = 0;
      }
    }
  }
  return out;
}
