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
    const { loadStudy } = await import("../../src/study/study.js");
    const s = loadStudy({ storage: join(dir, "tiny"), readOnly: true, histories: false });
    const r = loadStudy({ storage: join(dir, "tiny-repeat"), readOnly: true, histories: false });
    const summary = summarizeStudy(s, studyEstimators(plan.T), { repeat: r, plan });
    assert.equal(summary.trials.length, 3);
    assert.equal(repeatPairs(summary).length, 2);
    for (const t of summary.trials) {
      assert.equal(t.estimates["FH (K=2, concat, l2, ridge)"]!.length, 2);
      assert.ok(t.estimates["early stopping"]!.every((v) => typeof v === "number"));
      assert.equal(t.estimates["FH (K=3, concat)"]!.length, 1, "ablation variants up to T/2");
    }
    s.close();
    r.close();
  } finally {
    cleanup();
  }
});
