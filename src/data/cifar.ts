import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fail, show } from "../core/errors.js";
import { checkKeys, checkString } from "../core/validate.js";
import type { Dataset, ImageSet } from "./types.js";

/** CIFAR-10's ten class names, in label order. */
export const CIFAR10_CLASSES = [
  "airplane",
  "automobile",
  "bird",
  "cat",
  "deer",
  "dog",
  "frog",
  "horse",
  "ship",
  "truck",
] as const;

const RECORD = 1 + 3 * 32 * 32;

/** Options of fh.data.loadCifar10: the folder of the binary batches and which training batches to read. */
export interface Cifar10Options {
  /** Folder with data_batch_1.bin .. data_batch_5.bin and test_batch.bin (the "binary version"). */
  dir: string;
  /** Training batches to read, 1..5. Default all five. */
  batches?: number[];
}

/** Parse one CIFAR-10 binary batch (label byte + 3072 CHW bytes per record) into NHWC bytes. */
export function parseCifarBatch(bytes: Uint8Array, path: string): { images: Uint8Array; labels: Uint8Array } {
  if (bytes.length === 0 || bytes.length % RECORD !== 0) {
    fail("data-corrupt", {
      parameter: path,
      rule: `must be a whole number of ${RECORD}-byte CIFAR-10 records`,
      received: `${bytes.length} bytes (${(bytes.length / RECORD).toFixed(2)} records)`,
      fix: "use the CIFAR-10 binary version (cifar-10-binary.tar.gz) and check the file is not truncated.",
    });
  }
  const n = bytes.length / RECORD;
  const images = new Uint8Array(n * 3072);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const base = i * RECORD;
    const label = bytes[base]!;
    if (label > 9) {
      fail("data-corrupt", {
        parameter: path,
        rule: "must hold labels in 0..9",
        received: `label ${label} in record ${i}`,
        fix: "check that this is a CIFAR-10 (not CIFAR-100) binary batch.",
      });
    }
    labels[i] = label;
    const out = i * 3072;
    for (let p = 0; p < 1024; p++) {
      images[out + p * 3] = bytes[base + 1 + p]!;
      images[out + p * 3 + 1] = bytes[base + 1 + 1024 + p]!;
      images[out + p * 3 + 2] = bytes[base + 1 + 2048 + p]!;
    }
  }
  return { images, labels };
}

async function loadFiles(paths: string[]): Promise<ImageSet> {
  const parts = await Promise.all(paths.map(async (p) => parseCifarBatch(new Uint8Array(await readFile(p)), p)));
  const n = parts.reduce((s, p) => s + p.labels.length, 0);
  const images = new Uint8Array(n * 3072);
  const labels = new Uint8Array(n);
  let k = 0;
  for (const p of parts) {
    images.set(p.images, k * 3072);
    labels.set(p.labels, k);
    k += p.labels.length;
  }
  return {
    images,
    labels,
    shape: [n, 32, 32, 3],
    numClasses: 10,
    classNames: CIFAR10_CLASSES,
    source: paths.join(", "),
  };
}

/** Load CIFAR-10 from its binary batches. */
export async function loadCifar10(options: Cifar10Options): Promise<Dataset> {
  checkKeys("options", options, ["dir", "batches"]);
  const dir = checkString("options.dir", options?.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    fail("data-missing", {
      parameter: "options.dir",
      rule: "must be a folder with data_batch_1.bin .. data_batch_5.bin and test_batch.bin",
      received: show(dir),
      fix: "extract cifar-10-binary.tar.gz and pass its cifar-10-batches-bin folder.",
    });
  }
  const batches = options.batches ?? [1, 2, 3, 4, 5];
  if (!Array.isArray(batches) || batches.length === 0 || batches.some((b) => !Number.isInteger(b) || b < 1 || b > 5)) {
    fail("invalid-argument", {
      parameter: "options.batches",
      rule: "must be a non-empty array of integers in 1..5",
      received: show(batches),
      fix: "pass e.g. [1, 2] or leave it out for all five.",
    });
  }
  const need = (name: string): string => {
    const p = join(dir, name);
    if (!existsSync(p)) {
      fail("data-missing", {
        parameter: p,
        rule: "must exist",
        received: "no such file",
        fix: "extract the complete CIFAR-10 binary version into this folder.",
      });
    }
    return p;
  };
  const trainPaths = batches.map((b) => need(`data_batch_${b}.bin`));
  const testPath = need("test_batch.bin");
  const [train, test] = await Promise.all([loadFiles(trainPaths), loadFiles([testPath])]);
  return { name: "cifar-10", train, test };
}
