/**
 * The data side of training, apart from the loop: splits turned into tensors ready for batching,
 * the evaluation pass (which also captures P_val's features and the network's softmax when P_val
 * sits inside the validation split) and the probe captures.
 */
import * as tf from "@tensorflow/tfjs";
import { channelStats, toFloat, checkSplits } from "../data/splits.js";
import { checkKeys } from "../core/validate.js";
import type { Splits } from "../data/splits.js";
import type { ImageSet } from "../data/types.js";

/** Float pixels and labels of one split, ready for batching. */
export interface TensorSet {
  readonly x: Float32Array;
  readonly y: Uint8Array;
  readonly n: number;
  readonly shape: readonly [number, number, number];
}

/** Everything a candidate is trained and measured on; normalised once, shared by all candidates. */
export interface PreparedData {
  readonly train: TensorSet;
  readonly validation: TensorSet;
  readonly probeTrain: TensorSet;
  readonly probeValidation: TensorSet;
  readonly test?: TensorSet;
  readonly numClasses: number;
  /**
   * Where each P_val image sits in `validation`, when P_val is drawn inside it: the validation pass
   * then yields P_val's features too, so they are not computed a second time.
   */
  readonly probeValidationIndices?: Int32Array;
}

function tensorSet(set: ImageSet, stats: { mean: number[]; std: number[] }): TensorSet {
  const f = toFloat(set, stats);
  return { x: f.data, y: set.labels, n: set.shape[0], shape: [set.shape[1], set.shape[2], set.shape[3]] };
}

/** Standardise every split with the training split's channel statistics. */
export function prepareData(splits: Splits, options: { includeTest?: boolean } = {}): PreparedData {
  checkSplits("splits", splits);
  checkKeys("options", options, ["includeTest"]);
  const stats = channelStats(splits.train);
  return {
    train: tensorSet(splits.train, stats),
    validation: tensorSet(splits.validation, stats),
    probeTrain: tensorSet(splits.probeTrain, stats),
    probeValidation: tensorSet(splits.probeValidation, stats),
    ...(options.includeTest ? { test: tensorSet(splits.test, stats) } : {}),
    numClasses: splits.train.numClasses,
    ...(splits.probeValidationIndices ? { probeValidationIndices: splits.probeValidationIndices } : {}),
  };
}

export function gather(set: TensorSet, idx: ArrayLike<number>, from: number, to: number): tf.Tensor4D {
  const plane = set.shape[0] * set.shape[1] * set.shape[2];
  const out = new Float32Array((to - from) * plane);
  for (let i = from; i < to; i++) out.set(set.x.subarray(idx[i]! * plane, (idx[i]! + 1) * plane), (i - from) * plane);
  return tf.tensor4d(out, [to - from, ...set.shape]);
}

export function labelsOf(set: TensorSet, idx: ArrayLike<number>, from: number, to: number): tf.Tensor1D {
  const out = new Int32Array(to - from);
  for (let i = from; i < to; i++) out[i - from] = set.y[idx[i]!]!;
  return tf.tensor1d(out, "int32");
}

export const identity = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
export const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Rows of a set whose penultimate features (and the network's class probabilities) an evaluation
 * pass also keeps (row in set -> row out).
 */
interface Capture {
  readonly model: tf.LayersModel;
  readonly dims: number;
  readonly rows: Int32Array;
  readonly out: Float32Array;
  readonly classes: number;
  readonly probs: Float32Array;
}

/**
 * Mean cross-entropy and accuracy of `model` on a set, in inference mode. With `capture`, the pass
 * runs the two-output model (logits, features) and copies the features and the softmax of the rows
 * asked for.
 */
export async function evaluate(
  model: tf.LayersModel,
  set: TensorSet,
  numClasses: number,
  batch: number,
  capture?: Capture,
): Promise<{ loss: number; acc: number; captureSeconds: number }> {
  const idx = identity(set.n);
  let loss = 0;
  let correct = 0;
  let captureMs = 0;
  for (let i = 0; i < set.n; i += batch) {
    const j = Math.min(set.n, i + batch);
    let feats: tf.Tensor2D | undefined;
    let probs: tf.Tensor2D | undefined;
    const [l, c] = tf.tidy(() => {
      // predict() would split the batch into tfjs-layers' default chunks of 32 images.
      const x = gather(set, idx, i, j);
      let logits: tf.Tensor2D;
      if (capture) {
        const [lg, f] = capture.model.predict(x, { batchSize: j - i }) as tf.Tensor2D[];
        logits = lg!;
        feats = tf.keep(f!);
        probs = tf.keep(tf.softmax(logits));
      } else logits = model.predict(x, { batchSize: j - i }) as tf.Tensor2D;
      const y = labelsOf(set, idx, i, j);
      const ce = tf.losses.softmaxCrossEntropy(
        tf.oneHot(y, numClasses),
        logits,
        undefined,
        undefined,
        tf.Reduction.SUM,
      );
      return [ce, tf.equal(tf.argMax(logits, 1), y).sum()];
    });
    loss += (await l.data())[0]!;
    correct += (await c.data())[0]!;
    l.dispose();
    c.dispose();
    if (capture && feats && probs) {
      const t0 = performance.now();
      const f = await feats.data();
      const p = await probs.data();
      feats.dispose();
      probs.dispose();
      const k = capture.classes;
      for (let r = i; r < j; r++) {
        const row = capture.rows[r]!;
        if (row < 0) continue;
        capture.out.set(f.subarray((r - i) * capture.dims, (r - i + 1) * capture.dims), row * capture.dims);
        capture.probs.set(p.subarray((r - i) * k, (r - i + 1) * k), row * k);
      }
      captureMs += performance.now() - t0;
    }
    await tick();
  }
  return { loss: loss / set.n, acc: correct / set.n, captureSeconds: captureMs / 1000 };
}

/** validation row -> P_val row (or -1), when P_val is drawn inside the validation split. */
export function probeRowsInValidation(data: PreparedData): Int32Array | undefined {
  const at = data.probeValidationIndices;
  if (!at || at.length !== data.probeValidation.n) return undefined;
  const rows = new Int32Array(data.validation.n).fill(-1);
  for (let k = 0; k < at.length; k++) {
    const v = at[k]!;
    if (!(v >= 0 && v < rows.length) || rows[v] !== -1) return undefined;
    rows[v] = k;
  }
  return rows;
}

/** Features and softmax of every image of a set, from the two-output model (P_val outside validation). */
export async function captureBoth(
  both: tf.LayersModel,
  set: TensorSet,
  dims: number,
  classes: number,
  batch: number,
): Promise<{ features: Float32Array; probs: Float32Array }> {
  const features = new Float32Array(set.n * dims);
  const probs = new Float32Array(set.n * classes);
  const idx = identity(set.n);
  for (let i = 0; i < set.n; i += batch) {
    const j = Math.min(set.n, i + batch);
    const [f, p] = tf.tidy(() => {
      const [lg, f] = both.predict(gather(set, idx, i, j), { batchSize: j - i }) as tf.Tensor2D[];
      return [f!, tf.softmax(lg!)];
    });
    features.set(await f!.data(), i * dims);
    probs.set(await p!.data(), i * classes);
    f!.dispose();
    p!.dispose();
  }
  return { features, probs };
}

export async function captureFeatures(
  features: tf.LayersModel,
  set: TensorSet,
  dims: number,
  batch: number,
): Promise<Float32Array> {
  const out = new Float32Array(set.n * dims);
  const idx = identity(set.n);
  for (let i = 0; i < set.n; i += batch) {
    const j = Math.min(set.n, i + batch);
    const f = tf.tidy(() => features.predict(gather(set, idx, i, j), { batchSize: j - i }) as tf.Tensor2D);
    out.set(await f.data(), i * dims);
    f.dispose();
  }
  return out;
}
