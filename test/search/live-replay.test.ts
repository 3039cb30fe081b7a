// The replay of a live search uses the live search's own decisions: over the complete trials of
// a search without pruner, it prunes exactly the trials the live pruner search pruned (same
// seed, so same configurations; wasm in one process, so same curves), and it schedules epochs
// on W workers by their recorded seconds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createStudy } from "../../src/study/study-open.js";
import { compareLiveToReplay, liveSearchEvents, replayOptimize, trialAt } from "../../src/search/live-replay.js";
import { liveSearchReport } from "../../src/search/live-report.js";
import { estimatorPruner } from "../../src/search/pruners.js";
import { earlyStopping } from "../../src/proxy/baselines.js";
import { resolveBackend } from "../../src/train/backend.js";
import { tempDir, assertFails } from "../helpers/fixtures.js";
import { liveSearchFixture } from "../helpers/live-search.js";
import { smallNet } from "../helpers/user-models.js";
import { recordedTrial } from "../helpers/synthetic-histories.js";

test("replaying the pruner search over the full study makes the live search's decisions", async () => {
  await resolveBackend({ backend: "wasm" });
  const fx = liveSearchFixture();
  const a = tempDir("fh-replay-");
  const b = tempDir("fh-replay-");
  try {
    const full = await createStudy({ name: "full", storage: a.dir, space: fx.space, budget: 3, seed: 21 });
    await full.optimize({ data: fx.splits, trials: 6, workers: 0, model: smallNet });
    const live = await createStudy({
      name: "pruned",
      storage: b.dir,
      space: fx.space,
      budget: 3,
      seed: 21,
      pruner: fx.pruner,
    });
    await live.optimize({ data: fx.splits, trials: 6, workers: 0, model: smallNet });
    assert.deepEqual(
      live.trials().map((t) => t.config),
      full.trials().map((t) => t.config),
      "same seed, same configurations",
    );
    const replay = replayOptimize(full.trials(["complete"]), { workers: 1, pruner: fx.pruner });
    const prunedLive = live.trials(["pruned"]).map((t) => t.id);
    assert.deepEqual(
      replay.decisions.filter((d) => d.pruned).map((d) => d.id),
      prunedLive,
    );
    assert.equal(replay.events.length, live.trials(["complete"]).length);
    await full.close();
    await live.close();
  } finally {
    a.cleanup();
    b.cleanup();
  }
});

const recorded = (id: number, q: number, secondsPerEpoch: number) => recordedTrial(id, q, { secondsPerEpoch });

test("the simulated clock: W workers, epochs paid by their recorded seconds, pruned trials stop at t", async () => {
  const trials = [recorded(0, 0.9, 1), recorded(1, 0.1, 2), recorded(2, 0.5, 1), recorded(3, 0.05, 1)];
  const none = replayOptimize(trials, { workers: 2 });
  // Lane 0: t0 (4 s) then t2 (4 s); lane 1: t1 (8 s) then t3 (4 s).
  assert.deepEqual(
    none.events.map((e) => [e.candidate, e.seconds]),
    [
      [0, 4],
      [2, 8],
      [1, 8],
      [3, 12],
    ],
  );
  const pruner = estimatorPruner({ estimator: earlyStopping(), t: 1, keep: 0.5, warmup: 1 });
  // Decisions cost nothing here (by default the replay charges their measured wall-clock).
  const some = replayOptimize(trials, { workers: 1, pruner, decisionSeconds: () => 0 });
  assert.deepEqual(
    some.decisions.map((d) => [d.id, d.pruned]),
    [
      ["t0", false],
      ["t1", true],
      ["t2", false], // 1 of the 2 judged before beats it: within the best half of 3
      ["t3", true],
    ],
  );
  assert.equal(some.seconds, 4 + 2 + 4 + 1);
  assert.equal(trialAt(trials[0]!, 2).probeValidation!.blocks.length, 2);
  await assertFails(() => replayOptimize([trialAt(trials[0]!, 2)], { workers: 1 }), "invalid-argument", /full budget/);
  await assertFails(() => replayOptimize(trials, { workers: 0 }), "invalid-argument", /workers/);
});

/** Three recorded trials and a live run of them without pruner on 2 workers, with 10 % overhead. */
function liveRun() {
  const full = [recorded(0, 0.9, 1), recorded(1, 0.1, 2), recorded(2, 0.5, 1)];
  const start = 1_000_000;
  const live = full.map((t, i) => ({
    ...t,
    startedAt: start + [0, 0, 4400][i]!,
    endedAt: start + [4400, 8800, 8800][i]!,
  }));
  return { full, live, start };
}

test("live searches next to their replays: time to a target, live and predicted", async () => {
  // A live run of the same three trials without pruner, 2 workers, with 10 % overhead.
  const { full, live } = liveRun();
  const truth0 = live[0]!.curves.valAcc.reduce((a, b) => Math.max(a, b));
  const [row] = compareLiveToReplay([{ name: "full", trials: live }], full, { workers: 2, target: truth0 });
  assert.equal(row!.complete, 3);
  assert.equal(row!.liveToTarget, 4.4);
  assert.equal(row!.replayToTarget, 4);
  assert.ok(Math.abs(row!.ratio! - 1.1) < 1e-9);
  assert.equal(row!.liveSeconds, 8.8);
  assert.deepEqual(
    liveSearchEvents(live).map((e) => e.candidate),
    [0, 1, 2],
  );
});

test("a live search report: target = best - one SE, each search's reduction against full training", async () => {
  const { live, start } = liveRun();
  // A "pruned" search that found candidate 0 after 2.2 s.
  const fast = [{ ...live[0]!, endedAt: start + 2200 }];
  const report = liveSearchReport([{ name: "fast", trials: fast }], live, { workers: 2, validationImages: 1000 });
  const best = Math.max(...live[0]!.curves.valAcc);
  assert.equal(report.best, best);
  assert.ok(Math.abs(report.standardError - Math.sqrt((best * (1 - best)) / 1000)) < 1e-12);
  assert.deepEqual(
    report.rows.map((r) => r.search),
    ["fast", "full training"],
  );
  assert.ok(Math.abs(report.rows[0]!.reduction! - 0.5) < 1e-9, "2.2 s against 4.4 s: 50 % less");
  assert.match(report.text, /fast: 50\.0 % less wall-clock than full training to reach the target/);
  assert.throws(
    () => liveSearchReport([], live, { workers: 2, validationImages: 0 }),
    /options\.validationImages must be an integer >= 1/,
  );
});

test("replay costs: capture only where histories are read, each scored decision's fit on its worker", async () => {
  const withCapture = (t: ReturnType<typeof recorded>) => ({
    ...t,
    curves: { ...t.curves, captureSeconds: t.curves.seconds.map(() => 0.25) },
  });
  const trials = [withCapture(recorded(0, 0.9, 1)), withCapture(recorded(1, 0.1, 1))];
  // Full training of two 4-epoch trials on one worker: 8 s with capture, 6 s without.
  assert.equal(replayOptimize(trials, { workers: 1 }).seconds, 8);
  assert.equal(replayOptimize(trials, { workers: 1, capture: false }).seconds, 6);
  const pruner = estimatorPruner({ estimator: earlyStopping(), t: 1, keep: 0.5, warmup: 1 });
  // Each judged trial's decision costs 0.5 s on the worker that waits for it; unjudged steps nothing.
  const judged: string[] = [];
  const r = replayOptimize(trials, {
    workers: 1,
    capture: false,
    pruner,
    decisionSeconds: (t, epoch) => {
      judged.push(`${t.id}@${epoch}`);
      return 0.5;
    },
  });
  assert.deepEqual(judged, ["t0@1", "t1@1"]);
  // t0: 0.75 s to t = 1, 0.5 s decision, 2.25 s to T; t1: 0.75 s, 0.5 s decision, pruned.
  assert.equal(r.seconds, 0.75 + 0.5 + 2.25 + 0.75 + 0.5);
  assert.deepEqual(
    r.decisions.map((d) => [d.id, d.seconds]),
    [
      ["t0", 1.25],
      ["t1", 4.75],
    ],
  );
  // The truth of the events is the caller's (e.g. test accuracy), else the peak validation accuracy.
  const events = replayOptimize(trials, { workers: 1, truth: (t) => t.number + 10 }).events;
  assert.deepEqual(
    events.map((e) => e.truth),
    [10, 11],
  );
});
