// Optuna-style study figures: their info and figure JSON are checkable: traces per state, a
// monotone best-so-far, ranges that hug the data, whole-number trial and epoch ticks, one
// parallel-coordinates dimension per parameter, interpolation through the trials, bad input named.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as P from "../../src/plot/index.js";
import type { PlotlyFigure } from "../../src/plot/theme.js";
import { createRng } from "../../src/core/random.js";
import { cell, float } from "../../src/space/params.js";
import { defineSpace, sample } from "../../src/space/space.js";
import { assertFails } from "../helpers/fixtures.js";
import { fakeTrial, space, trials } from "../helpers/study-trials.js";

const complete = trials.filter((t) => t.state === "complete");
const peaks = complete.map((t) => t.curves.valAcc.at(-1)!);

type Axis = { range?: [number, number]; title?: { text: string }; dtick?: number; tickformat?: string; type?: string };
const axis = (fig: PlotlyFigure, key = "xaxis") => fig.layout[key] as Axis;
const numbers = (v: unknown) => (v as (number | null)[]).filter((x): x is number => typeof x === "number");

/** Every number lies in the range, and the data span at least `share` of it. */
function hugs(values: readonly number[], range: readonly [number, number] | undefined, share = 0.85): void {
  assert.ok(range, "the range is set");
  const [lo, hi] = [Math.min(...values), Math.max(...values)];
  assert.ok(lo >= range[0] - 1e-9 && hi <= range[1] + 1e-9, `data [${lo}, ${hi}] inside ${JSON.stringify(range)}`);
  assert.ok(hi - lo >= share * (range[1] - range[0]), `data [${lo}, ${hi}] fill ${JSON.stringify(range)}`);
}

function titled(fig: PlotlyFigure, axes: string[] = ["xaxis", "yaxis"]): void {
  assert.ok(((fig.layout.title as { text: string }).text ?? "").length > 5, "figure title");
  for (const a of axes) assert.ok((axis(fig, a).title?.text ?? "").length > 0, `${a} title`);
  assert.equal(typeof fig.layout.height, "number", "fitLegend set the height");
}

test("optimisation history: one trace per state shown, a monotone best-so-far from complete trials, ranges hugging the data", () => {
  const info = P.optimizationHistoryInfo(trials);
  assert.equal(info.points.length, trials.filter((t) => t.state !== "running").length, "running trials are not drawn");
  const best = info.best.value;
  for (let i = 1; i < best.length; i++) assert.ok(best[i]! >= best[i - 1]!, "best so far never drops");
  assert.equal(Math.max(...best), Math.max(...peaks));
  const fig = P.optimizationHistoryFigure(trials);
  assert.deepEqual(
    fig.data.map((d) => d.name),
    ["complete (16)", "pruned (4)", "failed (4)", "best so far"],
  );
  titled(fig);
  const x = axis(fig);
  assert.equal(x.tickformat, "d");
  assert.ok(Number.isInteger(x.dtick) && x.dtick! >= 1);
  assert.deepEqual(x.range, [2.5, 29.5], "trial numbers 3..29, half a step of room");
  const ys = fig.data.slice(0, 3).flatMap((d) => numbers(d.y));
  hugs(ys, axis(fig, "yaxis").range);
  // Failed trials sit on the bottom edge, with their error in the hover text.
  const failed = fig.data[2]!;
  assert.ok(numbers(failed.y).every((y) => y === axis(fig, "yaxis").range![0]));
  assert.match(String((failed.text as string[])[0]), /NaN loss/);
  // Minimising: the best so far never rises.
  const min = P.optimizationHistoryInfo(trials, { direction: "minimize" }).best.value;
  for (let i = 1; i < min.length; i++) assert.ok(min[i]! <= min[i - 1]!);
  assert.equal(min[0], peaks[0]);
});

test("intermediate values: one line trace per state, whole epochs from 1 to the longest, y hugging every value", () => {
  const fig = P.intermediateValuesFigure(trials);
  assert.deepEqual(
    fig.data.map((d) => d.name),
    ["complete (16)", "pruned (4)", "failed (4)", "running (4)"],
  );
  titled(fig);
  const x = axis(fig);
  assert.deepEqual(x.range, [1, 4]);
  assert.equal(x.dtick, 1);
  assert.equal(x.tickformat, "d");
  // Each trial's line is its epochs 1..t then a gap.
  const running = fig.data[3]!;
  assert.deepEqual((running.x as unknown[]).slice(0, 2), [1, null]);
  hugs(
    fig.data.flatMap((d) => numbers(d.y)),
    axis(fig, "yaxis").range,
  );
});

test("parallel coordinates: the objective then one dimension per searched parameter; categoricals as tick labels", () => {
  const fig = P.parallelCoordinateFigure(space, trials);
  assert.equal(fig.data.length, 1);
  const trace = fig.data[0]! as unknown as {
    type: string;
    dimensions: P.ParallelDimension[];
    line: { color: number[] };
  };
  assert.equal(trace.type, "parcoords");
  assert.deepEqual(
    trace.dimensions.map((d) => d.label),
    ["peak validation accuracy", "lr (log)", "optimizer", "momentum", "width"],
  );
  assert.equal(trace.dimensions.length, 1 + space.params.filter((p) => p.kind !== "fixed").length);
  assert.deepEqual(trace.line.color, peaks);
  const opt = trace.dimensions[2]!;
  assert.deepEqual(opt.ticktext, ["sgd", "adam"]);
  const momentum = trace.dimensions[3]!;
  assert.equal(momentum.ticktext![0], "(inactive)", "adam trials sit on the inactive tick");
  for (const d of trace.dimensions) {
    assert.equal(d.values.length, complete.length);
    assert.ok(
      d.values.every((v) => v >= d.range[0] - 1e-9 && v <= d.range[1] + 1e-9),
      `${d.label} values inside its range`,
    );
  }
  // lr is on the log10 scale with round ticks.
  assert.ok(trace.dimensions[1]!.values.every((v) => v >= -4 && v <= -1));
  assert.ok(((fig.layout.title as { text: string }).text ?? "").includes("Parallel coordinates"));
  // A cell is drawn as its six edges.
  const nas = defineSpace([cell("cell", { ops: ["none", "skip"] }), float("x", 0, 1)]);
  const r = createRng(2);
  const cellTrials = Array.from({ length: 5 }, (_, i) => fakeTrial(i, { ...sample(nas, r) }, 0.5 + i / 10));
  assert.equal(P.parallelCoordinateInfo(nas, cellTrials).dimensions.length, 1 + 6 + 1);
});

test("slice: one subplot per parameter, log axes for log parameters, colour by trial number, shared hugging y range", () => {
  const info = P.sliceInfo(space, trials);
  assert.deepEqual(
    info.panels.map((p) => p.param),
    ["lr", "optimizer", "momentum", "width"],
  );
  const momentum = info.panels[2]!;
  assert.equal(momentum.x.length, complete.filter((t) => t.config.optimizer === "sgd").length, "active trials only");
  const fig = P.sliceFigure(space, trials);
  assert.equal(fig.data.length, 4);
  assert.equal(axis(fig, "xaxis").type, "log");
  hugs(numbers(fig.data[0]!.x).map(Math.log10), axis(fig, "xaxis").range);
  hugs(numbers(fig.data[3]!.x), axis(fig, "xaxis4").range);
  for (const [i, d] of fig.data.entries()) {
    // One y range for all panels (the objective's), hugging all of them; each panel inside it.
    assert.deepEqual(axis(fig, i === 0 ? "yaxis" : `yaxis${i + 1}`).range, info.yRange);
    hugs(numbers(d.y), info.yRange, 0);
    assert.ok((axis(fig, i === 0 ? "xaxis" : `xaxis${i + 1}`).title?.text ?? "").length > 0);
    assert.deepEqual((d.marker as { color: number[] }).color, info.panels[i]!.number);
  }
  hugs(
    fig.data.flatMap((d) => numbers(d.y)),
    info.yRange,
  );
  assert.deepEqual((axis(fig, "xaxis2") as { ticktext?: string[] }).ticktext, ["sgd", "adam"]);
  titled(fig);
});

test("contour: an interpolation that passes through the trials, on a grid hugging them; the trials drawn on top", () => {
  const info = P.contourInfo(space, trials, "lr", "width");
  assert.equal(info.points.length, complete.length);
  assert.equal(info.grid.z.length, info.grid.y.length);
  assert.ok(info.grid.z.every((row) => row.length === info.grid.x.length));
  const z = info.grid.z.flat();
  assert.ok(
    Math.min(...z) >= Math.min(...peaks) - 1e-12 && Math.max(...z) <= Math.max(...peaks) + 1e-12,
    "no overshoot",
  );
  // Two trials sit on corners of their grid, where the interpolation is their value.
  const two = complete.slice(0, 2);
  const pair = P.contourInfo(space, two, "lr", "width");
  const lrs = two.map((t) => t.config.lr as number);
  const widths = two.map((t) => t.config.width as number);
  const [i, j] = [lrs[0] === Math.min(...lrs) ? 0 : 29, widths[0] === Math.min(...widths) ? 0 : 29];
  assert.equal(pair.grid.z[j]![i], peaks[0]);
  assert.equal(pair.grid.x.length, 30);
  const fig = P.contourFigure(space, trials, "lr", "optimizer");
  assert.deepEqual(
    fig.data.map((d) => d.type),
    ["contour", "scatter"],
  );
  titled(fig);
  assert.equal(axis(fig).type, "log");
  hugs(numbers(fig.data[1]!.x).map(Math.log10), axis(fig).range, 0.999);
  assert.deepEqual((axis(fig, "yaxis") as { ticktext?: string[] }).ticktext, ["sgd", "adam"]);
});

test("importances, EDF and Pareto figures: bars sorted, steps to 1, the front highlighted; every range hugs", () => {
  const bars = P.paramImportancesFigure([
    { param: "lr", importance: 0.7 },
    { param: "width", importance: 0.05 },
    { param: "optimizer", importance: 0.25 },
  ]);
  assert.equal(bars.data[0]!.type as string, "bar");
  assert.deepEqual(bars.data[0]!.y, ["width", "optimizer", "lr"], "the most important on top");
  hugs(numbers(bars.data[0]!.x).concat(0), axis(bars).range);
  titled(bars);

  const other = trials.map((t) => fakeTrial(t.number, t.config, t.curves.valAcc.at(-1)! - 0.1, t.state));
  const edf = P.edfInfo([
    { name: "random", trials },
    { name: "tpe", trials: other },
  ]);
  assert.equal(edf.series.length, 2);
  for (const s of edf.series) {
    assert.equal(s.fraction.at(-1), 1);
    for (let i = 1; i < s.value.length; i++) assert.ok(s.value[i]! >= s.value[i - 1]!);
  }
  const edfFig = P.edfFigure([
    { name: "random", trials },
    { name: "tpe", trials: other },
  ]);
  assert.equal(edfFig.data.length, 2);
  hugs(
    edfFig.data.flatMap((d) => numbers(d.x)),
    axis(edfFig).range,
    0.999,
  );
  titled(edfFig);

  const points = complete.map((t) => ({ id: t.id, values: [t.curves.valAcc.at(-1)!, t.config.width as number] }));
  const pf = P.paretoFrontInfo(points, { objectives: ["accuracy", "width"], directions: ["maximize", "minimize"] });
  assert.equal(pf.front.length + pf.dominated.length, points.length);
  for (const d of pf.dominated)
    assert.ok(
      pf.front.some((f) => f.values[0]! >= d.values[0]! && f.values[1]! <= d.values[1]!),
      `${d.id} is dominated`,
    );
  const fig = P.paretoFrontFigure(points, { objectives: ["accuracy", "width"], directions: ["maximize", "minimize"] });
  assert.deepEqual(
    fig.data.map((d) => d.name),
    [`dominated (${pf.dominated.length})`, `Pareto front (${pf.front.length})`],
  );
  hugs(
    fig.data.flatMap((d) => numbers(d.x)),
    axis(fig).range,
  );
  hugs(
    fig.data.flatMap((d) => numbers(d.y)),
    axis(fig, "yaxis").range,
  );
  assert.match(axis(fig, "yaxis").title!.text, /lower is better/);
});

test("study figures reject bad input, naming the parameter", async () => {
  await assertFails(() => P.optimizationHistoryFigure([]), "invalid-argument", /trials must hold at least one trial/);
  await assertFails(() => P.optimizationHistoryFigure("x" as never), "invalid-argument", /trials/);
  await assertFails(
    () => P.optimizationHistoryFigure(trials, { directon: "minimize" } as never),
    "unknown-option",
    /direction/,
  );
  await assertFails(
    () => P.intermediateValuesFigure([{ ...trials[0]!, state: "done" as never }]),
    "invalid-argument",
    /trials\[0\]\.state/,
  );
  await assertFails(() => P.parallelCoordinateFigure({} as never, trials), "invalid-argument", /space/);
  await assertFails(
    () =>
      P.sliceFigure(
        space,
        trials.filter((t) => t.state === "failed"),
      ),
    "invalid-argument",
    /complete trial/,
  );
  await assertFails(() => P.contourFigure(space, trials, "lr", "lr"), "invalid-argument", /y must differ/);
  await assertFails(
    () => P.contourFigure(space, trials, "lr", "seed"),
    "invalid-argument",
    /y must name a float, int or categorical/,
  );
  await assertFails(() => P.contourFigure(space, trials, "nope", "lr"), "invalid-argument", /x must name/);
  await assertFails(() => P.paramImportancesFigure([]), "invalid-argument", /importances/);
  await assertFails(() => P.edfFigure([]), "invalid-argument", /studies/);
  await assertFails(
    () => P.edfFigure([{ name: "a", trials: trials.filter((t) => t.state === "failed") }]),
    "invalid-argument",
    /complete trial/,
  );
  const pts = [{ id: "a", values: [1, 2] }];
  await assertFails(
    () => P.paretoFrontFigure(pts, { objectives: ["a", "b"], directions: ["maximize"] } as never),
    "invalid-argument",
    /two objectives and two directions/,
  );
  await assertFails(
    () => P.paretoFrontFigure([], { objectives: ["a", "b"], directions: ["maximize", "minimize"] }),
    "invalid-argument",
    /points must hold a point/,
  );
});
