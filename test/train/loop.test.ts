import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { candidateFromConfig, learningRateAt, TRAIN_DEFAULTS } from "../../src/train/config.js";
import { consensusEstimator } from "../../src/proxy/own.js";
import { trainCandidate, type PreparedData } from "../../src/train/loop.js";
import { buildModel } from "../../src/train/models.js";
import { epochCount } from "../../src/history/feature-history.js";
import { assertFails } from "../helpers/fixtures.js";
import { wasmData } from "../helpers/wasm-data.js";

let data: PreparedData;
before(async () => {
  data = await wasmData(
    { train: 500, test: 100, size: 12, seed: 2 },
    { train: 400, validation: 100, probeTrain: 60, probeValidation: 50, seed: 0 },
  );
});

const cnn = { family: "cnn", depth: 2, width: 8, kernel: 3, pooling: "max", batchNorm: true, dropout: 0.1 } as const;

test("a CNN learns, records curves and both probe histories every epoch", async () => {
  const { model, train } = candidateFromConfig(cnn, { epochs: 3, lr: 0.05, batchSize: 32 });
  const epochs: number[] = [];
  let batches = 0;
  const r = await trainCandidate(model, train, data, {
    seed: 1,
    hooks: { onEpochEnd: (e) => void epochs.push(e.epoch), onBatchEnd: () => void batches++ },
  });
  assert.equal(r.status, "complete", r.error?.message);
  assert.deepEqual(epochs, [1, 2, 3]);
  assert.equal(batches, 3 * Math.ceil(400 / 32));
  assert.equal(r.curves.valAcc.length, 3);
  assert.ok(r.curves.trainLoss[2]! < r.curves.trainLoss[0]!, `loss ${r.curves.trainLoss}`);
  assert.ok(r.curves.valAcc[2]! > 0.3, `val acc ${r.curves.valAcc}`);
  assert.equal(epochCount(r.probeTrain), 3);
  assert.equal(epochCount(r.probeValidation), 3);
  assert.equal(r.probeTrain.samples, 60);
  assert.equal(r.featureDims, 16);
  assert.ok(r.testAcc !== undefined && r.testAcc > 0.2);
  assert.ok(r.curves.captureSeconds.every((s, i) => s < r.curves.seconds[i]!));
});

test("training is seeded: same seed, same curves and features", async () => {
  const { model, train } = candidateFromConfig(cnn, { epochs: 1, batchSize: 50 });
  const a = await trainCandidate(model, train, data, { seed: 7 });
  const b = await trainCandidate(model, train, data, { seed: 7 });
  const c = await trainCandidate(model, train, data, { seed: 8 });
  assert.deepEqual(a.curves.trainLoss, b.curves.trainLoss);
  assert.deepEqual(a.probeValidation.blocks[0], b.probeValidation.blocks[0]);
  assert.notDeepEqual(a.curves.trainLoss, c.curves.trainLoss);
});

test("tensor count stays flat across epochs and candidates of every family", async () => {
  const configs: Record<string, string | number | boolean>[] = [
    cnn,
    { family: "cnn", depth: 3, width: 4, kernel: 5, pooling: "avg", batchNorm: false, dropout: 0, head: "flatten" },
    {
      family: "nas-cell",
      cell: "|conv3x3~0|+|skip~0|conv1x1~1|+|avgpool3x3~0|none~1|conv3x3~2|",
      stages: 2,
      cellsPerStage: 1,
      channels: 4,
    },
    {
      family: "nas-cell",
      cell: "|conv3x3~0|+|skip~0|conv1x1~1|+|none~0|none~1|none~2|",
      stages: 1,
      cellsPerStage: 1,
      channels: 4,
    },
    { family: "resnet", stages: 2, blocksPerStage: 1, width: 4 },
  ];
  const start = tf.memory().numTensors;
  const startBuffers = tf.memory().numDataBuffers;
  for (const cfg of configs) {
    for (const optimizer of ["sgd", "adam"] as const) {
      const { model, train } = candidateFromConfig(cfg, {
        epochs: 2,
        batchSize: 100,
        optimizer,
        lr: optimizer === "adam" ? 1e-3 : 0.05,
      });
      const during: number[] = [];
      const r = await trainCandidate(model, train, data, {
        seed: 1,
        hooks: { onEpochEnd: () => void during.push(tf.memory().numTensors) },
      });
      assert.equal(r.status, "complete", `${String(cfg.family)}: ${r.error?.message}`);
      assert.equal(during[0], during[1], `${String(cfg.family)}/${optimizer}: tensors grew between epochs ${during}`);
      assert.equal(
        tf.memory().numTensors,
        start,
        `${String(cfg.family)}/${optimizer}: leaked ${tf.memory().numTensors - start} tensors`,
      );
      assert.equal(tf.memory().numDataBuffers, startBuffers, `${String(cfg.family)}/${optimizer}: leaked data buffers`);
    }
  }
});

test("a NaN loss ends the candidate as failed, keeping its error and nothing leaks", async () => {
  const poisoned: PreparedData = {
    ...data,
    train: { ...data.train, x: data.train.x.map((v, i) => (i % 97 === 0 ? Number.POSITIVE_INFINITY : v)) },
  };
  const { model, train } = candidateFromConfig({ ...cnn, batchNorm: false }, { epochs: 2 });
  const start = tf.memory().numTensors;
  const r = await trainCandidate(model, train, poisoned, { seed: 1 });
  assert.equal(r.status, "failed");
  assert.match(r.error!.message, /loss became NaN at epoch 1, batch 1/);
  assert.equal(r.error!.epoch, 1);
  assert.equal(tf.memory().numTensors, start);
});

test("an exception in a hook fails the candidate and keeps the epochs before it", async () => {
  const { model, train } = candidateFromConfig(cnn, { epochs: 3, batchSize: 100 });
  const r = await trainCandidate(model, train, data, {
    seed: 1,
    hooks: {
      onEpochEnd: (e) => {
        if (e.epoch === 2) throw new RangeError("boom in hook");
      },
    },
  });
  assert.equal(r.status, "failed");
  assert.equal(r.error!.name, "RangeError");
  assert.equal(r.error!.epoch, 2);
  assert.equal(epochCount(r.probeTrain), 2);
});

test("an abort signal stops after the current batch as an Interrupted failure", async () => {
  const { model, train } = candidateFromConfig(cnn, { epochs: 3, batchSize: 50 });
  const ac = new AbortController();
  const r = await trainCandidate(model, train, data, {
    seed: 1,
    signal: ac.signal,
    hooks: { onBatchEnd: (b) => (b.epoch === 2 && b.batch === 2 ? ac.abort("user") : undefined) },
  });
  assert.equal(r.status, "failed");
  assert.equal(r.error!.name, "Interrupted");
  assert.match(r.error!.message, /aborted: user/);
  assert.equal(r.curves.valAcc.length, 1);
});

test("schedules: cosine decays to 0, step divides by 10 at its milestones", () => {
  const cos = { ...TRAIN_DEFAULTS, lr: 0.1, schedule: "cosine" as const };
  assert.equal(learningRateAt(cos, 0), 0.1);
  assert.ok(Math.abs(learningRateAt(cos, 0.5) - 0.05) < 1e-12);
  assert.ok(learningRateAt(cos, 1) < 1e-12);
  const step = { ...TRAIN_DEFAULTS, lr: 0.1, schedule: "step" as const, stepAt: [0.5, 0.75] };
  assert.ok(Math.abs(learningRateAt(step, 0.6) - 0.01) < 1e-12);
  assert.ok(Math.abs(learningRateAt(step, 0.8) - 0.001) < 1e-12);
});

test("warm-up: linear from lr/100 over its epochs, then the schedule over the rest; never as long as the budget", async () => {
  const { train } = candidateFromConfig({ ...cnn, warmup: 2 }, { epochs: 10, lr: 0.1 });
  assert.equal(train.warmup, 2);
  assert.ok(Math.abs(learningRateAt(train, 0) - 0.001) < 1e-12);
  assert.ok(Math.abs(learningRateAt(train, 0.1) - (0.001 + 0.099 * 0.5)) < 1e-12);
  assert.ok(Math.abs(learningRateAt(train, 0.2) - 0.1) < 1e-12, "the peak when the warm-up ends");
  assert.ok(Math.abs(learningRateAt(train, 0.6) - 0.05) < 1e-12, "cosine half-way through the remaining epochs");
  assert.equal(candidateFromConfig(cnn, { epochs: 10 }).train.warmup, 0);
  await assertFails(
    () => candidateFromConfig(cnn, { epochs: 4, warmup: 4 }),
    "invalid-argument",
    /config\.warmup/,
    /shorter than the budget \(4 epochs\)/,
  );
});

test("models expose penultimate features of the documented width", () => {
  const built = buildModel(
    { family: "cnn", depth: 3, width: 8, kernel: 3, pooling: "max", batchNorm: true, dropout: 0, head: "gap" },
    [12, 12, 1],
    10,
    0,
  );
  assert.equal(built.featureDims, 32);
  assert.deepEqual(built.features.outputs[0]!.shape, [null, 32]);
  built.model.dispose();
});

test("configuration errors name the field, rule and value", async () => {
  await assertFails(() => candidateFromConfig({ family: "mlp" }), "invalid-argument", /config\.family/, /"cnn"/);
  await assertFails(() => candidateFromConfig({ ...cnn, depth: 0 }), "invalid-argument", /config\.depth/, />= 1/);
  await assertFails(() => candidateFromConfig({ ...cnn, colour: "red" }), "unknown-option", /config\.colour/);
  await assertFails(
    () => candidateFromConfig({ family: "nas-cell", cell: "|x~0|" }),
    "invalid-argument",
    /config\.cell/,
  );
  await assertFails(() => candidateFromConfig(cnn, { lr: 0 }), "invalid-argument", /config\.lr/, /> 0/);
  const { model, train } = candidateFromConfig(cnn, { epochs: 2 });
  await assertFails(
    () => trainCandidate(model, train, data, { seed: 1, epochs: 3 }),
    "invalid-argument",
    /options\.epochs/,
    /<= 2/,
  );
  await assertFails(
    () => trainCandidate(model, train, data, { seed: 1, epoch: 1 } as never),
    "unknown-option",
    /options\.epoch/,
    /"epochs"/,
  );
});

test("P_val features taken from the validation pass equal a separate capture", async () => {
  assert.ok(data.probeValidationIndices, "makeSplits records where P_val sits in validation");
  const { model, train } = candidateFromConfig(cnn, { epochs: 2, batchSize: 50 });
  const shared = await trainCandidate(model, train, data, { seed: 3 });
  const { probeValidationIndices: _drop, ...separateData } = data;
  const separate = await trainCandidate(model, train, separateData, { seed: 3 });
  assert.deepEqual(shared.curves.valAcc, separate.curves.valAcc);
  for (let e = 0; e < 2; e++) {
    const a = shared.probeValidation.blocks[e]!;
    const b = separate.probeValidation.blocks[e]!;
    assert.equal(a.length, b.length);
    let err = 0;
    for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i]! - b[i]!));
    assert.ok(err <= 1e-4, `epoch ${e + 1}: max difference ${err}`);
    // The network's own probabilities on P_val, both ways: rows of a softmax, the same values.
    const pa = shared.probeValidation.outputs!.blocks[e]!;
    const pb = separate.probeValidation.outputs!.blocks[e]!;
    assert.equal(pa.length, 50 * data.numClasses);
    let perr = 0;
    for (let i = 0; i < pa.length; i++) perr = Math.max(perr, Math.abs(pa[i]! - pb[i]!));
    assert.ok(perr <= 1e-4, `epoch ${e + 1}: outputs differ by ${perr}`);
    for (let r = 0; r < 50; r++) {
      let sum = 0;
      for (let k = 0; k < data.numClasses; k++) sum += pa[r * data.numClasses + k]!;
      assert.ok(Math.abs(sum - 1) < 1e-4, `row ${r} sums to ${sum}`);
    }
  }
  // The consensus of one checkpoint is the head's own accuracy on P_val; P_train records no outputs.
  assert.equal(shared.probeTrain.outputs, undefined);
  const own = consensusEstimator({ window: 1 }).estimate(shared, 2, 2);
  assert.ok(own >= 0 && own <= 1);
});
