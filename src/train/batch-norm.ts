/**
 * The batch-normalisation layer of every built-in model: tfjs-layers' BatchNormalization, whose
 * training-mode forward (and so its gradient) runs as TensorFlow's FusedBatchNormV3 on the native
 * backend. On every other backend, in inference mode, and for any input the fused op does not
 * cover (not rank 4, not float32, not the channels axis, no centre or scale), it is exactly
 * tfjs-layers' layer. Weights, names and serialised config are the same as the stock layer's.
 */
import * as tf from "@tensorflow/tfjs";
import type { BatchNormalization } from "@tensorflow/tfjs-layers/dist/layers/normalization.js";
import { fusedBatchNormTrain, nativeKernelsActive } from "./native-kernels.js";

/** The stock layer's fields that TypeScript marks private. */
interface BatchNormInternals {
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly gamma: tf.LayerVariable;
  readonly beta: tf.LayerVariable;
  readonly movingMean: tf.LayerVariable;
  readonly movingVariance: tf.LayerVariable;
}

type BatchNormArgs = Parameters<typeof tf.layers.batchNormalization>[0];
type Kwargs = Record<string, unknown>;

// tfjs does not export the class at run time, only its factory: take the constructor from an
// instance, so the subclass extends the very class tfjs-layers registered (one copy of tfjs).
const Base = Object.getPrototypeOf(tf.layers.batchNormalization({})).constructor as typeof BatchNormalization;

export class FhBatchNormalization extends Base {
  static override className = "FhBatchNormalization";

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const self = this as unknown as BatchNormInternals;
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const fused =
      kwargs["training"] === true &&
      nativeKernelsActive() &&
      x.rank === 4 &&
      x.dtype === "float32" &&
      (self.axis === -1 || self.axis === 3) &&
      self.center &&
      self.scale;
    if (!fused) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const out = fusedBatchNormTrain(
        x as tf.Tensor4D,
        self.gamma.read() as tf.Tensor1D,
        self.beta.read() as tf.Tensor1D,
        self.movingMean.read() as tf.Tensor1D,
        self.movingVariance.read() as tf.Tensor1D,
        self.epsilon,
        self.momentum,
      );
      // As tfjs-layers does: the variables now point at the updated statistics.
      self.movingMean.write(out.mean);
      self.movingVariance.write(out.variance);
      return out.y;
    });
  }
}
tf.serialization.registerClass(FhBatchNormalization);

/** A batch-normalisation layer: fused on the native backend, tfjs-layers' own elsewhere. */
export function batchNormalization(args: BatchNormArgs = {}): FhBatchNormalization {
  return new FhBatchNormalization(args);
}
