import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { loadFashionMnist, loadIdxDataset, DEFAULT_DATA_DIR } from "../../src/data/mnist.js";
import { loadCifar10, parseCifarBatch } from "../../src/data/cifar.js";
import { parseIdx } from "../../src/data/idx.js";
import { assertFails, idxBytes, tempDir, writeIdxFolder } from "../helpers/fixtures.js";

test("IDX: gzip and raw folders load with shapes, labels and class names", async () => {
  for (const raw of [false, true]) {
    const { dir, cleanup } = tempDir();
    try {
      writeIdxFolder(dir, { n: 12, m: 5, size: 4, raw });
      const ds = await loadIdxDataset({ dir, kind: "mnist" });
      assert.deepEqual(ds.train.shape, [12, 4, 4, 1]);
      assert.deepEqual(ds.test.shape, [5, 4, 4, 1]);
      assert.equal(ds.train.labels[3], 3);
      assert.equal(ds.train.images[1], 7);
      assert.equal(ds.train.classNames[0], "0");
      const fm = await loadFashionMnist({ dir });
      assert.equal(fm.train.classNames[9], "Ankle boot");
    } finally {
      cleanup();
    }
  }
});

test("IDX: a missing folder names the apt package and FH_DATA_DIR", async () => {
  await assertFails(
    () => loadIdxDataset({ dir: "/nonexistent/fh" }),
    "data-missing",
    /options\.dir/,
    /apt-get install -y dataset-fashion-mnist/,
    /FH_DATA_DIR/,
    /\/nonexistent\/fh/,
  );
  const prev = process.env.FH_DATA_DIR;
  process.env.FH_DATA_DIR = "/nonexistent/env";
  try {
    await assertFails(() => loadFashionMnist(), "data-missing", /^FH_DATA_DIR/, /\/nonexistent\/env/);
  } finally {
    if (prev === undefined) delete process.env.FH_DATA_DIR;
    else process.env.FH_DATA_DIR = prev;
  }
});

test("IDX: a missing file names the file and the variable", async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeIdxFolder(dir);
    const { rmSync } = await import("node:fs");
    rmSync(join(dir, "t10k-labels-idx1-ubyte.gz"));
    await assertFails(() => loadFashionMnist({ dir }), "data-missing", /t10k-labels-idx1-ubyte\.gz/, /FH_DATA_DIR/);
  } finally {
    cleanup();
  }
});

test("IDX: a wrong magic number names the file and the expected magic", async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeIdxFolder(dir);
    // A labels file where the images file should be.
    writeFileSync(join(dir, "train-images-idx3-ubyte.gz"), gzipSync(idxBytes([12], new Uint8Array(12))));
    await assertFails(
      () => loadFashionMnist({ dir }),
      "data-corrupt",
      /train-images-idx3-ubyte\.gz/,
      /0x00000803/,
      /0x00000801/,
    );
  } finally {
    cleanup();
  }
});

test("IDX: a truncated file names the file, the expected and the received size", async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeIdxFolder(dir, { n: 12, size: 4 });
    const full = idxBytes([12, 4, 4], new Uint8Array(12 * 16));
    writeFileSync(join(dir, "train-images-idx3-ubyte.gz"), gzipSync(full.subarray(0, full.length - 10)));
    await assertFails(
      () => loadFashionMnist({ dir }),
      "data-corrupt",
      /train-images/,
      /192 data bytes/,
      /182 bytes \(truncated\)/,
    );
    // Header itself cut short.
    assert.throws(() => parseIdx(new Uint8Array(6), 3, "f"), /IDX header of 16 bytes/);
    // A truncated gzip stream.
    const gz = gzipSync(full);
    writeFileSync(join(dir, "train-images-idx3-ubyte.gz"), gz.subarray(0, gz.length - 20));
    await assertFails(() => loadFashionMnist({ dir }), "data-corrupt", /complete gzip file/);
  } finally {
    cleanup();
  }
});

test("IDX: an image/label count mismatch names the labels file and both counts", async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeIdxFolder(dir, { n: 12 });
    writeFileSync(join(dir, "train-labels-idx1-ubyte.gz"), gzipSync(idxBytes([11], new Uint8Array(11))));
    await assertFails(
      () => loadFashionMnist({ dir }),
      "data-corrupt",
      /train-labels-idx1-ubyte\.gz/,
      /12 labels/,
      /received 11 labels/,
    );
  } finally {
    cleanup();
  }
});

test("IDX: labels out of range and bad options are rejected", async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeIdxFolder(dir, { n: 12 });
    writeFileSync(join(dir, "train-labels-idx1-ubyte.gz"), gzipSync(idxBytes([12], new Uint8Array(12).fill(10))));
    await assertFails(() => loadFashionMnist({ dir }), "data-corrupt", /labels in 0\.\.9/);
    await assertFails(() => loadIdxDataset({ dir, kind: "cifar" as "mnist" }), "invalid-argument", /options\.kind/);
    await assertFails(() => loadFashionMnist({ dri: dir } as never), "unknown-option", /options\.dri/, /"dir"/);
  } finally {
    cleanup();
  }
});

function cifarRecords(labels: number[]): Uint8Array {
  const out = new Uint8Array(labels.length * 3073);
  labels.forEach((l, i) => {
    out[i * 3073] = l;
    out[i * 3073 + 1] = 10; // R of pixel 0
    out[i * 3073 + 1 + 1024] = 20; // G of pixel 0
    out[i * 3073 + 1 + 2048] = 30; // B of pixel 0
  });
  return out;
}

test("CIFAR-10: batches load as NHWC with labels", async () => {
  const { dir, cleanup } = tempDir();
  try {
    for (let b = 1; b <= 5; b++) writeFileSync(join(dir, `data_batch_${b}.bin`), cifarRecords([b, 0]));
    writeFileSync(join(dir, "test_batch.bin"), cifarRecords([9]));
    const ds = await loadCifar10({ dir });
    assert.deepEqual(ds.train.shape, [10, 32, 32, 3]);
    assert.deepEqual(Array.from(ds.train.images.subarray(0, 3)), [10, 20, 30]);
    assert.deepEqual(Array.from(ds.train.labels.subarray(0, 4)), [1, 0, 2, 0]);
    assert.equal(ds.test.labels[0], 9);
    const two = await loadCifar10({ dir, batches: [2] });
    assert.equal(two.train.shape[0], 2);
  } finally {
    cleanup();
  }
});

test("CIFAR-10: every bad input names the file or option", async () => {
  const { dir, cleanup } = tempDir();
  try {
    await assertFails(
      () => loadCifar10({ dir: "/nonexistent/cifar" }),
      "data-missing",
      /options\.dir/,
      /cifar-10-batches-bin/,
    );
    await assertFails(() => loadCifar10({ dir }), "data-missing", /data_batch_1\.bin/);
    await assertFails(() => loadCifar10({ dir, batches: [6] }), "invalid-argument", /options\.batches/, /1\.\.5/);
    assert.throws(() => parseCifarBatch(new Uint8Array(3000), "x.bin"), /x\.bin must be a whole number of 3073-byte/);
    const bad = cifarRecords([1]);
    bad[0] = 42;
    assert.throws(() => parseCifarBatch(bad, "y.bin"), /y\.bin must hold labels in 0\.\.9; received label 42/);
  } finally {
    cleanup();
  }
});

test(
  "Fashion-MNIST from the Debian package, when installed",
  { skip: !existsSync(DEFAULT_DATA_DIR) && "dataset-fashion-mnist not installed" },
  async () => {
    const ds = await loadFashionMnist({ dir: DEFAULT_DATA_DIR });
    assert.deepEqual(ds.train.shape, [60000, 28, 28, 1]);
    assert.deepEqual(ds.test.shape, [10000, 28, 28, 1]);
  },
);
