import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { fail, show } from "../core/errors.js";
import { checkKeys, checkOneOf, checkString } from "../core/validate.js";
import { parseIdx, readMaybeGzip } from "./idx.js";
import type { Dataset, ImageSet } from "./types.js";

/** Where Debian's dataset-fashion-mnist package puts Fashion-MNIST; the loaders' default folder. */
export const DEFAULT_DATA_DIR = "/usr/share/datasets/fashion-mnist";
/** The environment variable that points the data loaders at another folder (FH_DATA_DIR). */
export const DATA_DIR_VARIABLE = "FH_DATA_DIR";

/** Fashion-MNIST's ten class names, in label order. */
export const FASHION_MNIST_CLASSES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
] as const;
const DIGITS = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"] as const;

/** Options of fh.data.loadIdxDataset: the folder and which IDX data set (kind). */
export interface IdxDatasetOptions {
  /** Folder with {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]. Default: $FH_DATA_DIR, else /usr/share/datasets/fashion-mnist. */
  dir?: string;
  /** Class names to attach: "fashion-mnist" (default) or "mnist". */
  kind?: "fashion-mnist" | "mnist";
}

/** Resolve the data folder: option, then FH_DATA_DIR, then the Debian package's folder. */
export function resolveDataDir(dir: string | undefined): string {
  if (dir !== undefined) return checkString("options.dir", dir);
  const env = process.env[DATA_DIR_VARIABLE];
  return env && env.length > 0 ? env : DEFAULT_DATA_DIR;
}

function findFile(dir: string, base: string): string {
  for (const name of [`${base}.gz`, base]) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  return fail("data-missing", {
    parameter: join(dir, `${base}.gz`),
    rule: "must exist (raw or .gz)",
    received: "no such file",
    fix: `put ${base}.gz (or ${base}) in ${dir}, or point ${DATA_DIR_VARIABLE} at the folder that has it.`,
  });
}

async function loadSplit(dir: string, prefix: "train" | "t10k", classNames: readonly string[]): Promise<ImageSet> {
  const imgPath = findFile(dir, `${prefix}-images-idx3-ubyte`);
  const lblPath = findFile(dir, `${prefix}-labels-idx1-ubyte`);
  const [imgBytes, lblBytes] = await Promise.all([readMaybeGzip(imgPath), readMaybeGzip(lblPath)]);
  const img = parseIdx(imgBytes, 3, imgPath);
  const lbl = parseIdx(lblBytes, 1, lblPath);
  const [n, h, w] = img.dims as [number, number, number];
  if (lbl.dims[0] !== n) {
    fail("data-corrupt", {
      parameter: lblPath,
      rule: `must hold one label per image of ${imgPath} (${n} labels)`,
      received: `${lbl.dims[0]} labels`,
      fix: "use the images and labels files of the same split and release.",
    });
  }
  for (let i = 0; i < lbl.data.length; i++) {
    if (lbl.data[i]! >= classNames.length) {
      fail("data-corrupt", {
        parameter: lblPath,
        rule: `must hold labels in 0..${classNames.length - 1}`,
        received: `label ${lbl.data[i]} at index ${i}`,
        fix: "check that this is an MNIST-style labels file.",
      });
    }
  }
  return {
    images: img.data,
    labels: lbl.data,
    shape: [n, h, w, 1],
    numClasses: classNames.length,
    classNames,
    source: imgPath,
  };
}

/**
 * Load MNIST or Fashion-MNIST from IDX files (gzip or raw).
 * A missing folder names the Debian package and the environment variable.
 */
export async function loadIdxDataset(options: IdxDatasetOptions = {}): Promise<Dataset> {
  checkKeys("options", options, ["dir", "kind"]);
  const kind =
    options.kind === undefined ? "fashion-mnist" : checkOneOf("options.kind", options.kind, ["fashion-mnist", "mnist"]);
  const dir = resolveDataDir(options.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    fail("data-missing", {
      parameter:
        options.dir !== undefined
          ? "options.dir"
          : process.env[DATA_DIR_VARIABLE]
            ? DATA_DIR_VARIABLE
            : "the default data folder",
      rule: "must be a folder with the IDX files",
      received: show(dir),
      fix:
        `install the Debian package with \`sudo apt-get install -y dataset-fashion-mnist\` ` +
        `(it fills ${DEFAULT_DATA_DIR}), or set ${DATA_DIR_VARIABLE} (or options.dir) to a folder with ` +
        "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz.",
    });
  }
  const classNames = kind === "mnist" ? DIGITS : FASHION_MNIST_CLASSES;
  const [train, test] = await Promise.all([loadSplit(dir, "train", classNames), loadSplit(dir, "t10k", classNames)]);
  return { name: kind, train, test };
}

/** Fashion-MNIST (the default data set of the toolkit). */
export function loadFashionMnist(options: Omit<IdxDatasetOptions, "kind"> = {}): Promise<Dataset> {
  checkKeys("options", options, ["dir"]);
  return loadIdxDataset({ ...options, kind: "fashion-mnist" });
}
