// Study summaries: every estimator at every budget from a stored study (one trial's histories at
// a time, cached per trial), the versioned file read back, the repeat's truths as the noise
// ceiling, recorded scores driving a replayed search with recorded fit costs, and FH+ scores that
// are out-of-fold or fitted on another study.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createStudy } from "../../src/study/study-open.js";
import {
  readSummary,
  recordedEstimator,
  repeatPairs,
  summarizeStudy,
  summaryAsTrials,
  summaryEstimates,
  summarySpace,
  writeSummary,
} from "../../src/study/summary.js";
import {
  rankEstimators,
  replaySearches,
  searchMethods,
  searchOutcomes,
  stackedScores,
} from "../../src/study/analysis.js";
import { earlyStopping, sotlE } from "../../src/proxy/baselines.js";
import { featureHistoryProxy } from "../../src/proxy/fh.js";
import { hpoCnnSpace } from "../../src/space/presets.js";
import { listSampler } from "../../src/search/samplers.js";
import { sampleMany } from "../../src/space/space.js";
import { noiseCeiling } from "../../src/table/compare.js";
import { tempDir, assertFails } from "../helpers/fixtures.js";
import { syntheticCandidate } from "../helpers/synthetic-histories.js";

const space = hpoCnnSpace();
const configs = sampleMany(space, 12, 3);

async function fill(dir: string, name: string, seed: number, n: number, noise: number) {
  const s = await createStudy({ name, storage: dir, space, budget: 4, seed, sampler: listSampler(configs) });
  for (let i = 0; i < n; i++) {
    const t = await s.ask();
    const q = 0.1 + (0.8 * ((i * 7) % 12)) / 12;
    await s.report(t, {
      ...syntheticCandidate(q, 4, seed * 100 + i, 120),
      seconds: 4,
      testAcc: 0.5 + 0.4 * q + noise * ((i % 3) - 1),
      parameters: 1000 * (i + 1),
    });
    await s.tell(t, "complete");
  }
  return s;
}

test("a summary holds every estimator at every budget, truths, repeat truths; cached per trial; read back by version", async () => {
  const a = tempDir("fh-summary-");
  try {
    const study = await fill(join(a.dir, "s"), "s", 1, 12, 0);
    const repeat = await fill(join(a.dir, "r"), "r", 2, 6, 0.01);
    const estimators = [
      { estimator: featureHistoryProxy({ name: "FH" }), upTo: 4 },
      { estimator: earlyStopping(), upTo: 4 },
      { estimator: sotlE(), upTo: 2 },
    ];
    const cacheDir = join(a.dir, "cache");
    const summary = await summarizeStudy(study, estimators, { repeat, plan: { n: 12 }, cacheDir });
    assert.equal(summary.trials.length, 12);
    assert.deepEqual(summary.estimators, [
      { name: "FH", upTo: 4 },
      { name: "early stopping", upTo: 4 },
      { name: "SoTL-E", upTo: 2 },
    ]);
    const t0 = summary.trials[0]!;
    assert.equal(t0.estimates.FH!.length, 4);
    assert.equal(t0.estimates["SoTL-E"]!.length, 2);
    assert.equal(t0.featureDims, 16);
    assert.ok(t0.estimateSeconds.FH!.every((s) => s >= 0));
    assert.equal(readdirSync(cacheDir).length, 12);
    // A second summary reads the cache (same values, no histories needed).
    const again = await summarizeStudy(study, estimators, { repeat, cacheDir });
    assert.deepEqual(
      again.trials.map((t) => t.estimates),
      summary.trials.map((t) => t.estimates),
    );
    assert.equal(repeatPairs(summary).length, 6);
    assert.deepEqual(
      summarySpace(summary).params.map((p) => p.name),
      space.params.map((p) => p.name),
      "the summary carries its space",
    );
    const ceiling = noiseCeiling(repeatPairs(summary), { B: 100 });
    assert.ok(ceiling.value! > 0.8, `${ceiling.value}`);
    const file = join(a.dir, "summary.json");
    writeSummary(file, summary);
    assert.deepEqual(readSummary(file), JSON.parse(JSON.stringify(summary)));
    writeFileSync(join(a.dir, "bad.json"), JSON.stringify({ format: "x", version: 9, trials: [] }));
    await assertFails(() => readSummary(join(a.dir, "bad.json")), "data-corrupt", /estimator study summary/);
    await assertFails(() => readSummary(join(a.dir, "none.json")), "data-missing", /npm run study/);
    const { rows, truths } = summaryEstimates(summary, { names: ["FH"], budgets: [2] });
    assert.equal(rows.length, 12);
    assert.equal(truths.length, 12);
    await assertFails(() => summaryEstimates(summary, { names: ["nope"] }), "invalid-argument", /nope/);
    assert.equal(rankEstimators(summary, ["FH", "early stopping"], [1, 2]).length, 2);
    // FH+ out-of-fold, and fitted on another study and applied frozen.
    const oof = stackedScores(summary, { fh: "FH", upTo: 2, folds: 3 });
    assert.equal(Object.keys(oof).length, 12);
    const other = await summarizeStudy(await fill(join(a.dir, "o"), "o", 3, 12, 0.02), estimators, {});
    const frozen = stackedScores(summary, { fh: "FH", upTo: 2, fitOn: other });
    assert.ok(Object.values(frozen).every((v) => v.length === 2 && v.every((x) => typeof x === "number")));
    await study.close();
    await repeat.close();
  } finally {
    a.cleanup();
  }
});

test("replayed searches over a summary: recorded scores, recorded fit costs, capture charged only to history readers", async () => {
  const a = tempDir("fh-summary-");
  try {
    const study = await fill(join(a.dir, "s"), "s", 1, 12, 0);
    const trialsWithCapture = study.trials();
    const summary = await summarizeStudy(study, [
      { estimator: featureHistoryProxy({ name: "FH" }), upTo: 4 },
      { estimator: earlyStopping(), upTo: 4 },
    ]);
    const trials = summaryAsTrials(summary);
    assert.equal(trials.length, 12);
    assert.equal(trials[0]!.testAcc, trialsWithCapture[0]!.testAcc);
    const fhRecorded = recordedEstimator("FH", Object.fromEntries(summary.trials.map((t) => [t.id, t.estimates.FH!])));
    assert.equal(fhRecorded.estimate(trials[3]!, 2, 4), summary.trials[3]!.estimates.FH![1]);
    await assertFails(
      () => fhRecorded.estimate({ ...trials[3]!, id: "zzz" } as Parameters<typeof fhRecorded.estimate>[0], 2, 4),
      "invalid-argument",
      /recorded FH score/,
    );
    const methods = searchMethods(summary, {
      t: 1,
      keep: 0.25,
      scores: ["FH", "early stopping"],
      historyScores: ["FH"],
      warmup: 2,
    });
    assert.deepEqual(
      methods.map((m) => [m.name, m.capture]),
      [
        ["full training", false],
        ["sampling (t = 1, keep 0.25) + FH", true],
        ["sampling (t = 1, keep 0.25) + early stopping", false],
      ],
    );
    const runs = replaySearches(summary, methods, { workers: 2, seeds: [0, 1] });
    assert.equal(runs.length, 6);
    // Full training of 12 equal trials on 2 workers: half their training seconds, capture not charged.
    const train = trials.reduce(
      (s, t) => s + t.curves.seconds.reduce((x, v, e) => x + v - t.curves.captureSeconds[e]!, 0),
      0,
    );
    assert.ok(trials[0]!.curves.captureSeconds[0]! > 0, "the synthetic trials record capture time");
    assert.ok(Math.abs(runs.find((r) => r.method === "full training" && r.seed === 0)!.seconds - train / 2) < 1e-9);
    const outcomes = searchOutcomes(runs, { baseline: "full training", testImages: 1000 });
    const full = outcomes.find((o) => o.method === "full training")!;
    assert.equal(full.reachedWithinSE, 2);
    assert.equal(full.reachedExact, 2);
    assert.equal(full.meanReduction, 0);
    await assertFails(
      () => searchOutcomes(runs, { baseline: "nope", testImages: 1000 }),
      "invalid-argument",
      /baseline/,
    );
    await study.close();
  } finally {
    a.cleanup();
  }
});

test("a diverged trial (NaN validation loss in its saved epochs) is summarised as failed; the others as usual", async () => {
  const a = tempDir("fh-summary-nan-");
  try {
    const study = await fill(join(a.dir, "s"), "s", 1, 6, 0);
    const t = await study.ask();
    const diverged = syntheticCandidate(0.3, 2, 77, 120);
    await study.report(t, {
      ...diverged,
      curves: { ...diverged.curves, valLoss: [2.1, Number.NaN], trainLoss: [2.2, Number.NaN] },
      seconds: 2,
    });
    await study.tell(t, "failed", {
      error: { name: "TrainingDiverged", message: "the loss became NaN at epoch 2", epoch: 2 },
    });
    // The stored copy is what is summarised: JSON keeps the NaN as null.
    const summary = await summarizeStudy(
      study,
      [
        { estimator: earlyStopping(), upTo: 2 },
        { estimator: sotlE(), upTo: 2 },
      ],
      {},
    );
    assert.equal(summary.trials.length, 7);
    const failed = summary.trials.find((x) => x.state === "failed")!;
    assert.match(failed.error!, /TrainingDiverged: the loss became NaN at epoch 2/);
    assert.equal(failed.testAcc, null);
    assert.equal(JSON.parse(JSON.stringify(failed.curves.valLoss))[1], null, "a NaN is written as null");
    assert.equal(summary.trials.filter((x) => x.state === "complete").length, 6);
    assert.ok(
      summary.trials
        .filter((x) => x.state === "complete")
        .every((x) => x.estimates["early stopping"]!.every((v) => typeof v === "number")),
    );
    await study.close();
  } finally {
    a.cleanup();
  }
});
