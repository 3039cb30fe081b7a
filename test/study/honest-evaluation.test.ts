// The honest estimator study's rules, each checked so that it can fail: the truth (test accuracy)
// comes from images no estimator reads; the training-loss curve (what SoTL reads) is the
// cross-entropy without the weight-decay penalty; FH+ scores every candidate with a model that
// was not fitted on it; the study plans meet the sizes.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { candidateFromConfig } from "../../src/train/config.js";
import { trainCandidate, type PreparedData } from "../../src/train/loop.js";
import { epochFeatures } from "../../src/history/feature-history.js";
import { crossValidatedStacked, fitStacked, predictStacked, type StackedInput } from "../../src/proxy/stacked.js";
import { estimatorStudyPlans, planCandidates } from "../../src/study/estimator-study.js";
import { createRng } from "../../src/core/random.js";
import { emptyCurves } from "../../src/history/curves.js";
import { assertFails } from "../helpers/fixtures.js";
import { wasmData } from "../helpers/wasm-data.js";

let data: PreparedData;
before(async () => {
  data = await wasmData(
    { train: 400, test: 120, size: 12, seed: 5 },
    { train: 300, validation: 100, probeTrain: 60, probeValidation: 100, seed: 1 },
  );
});

const cnn = { family: "cnn", depth: 2, width: 8, kernel: 3, pooling: "max", batchNorm: true, dropout: 0 } as const;

test("the truth's images are read by no estimator: scrambling them changes test accuracy only", async () => {
  const { model, train } = candidateFromConfig(cnn, { epochs: 2, lr: 0.05, batchSize: 50 });
  const a = await trainCandidate(model, train, data, { seed: 3 });
  const scrambled: PreparedData = {
    ...data,
    test: {
      ...data.test!,
      x: data.test!.x.map((v, i) => (i % 7 === 0 ? -v : v)),
      y: data.test!.y.map((l) => (l + 1) % 10),
    },
  };
  const b = await trainCandidate(model, train, scrambled, { seed: 3 });
  assert.notEqual(a.testAcc, b.testAcc, "the test images were read for the truth");
  assert.deepEqual(a.curves.valAcc, b.curves.valAcc);
  assert.deepEqual(a.curves.trainLoss, b.curves.trainLoss);
  for (const e of [1, 2]) {
    assert.deepEqual(epochFeatures(a.probeTrain, e), epochFeatures(b.probeTrain, e));
    assert.deepEqual(epochFeatures(a.probeValidation, e), epochFeatures(b.probeValidation, e));
  }
});

test("the training-loss curve (SoTL's input) is the cross-entropy alone, not the weight-decay penalty", async () => {
  // With a learning rate this small the weights barely move, so the cross-entropy is the same with
  // and without weight decay; a penalty of 0.5 * 1 * ||W||^2 in the curve would add about one unit.
  const run = (weightDecay: number) => {
    const { model, train } = candidateFromConfig(cnn, { epochs: 1, lr: 1e-9, batchSize: 50, weightDecay });
    return trainCandidate(model, train, data, { seed: 4 });
  };
  const [plain, decayed] = [await run(0), await run(1)];
  assert.equal(plain.status, "complete");
  assert.ok(
    Math.abs(plain.curves.trainLoss[0]! - decayed.curves.trainLoss[0]!) < 1e-4,
    `${plain.curves.trainLoss} vs ${decayed.curves.trainLoss}`,
  );
  assert.ok(plain.curves.trainLoss[0]! < 3, "cross-entropy of 10 classes at initialisation is about ln 10");
});

function synthetic(n: number, seed: number): { inputs: StackedInput[]; truths: number[] } {
  const rng = createRng(seed);
  const inputs: StackedInput[] = [];
  const truths: number[] = [];
  for (let i = 0; i < n; i++) {
    const q = rng.next();
    const curves = {
      ...emptyCurves(),
      valAcc: [0.5 + 0.3 * q + 0.05 * rng.next(), 0.6 + 0.3 * q],
      trainLoss: [1.5 - q, 1.2 - q],
    };
    inputs.push({
      fh: [0.55 + 0.3 * q + 0.05 * rng.next(), 0.6 + 0.32 * q],
      curves,
      parameters: 1e4 * (1 + 9 * rng.next()),
      featureDims: 16,
    });
    truths.push(0.7 + 0.25 * q + 0.01 * rng.next());
  }
  return { inputs, truths };
}

test("FH+ cross-validation: no candidate is ever scored by a model fitted on it", async () => {
  const { inputs, truths } = synthetic(40, 9);
  const { scores, fold, models } = crossValidatedStacked(inputs, truths, 2, { folds: 5, seed: 1 });
  for (let f = 0; f < 5; f++)
    assert.equal(models[f]!.n, fold.filter((x) => x !== f).length, "fitted on the other folds only");
  // Changing one candidate's truth cannot change its own out-of-fold score, only others'.
  for (const i of [0, 7, 23]) {
    const moved = truths.map((v, k) => (k === i ? v + 5 : v));
    const again = crossValidatedStacked(inputs, moved, 2, { folds: 5, seed: 1 });
    assert.equal(again.scores[i], scores[i], `candidate ${i}'s score used its own truth`);
    assert.ok(
      again.scores.some((s, k) => fold[k] !== fold[i] && s !== scores[k]),
      "the truth is used for the others",
    );
  }
  // In-sample the fit is better than out-of-fold (what cross-validation guards against).
  const inSample = fitStacked(inputs, truths, 2);
  const err = (p: (number | undefined)[]) => p.reduce<number>((s, v, k) => s + (v! - truths[k]!) ** 2, 0);
  assert.ok(err(inputs.map((x) => predictStacked(inSample, x))) <= err(scores));
  await assertFails(
    () => fitStacked(inputs.slice(0, 5), truths.slice(0, 5), 2),
    "invalid-argument",
    /at least 8 candidates/,
  );
});

test("the study plans: >= 96 candidates, T >= 12, >= 5k training images, probes >= 1k + 1k, a 16-candidate repeat; the held-out study differs", async () => {
  const { main, heldOut } = estimatorStudyPlans(false);
  assert.ok(main.n >= 96 && main.T >= 12 && main.train >= 5000 && main.probe >= 1000 && main.repeat >= 16);
  assert.ok(heldOut.repeat >= 16);
  assert.notEqual(heldOut.space, main.space);
  assert.notEqual(heldOut.splitSeed, main.splitSeed);
  assert.notEqual(heldOut.seed, main.seed);
  assert.equal(new Set(planCandidates(main).map((c) => JSON.stringify(c))).size, main.n, "distinct candidates");
});
