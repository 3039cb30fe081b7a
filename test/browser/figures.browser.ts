// Figures fit for a paper, checked from the drawing: every figure type is rendered by plotly.js in
// headless Chromium at the shared notebooks' size and measured (fh.plot.inspect): no title, axis
// title or legend entry outside the frame, no scrolling legend, a plot area that is most of the
// figure and data that span most of each axis. Then every figure of every committed notebook and
// of the CI-executed ones passes the same check, and fh.plot.save writes real SVG, PDF and PNG.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root } from "./browser-helpers.js";
import * as P from "../../src/plot/index.js";
import { estimatesTable, summaryRows } from "../../src/table/tables.js";
import { comparisonTable } from "../../src/table/compare.js";
import type { EstimateRow } from "../../src/proxy/evaluate.js";
import { appendEpoch, createHistory } from "../../src/history/feature-history.js";
import { createRng } from "../../src/core/random.js";
import { PLOTLY_MIME } from "../../src/notebook/figures.js";
import { FASHION_MNIST_CLASSES } from "../../src/data/mnist.js";
import type { Trial } from "../../src/history/trial.js";
import { paramImportances } from "../../src/search/importance.js";
import { space as studySpace, trials as studyTrials } from "../helpers/study-trials.js";

let renderer: P.FigureRenderer;
before(async () => {
  renderer = await P.openRenderer();
});
after(async () => {
  await renderer.close();
});

const rng = createRng(21);
const truths = Array.from({ length: 40 }, () => 0.55 + 0.4 * rng.next());
// Fifteen estimators, as notebook 02's ablation: long names, five budgets.
const names = Array.from({ length: 15 }, (_, k) =>
  k === 0 ? "FH (K=2, concat, l2, ridge)" : `FH variant ${k} (K=${1 + (k % 4)}, PCA ${8 * k})`,
);
const rows: EstimateRow[] = names.flatMap((estimator, k) =>
  [1, 2, 3, 4, 6].flatMap((t) =>
    truths.map((tr, candidate) => ({ candidate, estimator, t, estimate: tr + (0.2 / t + 0.01 * k) * rng.normal() })),
  ),
);
const est = estimatesTable(rows, truths);

function labelled(n: number) {
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 10);
  let h = createHistory(n, 12, labels);
  for (let e = 1; e <= 5; e++)
    h = appendEpoch(
      h,
      Float32Array.from({ length: n * 12 }, (_, j) => (j % 12 === labels[Math.floor(j / 12)]! ? e : 0) + rng.normal()),
    );
  return h;
}

const figures: Record<string, () => P.PlotlyFigure> = {
  scatter: () =>
    P.scatterFigure(P.scatterInfo(est, { t: 2, estimators: names.slice(0, 4), truth: "test accuracy at T" })),
  "scatter with a budget slider": () =>
    P.scatterSliderFigure([1, 2, 3].map((t) => P.scatterInfo(est, { t, estimators: names.slice(0, 3) }))),
  "rank vs budget, 15 estimators with bands and the noise ceiling": () =>
    P.rankBudgetFigure(
      P.rankBudgetInfo(
        comparisonTable(rows, truths, {
          estimators: names,
          budgets: [1, 2, 3, 4, 6],
          metrics: ["spearman"],
          B: 100,
          seed: 1,
        }).objects() as P.RankBudgetRow[],
        { T: 12, band: "90 % bootstrap range over 40 candidates", ceiling: { value: 0.99, lo: 0.96, hi: 1 } },
      ),
    ),
  "rank vs budget from a summary": () => P.rankBudgetFigure(P.rankBudgetInfo(summaryRows(est), { T: 12 })),
  "learning curves, 20 highlighted": () =>
    P.curvesFigure(
      P.curvesInfo(
        Array.from({ length: 60 }, (_, i) =>
          Array.from({ length: 12 }, (_, e) => 0.4 + 0.5 * (1 - Math.exp(-(e + 1) * (0.1 + (i % 7) / 10)))),
        ),
        { highlight: 20 },
      ),
    ),
  "feature-history projection, 10 classes over 5 epochs": () =>
    P.projectionFigure(
      P.projectionInfo(labelled(300), {
        classNames: [...FASHION_MNIST_CLASSES],
      }),
    ),
  "search trajectory, 7 methods": () =>
    P.trajectoryFigure(
      P.trajectoryInfo(
        Array.from({ length: 7 }, (_, k) => ({
          method: `method ${k} with a long name`,
          events: Array.from({ length: 20 }, (_, i) => ({
            seconds: (i + 1) * (10 + k),
            truth: 0.8 + 0.1 * (1 - Math.exp(-i / (k + 1))),
          })),
        })),
        { truth: "test accuracy at T" },
      ),
    ),
  "a menu over two rank-vs-budget figures": () =>
    P.menuFigure(
      [
        P.rankBudgetFigure(P.rankBudgetInfo(summaryRows(est), { T: 12 })),
        P.rankBudgetFigure(
          P.rankBudgetInfo(
            summaryRows(
              estimatesTable(
                rows.filter((r) => r.t <= 3),
                truths,
              ),
            ),
            { T: 12 },
          ),
        ),
      ],
      ["all budgets", "t <= 3"],
    ),
  "optimisation history": () => P.optimizationHistoryFigure(studyTrials),
  "intermediate values, pruned marked": () => P.intermediateValuesFigure(studyTrials),
  "parallel coordinates": () => P.parallelCoordinateFigure(studySpace, studyTrials),
  "slice, one panel per parameter": () => P.sliceFigure(studySpace, studyTrials),
  "contour of two parameters": () => P.contourFigure(studySpace, studyTrials, "lr", "width"),
  "hyper-parameter importances": () => P.paramImportancesFigure(paramImportances(studySpace, studyTrials)),
  "empirical distribution of the objective": () => P.edfFigure([{ name: "study", trials: studyTrials }]),
  "live curves": () => {
    const trials = Array.from({ length: 12 }, (_, i) => ({
      id: `t${i}`,
      state: i % 3 === 0 ? "pruned" : "complete",
      config: {},
      curves: {
        valAcc: Array.from({ length: i % 3 === 0 ? 2 : 8 }, (_, e) => 0.5 + 0.04 * e + 0.01 * i),
        trainLoss: [],
        valLoss: [],
        trainAcc: [],
      },
      seconds: 10,
      startedAt: 1000 + i,
      endedAt: 1010 + i,
    })) as unknown as Trial[];
    return P.liveCurvesFigure(P.liveSearchInfo(trials, { start: 1000 }));
  },
};

for (const [name, make] of Object.entries(figures)) {
  test(`figure fit for a paper: ${name}`, async () => {
    const fig = make();
    const report = await renderer.inspect(fig);
    assert.deepEqual(report.problems, [], `${name}: ${report.problems.join("; ")}`);
    const shown = P.legendEntries(fig.data, fig.layout);
    assert.equal(report.legendEntries.length, shown, "every legend entry is drawn");
    assert.ok(report.plotShare >= P.FIGURE_RULES.minPlotShare);
  });
}

test("the check can fail: a clipped legend, a cut title and a nearly empty plot are each reported", async () => {
  const bad: P.PlotlyFigure = {
    data: Array.from({ length: 30 }, (_, k) => ({
      type: "scatter" as const,
      name: `a trace with a long name ${k}`,
      x: [0.4, 0.5],
      y: [0.1, 0.12],
    })),
    layout: {
      title: { text: "a title far too long for its figure ".repeat(6), x: 0.5, xanchor: "center" },
      legend: { orientation: "v", x: 1.02, y: 1 },
      xaxis: { range: [0, 10] },
      yaxis: { range: [-1, 1] },
      height: 300,
      updatemenus: [
        {
          type: "dropdown",
          x: 0.5,
          y: 0.5,
          buttons: [{ label: "a menu over the data", method: "restyle", args: [{}] }],
        },
      ],
    },
  };
  const report = await renderer.inspect(bad);
  const text = report.problems.join("\n");
  assert.match(text, /the title .* is cut/);
  assert.match(text, /legend (scrolls|entry)/);
  assert.match(text, /the data span \d+ % of axis x's range/);
  assert.match(text, /the data span \d+ % of axis y's range/);
  assert.match(text, /a menu \[.*\] covers the plot area/);
});

/** Every Plotly figure in a notebook's outputs. */
function notebookFigures(path: string): P.PlotlyFigure[] {
  const nb = JSON.parse(readFileSync(path, "utf8")) as { cells: { outputs?: { data?: Record<string, unknown> }[] }[] };
  return nb.cells.flatMap((c) =>
    (c.outputs ?? []).flatMap((o) => (o.data?.[PLOTLY_MIME] ? [o.data[PLOTLY_MIME] as P.PlotlyFigure] : [])),
  );
}

const notebookDirs = [join(root, "notebooks"), join(root, "test-output", "notebooks")];
for (const dir of notebookDirs) {
  test(`every figure of the notebooks in ${dir.slice(root.length + 1)} passes the figure check; each notebook is under 1 MB`, async (t) => {
    if (!existsSync(dir)) return t.skip(`${dir} does not exist (run the notebooks first)`);
    const files = readdirSync(dir).filter((f) => f.endsWith(".ipynb"));
    assert.ok(files.length > 0);
    let count = 0;
    for (const f of files) {
      const path = join(dir, f);
      assert.ok(statSync(path).size < 1e6, `${f}: ${(statSync(path).size / 1e6).toFixed(2)} MB`);
      for (const [k, fig] of notebookFigures(path).entries()) {
        const report = await renderer.inspect(fig);
        assert.deepEqual(report.problems, [], `${f}, figure ${k + 1}: ${report.problems.join("; ")}`);
        count++;
      }
    }
    assert.ok(count > 0, "the notebooks have figures");
  });
}

test("fh.plot.save writes SVG, PDF and PNG at the asked size", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fh-save-"));
  try {
    const fig = figures["scatter"]!();
    const svg = await P.save(fig, join(dir, "fig.svg"), { width: 700, height: 420 });
    const text = readFileSync(svg, "utf8");
    assert.match(text.slice(0, 300), /^<svg[^>]* width="700" height="420"/);
    assert.ok(text.includes("Estimate vs truth"), "the title is text in the SVG");
    const pdf = readFileSync(await P.save(fig, join(dir, "sub", "fig.pdf"), { width: 700, height: 420 }));
    assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");
    assert.ok(pdf.length > 5000);
    const png = readFileSync(await P.save(fig, join(dir, "fig.png"), { width: 700, height: 420, scale: 2 }));
    assert.equal(png.subarray(1, 4).toString(), "PNG");
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [1400, 840], "scale 2 doubles the pixels");
    await assert.rejects(P.save(fig, join(dir, "fig.jpg")), /path must be a file name ending in \.svg, \.pdf or \.png/);
    await assert.rejects(P.save(fig, join(dir, "fig.png"), { width: 10 }), /options\.width must be an integer >= 100/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
