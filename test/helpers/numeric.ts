// Shared by the backend tests: deterministic values, a relative error, and the losses of a few
// optimiser steps of a built model (same inputs, same seed), to compare one backend with another.
import * as tf from "@tensorflow/tfjs";
import { buildModel } from "../../src/train/models.js";
import type { ModelConfig } from "../../src/train/config.js";

/** n deterministic values in [offset - scale, offset + scale]. */
export function values(n: number, seed: number, scale = 1, offset = 0): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => offset + scale * Math.sin(i * 0.7 + seed * 1.3 + (i % 7) * 0.11));
}

/** max |a - b| / max |b|. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 1e-12;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / den;
}

/** Losses of `steps` SGD steps (momentum 0.9 when asked) on a batch of 12x12 images; no tensor outlives it. */
export async function sgdLosses(
  config: ModelConfig,
  options: { steps: number; batch: number; momentum?: boolean },
): Promise<number[]> {
  const { steps, batch } = options;
  const built = buildModel(config, [12, 12, 1], 10, 5, 0.9);
  const opt = options.momentum ? tf.train.momentum(0.05, 0.9) : tf.train.sgd(0.05);
  const x = tf.tensor4d(values(batch * 144, 11), [batch, 12, 12, 1]);
  const y = tf.tidy(() =>
    tf.oneHot(
      tf.tensor1d(
        Array.from({ length: batch }, (_, i) => i % 10),
        "int32",
      ),
      10,
    ),
  );
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const loss = opt.minimize(
      () => tf.losses.softmaxCrossEntropy(y, built.model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
      true,
    )!;
    losses.push((await loss.data())[0]!);
    loss.dispose();
  }
  tf.dispose([x, y]);
  opt.dispose();
  // tfjs 4.22 MomentumOptimizer.dispose() forgets its parent's learning-rate scalar (as in loop.ts).
  if (options.momentum) tf.SGDOptimizer.prototype.dispose.call(opt);
  built.model.dispose();
  return losses;
}
