// Checkpoints: a run stopped after epoch t and resumed from its checkpoint gives what an
// uninterrupted run gives (same curves, histories and test accuracy; the schedule spans T), for
// SGD and Adam; the binary format round-trips and reports damage by name; bad resumes are clear.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { candidateFromConfig } from "../../src/train/config.js";
import { trainCandidate, type PreparedData, type TrainResult } from "../../src/train/loop.js";
import { decodeCheckpoint, encodeCheckpoint } from "../../src/train/checkpoint.js";
import { assertFails } from "../helpers/fixtures.js";
import { wasmData } from "../helpers/wasm-data.js";

let data: PreparedData;
before(async () => {
  // wasm is deterministic run to run, so a resumed run can be compared with an uninterrupted one.
  data = await wasmData(
    { train: 300, test: 60, size: 10, seed: 4 },
    { train: 240, validation: 60, probeTrain: 30, probeValidation: 20, seed: 1 },
  );
});

const configs = {
  sgd: [
    { family: "cnn", depth: 2, width: 6, kernel: 3, pooling: "max", batchNorm: true, dropout: 0.2 },
    { epochs: 4, batchSize: 32, optimizer: "sgd", lr: 0.05, schedule: "cosine" },
  ],
  adam: [
    {
      family: "nas-cell",
      cell: "|conv3x3~0|+|skip~0|conv1x1~1|+|avgpool3x3~0|skip~1|conv3x3~2|",
      channels: 4,
      stages: 2,
    },
    // (The Adam rate as a training override is `lr`; `adamLr` is the name of the space parameter.)
    { epochs: 4, batchSize: 48, optimizer: "adam", lr: 0.005, schedule: "step", stepAt: [0.5] },
  ],
} as const;

function assertSameRun(a: TrainResult, b: TrainResult, label: string): void {
  for (const key of ["trainLoss", "trainAcc", "valLoss", "valAcc", "lr"] as const)
    a.curves[key].forEach((v, i) =>
      assert.ok(Math.abs(v - b.curves[key][i]!) <= 1e-6, `${label} ${key}[${i}]: ${v} vs ${b.curves[key][i]}`),
    );
  assert.equal(a.probeValidation.blocks.length, b.probeValidation.blocks.length);
  a.probeValidation.blocks.forEach((blk, e) => {
    let err = 0;
    for (let i = 0; i < blk.length; i++) err = Math.max(err, Math.abs(blk[i]! - b.probeValidation.blocks[e]![i]!));
    assert.ok(err <= 1e-5, `${label} P_val features, epoch ${e + 1}: ${err}`);
  });
  assert.ok(Math.abs((a.testAcc ?? -1) - (b.testAcc ?? -2)) <= 1e-9, `${label} test accuracy`);
}

for (const [name, [modelConfig, trainConfig]] of Object.entries(configs)) {
  test(`resuming from the epoch-2 checkpoint equals training straight to T (${name})`, async () => {
    const { model, train } = candidateFromConfig(modelConfig, trainConfig);
    const straight = await trainCandidate(model, train, data, { seed: 9 });
    const seen: number[] = [];
    const first = await trainCandidate(model, train, data, {
      seed: 9,
      epochs: 2,
      checkpoint: true,
      hooks: { onSnapshot: (snap) => void seen.push(snap.checkpoint!.epoch) },
    });
    assert.deepEqual(seen, [1, 2]);
    assert.equal(first.checkpoint?.epoch, 2);
    // Through the file format, as storage will keep it.
    const checkpoint = decodeCheckpoint(encodeCheckpoint(first.checkpoint!));
    const rest = await trainCandidate(model, train, data, { seed: 9, resume: { checkpoint, previous: first } });
    assert.equal(rest.status, "complete", rest.error?.message);
    assert.equal(rest.firstEpoch, 3);
    assert.equal(rest.curves.valAcc.length, 4);
    assertSameRun(rest, straight, name);
    // Without `previous`, only the new epochs are reported.
    const only = await trainCandidate(model, train, data, { seed: 9, resume: { checkpoint } });
    assert.equal(only.curves.valAcc.length, 2);
    assert.deepEqual(only.curves.valAcc, straight.curves.valAcc.slice(2));
  });
}

test("the checkpoint format round-trips and names a damaged file", async () => {
  const [modelConfig, trainConfig] = configs.adam;
  const { model, train } = candidateFromConfig(modelConfig, trainConfig);
  const r = await trainCandidate(model, train, data, { seed: 2, epochs: 1, checkpoint: true });
  const c = r.checkpoint!;
  const back = decodeCheckpoint(encodeCheckpoint(c));
  assert.equal(back.epoch, 1);
  assert.equal(back.weights.length, c.weights.length);
  assert.ok(back.optimizer.length > 2, "Adam's iteration count and both moments");
  back.weights.forEach((w, i) => assert.deepEqual(Array.from(w.data), Array.from(c.weights[i]!.data)));
  const bytes = encodeCheckpoint(c);
  await assertFails(
    () => decodeCheckpoint(bytes.subarray(0, bytes.length - 5), "trial-7.ckpt"),
    "data-corrupt",
    /trial-7\.ckpt/,
  );
  const wrong = bytes.slice();
  wrong[0] = 0;
  await assertFails(() => decodeCheckpoint(wrong, "trial-7.ckpt"), "data-corrupt", /FHCK/);
  await assertFails(() => decodeCheckpoint(bytes.subarray(0, 6), "x.ckpt"), "data-corrupt", /12 bytes/);
});

test("a resume that cannot continue the run is a clear error", async () => {
  const [modelConfig, trainConfig] = configs.sgd;
  const { model, train } = candidateFromConfig(modelConfig, trainConfig);
  const r = await trainCandidate(model, train, data, { seed: 3, epochs: 2, checkpoint: true });
  const checkpoint = r.checkpoint!;
  await assertFails(
    () => trainCandidate(model, { ...train, epochs: 6 }, data, { seed: 3, resume: { checkpoint } }),
    "invalid-argument",
    /budget T = 6/,
    /T = 4/,
  );
  await assertFails(
    () => trainCandidate(model, train, data, { seed: 4, resume: { checkpoint } }),
    "invalid-argument",
    /seed/,
  );
  await assertFails(
    () => trainCandidate(model, train, data, { seed: 3, epochs: 2, resume: { checkpoint } }),
    "invalid-argument",
    /1\.\.1/,
  );
  await assertFails(
    () => trainCandidate(model, train, data, { seed: 3, resume: { checkpoint, extra: 1 } as never }),
    "unknown-option",
    /extra/,
  );
  // Another architecture: the run fails as data, naming the mismatch.
  const other = candidateFromConfig({ ...modelConfig, width: 8 }, trainConfig);
  const bad = await trainCandidate(other.model, other.train, data, { seed: 3, resume: { checkpoint } });
  assert.equal(bad.status, "failed");
  assert.match(bad.error!.message, /shape of weight/);
});
