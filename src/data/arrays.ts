/**
 * The user's own images as a Dataset, so that the same seeded split helper (makeSplits) draws
 * the training, validation, test and probe sets from them as from the built-in loaders.
 * Images are kept as bytes like every ImageSet: floats are mapped linearly from `range` (default
 * [0, 1]) to 0..255 and rounded, which is lossless for 8-bit images and a quantisation to 1/255 of
 * the range otherwise (said here, so that nobody is surprised).
 */
import { fail, show } from "../core/errors.js";
import { createRng, permutation } from "../core/random.js";
import { checkRequired, checkKeys, checkNumber, checkString } from "../core/validate.js";
import type { Dataset, ImageSet } from "./types.js";

type Pixels = Uint8Array | Uint8ClampedArray | Float32Array | Float64Array | readonly number[];
type Labels = Uint8Array | Int32Array | Uint16Array | Float32Array | readonly number[];

/** One split of a data set as plain arrays: NHWC pixels and one label per image (fh.data.fromArrays). */
export interface ArraySplit {
  /** NHWC pixels, count x height x width x channels values. */
  readonly images: Pixels;
  /** One integer label per image, 0..numClasses-1. */
  readonly labels: Labels;
}

/** Options of fh.data.fromArrays: the training (and test) arrays, the image shape and the classes. */
export interface FromArraysOptions {
  readonly train: ArraySplit;
  /** Held-out images. Default: a seeded, stratified `testFraction` of `train`. */
  readonly test?: ArraySplit;
  /** [height, width, channels] of one image. */
  readonly shape: readonly [number, number, number];
  /** Default: the largest label + 1. */
  readonly numClasses?: number;
  readonly classNames?: readonly string[];
  /** The value range of float pixels, mapped to 0..255. Default [0, 1]; bytes are taken as they are. */
  readonly range?: readonly [number, number];
  /** Share of `train` held out as the test split when `test` is absent. Default 0.1. */
  readonly testFraction?: number;
  /** Seed of that hold-out. Default 0. */
  readonly seed?: number;
  /** For reports. Default "arrays". */
  readonly name?: string;
}

function toBytes(name: string, px: Pixels, count: number, range: readonly [number, number]): Uint8Array {
  if (px instanceof Uint8Array || px instanceof Uint8ClampedArray) return new Uint8Array(px);
  const [lo, hi] = range;
  const scale = 255 / (hi - lo);
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const v = px[i]!;
    if (!(v >= lo && v <= hi))
      fail("invalid-argument", {
        parameter: `${name}.images[${i}]`,
        rule: `must be a number in the range [${lo}, ${hi}]`,
        received: show(v),
        fix: "scale the pixels into options.range, or set options.range to the pixels' range (e.g. [0, 255]).",
      });
    out[i] = Math.round((v - lo) * scale);
  }
  return out;
}

function toSet(
  name: string,
  split: ArraySplit,
  shape: readonly [number, number, number],
  range: readonly [number, number],
): { images: Uint8Array; labels: Uint8Array; count: number } {
  checkKeys(name, split, ["images", "labels"]);
  const plane = shape[0] * shape[1] * shape[2];
  const { images, labels } = split as { images?: Pixels; labels?: Labels };
  if (!images || typeof images.length !== "number")
    fail("invalid-argument", {
      parameter: `${name}.images`,
      rule: "must be an array of pixel values (Uint8Array, Float32Array or number[])",
      received: show(images),
      fix: "pass the pixels flat, NHWC (for a tf.Tensor: await tensor.data()).",
    });
  if (!labels || typeof labels.length !== "number")
    fail("invalid-argument", {
      parameter: `${name}.labels`,
      rule: "must be an array of integer labels",
      received: show(labels),
      fix: "pass one label per image (for one-hot labels: their argmax).",
    });
  const count = labels.length;
  if (count < 1 || images.length !== count * plane)
    fail("invalid-argument", {
      parameter: `${name}.images`,
      rule: `must hold labels.length x ${shape.join(" x ")} = ${count * plane} values`,
      received: `${images.length} values`,
      fix: "check options.shape ([height, width, channels]) and that images and labels match.",
    });
  const lab = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const v = labels[i]!;
    if (!(Number.isInteger(v) && v >= 0 && v < 256))
      fail("invalid-argument", {
        parameter: `${name}.labels[${i}]`,
        rule: "must be an integer in 0..255",
        received: show(v),
        fix: "map the classes to 0..numClasses-1.",
      });
    lab[i] = v;
  }
  return { images: toBytes(name, images, count * plane, range), labels: lab, count };
}

/** A Dataset from the user's arrays: use it with makeSplits like the built-in loaders' data sets. */
export function fromArrays(options: FromArraysOptions): Dataset {
  checkRequired("options", options, [
    "train",
    "test",
    "shape",
    "numClasses",
    "classNames",
    "range",
    "testFraction",
    "seed",
    "name",
  ]);
  const shapeIn = options.shape as unknown;
  if (
    !Array.isArray(shapeIn) ||
    shapeIn.length !== 3 ||
    shapeIn.some((d) => !(Number.isInteger(d) && (d as number) >= 1))
  )
    fail("invalid-argument", {
      parameter: "options.shape",
      rule: "must be [height, width, channels], positive integers",
      received: show(shapeIn),
      fix: "e.g. [28, 28, 1] for grey 28x28 images or [32, 32, 3] for colour.",
    });
  const shape = options.shape;
  const range = options.range ?? [0, 1];
  if (!Array.isArray(range) || range.length !== 2 || !(range[1]! > range[0]!))
    fail("invalid-argument", {
      parameter: "options.range",
      rule: "must be [low, high] with low < high",
      received: show(range),
      fix: "e.g. [0, 1] or [0, 255].",
    });
  const name = options.name === undefined ? "arrays" : checkString("options.name", options.name);
  const train = toSet("options.train", options.train, shape, range);
  let test = options.test ? toSet("options.test", options.test, shape, range) : undefined;
  let kept = train;
  if (!test) {
    const fraction = checkNumber("options.testFraction", options.testFraction ?? 0.1, { above: 0, max: 0.5 });
    const seed = checkNumber("options.seed", options.seed ?? 0, { integer: true });
    const nTest = Math.max(1, Math.round(train.count * fraction));
    if (train.count - nTest < 2)
      fail("invalid-argument", {
        parameter: "options.train",
        rule: "must leave at least 2 training images after the test hold-out",
        received: `${train.count} images`,
        fix: "pass more images, or a separate options.test.",
      });
    const order = permutation(train.count, createRng(seed));
    const plane = shape[0] * shape[1] * shape[2];
    const pick = (ids: ArrayLike<number>) => {
      const images = new Uint8Array(ids.length * plane);
      const labels = new Uint8Array(ids.length);
      for (let i = 0; i < ids.length; i++) {
        images.set(train.images.subarray(ids[i]! * plane, (ids[i]! + 1) * plane), i * plane);
        labels[i] = train.labels[ids[i]!]!;
      }
      return { images, labels, count: ids.length };
    };
    test = pick(order.subarray(0, nTest));
    kept = pick(order.subarray(nTest));
  }
  let maxLabel = 0;
  for (const set of [kept, test]) for (const l of set.labels) maxLabel = Math.max(maxLabel, l);
  const numClasses = checkNumber("options.numClasses", options.numClasses ?? maxLabel + 1, {
    integer: true,
    min: Math.max(2, maxLabel + 1),
    max: 256,
  });
  const classNames = options.classNames ?? Array.from({ length: numClasses }, (_, i) => String(i));
  if (!Array.isArray(classNames) || classNames.length !== numClasses)
    fail("invalid-argument", {
      parameter: "options.classNames",
      rule: `must hold ${numClasses} names`,
      received: show(classNames),
      fix: "one name per class, or leave it out.",
    });
  const set = (s: typeof kept, part: string): ImageSet => ({
    images: s.images,
    labels: s.labels,
    shape: [s.count, shape[0], shape[1], shape[2]],
    numClasses,
    classNames,
    source: `${name} (${part})`,
  });
  return { name, train: set(kept, "train"), test: set(test, "test") };
}
