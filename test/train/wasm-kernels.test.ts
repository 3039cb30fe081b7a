import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { resolveBackend, formatBackendReport } from "../../src/train/backend.js";
import { assertFails } from "../helpers/fixtures.js";

type Case = { b: number; hw: number; ci: number; k: number; co: number; s: number; pad: "same" | "valid" };
const CASES: Case[] = [
  { b: 2, hw: 9, ci: 3, k: 3, co: 4, s: 1, pad: "same" },
  { b: 2, hw: 9, ci: 3, k: 3, co: 4, s: 2, pad: "same" },
  { b: 2, hw: 8, ci: 3, k: 1, co: 5, s: 1, pad: "valid" },
  { b: 2, hw: 10, ci: 3, k: 3, co: 4, s: 2, pad: "valid" },
  { b: 3, hw: 7, ci: 2, k: 3, co: 3, s: 1, pad: "valid" },
  { b: 2, hw: 8, ci: 3, k: 1, co: 4, s: 2, pad: "same" },
  { b: 4, hw: 11, ci: 8, k: 3, co: 16, s: 2, pad: "same" },
];

function grads(c: Case, xs: Float32Array, ws: Float32Array): [Float32Array, Float32Array] {
  return tf.tidy(() => {
    const x = tf.tensor4d(xs, [c.b, c.hw, c.hw, c.ci]);
    const w = tf.tensor4d(ws, [c.k, c.k, c.ci, c.co]);
    const f = (a: tf.Tensor, b: tf.Tensor) =>
      tf
        .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad)
        .square()
        .sum();
    const [gx, gw] = tf.grads(f)([x, w]);
    return [gx!.dataSync() as Float32Array, gw!.dataSync() as Float32Array];
  });
}

function relError(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / den;
}

test("wasm conv gradients match the cpu backend (rel. error <= 1e-5)", async () => {
  const report = await resolveBackend({ backend: "wasm" });
  assert.equal(report.chosen, "wasm");
  for (const c of CASES) {
    const xs = Float32Array.from({ length: c.b * c.hw * c.hw * c.ci }, (_, i) => Math.sin(i * 0.37));
    const ws = Float32Array.from({ length: c.k * c.k * c.ci * c.co }, (_, i) => Math.cos(i * 0.11));
    await tf.setBackend("wasm");
    const before = tf.memory().numTensors;
    const [wx, ww] = grads(c, xs, ws);
    assert.equal(tf.memory().numTensors, before, "no tensor leaks");
    await tf.setBackend("cpu");
    // The cpu backend prints an "install tfjs-node" banner on first use; this test uses it on purpose.
    (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
    const [cx, cw] = grads(c, xs, ws);
    const ex = relError(wx, cx);
    const ew = relError(ww, cw);
    assert.ok(ex <= 1e-5, `dx ${JSON.stringify(c)}: ${ex}`);
    assert.ok(ew <= 1e-5, `dW ${JSON.stringify(c)}: ${ew}`);
  }
  await tf.setBackend("wasm");
});

test("backend report names every backend and why it was skipped", async () => {
  const report = await resolveBackend();
  assert.equal(report.attempts.length, 5);
  const text = formatBackendReport(report);
  assert.match(text, /tensorflow-gpu/);
  assert.match(text, /webgpu/);
  assert.match(text, /wasm/);
  assert.ok(report.attempts.some((a) => a.status === "chosen"));
});

test("a bad or unavailable forced backend is a clear error", async () => {
  await assertFails(
    () => resolveBackend({ backend: "opengl" as "wasm" }),
    "invalid-argument",
    /options\.backend/,
    /"wasm"/,
  );
  const prev = process.env.FH_BACKEND;
  process.env.FH_BACKEND = "nope";
  try {
    await assertFails(() => resolveBackend(), "invalid-argument", /^FH_BACKEND/);
  } finally {
    if (prev === undefined) delete process.env.FH_BACKEND;
    else process.env.FH_BACKEND = prev;
  }
  let nodeInstalled = true;
  try {
    (await import("node:module")).createRequire(import.meta.url)("@tensorflow/tfjs-node");
  } catch {
    nodeInstalled = false;
  }
  if (!nodeInstalled) {
    await assertFails(
      () => resolveBackend({ backend: "tensorflow" }),
      "backend-unavailable",
      /options\.backend/,
      /tfjs-node/,
    );
    await tf.setBackend("wasm");
  }
});

test("block-copy Tile matches the cpu backend on several shapes and reps", async () => {
  const cases: [number[], number[]][] = [
    [
      [1, 1, 1, 4],
      [3, 5, 5, 1],
    ],
    [
      [2, 3],
      [2, 2],
    ],
    [[3], [4]],
    [
      [2, 1, 3],
      [1, 4, 2],
    ],
    [
      [1, 2, 2, 3],
      [2, 1, 3, 2],
    ],
  ];
  for (const [shape, reps] of cases) {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = Float32Array.from({ length: n }, (_, i) => i * 1.5 - 3);
    await tf.setBackend("wasm");
    const w = tf.tidy(() => tf.tile(tf.tensor(values, shape), reps).dataSync());
    await tf.setBackend("cpu");
    (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
    const c = tf.tidy(() => tf.tile(tf.tensor(values, shape), reps).dataSync());
    assert.deepEqual(Array.from(w), Array.from(c), `tile ${shape} x ${reps}`);
  }
  await tf.setBackend("wasm");
});
