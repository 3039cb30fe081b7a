// The estimator study end to end at a tiny size: a plan trained as a directory study on worker
// processes (test accuracy recorded as the truth), its second-seed repeat, resumed without
// retraining, and summarised with every estimator the committed summaries hold.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  runEstimatorStudy,
  studyEstimators,
  planCandidates,
  planSpace,
  regimePlans,
  type EstimatorStudyPlan,
} from "../../src/study/estimator-study.js";
import { summarizeStudy, repeatPairs } from "../../src/study/summary.js";
import { tempDir } from "../helpers/fixtures.js";

const plan: EstimatorStudyPlan = {
  name: "tiny",
  space: "hpo-cnn",
  n: 3,
  T: 2,
  train: 200,
  validation: 100,
  probe: 100,
  test: 150,
  sampleSeed: 5,
  splitSeed: 3,
  seed: 11,
  repeat: 2,
  repeatSeed: 12,
};

test("a plan trains as a resumable study with a repeat, and summarises with every study estimator", async () => {
  const { dir, cleanup } = tempDir("fh-estimator-study-");
  try {
    const { study, repeat } = await runEstimatorStudy(dir, plan, { workers: 1 });
    assert.equal(study.trials(["complete"]).length, 3);
    assert.equal(repeat.trials(["complete"]).length, 2);
    assert.deepEqual(
      study.trials().map((t) => t.config),
      planCandidates(plan),
    );
    assert.deepEqual(
      repeat.trials().map((t) => t.config),
      planCandidates(plan).slice(0, 2),
      "the repeat trains the first candidates again",
    );
    assert.notEqual(repeat.trials()[0]!.seed, study.trials()[0]!.seed, "with another seed");
    for (const t of study.trials()) assert.ok(typeof t.testAcc === "number", "test accuracy recorded as the truth");
    // Resuming a finished plan trains nothing.
    const seconds = study.trials().map((t) => t.seconds);
    const again = await runEstimatorStudy(dir, plan, { workers: 1 });
    assert.deepEqual(
      again.study.trials().map((t) => t.seconds),
      seconds,
    );
    const { loadStudy } = await import("../../src/study/study-open.js");
    const s = await loadStudy({ storage: join(dir, "tiny"), readOnly: true, histories: false });
    const r = await loadStudy({ storage: join(dir, "tiny-repeat"), readOnly: true, histories: false });
    const summary = await summarizeStudy(s, studyEstimators(plan.T), { repeat: r, plan });
    assert.equal(summary.trials.length, 3);
    assert.equal(repeatPairs(summary).length, 2);
    for (const t of summary.trials) {
      assert.equal(t.estimates["FH (K=1, concat, l2, ridge, pca=16)"]!.length, 2, "the default up to T");
      assert.equal(t.estimates["FH (K=2, concat, l2, ridge)"]!.length, 2, "the earlier default up to T");
      assert.ok(t.estimates["early stopping"]!.every((v) => typeof v === "number"));
      assert.equal(t.estimates["FH (K=3, concat)"]!.length, 1, "ablation variants up to T/2");
      // The network's own signals are in every summary: its head's consensus, its size, one epoch.
      for (const name of ["consensus (K=1)", "consensus (K=2)", "consensus (K=3)", "parameters", "one epoch"])
        assert.ok(
          t.estimates[name]!.every((v) => typeof v === "number"),
          name,
        );
    }
    await s.close();
    await r.close();
  } finally {
    cleanup();
  }
});

test("the regimes: each a plan with its mechanism named; label noise and warm-up reach the training; the weak space uses the user's model", async () => {
  const full = regimePlans(false);
  assert.deepEqual(Object.keys(full), ["schedules", "small-data", "label-noise", "weak"]);
  for (const p of Object.values(full)) {
    assert.ok(p.n >= 96 && p.repeat >= 16, p.name);
    assert.ok(p.regime && p.regime.length > 20, p.name);
    assert.equal(planCandidates(p).length, p.n);
  }
  assert.ok(full.schedules.T >= 24 && full.schedules.training!.warmup! > 0);
  assert.ok(planCandidates(full.schedules).some((c) => c.schedule === "step"));
  assert.equal(full["label-noise"].labelNoise, 0.4);
  const weak = planCandidates(full.weak);
  assert.ok(weak.filter((c) => c.activation === "sigmoid" && c.batchNorm === false).length >= 5);
  assert.ok(planSpace("weak-cnn").params.some((q) => q.name === "activation"));
  // A CI-size weak regime trains on a worker with the user's module, and its noisy twin's training labels differ.
  const { dir, cleanup } = tempDir("fh-regime-");
  try {
    const ci = regimePlans(true);
    const plan = { ...ci.weak, n: 2, repeat: 1, T: 2, train: 200, test: 150, validation: 100, probe: 60 };
    const { study } = await runEstimatorStudy(dir, plan, { workers: 1 });
    const trials = study.trials();
    assert.equal(trials.length, 2);
    for (const t of trials) {
      assert.ok(t.state === "complete" || t.state === "failed", t.state);
      if (t.state === "complete") assert.ok(typeof t.config.activation === "string" && t.parameters! > 0);
    }
  } finally {
    cleanup();
  }
  const { assertFails } = await import("../helpers/fixtures.js");
  await assertFails(
    () => planCandidates({ ...full.schedules, training: { warmup: 30 } }),
    "invalid-argument",
    /training\.warmup/,
    /shorter than the budget T = 24/,
  );
  await assertFails(() => planCandidates({ ...full.weak, noise: 0.2 } as never), "unknown-option", /noise/);
});
