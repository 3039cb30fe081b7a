import { createRng } from "../core/random.js";
import { checkNumber, checkOptions, checkStrings } from "../core/validate.js";
import { fail, show } from "../core/errors.js";
import { sampleIndices, checkImageSet } from "../data/splits.js";
import type { ImageSet } from "../data/types.js";

/** Options of fh.plot.imageGrid: how many images (or which), columns, scale, gap and seed. */
export interface ImageGridOptions {
  /** Images to show. Default 40. */
  count?: number;
  /** Images a row. Default 10 (one a class when stratified). */
  columns?: number;
  /** Pixel scale factor. Default 2. */
  scale?: number;
  /** Gap between images in pixels (after scaling). Default 2. */
  gap?: number;
  /** Seed for the (stratified) choice of images. Default 0. */
  seed?: number;
  /** Explicit images to show (overrides count and seed). */
  indices?: readonly number[];
}

/** The pure data of an image grid: RGB pixels plus which image sits where. */
export interface ImageGridInfo {
  readonly width: number;
  readonly height: number;
  /** Row-major RGB bytes. */
  readonly rgb: Uint8Array;
  readonly columns: number;
  readonly rows: number;
  readonly indices: readonly number[];
  readonly labels: readonly number[];
  readonly classNames: readonly string[];
}

/** A grid of images as pixels (pure data): what showImageGrid draws. */
export function imageGridInfo(set: ImageSet, options: ImageGridOptions = {}): ImageGridInfo {
  const shape = (set as { shape?: unknown } | null | undefined)?.shape;
  if (Array.isArray(shape) && shape.some((v: unknown) => typeof v !== "number"))
    fail("invalid-argument", {
      parameter: "set.shape",
      rule: "must be [count, height, width, channels] of positive integers",
      received: `[${shape.map((v: unknown) => (typeof v === "bigint" ? `${v}n` : show(v))).join(", ")}]`,
      fix: "build image sets with the toolkit's loaders or fh.data.fromArrays.",
    });
  checkImageSet("set", set);
  checkOptions("options", options, ["count", "columns", "scale", "gap", "seed", "indices"]);
  const [n, h, w, c] = set.shape as [number, number, number, number];
  const fixSet = "build image sets with the toolkit's loaders or fh.data.fromArrays.";
  if (set.images.length !== n * h * w * c || set.labels.length !== n)
    fail("invalid-argument", {
      parameter: "set",
      rule: `must hold count x height x width x channels = ${n * h * w * c} pixel bytes and ${n} labels (its shape)`,
      received: `${set.images.length} bytes and ${set.labels.length} labels`,
      fix: fixSet,
    });
  checkNumber("set.numClasses", set.numClasses, { integer: true, min: 1, max: 256 });
  set.labels.forEach((l, i) => {
    if (l >= set.numClasses)
      fail("invalid-argument", {
        parameter: `set.labels[${i}]`,
        rule: `must be a class in 0..${set.numClasses - 1}`,
        received: show(l),
        fix: fixSet,
      });
  });
  checkStrings("set.classNames", set.classNames, fixSet);
  const columns = checkNumber("options.columns", options.columns ?? 10, { integer: true, min: 1, max: 1000 });
  const scale = checkNumber("options.scale", options.scale ?? 2, { integer: true, min: 1, max: 16 });
  const gap = checkNumber("options.gap", options.gap ?? 2, { integer: true, min: 0, max: 100 });
  let indices: number[];
  if (options.indices !== undefined) {
    if (!Array.isArray(options.indices))
      fail("invalid-argument", {
        parameter: "options.indices",
        rule: "must be an array of image indices",
        received: show(options.indices),
        fix: "pass indices of this image set, e.g. [0, 5, 9], or leave it out.",
      });
    indices = [...(options.indices as readonly number[])];
    for (const i of indices) {
      if (!Number.isInteger(i) || i < 0 || i >= n) {
        fail("invalid-argument", {
          parameter: "options.indices",
          rule: `must hold integers in 0..${n - 1}`,
          received: show(i),
          fix: "pass indices of this image set.",
        });
      }
    }
  } else {
    const count = checkNumber("options.count", options.count ?? 40, { integer: true, min: 1, max: n });
    const seed = checkNumber("options.seed", options.seed ?? 0, { integer: true });
    indices = Array.from(sampleIndices(set, count, createRng(seed)));
  }
  const rows = Math.ceil(indices.length / columns);
  const cw = w * scale;
  const ch = h * scale;
  const width = columns * cw + (columns + 1) * gap;
  const height = rows * ch + (rows + 1) * gap;
  if (width * height * 3 > 2 ** 30)
    fail("invalid-argument", {
      parameter: "options",
      rule: "must give a grid of at most 2^30 bytes (columns x scale x image size)",
      received: `${width} x ${height} pixels`,
      fix: "show fewer images, fewer columns or a smaller scale.",
    });
  const rgb = new Uint8Array(width * height * 3).fill(255);
  indices.forEach((idx, k) => {
    const ox = gap + (k % columns) * (cw + gap);
    const oy = gap + Math.floor(k / columns) * (ch + gap);
    for (let y = 0; y < ch; y++)
      for (let x = 0; x < cw; x++) {
        const src = ((idx * h + Math.floor(y / scale)) * w + Math.floor(x / scale)) * c;
        const o = ((oy + y) * width + ox + x) * 3;
        // Greyscale images are shown dark-on-light like the data sets' papers.
        if (c === 1) {
          const v = 255 - set.images[src]!;
          rgb[o] = rgb[o + 1] = rgb[o + 2] = v;
        } else {
          rgb[o] = set.images[src]!;
          rgb[o + 1] = set.images[src + 1]!;
          rgb[o + 2] = set.images[src + 2]!;
        }
      }
  });
  return {
    width,
    height,
    rgb,
    columns,
    rows,
    indices,
    labels: indices.map((i) => set.labels[i]!),
    classNames: set.classNames,
  };
}
