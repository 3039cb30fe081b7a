/**
 * The 2-D convolution layer of every built-in model: tfjs-layers' Conv2D, except that on the
 * native backend it runs as conv2d + bias add instead of tfjs's fused conv2d. tfjs-node executes
 * the fused op as the same two TensorFlow ops anyway, but the fused op's gradient computes every
 * input's gradient eagerly, so the first layer's gradient with respect to the images (never
 * used) is computed at every step; conv2d's registered gradient is lazy per input, and the tape
 * prunes it. Elsewhere (other backends, activations, dilation, channels-first) it is tfjs-layers'
 * own layer. Weights, names and config are the stock layer's.
 */
import * as tf from "@tensorflow/tfjs";
import type { Conv2D } from "@tensorflow/tfjs-layers/dist/layers/convolutional.js";
import { nativeKernelsActive } from "./native-kernels.js";

interface ConvInternals {
  readonly rank: number;
  readonly kernel: tf.LayerVariable;
  readonly bias: tf.LayerVariable | null;
  readonly strides: number[];
  readonly padding: "same" | "valid";
  readonly dataFormat: string;
  readonly dilationRate: number | number[];
  readonly activation: { getClassName(): string } | null;
}

type ConvArgs = Parameters<typeof tf.layers.conv2d>[0];
type Kwargs = Record<string, unknown>;

// The constructor tfjs-layers registered (it exports only the factory at run time).
const Base = Object.getPrototypeOf(tf.layers.conv2d({ filters: 1, kernelSize: 1 })).constructor as typeof Conv2D;

export class FhConv2D extends Base {
  static override className = "FhConv2D";

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const self = this as unknown as ConvInternals;
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const dilation = Array.isArray(self.dilationRate) ? self.dilationRate : [self.dilationRate];
    const plain =
      nativeKernelsActive() &&
      self.rank === 2 &&
      x.rank === 4 &&
      self.dataFormat === "channelsLast" &&
      dilation.every((d) => d === 1) &&
      (self.activation === null || self.activation.getClassName() === "linear");
    if (!plain) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const y = tf.conv2d(
        x as tf.Tensor4D,
        self.kernel.read() as tf.Tensor4D,
        [self.strides[0]!, self.strides[1]!],
        self.padding,
      );
      return self.bias ? tf.add(y, self.bias.read()) : y;
    });
  }
}
tf.serialization.registerClass(FhConv2D);

/** A 2-D convolution layer: conv2d + bias add on the native backend, tfjs-layers' own elsewhere. */
export function conv2d(args: ConvArgs): FhConv2D {
  return new FhConv2D(args);
}
