import { test } from "node:test";
import assert from "node:assert/strict";
import { searchSavings } from "../../src/search/savings.js";
import type { Trial } from "../../src/history/trial.js";
import { syntheticCandidate } from "../helpers/synthetic-histories.js";

const mk = (
  id: string,
  width: number,
  state: Trial["state"],
  epochs: number,
  testAcc: number,
  start: number,
  end: number,
): Trial => ({
  id,
  number: Number(id.slice(1)),
  config: { width },
  state,
  budget: 4,
  epochs,
  curves: syntheticCandidate(testAcc, epochs, 1).curves,
  seed: 0,
  seconds: epochs,
  scores: {},
  attempts: 1,
  ...(state === "complete" ? { testAcc } : {}),
  startedAt: start * 1000,
  endedAt: end * 1000,
});

test("searchSavings: epochs, seconds and wall-clock saved, and whether the best candidate was kept", async () => {
  const full = [
    mk("t0", 8, "complete", 4, 0.7, 0, 4),
    mk("t1", 16, "complete", 4, 0.8, 0, 4),
    mk("t2", 24, "complete", 4, 0.6, 4, 8),
  ];
  const kept = [
    mk("t0", 8, "complete", 4, 0.7, 0, 4),
    mk("t1", 16, "complete", 4, 0.8, 0, 4),
    mk("t2", 24, "pruned", 1, 0.6, 4, 5),
  ];
  const s = searchSavings(kept, full);
  assert.equal(s.epochs, 9);
  assert.equal(s.fullEpochs, 12);
  assert.equal(s.epochsSaved, 0.25);
  assert.equal(s.wallClock, 5);
  assert.equal(s.fullWallClock, 8);
  assert.ok(Math.abs(s.wallClockSaved! - 0.375) < 1e-12);
  assert.equal(s.keptBest, true);
  assert.equal(s.bestFull!.truth, 0.8);
  assert.match(
    s.text,
    /trained 9 of 12 epochs \(25 % less\), 5 s of wall-clock against 8 s \(38 % less\); full training's best candidate \(0\.800\) was kept/,
  );
  // The best pruned: said so, with what the search did keep.
  const lost = [
    mk("t0", 8, "complete", 4, 0.7, 0, 4),
    mk("t1", 16, "pruned", 1, 0.8, 0, 1),
    mk("t2", 24, "complete", 4, 0.6, 1, 5),
  ];
  const l = searchSavings(lost, full);
  assert.equal(l.keptBest, false);
  assert.match(l.text, /was pruned; the best it kept reached 0\.700/);
  assert.throws(
    () => searchSavings(kept, kept),
    /full must be the trials of a search without pruner, every one complete; received 3 trials, 1 not complete/,
  );
  assert.throws(() => searchSavings("x" as never, full), /search/);
});
