import { fail, show } from "../core/errors.js";
import { createRng, permutation, type Rng, checkRng } from "../core/random.js";
import { checkBoolean, checkKeys, checkNumber, checkShape } from "../core/validate.js";
import type { Dataset, FloatImages, ImageSet } from "./types.js";

/** `value` must be an image set (a data set's train or test split). */
export function checkImageSet(name: string, value: unknown): ImageSet {
  checkShape(
    name,
    value,
    "an image set",
    { images: "bytes", labels: "bytes", shape: "array", numClasses: "number" },
    "pass a split of a loaded data set, e.g. (await fh.data.loadFashionMnist()).train.",
  );
  const s = (value as ImageSet).shape;
  if (s.length !== 4 || s.some((v) => !Number.isInteger(v) || v < 1))
    fail("invalid-argument", {
      parameter: `${name}.shape`,
      rule: "must be [count, height, width, channels] of positive integers",
      received: show(s),
      fix: "build image sets with the toolkit's loaders or fh.data.fromArrays.",
    });
  return value as ImageSet;
}

/** `value` must be a data set (train and test image sets). */
export function checkDataset(name: string, value: unknown): Dataset {
  checkShape(
    name,
    value,
    "a data set",
    { train: "object", test: "object" },
    "load one, e.g. await fh.data.loadFashionMnist().",
  );
  checkImageSet(`${name}.train`, (value as Dataset).train);
  checkImageSet(`${name}.test`, (value as Dataset).test);
  return value as Dataset;
}

/** `value` must be the splits of makeSplits. */
export function checkSplits(name: string, value: unknown): Splits {
  checkShape(
    name,
    value,
    "the splits of a data set",
    { train: "object", validation: "object", test: "object", probeTrain: "object", probeValidation: "object" },
    "pass fh.data.makeSplits(dataset, { train, validation, probeTrain, probeValidation, seed }).",
  );
  for (const k of ["train", "validation", "test", "probeTrain", "probeValidation"] as const)
    checkImageSet(`${name}.${k}`, (value as Splits)[k]);
  return value as Splits;
}

/** The images at `indices`, in that order. */
export function subset(set: ImageSet, indices: ArrayLike<number>, label?: string): ImageSet {
  checkImageSet("set", set);
  if (indices === null || typeof indices !== "object" || typeof (indices as { length?: unknown }).length !== "number")
    fail("invalid-argument", {
      parameter: "indices",
      rule: "must be an array of image indices",
      received: show(indices),
      fix: "pass e.g. sampleIndices(set, count, rng).",
    });
  const [, h, w, c] = set.shape;
  const plane = h * w * c;
  const n = indices.length;
  const images = new Uint8Array(n * plane);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const j = indices[i]!;
    if (!(j >= 0 && j < set.shape[0])) {
      fail("invalid-argument", {
        parameter: `indices[${i}]`,
        rule: `must be an integer in 0..${set.shape[0] - 1}`,
        received: show(j),
        fix: "pass indices into this image set.",
      });
    }
    images.set(set.images.subarray(j * plane, (j + 1) * plane), i * plane);
    labels[i] = set.labels[j]!;
  }
  return { ...set, images, labels, shape: [n, h, w, c], source: label ? `${set.source} [${label}]` : set.source };
}

/**
 * `count` indices of `set`, seeded. Stratified (default): classes take turns, so every class is
 * represented as evenly as the data allows. Indices where `exclude[i]` is 1 are never taken.
 */
export function sampleIndices(
  set: ImageSet,
  count: number,
  rng: Rng,
  stratified = true,
  exclude?: Uint8Array,
): Int32Array {
  checkImageSet("set", set);
  checkNumber("count", count, { integer: true, min: 0 });
  checkRng("rng", rng);
  checkBoolean("stratified", stratified);
  if (exclude !== undefined && !(exclude instanceof Uint8Array && exclude.length === set.shape[0]))
    fail("invalid-argument", {
      parameter: "exclude",
      rule: `must be a Uint8Array of ${set.shape[0]} flags (1 = never take)`,
      received: show(exclude),
      fix: "leave it out, or pass one flag per image.",
    });
  const n = set.shape[0];
  const order = Array.from(permutation(n, rng)).filter((i) => !exclude || exclude[i] === 0);
  if (count > order.length) {
    fail("invalid-argument", {
      parameter: "count",
      rule: `must be at most the ${order.length} images available`,
      received: show(count),
      fix: "ask for fewer images.",
    });
  }
  if (!stratified) return Int32Array.from(order.slice(0, count));
  const byClass: number[][] = Array.from({ length: set.numClasses }, () => []);
  for (const i of order) byClass[set.labels[i]!]!.push(i);
  const out = new Int32Array(count);
  const pos = new Array<number>(set.numClasses).fill(0);
  let k = 0;
  while (k < count) {
    for (let c = 0; c < set.numClasses && k < count; c++) {
      const list = byClass[c]!;
      if (pos[c]! < list.length) out[k++] = list[pos[c]!++]!;
    }
  }
  return out;
}

/** Options of fh.data.makeSplits: sizes of the training, validation, probe and test splits, and the seed. */
export interface SplitOptions {
  /** Training images to keep (count). Default: all that the validation split leaves. */
  train?: number;
  /** Validation images taken from the training split (count). Default 10 % of it. */
  validation?: number;
  /** Test images to keep (count). Default: the whole test split. */
  test?: number;
  /** Probe images from the training part (P_train). Default min(1000, train). */
  probeTrain?: number;
  /** Probe images from the validation part (P_val). Default min(1000, validation). */
  probeValidation?: number;
  /** Stratify every subset by class. Default true. */
  stratified?: boolean;
  /** Seed for every subset. Default 0. */
  seed?: number;
  /**
   * Label noise: this fraction of the training images get a different class drawn uniformly at
   * random (symmetric noise, seeded by `seed`). Validation, test and both probe sets keep their
   * true labels (P_train's images are training images; its labels stay clean). Default 0.
   */
  labelNoise?: number;
}

/** Train / validation / test splits plus the fixed probe sets every candidate is measured on. */
export interface Splits {
  readonly train: ImageSet;
  readonly validation: ImageSet;
  readonly test: ImageSet;
  readonly probeTrain: ImageSet;
  readonly probeValidation: ImageSet;
  /** Where each P_val image sits in `validation` (P_val is drawn inside it). */
  readonly probeValidationIndices?: Int32Array;
  readonly seed: number;
  /** The fraction of training labels replaced at random (options.labelNoise), when not 0. */
  readonly labelNoise?: number;
}

/**
 * Seeded, disjoint train / validation splits of a data set's training images, a test subset and
 * the probe sets (P_train inside train, P_val inside validation). The same seed gives the same
 * images on every machine.
 */
export function makeSplits(dataset: Dataset, options: SplitOptions = {}): Splits {
  checkDataset("dataset", dataset);
  checkKeys("options", options, [
    "train",
    "validation",
    "test",
    "probeTrain",
    "probeValidation",
    "stratified",
    "seed",
    "labelNoise",
  ]);
  const labelNoise = checkNumber("options.labelNoise", options.labelNoise ?? 0, { min: 0, max: 0.99 });
  const seed = checkNumber("options.seed", options.seed ?? 0, { integer: true });
  const stratified = checkBoolean("options.stratified", options.stratified ?? true);
  const available = dataset.train.shape[0];
  const validation = checkNumber("options.validation", options.validation ?? Math.round(available * 0.1), {
    integer: true,
    min: 1,
    max: available - 1,
  });
  const train = checkNumber("options.train", options.train ?? available - validation, {
    integer: true,
    min: 1,
    max: available - validation,
  });
  const test = checkNumber("options.test", options.test ?? dataset.test.shape[0], {
    integer: true,
    min: 1,
    max: dataset.test.shape[0],
  });
  const probeTrain = checkNumber("options.probeTrain", options.probeTrain ?? Math.min(1000, train), {
    integer: true,
    min: 1,
    max: train,
  });
  const probeValidation = checkNumber(
    "options.probeValidation",
    options.probeValidation ?? Math.min(1000, validation),
    {
      integer: true,
      min: 1,
      max: validation,
    },
  );
  const rng = createRng(seed);
  const valIdx = sampleIndices(dataset.train, validation, rng.fork(), stratified);
  const taken = new Uint8Array(available);
  for (const i of valIdx) taken[i] = 1;
  const trainIdx = sampleIndices(dataset.train, train, rng.fork(), stratified, taken);
  const trainSet = subset(dataset.train, trainIdx, "train");
  const valSet = subset(dataset.train, valIdx, "validation");
  const testSet =
    test === dataset.test.shape[0]
      ? dataset.test
      : subset(dataset.test, sampleIndices(dataset.test, test, rng.fork(), stratified), "test");
  const probeTrainSet = subset(trainSet, sampleIndices(trainSet, probeTrain, rng.fork(), stratified), "probe train");
  const probeValidationIndices = sampleIndices(valSet, probeValidation, rng.fork(), stratified);
  return {
    train: labelNoise > 0 ? withLabelNoise(trainSet, labelNoise, rng.fork()) : trainSet,
    validation: valSet,
    test: testSet,
    probeTrain: probeTrainSet,
    probeValidation: subset(valSet, probeValidationIndices, "probe validation"),
    probeValidationIndices,
    seed,
    ...(labelNoise > 0 ? { labelNoise } : {}),
  };
}

/** A copy of `set` whose labels are replaced, on round(rate x n) images chosen at random, by another class. */
function withLabelNoise(set: ImageSet, rate: number, rng: Rng): ImageSet {
  const n = set.labels.length;
  const labels = Uint8Array.from(set.labels);
  const order = permutation(n, rng);
  const flips = Math.round(rate * n);
  for (let k = 0; k < flips; k++) {
    const i = order[k]!;
    labels[i] = (labels[i]! + 1 + Math.floor(rng.next() * (set.numClasses - 1))) % set.numClasses;
  }
  return { ...set, labels, source: `${set.source} with ${flips} of ${n} labels replaced at random` };
}

/** Per-channel mean and standard deviation of pixel values scaled to [0, 1]. */
export function channelStats(set: ImageSet): { mean: number[]; std: number[] } {
  checkImageSet("set", set);
  const c = set.shape[3];
  const sum = new Float64Array(c);
  const sq = new Float64Array(c);
  const { images } = set;
  for (let i = 0; i < images.length; i++) {
    const v = images[i]! / 255;
    sum[i % c]! += v;
    sq[i % c]! += v * v;
  }
  const count = images.length / c;
  const mean = Array.from(sum, (s) => s / count);
  const std = Array.from(sq, (s, k) => Math.sqrt(Math.max(1e-12, s / count - mean[k]! ** 2)));
  return { mean, std };
}

/** Options of converting image bytes to floats: the per-channel mean and standard deviation to normalise with. */
export interface ToFloatOptions {
  /** Per-channel means of [0,1] pixels to subtract. Default: none (pixels in [0, 1]). */
  mean?: readonly number[];
  /** Per-channel standard deviations to divide by. Default: 1. */
  std?: readonly number[];
}

/** NHWC float32 pixels, scaled to [0, 1] and optionally standardised per channel. */
export function toFloat(set: ImageSet, options: ToFloatOptions = {}): FloatImages {
  checkImageSet("set", set);
  checkKeys("options", options, ["mean", "std"]);
  const c = set.shape[3];
  const mean = options.mean ?? new Array<number>(c).fill(0);
  const std = options.std ?? new Array<number>(c).fill(1);
  for (const [name, arr] of [
    ["options.mean", mean],
    ["options.std", std],
  ] as const) {
    if (arr.length !== c || arr.some((x) => !Number.isFinite(x))) {
      fail("invalid-argument", {
        parameter: name,
        rule: `must hold ${c} finite number${c > 1 ? "s" : ""} (one per channel)`,
        received: show(arr),
        fix: "compute them with channelStats(train) or leave them out.",
      });
    }
  }
  if (std.some((s) => s <= 0)) {
    fail("invalid-argument", {
      parameter: "options.std",
      rule: "must be > 0 per channel",
      received: show(std),
      fix: "use channelStats(train).std.",
    });
  }
  const scale = std.map((s) => 1 / (255 * s));
  const shift = mean.map((m, k) => m / std[k]!);
  const out = new Float32Array(set.images.length);
  for (let i = 0; i < out.length; i++) {
    const k = i % c;
    out[i] = set.images[i]! * scale[k]! - shift[k]!;
  }
  return { data: out, shape: set.shape };
}

/** Images per class, index = label. */
export function classCounts(set: ImageSet): number[] {
  checkImageSet("set", set);
  const counts = new Array<number>(set.numClasses).fill(0);
  for (let i = 0; i < set.labels.length; i++) counts[set.labels[i]!]! += 1;
  return counts;
}
