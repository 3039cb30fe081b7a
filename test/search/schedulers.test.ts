// Schedulers run by the live search and by its replay: ASHA's rungs and promotions, and the live
// ASHA search against its replay over the full study (the same completions).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ashaRungs, ashaScheduler, hyperbandScheduler, prunerScheduler } from "../../src/search/schedulers.js";
import { replaySchedule } from "../../src/search/live-replay.js";
import { earlyStopping } from "../../src/proxy/baselines.js";
import { createStudy } from "../../src/study/study-open.js";
import { resolveBackend } from "../../src/train/backend.js";
import { assertFails, tempDir } from "../helpers/fixtures.js";
import { recordedTrial } from "../helpers/synthetic-histories.js";
import { liveSearchFixture } from "../helpers/live-search.js";
import { smallNet } from "../helpers/user-models.js";

test("ASHA rungs: r, r*eta, ... below the budget", async () => {
  assert.deepEqual(ashaRungs(1, 3, 9), [1, 3]);
  assert.deepEqual(ashaRungs(1, 2, 8), [1, 2, 4]);
  assert.deepEqual(ashaRungs(2, 3, 27), [2, 6, 18]);
  assert.deepEqual(ashaRungs(4, 3, 4), []);
});

const recorded = (n: number, q: number) => recordedTrial(n, q);

test("ASHA promotes the best 1/eta of each rung, highest rung first, and completes the best", async () => {
  const qualities = [0.2, 0.9, 0.1, 0.5, 0.3, 0.8, 0.05, 0.4];
  const trials = qualities.map((q, i) => recorded(i, q));
  const asha = ashaScheduler({ estimator: earlyStopping(), minEpochs: 1, eta: 2 });
  // Decisions cost nothing here (by default the replay charges their measured wall-clock).
  const r = replaySchedule(trials, asha, { workers: 1, decisionSeconds: () => 0 });
  const completed = new Set(r.events.map((e) => e.candidate));
  assert.ok(completed.has(1), "the best trial (0.9) is trained to the budget");
  assert.ok(!completed.has(6) && !completed.has(2), "the worst never are");
  // Every trial is scored (paused) at rung 1; fewer are promoted on.
  assert.equal(new Set(r.decisions.map((d) => d.id)).size, trials.length);
  assert.ok(completed.size < trials.length / 2, `${completed.size} completed`);
  const full = replaySchedule(trials, prunerScheduler(), { workers: 1 });
  assert.ok(r.seconds <= full.seconds / 2, `ASHA ${r.seconds} s vs full ${full.seconds} s`);
  await assertFails(() => ashaScheduler({ estimator: earlyStopping(), eta: 1 }), "invalid-argument", /eta/);
  await assertFails(() => ashaScheduler({ estimator: {} as never }), "invalid-argument", /estimator/);
});

test("a live ASHA search completes the trials its replay over the full study predicts", async () => {
  await resolveBackend({ backend: "wasm" });
  const fx = liveSearchFixture();
  const a = tempDir("fh-asha-");
  const b = tempDir("fh-asha-");
  try {
    const full = await createStudy({ name: "full", storage: a.dir, space: fx.space, budget: 4, seed: 31 });
    await full.optimize({ data: fx.splits, trials: 8, workers: 0, model: smallNet });
    const scheduler = ashaScheduler({ estimator: earlyStopping(), minEpochs: 1, eta: 2 });
    const live = await createStudy({ name: "asha", storage: b.dir, space: fx.space, budget: 4, seed: 31 });
    const result = await live.optimize({ data: fx.splits, trials: 8, workers: 0, model: smallNet, scheduler });
    assert.equal(result.complete + result.pruned + result.failed, 8);
    assert.ok(result.complete >= 1 && result.pruned >= 4, JSON.stringify(result));
    // Promoted trials resumed from their checkpoints: every epoch trained once, in one attempt.
    for (const t of live.trials()) assert.equal(t.attempts, 1);
    // Each promotion is counted on the trial (the timeline shows them apart): ASHA with eta 2
    // promotes at least the completed trial, which was paused at rung 1 first.
    assert.ok(live.trials(["complete"]).every((t) => (t.promotions ?? 0) >= 1));
    assert.ok(live.trials(["pruned"]).some((t) => t.promotions === undefined));
    const replay = replaySchedule(full.trials(["complete"]), scheduler, { workers: 1 });
    assert.deepEqual(
      live
        .trials(["complete"])
        .map((t) => t.number)
        .sort(),
      replay.events.map((e) => e.candidate).sort(),
    );
    await full.close();
    await live.close();
  } finally {
    a.cleanup();
    b.cleanup();
  }
});

test("Hyperband deals trials to brackets whose first rungs are r, r*eta, ...", async () => {
  const make = (n: number, q: number) => recordedTrial(n, q, { epochs: 9 });
  const trials = [0.3, 0.2, 0.9, 0.5, 0.1, 0.7, 0.4, 0.8, 0.05, 0.6].map((q, i) => make(i, q));
  const hb = hyperbandScheduler({ estimator: earlyStopping(), minEpochs: 1, eta: 3 });
  const r = replaySchedule(trials, hb, { workers: 2 });
  const firstScore = new Map<string, number>();
  for (const d of r.decisions) if (!firstScore.has(d.id)) firstScore.set(d.id, d.epoch);
  // Bracket 0 (even numbers) is first scored at epoch 1, bracket 1 (odd) at epoch 3.
  for (const [id, epoch] of firstScore) assert.equal(epoch, Number(id.slice(1)) % 2 === 0 ? 1 : 3, id);
  const full = replaySchedule(trials, prunerScheduler(), { workers: 2 });
  assert.ok(r.seconds < full.seconds, `Hyperband ${r.seconds} s vs full ${full.seconds} s`);
  assert.ok(
    r.events.some((e) => e.candidate === 2 || e.candidate === 7),
    "one of the two best is trained to T",
  );
  assert.equal(firstScore.size, trials.length, "every trial is scored at its bracket's first rung");
  await assertFails(
    () => hyperbandScheduler({ estimator: earlyStopping(), brackets: 0 }),
    "invalid-argument",
    /brackets/,
  );
});
