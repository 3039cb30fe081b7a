// The user's own arrays as a Dataset: bytes and floats, a given or held-out test split, the
// seeded split helper on top, and a clear error for each way the arrays can be wrong.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fromArrays } from "../../src/data/arrays.js";
import { makeSplits } from "../../src/data/splits.js";
import { assertFails } from "../helpers/fixtures.js";

const n = 50;
const shape = [4, 4, 1] as const;
const floats = Float32Array.from({ length: n * 16 }, (_, i) => (i % 17) / 16);
const labels = Array.from({ length: n }, (_, i) => i % 5);

test("float pixels in [0, 1] become bytes; a seeded test hold-out; makeSplits works on it", () => {
  const ds = fromArrays({ train: { images: floats, labels }, shape, seed: 3 });
  assert.equal(ds.train.shape[0] + ds.test.shape[0], n);
  assert.equal(ds.test.shape[0], 5);
  assert.equal(ds.train.numClasses, 5);
  assert.deepEqual(ds.train.shape.slice(1), [4, 4, 1]);
  assert.ok(ds.train.images.every((v) => v >= 0 && v <= 255));
  assert.ok(ds.train.images.some((v) => v === 255));
  // Same seed, same hold-out.
  const again = fromArrays({ train: { images: floats, labels }, shape, seed: 3 });
  assert.deepEqual(Array.from(again.test.labels), Array.from(ds.test.labels));
  const splits = makeSplits(ds, { train: 30, validation: 10, probeTrain: 10, probeValidation: 5, seed: 1 });
  assert.equal(splits.probeValidation.shape[0], 5);
});

test("bytes are taken as they are, with a separate test split and a custom range", () => {
  const bytes = Uint8Array.from({ length: n * 16 }, (_, i) => i % 256);
  const ds = fromArrays({
    train: { images: bytes, labels },
    test: { images: bytes.slice(0, 160), labels: labels.slice(0, 10) },
    shape,
    numClasses: 6,
  });
  assert.equal(ds.test.shape[0], 10);
  assert.equal(ds.train.numClasses, 6);
  assert.deepEqual(Array.from(ds.train.images.subarray(0, 5)), [0, 1, 2, 3, 4]);
  const wide = fromArrays({ train: { images: Array.from(floats, (v) => v * 255), labels }, shape, range: [0, 255] });
  assert.equal(Math.max(...wide.train.images), 255);
});

test("every way the arrays can be wrong is a clear error", async () => {
  await assertFails(
    () => fromArrays({ train: { images: floats, labels: labels.slice(1) }, shape }),
    "invalid-argument",
    /train\.images/,
    /labels\.length/,
  );
  await assertFails(
    () => fromArrays({ train: { images: floats, labels }, shape: [4, 4] as never }),
    "invalid-argument",
    /options\.shape/,
  );
  const big = Float32Array.from(floats, (v) => v * 2);
  await assertFails(
    () => fromArrays({ train: { images: big, labels }, shape }),
    "invalid-argument",
    /range \[0, 1\]/,
    /options\.range/,
  );
  await assertFails(
    () => fromArrays({ train: { images: floats, labels: labels.map((l) => l + 0.5) }, shape }),
    "invalid-argument",
    /labels\[0\]/,
  );
  await assertFails(
    () => fromArrays({ train: { images: floats, labels }, shape, numClasses: 3 }),
    "invalid-argument",
    /numClasses/,
  );
  await assertFails(
    () => fromArrays({ train: { images: floats, labels }, shape, testFraction: 0.9 }),
    "invalid-argument",
    /testFraction/,
  );
  await assertFails(
    () => fromArrays({ train: { images: floats, labels }, shape, split: 1 } as never),
    "unknown-option",
    /split/,
  );
  await assertFails(
    () => fromArrays({ train: { images: undefined, labels } as never, shape }),
    "invalid-argument",
    /train\.images/,
  );
});
