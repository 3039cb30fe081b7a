import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import * as H0 from "../../src/history/index.js";
import { encodeHistory, decodeHistory } from "../../src/history/storage.js";
import { toHalf, fromHalf } from "../../src/history/float16.js";
// Internals (the float16 codec and the file format) next to the public namespace.
const H = { ...H0, encodeHistory, decodeHistory, toHalf, fromHalf };
import { assertFails, tempDir } from "../helpers/fixtures.js";

const labels = Uint8Array.from([0, 1, 2]);
const feats = (e: number) => Float32Array.from({ length: 3 * 4 }, (_, i) => Math.sin(i + e) * 3);

test("histories append, window and truncate", () => {
  let h = H.createHistory(3, 4, labels);
  for (let e = 1; e <= 5; e++) h = H.appendEpoch(h, feats(e));
  assert.equal(H.epochCount(h), 5);
  assert.deepEqual(H.epochFeatures(h, 2), feats(2));
  assert.deepEqual(H.windowEpochs(4, 2, 5), [3, 4]);
  assert.deepEqual(H.windowEpochs(1, 3, 5), [1]);
  assert.equal(H.epochCount(H.truncate(h, 2)), 2);
});

test("float16 keeps three significant digits and round-trips exact halves", () => {
  for (const v of [0, 1, -2, 0.5, 65504, 1 / 1024, 6e-8])
    assert.equal(
      H.fromHalf(H.toHalf(v)),
      Math.fround(v) === v && [0, 1, -2, 0.5, 65504, 1 / 1024].includes(v) ? v : H.fromHalf(H.toHalf(v)),
    );
  assert.equal(H.fromHalf(H.toHalf(1e6)), Infinity);
  assert.ok(Number.isNaN(H.fromHalf(H.toHalf(Number.NaN))));
  let h = H.createHistory(3, 4, labels, "float16");
  h = H.appendEpoch(h, feats(1));
  const back = H.epochFeatures(h, 1);
  feats(1).forEach((v, i) => assert.ok(Math.abs(back[i]! - v) <= Math.abs(v) * 1e-3 + 1e-4, `${v} vs ${back[i]}`));
});

test("save/load round-trips float32 and float16 with a header", async () => {
  const { dir, cleanup } = tempDir();
  try {
    for (const dtype of ["float32", "float16"] as const) {
      let h = H.createHistory(3, 4, labels, dtype);
      for (let e = 1; e <= 3; e++) h = H.appendEpoch(h, feats(e));
      const path = join(dir, `h-${dtype}.fhh`);
      await H.saveHistory(path, h);
      const back = await H.loadHistory(path);
      assert.equal(back.dtype, dtype);
      assert.equal(H.epochCount(back), 3);
      assert.deepEqual(back.labels, labels);
      assert.deepEqual(H.epochFeatures(back, 3), H.epochFeatures(h, 3));
    }
  } finally {
    cleanup();
  }
});

test("corrupt, truncated, future-version and mis-shaped inputs are named", async () => {
  const { dir, cleanup } = tempDir();
  try {
    let h = H.createHistory(3, 4, labels);
    h = H.appendEpoch(h, feats(1));
    const bytes = H.encodeHistory(h);
    await assertFails(
      () => H.decodeHistory(bytes.subarray(0, bytes.length - 4), "x.fhh"),
      "data-corrupt",
      /x\.fhh/,
      /must hold \d+ bytes/,
    );
    const bad = Uint8Array.from(bytes);
    bad[0] = 0;
    await assertFails(() => H.decodeHistory(bad, "y.fhh"), "data-corrupt", /y\.fhh/, /magic/);
    const text = Buffer.from(bytes).toString("latin1").replace('"version":1', '"version":9');
    await assertFails(
      () => H.decodeHistory(Uint8Array.from(Buffer.from(text, "latin1"))),
      "data-corrupt",
      /format version 1/,
      /received 9/,
    );
    writeFileSync(join(dir, "empty.fhh"), "");
    await assertFails(() => H.loadHistory(join(dir, "empty.fhh")), "data-corrupt", /magic/);
    await assertFails(() => H.loadHistory(join(dir, "missing.fhh")), "data-missing", /missing\.fhh/);
    await assertFails(() => H.appendEpoch(h, new Float32Array(5)), "invalid-argument", /features/, /3 x 4/);
    await assertFails(() => H.createHistory(3, 4, Uint8Array.from([1])), "invalid-argument", /labels/);
    await assertFails(() => H.epochFeatures(h, 2), "invalid-argument", /epoch/);
  } finally {
    cleanup();
  }
});

test("a history can record the network's own outputs: appended, truncated and saved with the features", async () => {
  const probs = (e: number) =>
    Float32Array.from({ length: 3 * 2 }, (_, i) => (i % 2 === 0 ? 0.25 * e : 1 - 0.25 * e) / 1);
  for (const dtype of ["float32", "float16"] as const) {
    let h = H.createHistory(3, 4, labels, dtype, 2);
    for (let e = 1; e <= 3; e++) h = H.appendEpoch(h, feats(e), probs(e));
    assert.equal(h.outputs!.blocks.length, 3);
    assert.deepEqual(Array.from(H.epochOutputs(h, 2)), Array.from(probs(2)));
    const cut = H.truncate(h, 1);
    assert.equal(cut.outputs!.blocks.length, 1);
    // The file format keeps them (version 2); a history without outputs stays version 1.
    const back = H.decodeHistory(H.encodeHistory(h));
    assert.equal(back.outputs!.classes, 2);
    assert.deepEqual(Array.from(H.epochOutputs(back, 3)), Array.from(H.epochOutputs(h, 3)));
    assert.deepEqual(Array.from(H.epochFeatures(back, 3)), Array.from(H.epochFeatures(h, 3)));
  }
  const plain = H.appendEpoch(H.createHistory(3, 4, labels), feats(1));
  const bytes = H.encodeHistory(plain);
  assert.match(Buffer.from(bytes.subarray(12, 200)).toString("latin1"), /"version":1/);
  assert.equal(H.decodeHistory(bytes).outputs, undefined);
  // Misuse: outputs missing, outputs on a history without them, the wrong size, no outputs recorded.
  const withOut = H.createHistory(3, 4, labels, "float32", 2);
  await assertFails(() => H.appendEpoch(withOut, feats(1)), "invalid-argument", /outputs/, /required/);
  await assertFails(() => H.appendEpoch(plain, feats(1), probs(1)), "invalid-argument", /outputs/, /createHistory/);
  await assertFails(
    () => H.appendEpoch(withOut, feats(1), new Float32Array(5)),
    "invalid-argument",
    /outputs/,
    /3 x 2/,
  );
  await assertFails(() => H.epochOutputs(plain, 1), "invalid-argument", /history/, /outputs/);
  await assertFails(() => H.createHistory(3, 4, labels, "float32", 1), "invalid-argument", /outputs/);
});
