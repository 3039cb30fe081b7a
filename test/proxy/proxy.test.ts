import { FH_DEFAULT } from "../../src/study/estimator-study.js";
import { RENAMED_ESTIMATORS } from "../../src/study/summary.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import * as P0 from "../../src/proxy/index.js";
import { fitRidge, fitLogistic, scores } from "../../src/proxy/heads.js";
// The linear heads are internals of the proxy; tested next to the public namespace.
const P = { ...P0, fitRidge, fitLogistic, scores };
import { spearman } from "../../src/metrics/index.js";
import { createRng } from "../../src/core/random.js";
import { appendEpoch, createHistory, truncate } from "../../src/history/feature-history.js";
import { syntheticCandidate } from "../helpers/synthetic-histories.js";
import { assertFails } from "../helpers/fixtures.js";

const qualities = [0.1, 0.25, 0.4, 0.55, 0.7, 0.85];
const cands = qualities.map((q, i) => syntheticCandidate(q, 4, 100 + i));

test("every combine x normalise x head option ranks candidates by feature quality", () => {
  for (const combine of ["concat", "mean", "vote", "stack"] as const)
    for (const normalize of ["l2", "standardize", "none"] as const)
      for (const head of ["ridge", "logistic"] as const) {
        const est = P.featureHistoryProxy({ window: 2, combine, normalize, head });
        const scores = cands.map((c) => est.estimate(c, 2, 4));
        scores.forEach((s) => assert.ok(s >= 0 && s <= 1));
        const rho = spearman(scores, qualities)!;
        assert.ok(rho >= 0.8, `${est.name}: rho ${rho} (${scores.map((s) => s.toFixed(2))})`);
      }
});

test("window K uses only epochs up to t", () => {
  const c = cands[3]!;
  const fit1 = P.fitFeatureHistoryProxy(c.probeTrain!, c.probeValidation!, 1, { window: 3 });
  assert.deepEqual(fit1.epochs, [1]);
  const fit3 = P.fitFeatureHistoryProxy(c.probeTrain!, c.probeValidation!, 3, { window: 2 });
  assert.deepEqual(fit3.epochs, [2, 3]);
  const probe = P.lastCheckpointProbe();
  assert.equal(probe.name, "last-checkpoint probe");
  assert.equal(
    probe.estimate(c, 3, 4),
    P.fitFeatureHistoryProxy(c.probeTrain!, c.probeValidation!, 3, { window: 1 }).accuracy,
  );
});

test("ridge GCV picks a larger penalty for noisier, less informative features", () => {
  const rng = createRng(3);
  const n = 400;
  const d = 20;
  const x = new Float64Array(n * d).map(() => rng.normal());
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 2);
  const noisy = P.fitRidge(x, labels, n, d, 2, { lambda: "gcv" });
  const informative = Float64Array.from(x);
  for (let r = 0; r < n; r++) informative[r * d]! += labels[r]! * 4;
  const clean = P.fitRidge(informative, labels, n, d, 2, { lambda: "gcv" });
  assert.ok(noisy.lambda > clean.lambda, `${noisy.lambda} vs ${clean.lambda}`);
  // Closed form agrees with the normal equations at a fixed lambda (checked on one coefficient).
  const fixed = P.fitRidge(informative, labels, n, d, 2, { lambda: 1 });
  assert.ok(fixed.w[0]! < 0 && fixed.w[1]! > 0, "class-1 score increases with feature 0");
});

test("baselines read the curves up to t only", () => {
  const c = syntheticCandidate(0.5, 6, 1);
  const v = c.curves.valAcc;
  assert.equal(P.earlyStopping().estimate(c, 3, 6), v[2]);
  assert.equal(P.bestSoFar().estimate(c, 3, 6), Math.max(v[0]!, v[1]!, v[2]!));
  assert.ok(Math.abs(P.sotl().estimate(c, 2, 6) - -(c.curves.trainLoss[0]! + c.curves.trainLoss[1]!)) < 1e-12);
  assert.equal(P.sotlE().estimate(c, 2, 6), -c.curves.trainLoss[1]!);
  assert.equal(P.lce().estimate(c, 3, 6), v[2], "LCE returns early stopping below 4 points");
});

test("LCE extrapolates a saturating curve towards its asymptote", () => {
  const curve = [1, 2, 3, 4, 5].map((x) => 0.9 - 0.5 * Math.exp(-0.5 * x));
  const c = {
    curves: {
      valAcc: curve,
      trainLoss: curve,
      trainAcc: curve,
      valLoss: curve,
      seconds: curve,
      captureSeconds: curve,
      lr: curve,
    },
  };
  const est = P.lce().estimate(c, 5, 20);
  // pow3 and log-power overshoot an exponential curve (that is LCE), exp3 recovers it exactly.
  assert.ok(est > curve[4]! && est <= 1, String(est));
  const fits = P.lceFits(curve, 20);
  assert.ok(Math.abs(fits.find((f) => f.family === "exp3")!.prediction! - (0.9 - 0.5 * Math.exp(-10))) < 0.01);
});

test("calibration maps estimates onto the truth scale", () => {
  const cal = P.fitCalibration([0.1, 0.2, 0.3], [0.5, 0.7, 0.9])!;
  assert.ok(Math.abs(cal.slope - 2) < 1e-12 && Math.abs(cal.apply(0.4) - 1.1) < 1e-12);
});

test("errors: unknown options, missing histories, budgets beyond the record, non-finite features", async () => {
  await assertFails(() => P.featureHistoryProxy({ windw: 2 } as never), "unknown-option", /options\.windw/, /"window"/);
  await assertFails(
    () => P.featureHistoryProxy({ combine: "max" as "mean" }),
    "invalid-argument",
    /options\.combine/,
    /"vote"/,
  );
  await assertFails(() => P.featureHistoryProxy({ lambda: -1 }), "invalid-argument", /options\.lambda/);
  const c = cands[0]!;
  await assertFails(
    () => P.featureHistoryProxy().estimate({ curves: c.curves }, 1, 4),
    "invalid-argument",
    /histories/,
  );
  await assertFails(() => P.featureHistoryProxy().estimate(c, 5, 5), "invalid-argument", /^t /, /4 recorded/);
  await assertFails(() => P.earlyStopping().estimate(c, 9, 9), "invalid-argument", /1\.\.4/);
  const bad = appendEpoch(createHistory(2, 2, Uint8Array.from([0, 1])), Float32Array.from([1, Number.NaN, 0, 1]));
  await assertFails(
    () => P.featureHistoryProxy().estimate({ curves: c.curves, probeTrain: bad, probeValidation: bad }, 1, 1),
    "invalid-argument",
    /features of epoch 1/,
    /diverge/,
  );
});

test("the standard set has the FH proxy and every baseline", () => {
  assert.deepEqual(
    P.standardEstimators().map((e) => e.name),
    [
      "FH (K=1, concat, l2, ridge, pca=16)",
      "last-checkpoint probe",
      "early stopping",
      "best-so-far",
      "SoTL",
      "SoTL-E",
      "LCE",
    ],
  );
  // The same spelling as the study summaries, so notebooks can look the default up either way.
  assert.equal(P.featureHistoryProxy().name, FH_DEFAULT);
  assert.equal(
    P.featureHistoryProxy({ window: 2, components: 0, probes: 500 }).name,
    "FH (K=2, concat, l2, ridge, probes=500)",
  );
  // Summaries written before the default moved read the chosen option set under its new name.
  assert.equal(RENAMED_ESTIMATORS["probe (K=1, PCA 16)"], FH_DEFAULT);
  // The last-checkpoint probe stays the paper's baseline: every dim, no projection.
  assert.equal(P.lastCheckpointProbe().name, "last-checkpoint probe");
});

const curvesOf = (valAcc: number[]) => ({
  curves: {
    valAcc,
    trainLoss: valAcc.map((v) => 1 - v),
    trainAcc: valAcc,
    valLoss: valAcc.map((v) => 1 - v),
    seconds: valAcc.map(() => 1),
    captureSeconds: valAcc.map(() => 0),
    lr: valAcc.map(() => 0.1),
  },
});

test("LCE recovers the asymptote of curves of its own families within 0.03 from 8 of 100 epochs, never below early stopping", () => {
  const families: [string, (x: number) => number, number][] = [
    ["exp3", (x) => 0.9 - 0.5 * Math.exp(-0.4 * x), 0.9],
    ["pow3", (x) => 0.88 - 0.6 * x ** -0.9, 0.88],
    ["log-power", (x) => 0.85 / (1 + (x / Math.exp(0.2)) ** -1.3), 0.85],
  ];
  for (const [name, f, asymptote] of families) {
    const y = Array.from({ length: 8 }, (_, i) => f(i + 1));
    const est = P.lce().estimate(curvesOf(y), 8, 100);
    assert.ok(Math.abs(est - f(100)) < 0.03, `${name}: ${est} vs ${f(100)} (asymptote ${asymptote})`);
    assert.ok(est >= y[7]!, name);
  }
  // A flat, noisy curve: no family predicts the held-out epoch better than early stopping does.
  const flat = [0.5, 0.52, 0.49, 0.51, 0.5, 0.52, 0.5, 0.51];
  assert.equal(P.lce().estimate(curvesOf(flat), 8, 100), 0.51);
  // Below 4 epochs (3 parameters + 1 held out) it is early stopping, and at t = T too.
  assert.equal(P.lce().estimate(curvesOf([0.2, 0.4, 0.5]), 3, 100), 0.5);
  assert.equal(P.LCE_MIN_EPOCHS, 4);
});

/** A trial whose P_val history records outputs: `probs(e)` the softmax of epoch e, 4 samples x 2 classes. */
function withOutputs(probs: number[][][]) {
  const labels = Uint8Array.from([0, 1, 0, 1]);
  let h = createHistory(4, 1, labels, "float32", 2);
  for (const p of probs) h = appendEpoch(h, new Float32Array(4), Float32Array.from(p.flat()));
  return { ...curvesOf(probs.map(() => 0.5)), probeValidation: h, parameters: 12_345 };
}

test("consensus of the head's last K checkpoints: accuracy of their mean softmax on P_val, epochs up to t only", async () => {
  // Epoch 1 gets samples 0 and 1 right, epoch 2 gets 0, 2, 3 right, epoch 3 only sample 3 (barely wrong elsewhere).
  const c = withOutputs([
    [
      [0.9, 0.1],
      [0.2, 0.8],
      [0.4, 0.6],
      [0.7, 0.3],
    ],
    [
      [0.6, 0.4],
      [0.55, 0.45],
      [0.8, 0.2],
      [0.3, 0.7],
    ],
    [
      [0.45, 0.55],
      [0.51, 0.49],
      [0.45, 0.55],
      [0.4, 0.6],
    ],
  ]);
  const k1 = P.consensusEstimator({ window: 1 });
  assert.equal(k1.name, "consensus (K=1)");
  assert.deepEqual(
    [1, 2, 3].map((t) => k1.estimate(c, t, 3)),
    [0.5, 0.75, 0.25],
  );
  // K = 2 at t = 2: class-0 means 0.75, 0.375, 0.6, 0.5: samples 0, 1, 2 right, sample 3 a tie (class 0: wrong).
  const k2 = P.consensusEstimator({ window: 2 });
  assert.equal(k2.estimate(c, 2, 3), 0.75);
  // No look-ahead: the estimate at t equals the estimate on the trial cut to t.
  const cut = { ...c, probeValidation: truncate(c.probeValidation, 2) };
  for (const e of [k1, k2, P.consensusEstimator()]) assert.equal(e.estimate(cut, 2, 3), e.estimate(c, 2, 3));
  // The size and one-epoch baselines.
  assert.equal(P.parameterCount().estimate(c, 2, 3), Math.log10(12_345));
  const one = P.oneEpoch();
  assert.equal(one.estimate(curvesOf([0.3, 0.6, 0.9]), 3, 3), 0.3);
  // Misuse: a history without outputs, t beyond the record, no parameter count.
  const plain = {
    ...c,
    probeValidation: appendEpoch(createHistory(4, 1, Uint8Array.from([0, 1, 0, 1])), new Float32Array(4)),
  };
  await assertFails(() => k1.estimate(plain, 1, 3), "invalid-argument", /probeValidation/, /outputs/);
  await assertFails(() => k1.estimate(c, 4, 5), "invalid-argument", /\bt\b/, /1\.\.3/);
  await assertFails(() => P.parameterCount().estimate(curvesOf([0.3]), 1, 3), "invalid-argument", /parameters/);
  await assertFails(() => P.consensusEstimator({ window: 0 }), "invalid-argument", /options\.window/);
});
