// The live view: a search in this process drives one progress line and two figures, each updated
// in place under its display id; the view's data (info) is checked on synthetic trials.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setDisplaySink, type DisplayRequest } from "../../src/notebook/display.js";
import { liveOptimize, liveProgressBundle } from "../../src/notebook/live.js";
import { resetPlotlyLoader, PLOTLY_MIME } from "../../src/notebook/figures.js";
import { liveCurvesFigure, liveSearchInfo } from "../../src/plot/live.js";
import { createStudy } from "../../src/study/study-open.js";
import { resolveBackend } from "../../src/train/backend.js";
import type { Trial } from "../../src/history/trial.js";
import { tempDir } from "../helpers/fixtures.js";
import { liveSearchFixture } from "../helpers/live-search.js";
import { smallNet } from "../helpers/user-models.js";
import { syntheticCandidate } from "../helpers/synthetic-histories.js";

test("liveOptimize updates one progress line and two figures in place", async () => {
  await resolveBackend({ backend: "wasm" });
  resetPlotlyLoader();
  const fx = liveSearchFixture();
  const { dir, cleanup } = tempDir("fh-live-");
  const outputs: DisplayRequest[] = [];
  const restore = setDisplaySink((r) => outputs.push(r));
  try {
    const study = await createStudy({
      name: "view",
      storage: dir,
      space: fx.space,
      budget: 2,
      seed: 2,
      pruner: fx.pruner,
    });
    const r = await liveOptimize(study, {
      data: fx.splits,
      trials: 4,
      workers: 0,
      model: smallNet,
      figureIntervalMs: 0,
    });
    assert.equal(r.complete + r.pruned + r.failed, 4);
    const byId = new Map<string, DisplayRequest[]>();
    for (const o of outputs.filter((o) => o.displayId)) byId.set(o.displayId!, [...(byId.get(o.displayId!) ?? []), o]);
    assert.equal(byId.size, 3, "progress, best-so-far and curves: three outputs");
    for (const [, list] of byId) {
      assert.equal(list[0]!.update, false);
      assert.ok(list.slice(1).every((o) => o.update));
    }
    const [progress, best, curves] = [...byId.values()];
    assert.match(progress!.at(-1)!.data["text/plain"] as string, /view \[#{30}\] .* of 4 .*done/);
    assert.ok(best!.at(-1)!.data[PLOTLY_MIME]);
    assert.match(curves!.at(-1)!.data["text/plain"] as string, /Trials: \d+ complete, \d+ pruned/);
    // A saved live session carries no plotly.js: no loader output, well under 1 MB in all.
    assert.ok(!outputs.some((o) => JSON.stringify(o.metadata).includes("plotly-loader")), "no loader");
    assert.ok(outputs.reduce((s, o) => s + JSON.stringify(o.data).length, 0) < 1_000_000);
    // A misspelt option is named, with the value summarised, before anything else is checked.
    await assert.rejects(
      liveOptimize(study, { data: fx.splits, trial: 12 } as never),
      (e: Error) =>
        /options\.trial is not a known option; received 12\. Fix: did you mean "trials"\?/.test(e.message) &&
        e.message.length < 600,
    );
    await study.close();
  } finally {
    restore();
    cleanup();
  }
});

test("the live view's info: counts, best-so-far over time, curves by state", async () => {
  const mk = (id: string, state: Trial["state"], q: number, epochs: number, endedAt?: number): Trial => ({
    id,
    number: Number(id.slice(1)),
    config: {},
    state,
    budget: 4,
    epochs,
    curves: syntheticCandidate(q, epochs, 1).curves,
    seed: 0,
    seconds: 1,
    scores: {},
    attempts: 1,
    ...(endedAt !== undefined ? { endedAt } : {}),
  });
  const trials = [
    mk("t0", "complete", 0.3, 4, 11_000),
    mk("t1", "pruned", 0.1, 1, 12_000),
    mk("t2", "complete", 0.6, 4, 15_000),
    mk("t3", "running", 0.5, 2),
  ];
  const info = liveSearchInfo(trials, { start: 10_000 });
  assert.deepEqual(info.counts, { running: 1, complete: 2, pruned: 1, failed: 0 });
  assert.deepEqual(info.trajectory.series[0]!.seconds, [1, 5]);
  assert.ok(info.trajectory.series[0]!.best[1]! > info.trajectory.series[0]!.best[0]!);
  const fig = liveCurvesFigure(info);
  assert.deepEqual(
    fig.data.map((d) => d.name),
    ["complete (2)", "running (1)", "pruned (1)"],
  );
  const text = liveProgressBundle({
    event: "t3 epoch 2",
    complete: 2,
    pruned: 1,
    failed: 0,
    running: 1,
    total: 8,
    best: { id: "t2", value: 0.8123 },
    seconds: 12,
    eta: 20,
  })["text/plain"] as string;
  assert.match(
    text,
    /2 complete, 1 pruned, 0 failed, 1 running of 8 · best t2 0\.8123 · 12 s · ~20 s left · t3 epoch 2/,
  );
});
