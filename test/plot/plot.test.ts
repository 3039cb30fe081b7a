import { test } from "node:test";
import assert from "node:assert/strict";
import * as P from "../../src/plot/index.js";
import { estimatesTable, summaryRows } from "../../src/table/tables.js";
import { comparisonTable } from "../../src/table/compare.js";
import type { EstimateRow } from "../../src/proxy/evaluate.js";
import { appendEpoch, createHistory } from "../../src/history/feature-history.js";
import { createRng } from "../../src/core/random.js";
import { matchSnapshot } from "../helpers/snapshot.js";
import { figureBundle, plotlyLoaderHtml, PLOTLY_MIME } from "../../src/notebook/figures.js";
import { assertFails } from "../helpers/fixtures.js";

const truths = [0.9, 0.82, 0.75, 0.6, 0.55, 0.4];
const rows: EstimateRow[] = ["FH", "SoTL-E"].flatMap((estimator, k) =>
  [1, 2].flatMap((t) =>
    truths.map((tr, i) => ({
      candidate: i,
      estimator,
      t,
      estimate: k === 0 ? tr + 0.05 * Math.sin(i * t) : -2 * (1 - tr) + 0.1 * Math.cos(i + t),
    })),
  ),
);
const est = estimatesTable(rows, truths);

test("scatter info: one series per estimator with rho, tau and a fit; labels for hover", () => {
  const info = P.scatterInfo(est, { t: 2, labels: truths.map((_, i) => `cfg ${i}`) });
  assert.deepEqual(
    info.series.map((s) => s.estimator),
    ["FH", "SoTL-E"],
  );
  const fh = info.series[0]!;
  assert.equal(fh.points.length, 6);
  assert.equal(fh.points[3]!.label, "cfg 3");
  assert.ok(fh.rho! > 0.8 && fh.tau! > 0.6);
  assert.ok(fh.fit && Number.isFinite(fh.fit.slope));
  const fig = P.scatterFigure(info);
  assert.match(String((fig.layout.title as { text: string }).text), /ρ \d\.\d\d, τ \d\.\d\d/);
  assert.equal(fig.data[0]!.name, "y = x");
  matchSnapshot("scatter", fig);
});

test("scatter with a budget slider and an estimator menu: the slider moves the points, the menu picks estimators", () => {
  const infos = [1, 2].map((t) => P.scatterInfo(est, { t, truth: "test accuracy at T" }));
  const fig = P.scatterSliderFigure(infos);
  type Step = { label: string; args: [{ x: number[][]; y: number[][]; name: string[] }, { title: { text: string } }] };
  const slider = (fig.layout.sliders as { active: number; steps: Step[] }[])[0]!;
  assert.equal(slider.active, 1, "the last budget by default (what a static export shows)");
  assert.deepEqual(
    slider.steps.map((s) => s.label),
    ["t = 1", "t = 2"],
  );
  const estimators = infos[0]!.series.map((s) => s.estimator);
  // The diagonal, then points and fit per estimator: the same traces at every budget.
  assert.equal(fig.data.length, 1 + 2 * estimators.length);
  slider.steps.forEach((step, k) => {
    assert.ok(!("visible" in step.args[0]), "the slider never sets visibility (the menu does)");
    assert.equal(step.args[0].x.length, fig.data.length);
    estimators.forEach((e, i) => {
      const series = infos[k]!.series.find((s) => s.estimator === e)!;
      assert.deepEqual(
        step.args[0].y[1 + 2 * i],
        series.points.map((p) => p.truth),
      );
      assert.deepEqual(
        step.args[0].x[1 + 2 * i],
        series.points.map((p) => p.calibrated),
      );
      assert.match(step.args[0].name[1 + 2 * i]!, new RegExp(`^${e.replace(/[()+]/g, "\\$&")} \\(ρ`));
    });
    assert.match(step.args[1].title.text, new RegExp(`budget t = ${k + 1}`));
  });
  assert.deepEqual(
    fig.data.map((d) => d.y),
    slider.steps[1]!.args[0].y,
    "the figure opens on the active step",
  );
  const menu = (fig.layout.updatemenus as { buttons: { label: string; args: [{ visible: boolean[] }] }[] }[])[0]!;
  assert.deepEqual(
    menu.buttons.map((b) => b.label),
    ["all estimators", ...estimators],
  );
  assert.ok(menu.buttons[0]!.args[0].visible.every(Boolean));
  menu.buttons.slice(1).forEach((b, i) => {
    const shown = b.args[0].visible.flatMap((v, j) => (v ? [j] : []));
    assert.deepEqual(shown, [0, 1 + 2 * i, 2 + 2 * i], `${b.label} shows the diagonal and its own points and fit`);
  });
  assert.equal((fig.layout.yaxis as { title: { text: string } }).title.text, "truth: test accuracy at T");
  assert.throws(() => P.scatterSliderFigure([]), /infos must hold at least one scatter info/);
  assert.throws(() => P.scatterSliderFigure(infos, { active: 2 }), /options\.active/);
});

test("rank vs budget: the all-candidates value as the line, labelled bootstrap bands, the noise ceiling", () => {
  const plain = P.rankBudgetInfo(summaryRows(est), { T: 8 });
  assert.equal(plain.band, undefined, "summary rows carry no range: no band");
  const fromSummary = plain.series.find((s) => s.estimator === "FH")!;
  const cmp = comparisonTable(rows, truths, {
    estimators: ["FH", "SoTL-E"],
    budgets: [1, 2],
    B: 200,
    seed: 3,
  }).objects() as P.RankBudgetRow[];
  const info = P.rankBudgetInfo(cmp, {
    T: 8,
    band: "90 % bootstrap range over candidates",
    ceiling: { value: 0.9, lo: 0.8, hi: 0.95 },
  });
  const fh = info.series.find((s) => s.estimator === "FH")!;
  assert.deepEqual(fh.t, [1, 2]);
  // The line is the table's value on all candidates, not a bootstrap mean.
  assert.deepEqual(fh.value, fromSummary.value);
  assert.ok(fh.low!.every((lo, k) => lo! <= fh.high![k]!));
  const fig = P.rankBudgetFigure(info);
  assert.equal(fig.data.filter((d) => d.fill === "toself").length, 2, "a band per estimator");
  assert.match(String((fig.layout.title as { text: string }).text), /bands: 90 % bootstrap range over candidates/);
  assert.ok(fig.data.some((d) => String(d.name).startsWith("noise ceiling 0.900")));
  assert.deepEqual(fig.data.find((d) => d.name === "FH")!.x, [1 / 8, 2 / 8]);
  // The axes fit the data and the noise ceiling: budgets 1/8..2/8, not the whole -1..1 x 0..1.
  const axis = (k: "xaxis" | "yaxis") => (fig.layout[k] as { range: [number, number] }).range;
  const ys = fig.data.flatMap((d) => (d.y as (number | null)[]).filter((v): v is number => typeof v === "number"));
  const [xLo, xHi] = axis("xaxis");
  assert.ok(xLo >= 0.1 && xLo < 1 / 8 && xHi > 2 / 8 && xHi < 0.27, `x range ${xLo}..${xHi}`);
  const [yLo, yHi] = axis("yaxis");
  assert.ok(yLo <= Math.min(...ys) && yHi >= Math.max(...ys), "every line and band inside");
  assert.ok(yHi - yLo <= (Math.max(...ys) - Math.min(...ys)) * 1.2 + 0.05, `y range ${yLo}..${yHi} hugs the data`);
  matchSnapshot("rank-budget", fig);
});

test("learning curves scale to 1000 candidates in one WebGL trace", () => {
  const rng = createRng(1);
  const curves = Array.from({ length: 1000 }, () =>
    Array.from({ length: 12 }, (_, e) => 0.5 + 0.4 * (1 - Math.exp(-(e + 1) * rng.next()))),
  );
  const info = P.curvesInfo(curves, { highlight: 3 });
  assert.equal(info.x.length, 1000 * 13);
  assert.equal(info.highlighted.length, 3);
  const fig = P.curvesFigure(info);
  assert.ok(fig.data.every((d) => d.type === "scattergl"));
  assert.equal(fig.data.length, 4, "one trace for all curves, three highlights");
  matchSnapshot("curves", P.curvesFigure(P.curvesInfo(curves.slice(0, 5), { highlight: 2 })));
});

test("feature-history projection: two components per epoch that separate classes as they do", () => {
  const rng = createRng(2);
  const labels = Uint8Array.from({ length: 90 }, (_, i) => i % 3);
  let h = createHistory(90, 6, labels);
  for (let e = 1; e <= 2; e++)
    h = appendEpoch(
      h,
      Float32Array.from(
        { length: 90 * 6 },
        (_, j) => (j % 6 === labels[Math.floor(j / 6)]! ? 3 * e : 0) + rng.normal(),
      ),
    );
  const info = P.projectionInfo(h, { classNames: ["a", "b", "c"] });
  assert.equal(info.epochs.length, 2);
  assert.equal(info.epochs[0]!.x.length, 90);
  assert.ok(info.epochs[1]!.explained > info.epochs[0]!.explained * 0.9);
  const fig = P.projectionFigure(info);
  assert.equal(fig.data.length, 6);
  assert.ok("xaxis2" in fig.layout);
});

test("search trajectory: running best as a step line", () => {
  const info = P.trajectoryInfo([
    {
      method: "full",
      events: [
        { seconds: 10, truth: 0.5 },
        { seconds: 5, truth: 0.6 },
        { seconds: 20, truth: 0.7 },
        { seconds: 30, truth: 0.65 },
      ],
    },
  ]);
  assert.deepEqual(info.series[0]!.seconds, [5, 20, 30]);
  assert.deepEqual(info.series[0]!.best, [0.6, 0.7, 0.7]);
  const fig = P.trajectoryFigure(info);
  assert.equal((fig.data[0]!.line as { shape: string }).shape, "hv");
  matchSnapshot("trajectory", fig);
});

/** CIELAB (D65) of a #RRGGBB colour, for the palette's distinctness. */
function lab(hex: string): [number, number, number] {
  const lin = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const [r, g, b] = lin;
  const f = (v: number) => (v > 0.008856 ? Math.cbrt(v) : 7.787 * v + 16 / 116);
  const X = f((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047);
  const Y = f(0.2126 * r + 0.7152 * g + 0.0722 * b);
  const Z = f((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883);
  return [116 * Y - 16, 500 * (X - Y), 200 * (Y - Z)];
}

test("one palette tells 20 traces apart (every pair Delta E >= 25), Okabe-Ito first", () => {
  assert.equal(P.PALETTE.length, 20);
  assert.deepEqual(P.PALETTE.slice(0, 3), ["#0072B2", "#E69F00", "#009E73"]);
  let min = Infinity;
  for (let i = 0; i < 20; i++)
    for (let j = i + 1; j < 20; j++)
      min = Math.min(min, Math.hypot(...lab(P.PALETTE[i]!).map((v, k) => v - lab(P.PALETTE[j]!)[k]!)));
  assert.ok(min >= 25, `closest pair Delta E ${min.toFixed(1)}`);
  assert.notEqual(P.colour(15), P.colour(0), "15 traces, 15 colours");
});

test("legends: up to 8 entries right of the plot, more below it with the figure grown to fit", () => {
  const traces = (n: number) =>
    Array.from({ length: n }, (_, k) => ({ type: "scatter" as const, name: `s${k}`, x: [1], y: [k] }));
  const few = P.fitLegend({ data: traces(8), layout: P.baseLayout("t", "x", "y") });
  assert.equal((few.layout.legend as { orientation: string }).orientation, "v");
  assert.equal(few.layout.height, 460);
  const many = P.fitLegend({ data: traces(15), layout: P.baseLayout("t", "x", "y") });
  const legend = many.layout.legend as { orientation: string; yref: string };
  assert.equal(legend.orientation, "h");
  assert.equal(legend.yref, "container");
  const grown = (many.layout.height as number) - 460;
  assert.equal((many.layout.margin as { b: number }).b - 56, grown, "the bottom margin holds the legend's rows");
  assert.ok(grown >= 5 * 19, "five rows of three");
  // A legend group counts once; hidden traces do not count.
  assert.equal(
    P.legendEntries([...traces(3).map((t) => ({ ...t, legendgroup: "g" })), { ...traces(1)[0]!, showlegend: false }]),
    1,
  );
  // Plotly's own rule with the layout: one trace has no legend unless asked for; parcoords never.
  assert.equal(P.legendEntries(traces(1), {}), 0);
  assert.equal(P.legendEntries(traces(1), { showlegend: true }), 1);
  assert.equal(P.legendEntries(traces(3), { showlegend: false }), 0);
  assert.equal(P.legendEntries([{ type: "parcoords" } as unknown as P.PlotlyTrace, ...traces(2)], {}), 2);
});

test("one theme: colour-blind-safe palette, titled axes with units", () => {
  assert.equal(P.PALETTE[0], "#0072B2");
  const layout = P.baseLayout("t", "wall-clock (s)", "y") as { xaxis: { title: { text: string } } };
  assert.equal(layout.xaxis.title.text, "wall-clock (s)");
});

test("a figure bundle carries Plotly JSON, an HTML fallback waiting for plotly.js, and text", () => {
  const fig = P.trajectoryFigure(P.trajectoryInfo([{ method: "m", events: [{ seconds: 1, truth: 0.5 }] }]));
  const b = figureBundle(fig);
  assert.ok(PLOTLY_MIME in b);
  assert.match(b["text/html"] as string, /__fhPlotlyQueue/);
  assert.doesNotMatch(b["text/html"] as string, /<script[^>]+src=/, "no CDN, no external script");
  assert.match(b["text/plain"] as string, /^Plotly figure: Search: best truth/);
  const loader = plotlyLoaderHtml();
  assert.ok(loader.length > 3_000_000, "plotly.js inlined in the loader");
  // plotly.js mentions cdn.plot.ly as the default topojson URL of geo maps, which we never draw.
  assert.doesNotMatch(loader, /<script[^>]+src=/);
});

test("scatter rejects a budget that is not in the table", async () => {
  await assertFails(() => P.scatterInfo(est, { t: 7 }), "invalid-argument", /options\.t/, /7/);
});

test("a menu over figures: one figure, a dropdown entry per figure showing exactly its traces, title and ranges", () => {
  const a = P.rankBudgetFigure(P.rankBudgetInfo(summaryRows(est), { T: 8 }));
  const b = P.trajectoryFigure(P.trajectoryInfo([{ method: "m", events: [{ seconds: 1, truth: 0.5 }] }]));
  const fig = P.menuFigure([a, b], ["main", "held-out"], { active: 1 });
  assert.equal(fig.data.length, a.data.length + b.data.length);
  assert.equal(fig.data.filter((d) => d.visible === true).length, b.data.length, "the active figure shows");
  const menu = (
    fig.layout.updatemenus as {
      active: number;
      buttons: { label: string; args: [{ visible: boolean[] }, Record<string, unknown>] }[];
    }[]
  )[0]!;
  assert.equal(menu.active, 1);
  assert.deepEqual(
    menu.buttons.map((x) => x.label),
    ["main", "held-out"],
  );
  assert.equal(menu.buttons[0]!.args[0].visible.filter(Boolean).length, a.data.length);
  assert.deepEqual(menu.buttons[0]!.args[1]["xaxis.range"], (a.layout.xaxis as { range: number[] }).range);
  // Its own title, pinned to the figure's top so the menu between it and the plot never covers it.
  const title = menu.buttons[0]!.args[1].title as Record<string, unknown>;
  assert.equal(title.text, (a.layout.title as { text: string }).text);
  assert.deepEqual([title.yref, title.yanchor], ["container", "top"]);
  assert.throws(() => P.menuFigure([a], ["x", "y"]), /labels must hold one label per figure/);
  assert.throws(() => P.menuFigure([a], ["x"], { active: 3 }), /options\.active must be an integer >= 0 <= 0/);
});
