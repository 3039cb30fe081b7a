// The study timeline: one bar per started trial on its worker's row, from start to end (running:
// to `now`), states with promoted trials apart, seconds since the first start; the figure's
// traces are those bars, and a study with no start time is the toolkit's error.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Trial } from "../../src/history/trial.js";
import { timelineFigure, timelineInfo } from "../../src/plot/study-timeline.js";
import { assertFails } from "../helpers/fixtures.js";
import { curveTrial } from "../helpers/study-trials.js";

const at = (t: Trial, worker: number, start: number, end?: number, promotions?: number): Trial => ({
  ...t,
  worker,
  startedAt: 1_000_000 + start * 1000,
  ...(end === undefined ? {} : { endedAt: 1_000_000 + end * 1000 }),
  ...(promotions ? { promotions } : {}),
});

test("timelineInfo: rows per worker, bars from start to end, promoted apart, running to now", async () => {
  const trials = [
    at(curveTrial(0, {}, [0.5, 0.6, 0.7, 0.8]), 0, 0, 10),
    at(curveTrial(1, {}, [0.3], "pruned"), 1, 2, 4),
    at(curveTrial(2, {}, [0.4, 0.5, 0.6, 0.7]), 1, 4, 20, 1),
    at(curveTrial(3, {}, [0.2], "failed"), 0, 10, 11),
    at(curveTrial(4, {}, [0.5], "running"), 2, 12),
    curveTrial(5, {}, [], "running"),
  ];
  const info = timelineInfo(trials, { now: 1_000_000 + 30_000 });
  assert.deepEqual(info.workers, [0, 1, 2]);
  assert.deepEqual(info.undated, ["t5"]);
  assert.deepEqual(
    info.bars.map((b) => [b.id, b.worker, b.state, b.start, b.end]),
    [
      ["t0", 0, "complete", 0, 10],
      ["t1", 1, "pruned", 2, 4],
      ["t2", 1, "promoted", 4, 20],
      ["t3", 0, "failed", 10, 11],
      ["t4", 2, "running", 12, 30],
    ],
  );
  assert.ok(info.xRange[0] <= 0 && info.xRange[1] >= 30 && info.xRange[1] < 32, String(info.xRange));
  const fig = timelineFigure(trials, { now: 1_000_000 + 30_000 });
  const bars = fig.data as unknown as { name: string; base: number[]; x: number[]; y: string[] }[];
  assert.deepEqual(
    bars.map((b) => b.name),
    ["complete (1)", "paused, then promoted (1)", "pruned (1)", "failed (1)", "running (1)"],
  );
  const promoted = bars[1]!;
  assert.deepEqual([promoted.base, promoted.x, promoted.y], [[4], [16], ["worker 1"]]);
  await assertFails(() => timelineInfo([curveTrial(0, {}, [0.5])]), "data-missing", /startedAt/);
  await assertFails(() => timelineInfo(trials, { now: -1 }), "invalid-argument", /options\.now/);
});
