/**
 * The contour of two parameters (Optuna's plot_contour) over the toolkit's trials and space: the
 * objective interpolated between the complete trials (inverse squared distances), with the trials
 * on top. A float or int is a numeric axis (log for a log parameter), a categorical its choices.
 */
import { fail, show } from "../core/errors.js";
import type { Direction } from "../core/types.js";
import { checkString } from "../core/validate.js";
import type { Trial } from "../history/trial.js";
import type { SearchSpace } from "../space/space.js";
import { axisStyle, baseLayout, fitLegend, type PlotlyFigure, type PlotlyTrace } from "./theme.js";
import { hug, otherTrace, type AxisRange, type StudyPlotOptions } from "./study-plots.js";
import { logAxis, prepare, scaled, type Column } from "./study-params.js";

/** One axis of the contour: its parameter, scale, choice labels and range. */
export interface ContourAxis {
  readonly param: string;
  readonly kind: "numeric" | "categorical";
  readonly log: boolean;
  readonly labels: readonly string[];
  /** The grid's extent; on the log10 scale for a log parameter. */
  readonly range: AxisRange;
}

/** The data behind contourFigure: the trials, and an inverse-distance interpolation of their objective on a grid. */
export interface ContourInfo {
  readonly objective: string;
  readonly direction: Direction;
  readonly x: ContourAxis;
  readonly y: ContourAxis;
  readonly points: readonly { readonly id: string; readonly x: number; readonly y: number; readonly value: number }[];
  /** z[j][i]: the interpolated objective at (grid.x[i], grid.y[j]). */
  readonly grid: { readonly x: readonly number[]; readonly y: readonly number[]; readonly z: readonly number[][] };
}

function contourColumn(columns: readonly Column[], space: SearchSpace, name: string, which: "x" | "y"): Column {
  checkString(which, name);
  const p = space.params.find((q) => q.name === name);
  if (!p || p.kind === "fixed" || p.kind === "cell")
    fail("invalid-argument", {
      parameter: which,
      rule: "must name a float, int or categorical parameter of the space",
      received: p ? `${show(name)} (${p.kind})` : show(name),
      fix: `use one of ${columns
        .filter((c) => c.name === c.param)
        .map((c) => c.name)
        .join(", ")}; cells are drawn per edge by sliceFigure.`,
    });
  return columns.find((c) => c.name === name)!;
}

/** Grid positions along an axis: each choice of a categorical, 30 points over a numeric one's data (log-spaced for log). */
function axisOf(
  col: Column,
  values: readonly number[],
): { axis: ContourAxis; grid: number[]; unit: (v: number) => number } {
  const k = col.labels.length;
  if (col.kind === "categorical") {
    const grid = col.labels.map((_, i) => i);
    return {
      axis: {
        param: col.name,
        kind: col.kind,
        log: false,
        labels: col.labels,
        range: k > 1 ? [0, k - 1] : [-0.5, 0.5],
      },
      grid,
      unit: (v) => v / Math.max(1, k - 1),
    };
  }
  const s = values.map((v) => scaled(col, v));
  let [lo, hi] = [Math.min(...s), Math.max(...s)];
  if (!(hi > lo)) [lo, hi] = hug(s, 0, [lo, hi]);
  const grid = Array.from({ length: 30 }, (_, i) => lo + ((hi - lo) * i) / 29).map((v) => (col.log ? 10 ** v : v));
  return {
    axis: { param: col.name, kind: col.kind, log: col.log, labels: [], range: [lo, hi] },
    grid,
    unit: (v) => (scaled(col, v) - lo) / (hi - lo),
  };
}

/**
 * The objective of the complete trials where both parameters are active, and its interpolation on
 * a grid by inverse squared distances (Shepard's method) in coordinates scaled to [0, 1] per axis:
 * a picture of the trials, not a surrogate model (no smoothing, no extrapolation beyond them).
 */
export function contourInfo(
  space: SearchSpace,
  trials: readonly Trial[],
  x: string,
  y: string,
  options: StudyPlotOptions = {},
): ContourInfo {
  const { direction, objective, scored, columns } = prepare(space, trials, options);
  const [cx, cy] = [contourColumn(columns, space, x, "x"), contourColumn(columns, space, y, "y")];
  if (x === y)
    fail("invalid-argument", {
      parameter: "y",
      rule: "must differ from x",
      received: show(y),
      fix: "pick two parameters.",
    });
  const points = scored.flatMap((r) => {
    const [vx, vy] = [cx.read(r.trial.config), cy.read(r.trial.config)];
    return vx === undefined || vy === undefined ? [] : [{ id: r.trial.id, x: vx, y: vy, value: r.value }];
  });
  if (!points.length)
    fail("invalid-argument", {
      parameter: "trials",
      rule: `must hold a complete trial where both ${x} and ${y} are active`,
      received: `${scored.length} complete trials, none with both`,
      fix: "pick two parameters that are active together.",
    });
  const ax = axisOf(
    cx,
    points.map((p) => p.x),
  );
  const ay = axisOf(
    cy,
    points.map((p) => p.y),
  );
  const at = points.map((p) => [ax.unit(p.x), ay.unit(p.y), p.value] as const);
  const z = ay.grid.map((gy) =>
    ax.grid.map((gx) => {
      const [ux, uy] = [ax.unit(gx), ay.unit(gy)];
      let [num, den] = [0, 0];
      for (const [px, py, v] of at) {
        const d2 = (px - ux) ** 2 + (py - uy) ** 2;
        if (d2 < 1e-18) return v;
        num += v / d2;
        den += 1 / d2;
      }
      return num / den;
    }),
  );
  return { objective, direction, x: ax.axis, y: ay.axis, points, grid: { x: ax.grid, y: ay.grid, z } };
}

function contourAxis(a: ContourAxis): Record<string, unknown> {
  return axisStyle(a.param, {
    range: a.range,
    ...(a.log ? logAxis(a.range) : {}),
    ...(a.kind === "categorical" ? { tickvals: a.labels.map((_, i) => i), ticktext: a.labels } : {}),
  });
}

/**
 * The objective over two parameters: a Plotly contour of the inverse-distance interpolation of
 * contourInfo (a picture between the trials, not a model), with the trials as points (Optuna's
 * plot_contour).
 */
export function contourFigure(
  space: SearchSpace,
  trials: readonly Trial[],
  x: string,
  y: string,
  options: StudyPlotOptions = {},
): PlotlyFigure {
  const info = contourInfo(space, trials, x, y, options);
  const data: PlotlyTrace[] = [
    otherTrace({
      type: "contour",
      name: `${info.objective} (interpolated)`,
      x: info.grid.x,
      y: info.grid.y,
      z: info.grid.z,
      colorscale: "Viridis",
      reversescale: info.direction === "minimize",
      contours: { coloring: "heatmap" },
      line: { width: 0.5, color: "rgba(255,255,255,0.5)" },
      colorbar: { title: { text: info.objective, side: "right" }, thickness: 12 },
      hovertemplate: `${info.x.param} %{x}, ${info.y.param} %{y}: %{z:.4f} (interpolated)<extra></extra>`,
      showlegend: false,
    }),
    {
      type: "scatter",
      mode: "markers",
      name: `trials (${info.points.length})`,
      x: info.points.map((p) => p.x),
      y: info.points.map((p) => p.y),
      text: info.points.map((p) => `${p.id}: ${p.value.toFixed(4)}`),
      cliponaxis: false,
      marker: { size: 7, color: "#ffffff", line: { color: "#000000", width: 1 } },
      hovertemplate: "%{text}<extra></extra>",
      showlegend: false,
    },
  ];
  const title = `Contour: ${info.objective} over ${info.x.param} and ${info.y.param} (interpolated between ${info.points.length} trials)`;
  return fitLegend({
    data,
    layout: baseLayout(title, info.x.param, info.y.param, { xaxis: contourAxis(info.x), yaxis: contourAxis(info.y) }),
  });
}
