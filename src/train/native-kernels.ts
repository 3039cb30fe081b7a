/**
 * Fused training kernels for tfjs-node's native "tensorflow" backend. tfjs-layers trains batch
 * normalisation as ~15 element-wise kernels forward and ~30 backward, and ReLU's gradient as
 * step() + mul(); each is a separate TensorFlow eager op with its own dispatch and memory pass.
 * TensorFlow has one op for each (FusedBatchNormV3 / FusedBatchNormGradV3, ReluGrad), which
 * tfjs-node does not use. No package provides them for tfjs, so they are written here, as tfjs
 * kernels registered for the "tensorflow" backend only, with registered gradients; the gradient
 * registry is global, so every gradient below checks the active backend and falls back to tfjs's
 * own math elsewhere. docs/native-kernels.md has the profile before and after.
 *
 * Moving-variance convention: on this backend TensorFlow updates the moving variance with the
 * Bessel-corrected batch variance (n / (n - 1), n = batch x height x width), as Keras and PyTorch
 * do; tfjs-layers on the other backends uses the biased one. For our shapes n >= 6,272, so the two
 * differ by at most 0.016 % of the variance.
 *
 * Checked against tfjs's own math in test/train/native-kernels.test.ts (values, gradients, moving
 * statistics, several shapes, training and inference mode).
 */
import * as tf from "@tensorflow/tfjs";

export const FUSED_BN_KERNEL = "FhFusedBatchNormTrain";
export const FUSED_BN_GRAD_KERNEL = "FhFusedBatchNormGradTrain";
export const RELU_GRAD_KERNEL = "FhReluGrad";
const NATIVE = "tensorflow";

/** The parts of tfjs-node's NodeJSKernelBackend these kernels use (not in tfjs's typings). */
interface NativeBackend {
  binding: {
    TF_ATTR_TYPE: number;
    TF_ATTR_FLOAT: number;
    TF_ATTR_STRING: number;
    TF_ATTR_BOOL: number;
    TF_FLOAT: number;
  };
  executeSingleOutput(op: string, attrs: OpAttr[], inputs: tf.TensorInfo[]): tf.Tensor;
  executeMultipleOutputs(op: string, attrs: OpAttr[], inputs: tf.TensorInfo[], outputs: number): tf.Tensor[];
}
interface OpAttr {
  name: string;
  type: number;
  value: number | string | boolean;
}

function bnAttrs(b: NativeBackend, epsilon: number, expAvgFactor?: number): OpAttr[] {
  const t = b.binding;
  return [
    { name: "T", type: t.TF_ATTR_TYPE, value: t.TF_FLOAT },
    { name: "U", type: t.TF_ATTR_TYPE, value: t.TF_FLOAT },
    { name: "epsilon", type: t.TF_ATTR_FLOAT, value: epsilon },
    ...(expAvgFactor === undefined
      ? []
      : [{ name: "exponential_avg_factor", type: t.TF_ATTR_FLOAT, value: expAvgFactor }]),
    { name: "data_format", type: t.TF_ATTR_STRING, value: "NHWC" },
    { name: "is_training", type: t.TF_ATTR_BOOL, value: true },
  ];
}

let registered = false;

/** True once registerNativeTrainingKernels ran and the active backend is the native one. */
export function nativeKernelsActive(): boolean {
  return registered && tf.getBackend() === NATIVE;
}

/**
 * Register the fused kernels (idempotent). Called by resolveBackend when it chooses a native
 * backend; FH_NATIVE_KERNELS=off leaves tfjs's own kernels in place (the benchmark's "before").
 */
export function registerNativeTrainingKernels(): void {
  if (registered) return;
  registered = true;

  // Forward, training mode. Inputs x [N,H,W,C], scale, offset, moving mean, moving variance [C].
  // Outputs: y, the updated moving mean and variance (TensorFlow applies
  // moving = (1 - f) * moving + f * batch with f = expAvgFactor), and three reserve tensors the
  // gradient needs.
  tf.registerKernel({
    kernelName: FUSED_BN_KERNEL,
    backendName: NATIVE,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const b = backend as unknown as NativeBackend;
      const { x, scale, offset, mean, variance } = inputs as Record<string, tf.TensorInfo>;
      const a = attrs as { epsilon: number; expAvgFactor: number };
      return b.executeMultipleOutputs(
        "FusedBatchNormV3",
        bnAttrs(b, a.epsilon, a.expAvgFactor),
        [x!, scale!, offset!, mean!, variance!],
        6,
      );
    },
  });
  // Backward: dx, dscale, doffset from dy, x, scale and the forward's reserve tensors.
  tf.registerKernel({
    kernelName: FUSED_BN_GRAD_KERNEL,
    backendName: NATIVE,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const b = backend as unknown as NativeBackend;
      const { dy, x, scale, r1, r2, r3 } = inputs as Record<string, tf.TensorInfo>;
      const outs = b.executeMultipleOutputs(
        "FusedBatchNormGradV3",
        bnAttrs(b, (attrs as { epsilon: number }).epsilon),
        [dy!, x!, scale!, r1!, r2!, r3!],
        5,
      );
      outs[3]!.dispose(); // reserve_space_4 / 5: unused placeholders
      outs[4]!.dispose();
      return outs.slice(0, 3);
    },
  });
  tf.registerGradient({
    kernelName: FUSED_BN_KERNEL,
    inputsToSave: ["x", "scale"],
    outputsToSave: [false, false, false, true, true, true],
    gradFunc: (dys, saved, attrs) => {
      const [x, scale, r1, r2, r3] = saved as tf.Tensor[];
      const dy = Array.isArray(dys) ? dys[0]! : dys;
      // Run the backward op once, here: the tape calls each closure below in its own tidy, which
      // would dispose the sibling outputs if the op ran inside one of them.
      const [dx, dscale, doffset] = tf
        .engine()
        .runKernel(FUSED_BN_GRAD_KERNEL, { dy, x: x!, scale: scale!, r1: r1!, r2: r2!, r3: r3! }, {
          epsilon: (attrs as { epsilon: number }).epsilon,
        } as unknown as tf.NamedAttrMap) as tf.Tensor[];
      return {
        x: () => dx!,
        scale: () => dscale!,
        offset: () => doffset!,
        // The moving statistics are never trained; the tape asks only when they are watched.
        mean: () => tf.zerosLike(r1!),
        variance: () => tf.zerosLike(r1!),
      };
    },
  });

  tf.registerKernel({
    kernelName: RELU_GRAD_KERNEL,
    backendName: NATIVE,
    kernelFunc: ({ inputs, backend }) => {
      const b = backend as unknown as NativeBackend;
      const { dy, x } = inputs as Record<string, tf.TensorInfo>;
      return b.executeSingleOutput(
        "ReluGrad",
        [{ name: "T", type: b.binding.TF_ATTR_TYPE, value: b.binding.TF_FLOAT }],
        [dy!, x!],
      );
    },
  });
  // Replaces tfjs-core's Relu gradient (dy * step(x)) by one op on the native backend; the same
  // math as tfjs-core's elsewhere.
  tf.registerGradient({
    kernelName: "Relu",
    inputsToSave: ["x"],
    gradFunc: (dy, saved) => {
      const [x] = saved as tf.Tensor[];
      const g = dy as tf.Tensor;
      if (tf.getBackend() === NATIVE && x!.dtype === "float32")
        return { x: () => tf.engine().runKernel(RELU_GRAD_KERNEL, { dy: g, x: x! }) as tf.Tensor };
      return { x: () => tf.mul(g, tf.cast(tf.step(x!), "float32")) };
    },
  });
}

/**
 * Batch normalisation of an NHWC float32 tensor in training mode through FusedBatchNormV3:
 * the normalised output and the updated moving statistics (momentum as in tfjs-layers: moving =
 * momentum * moving + (1 - momentum) * batch). Needs the native backend and registered kernels.
 */
export function fusedBatchNormTrain(
  x: tf.Tensor4D,
  scale: tf.Tensor1D,
  offset: tf.Tensor1D,
  movingMean: tf.Tensor1D,
  movingVariance: tf.Tensor1D,
  epsilon: number,
  momentum: number,
): { y: tf.Tensor4D; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const outs = tf
    .engine()
    .runKernel(FUSED_BN_KERNEL, { x, scale, offset, mean: movingMean, variance: movingVariance }, {
      epsilon,
      expAvgFactor: 1 - momentum,
    } as unknown as tf.NamedAttrMap) as tf.Tensor[];
  // Reserve tensors 3..5 stay alive only as long as the surrounding tidy or gradient tape needs them.
  return { y: outs[0] as tf.Tensor4D, mean: outs[1] as tf.Tensor1D, variance: outs[2] as tf.Tensor1D };
}
