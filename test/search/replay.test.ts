import { test } from "node:test";
import assert from "node:assert/strict";
import * as R from "../../src/search/replay.js";
import { assertFails } from "../helpers/fixtures.js";

// 12 candidates, T = 4 epochs of 10 s; truth = i / 12; a perfect early score is the truth.
const cands: R.ReplayCandidate[] = Array.from({ length: 12 }, (_, i) => ({
  truth: i / 12,
  epochSeconds: [10, 10, 10, 10],
}));
const perfect: R.Score = (i) => cands[i]!.truth;
const inverted: R.Score = (i) => -cands[i]!.truth;

test("scheduling on W workers, first come first served", () => {
  assert.deepEqual(
    R.schedule(
      [
        { candidate: 0, cost: 5 },
        { candidate: 1, cost: 3 },
        { candidate: 2, cost: 1 },
      ],
      2,
    ),
    [5, 3, 4],
  );
  assert.deepEqual(R.schedule([{ candidate: 0, cost: 5 }], 1, 10), [15]);
});

test("random search with full training pays T epochs per candidate and finds the best at the end", () => {
  const ev = R.randomSearchFull(cands, { workers: 2, seed: 1 });
  assert.equal(ev.length, 12);
  assert.equal(ev.at(-1)!.seconds, (12 * 40) / 2);
  assert.equal(Math.max(...ev.map((e) => e.truth)), 11 / 12);
});

test("sampling-based search with a perfect score reaches the best far sooner; an inverted one never does", () => {
  const full = R.randomSearchFull(cands, { workers: 2, seed: 1 });
  const good = R.samplingSearch(cands, perfect, { n: 12, t: 1, k: 2, workers: 2, seed: 1 });
  // 12 x 10 s early on 2 workers = 60 s, then 2 x 30 s in parallel = 90 s.
  assert.equal(R.timeToReach(good, 11 / 12), 90);
  void full;
  // Random search with full training finds the best candidate after ~half of them on average.
  const seeds = Array.from({ length: 20 }, (_, s) =>
    R.timeToReach(R.randomSearchFull(cands, { workers: 2, seed: s }), 11 / 12)!,
  );
  assert.ok(seeds.reduce((a, b) => a + b, 0) / seeds.length > 90, String(seeds));
  const bad = R.samplingSearch(cands, inverted, { n: 12, t: 1, k: 2, workers: 2, seed: 1 });
  assert.equal(R.timeToReach(bad, 11 / 12), undefined);
  assert.deepEqual(bad.map((e) => e.candidate).sort(), [0, 1]);
});

test("successive halving keeps 1/eta per rung and trains the survivor to T", () => {
  const ev = R.successiveHalving(cands, perfect, { n: 9, minBudget: 1, eta: 3, workers: 1, seed: 2 });
  assert.ok(ev.length >= 1);
  // Bracket 1: 9 x 1 epoch, 3 x 2 more (to 3), 1 x 1 more (to 4) = 90 + 60 + 10 = 160 s on one worker.
  assert.equal(ev[0]!.seconds, 160);
});

test("replay options are validated", async () => {
  await assertFails(
    () => R.samplingSearch(cands, perfect, { n: 4, t: 5, k: 2, seed: 0 }),
    "invalid-argument",
    /options\.t/,
    /<= 4/,
  );
  await assertFails(
    () => R.samplingSearch(cands, perfect, { n: 4, t: 1, k: 5, seed: 0 }),
    "invalid-argument",
    /options\.k/,
  );
  await assertFails(
    () =>
      R.randomSearchFull(
        [
          { truth: 1, epochSeconds: [1] },
          { truth: 1, epochSeconds: [1, 2] },
        ],
        { seed: 0 },
      ),
    "invalid-argument",
    /candidates\[1\]\.epochSeconds/,
  );
  assert.equal(R.timeToReach([], 0.5), undefined);
});

test("regularised evolution: a perfect score walks to the best through nearest neighbours; children are never repeated", () => {
  // Neighbours by index distance: the fitness landscape is a line to candidate 11.
  const neighbours = (i: number) =>
    cands
      .map((_, j) => j)
      .filter((j) => j !== i)
      .sort((a, b) => Math.abs(a - i) - Math.abs(b - i));
  const ev = R.regularizedEvolution(cands, perfect, {
    population: 3,
    sample: 2,
    t: 1,
    cycles: 9,
    neighbours,
    workers: 1,
    seed: 3,
  });
  assert.ok(ev.length >= 1);
  assert.equal(Math.max(...ev.map((e) => e.truth)), 11 / 12);
  assert.equal(new Set(ev.map((e) => e.candidate)).size, ev.length, "each fully trained once");
  for (let i = 1; i < ev.length; i++)
    assert.ok(ev[i]!.truth > ev[i - 1]!.truth, "only new best scores are trained to T");
  // Cost: 12 members x 10 s at t = 1 at most, plus 30 s per full training; nothing is paid twice.
  assert.ok(ev.at(-1)!.seconds <= 12 * 10 + ev.length * 30);
  const bad = R.regularizedEvolution(cands, inverted, {
    population: 3,
    sample: 2,
    t: 1,
    cycles: 3,
    neighbours,
    seed: 3,
  });
  assert.ok(Math.max(...bad.map((e) => e.truth)) < 11 / 12);
});
