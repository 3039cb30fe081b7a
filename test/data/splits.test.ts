import { test } from "node:test";
import assert from "node:assert/strict";
import { syntheticDataset } from "../../src/data/synthetic.js";
import { channelStats, classCounts, makeSplits, toFloat } from "../../src/data/splits.js";
import { assertFails } from "../helpers/fixtures.js";

const ds = syntheticDataset({ train: 600, test: 200, size: 8, seed: 3 });

test("synthetic data is seeded", () => {
  const again = syntheticDataset({ train: 600, test: 200, size: 8, seed: 3 });
  assert.deepEqual(again.train.images, ds.train.images);
  const other = syntheticDataset({ train: 600, test: 200, size: 8, seed: 4 });
  assert.notDeepEqual(other.train.images, ds.train.images);
  assert.deepEqual(ds.train.shape, [600, 8, 8, 1]);
});

test("splits are disjoint, stratified, sized and seeded", () => {
  const s = makeSplits(ds, { train: 400, validation: 100, probeTrain: 50, probeValidation: 40, test: 100, seed: 1 });
  assert.equal(s.train.shape[0], 400);
  assert.equal(s.validation.shape[0], 100);
  assert.equal(s.test.shape[0], 100);
  assert.equal(s.probeTrain.shape[0], 50);
  assert.equal(s.probeValidation.shape[0], 40);
  for (const set of [s.validation, s.probeTrain, s.probeValidation]) {
    const counts = classCounts(set);
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `stratified: ${counts}`);
  }
  // Disjoint: no training image appears in validation (compare pixel rows as keys).
  const key = (set: typeof s.train, i: number) => set.images.subarray(i * 64, (i + 1) * 64).join(",");
  const trainKeys = new Set(Array.from({ length: 400 }, (_, i) => key(s.train, i)));
  for (let i = 0; i < 100; i++) assert.ok(!trainKeys.has(key(s.validation, i)));
  const again = makeSplits(ds, {
    train: 400,
    validation: 100,
    probeTrain: 50,
    probeValidation: 40,
    test: 100,
    seed: 1,
  });
  assert.deepEqual(again.probeValidation.images, s.probeValidation.images);
  const other = makeSplits(ds, {
    train: 400,
    validation: 100,
    probeTrain: 50,
    probeValidation: 40,
    test: 100,
    seed: 2,
  });
  assert.notDeepEqual(other.probeValidation.images, s.probeValidation.images);
});

test("split sizes that do not fit are rejected with the limit", async () => {
  await assertFails(() => makeSplits(ds, { validation: 600 }), "invalid-argument", /options\.validation/, /<= 599/);
  await assertFails(
    () => makeSplits(ds, { validation: 100, train: 501 }),
    "invalid-argument",
    /options\.train/,
    /<= 500/,
  );
  await assertFails(
    () => makeSplits(ds, { train: 10, validation: 10, probeTrain: 11 }),
    "invalid-argument",
    /options\.probeTrain/,
  );
  await assertFails(() => makeSplits(ds, { seed: 1.5 }), "invalid-argument", /options\.seed/);
});

test("toFloat scales to [0,1] and standardises with channel statistics", () => {
  const f = toFloat(ds.train);
  assert.equal(f.data.length, ds.train.images.length);
  assert.ok(Math.abs(f.data[5]! - ds.train.images[5]! / 255) < 1e-6);
  const stats = channelStats(ds.train);
  const z = toFloat(ds.train, stats);
  let m = 0;
  let v = 0;
  for (const x of z.data) {
    m += x;
    v += x * x;
  }
  m /= z.data.length;
  v = v / z.data.length - m * m;
  assert.ok(Math.abs(m) < 1e-3 && Math.abs(v - 1) < 1e-3, `mean ${m} var ${v}`);
});

test("toFloat rejects statistics of the wrong length or sign", async () => {
  await assertFails(() => toFloat(ds.train, { mean: [0, 0] }), "invalid-argument", /options\.mean/, /1 finite number/);
  await assertFails(() => toFloat(ds.train, { std: [0] }), "invalid-argument", /options\.std/);
});

test("label noise replaces exactly that share of training labels, seeded; validation, test and probes stay clean", async () => {
  const opts = { train: 400, validation: 100, probeTrain: 50, probeValidation: 40, test: 100, seed: 5 };
  const clean = makeSplits(ds, opts);
  const noisy = makeSplits(ds, { ...opts, labelNoise: 0.3 });
  assert.equal(noisy.labelNoise, 0.3);
  assert.equal(clean.labelNoise, undefined);
  assert.deepEqual(noisy.train.images, clean.train.images);
  let changed = 0;
  for (let i = 0; i < 400; i++) if (noisy.train.labels[i] !== clean.train.labels[i]) changed++;
  assert.equal(changed, 120, "every replaced label is another class");
  for (const k of ["validation", "test", "probeTrain", "probeValidation"] as const)
    assert.deepEqual(noisy[k].labels, clean[k].labels, k);
  assert.deepEqual(makeSplits(ds, { ...opts, labelNoise: 0.3 }).train.labels, noisy.train.labels);
  assert.match(noisy.train.source, /120 of 400 labels replaced/);
  await assertFails(() => makeSplits(ds, { ...opts, labelNoise: 1 }), "invalid-argument", /options\.labelNoise/);
  await assertFails(() => makeSplits(ds, { ...opts, labelNoise: -0.1 }), "invalid-argument", /options\.labelNoise/);
});
