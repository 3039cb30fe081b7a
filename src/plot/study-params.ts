/**
 * Optuna's parameter plots over the toolkit's trials and space: parallel coordinates and slices
 * (the contour of two parameters is in study-contour.ts, the study plots in study-plots.ts). A float or int is a
 * numeric axis (log10 for a log parameter), a categorical an axis of its choices as tick labels,
 * a NAS cell six categorical axes (one per edge, its ops); fixed parameters are not drawn. Only
 * complete trials with an objective are drawn; a conditional parameter's inactive trials sit on an
 * "(inactive)" tick in the parallel coordinates and are left out of its slice and contour.
 */
import { fail } from "../core/errors.js";
import type { Direction } from "../core/types.js";
import type { Trial, TrialValue } from "../history/trial.js";
import { isActive, scoredTrials, type ScoredTrial } from "../search/importance.js";
import { readCell } from "../space/cell.js";
import { checkSearchSpace } from "../search/samplers.js";
import { CELL_EDGES } from "../space/cell.js";
import type { Scalar } from "../space/params.js";
import type { SearchSpace } from "../space/space.js";
import { axisStyle, baseLayout, fitLegend, type PlotlyFigure, type PlotlyTrace } from "./theme.js";
import { checkStudyArgs, hug, otherTrace, wholeStep, type AxisRange, type StudyPlotOptions } from "./study-plots.js";

/** One drawn axis of a space: a parameter, or one edge of a cell. */
export interface Column {
  readonly name: string;
  readonly param: string;
  readonly kind: "numeric" | "categorical";
  readonly log: boolean;
  /** A categorical's choices as tick labels. */
  readonly labels: readonly string[];
  /** A trial's value (numeric) or choice index (categorical); undefined when inactive or outside the space. */
  readonly read: (config: Readonly<Record<string, TrialValue>>) => number | undefined;
}

export function columnsOf(space: SearchSpace): Column[] {
  return space.params.flatMap((p): Column[] => {
    const active = (c: Readonly<Record<string, TrialValue>>) => isActive(p, c) && c[p.name] !== undefined;
    switch (p.kind) {
      case "float":
      case "int":
        return [
          {
            name: p.name,
            param: p.name,
            kind: "numeric",
            log: p.log,
            labels: [],
            read: (c) => {
              const v = c[p.name];
              return active(c) && typeof v === "number" && Number.isFinite(v) && (!p.log || v > 0) ? v : undefined;
            },
          },
        ];
      case "categorical":
        return [
          {
            name: p.name,
            param: p.name,
            kind: "categorical",
            log: false,
            labels: p.choices.map(String),
            read: (c) =>
              active(c) && p.choices.includes(c[p.name] as Scalar) ? p.choices.indexOf(c[p.name] as Scalar) : undefined,
          },
        ];
      case "cell":
        return CELL_EDGES.map(([to, from], e) => ({
          name: `${p.name} ${from}→${to}`,
          param: p.name,
          kind: "categorical" as const,
          log: false,
          labels: [...p.ops],
          read: (c: Readonly<Record<string, TrialValue>>) => {
            const ops = active(c) ? readCell(c[p.name]!, p.ops) : undefined;
            return ops ? p.ops.indexOf(ops[e]!) : undefined;
          },
        }));
      case "fixed":
        return [];
    }
  });
}

const fmt = (v: number) => String(Number(v.toPrecision(3)));
export const scaled = (col: Column, v: number) => (col.log ? Math.log10(v) : v);

/** About five round ticks over [lo, hi]: a log column's at 1, 2, 5 x 10^k (whole decades over 3 or more), on the log10 scale. */
function ticks(col: Column, lo: number, hi: number, integer: boolean): { vals: number[]; text: string[] } {
  const span = hi - lo || 1;
  if (col.log) {
    const mantissas = span >= 3 ? [1] : span >= 1 ? [1, 2, 5] : [1, 1.5, 2, 3, 5, 7];
    const vals: number[] = [];
    for (let k = Math.floor(lo); k <= Math.ceil(hi); k++)
      for (const m of mantissas) {
        const v = Math.log10(m) + k;
        if (v >= lo - 1e-9 && v <= hi + 1e-9) vals.push(v);
      }
    return { vals, text: vals.map((v) => fmt(10 ** v)) };
  }
  const raw = span / 5;
  const step = integer
    ? wholeStep(raw)
    : [1, 2, 5, 10].map((m) => m * 10 ** Math.floor(Math.log10(raw))).find((s) => s >= raw)!;
  const vals: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * span; v += step)
    vals.push(Number(v.toPrecision(12)));
  return { vals, text: vals.map(fmt) };
}

/** A Plotly log axis labelled 10^k (not 100μ), one tick per decade when it spans two or more. */
export function logAxis(range: readonly [number, number]): Record<string, unknown> {
  return { type: "log", exponentformat: "power", ...(range[1] - range[0] >= 2 ? { dtick: 1 } : {}) };
}

/** The scored trials and the checks shared by the parameter figures. */
export function prepare(space: unknown, trials: readonly Trial[], options: StudyPlotOptions) {
  checkSearchSpace("space", space);
  const args = checkStudyArgs(trials, options);
  const scored = scoredTrials(trials, options.value).sort((a, b) => a.trial.number - b.trial.number);
  if (!scored.length)
    fail("invalid-argument", {
      parameter: "trials",
      rule: "must hold a complete trial with an objective",
      received: `${trials.length} trials, none complete with an objective`,
      fix: "pass study.trials() once a trial has completed.",
    });
  return { ...args, scored, columns: columnsOf(space as SearchSpace) };
}

/** One axis of the parallel coordinates, as Plotly's parcoords dimension reads it. */
export interface ParallelDimension {
  readonly label: string;
  readonly values: readonly number[];
  readonly range: AxisRange;
  readonly tickvals?: readonly number[];
  readonly ticktext?: readonly string[];
}

/** The data behind parallelCoordinateFigure: the objective's axis, then one per parameter (cell: per edge). */
export interface ParallelCoordinateInfo {
  readonly objective: string;
  readonly direction: Direction;
  readonly ids: readonly string[];
  readonly dimensions: readonly ParallelDimension[];
}

function dimensionOf(col: Column, space: SearchSpace, rows: readonly ScoredTrial[]): ParallelDimension {
  const read = rows.map((r) => col.read(r.trial.config));
  const inactive = read.some((v) => v === undefined);
  if (col.kind === "categorical") {
    const k = col.labels.length;
    const lo = inactive ? -1 : 0;
    return {
      label: col.name,
      values: read.map((v) => v ?? -1),
      range: k - 1 > lo ? [lo, k - 1] : [lo - 0.5, k - 0.5],
      tickvals: [...(inactive ? [-1] : []), ...col.labels.map((_, i) => i)],
      ticktext: [...(inactive ? ["(inactive)"] : []), ...col.labels],
    };
  }
  const vals = read.flatMap((v) => (v === undefined ? [] : [scaled(col, v)]));
  const [lo, hi] = vals.length ? hug(vals, 0) : [0, 1];
  const p = space.params.find((q) => q.name === col.param)!;
  const t = ticks(col, lo, hi, p.kind === "int" && !col.log);
  const slot = lo - 0.15 * (hi - lo || 1);
  return {
    label: col.log ? `${col.name} (log)` : col.name,
    values: read.map((v) => (v === undefined ? slot : scaled(col, v))),
    range: [inactive ? slot : lo, hi],
    tickvals: [...(inactive ? [slot] : []), ...t.vals],
    ticktext: [...(inactive ? ["(inactive)"] : []), ...t.text],
  };
}

/** One line per complete trial across the objective and every parameter (cell: every edge). */
export function parallelCoordinateInfo(
  space: SearchSpace,
  trials: readonly Trial[],
  options: StudyPlotOptions = {},
): ParallelCoordinateInfo {
  const { direction, objective, scored, columns } = prepare(space, trials, options);
  const values = scored.map((r) => r.value);
  return {
    objective,
    direction,
    ids: scored.map((r) => r.trial.id),
    dimensions: [
      { label: objective, values, range: hug(values, 0) },
      ...columns.map((c) => dimensionOf(c, space, scored)),
    ],
  };
}

/** Parallel coordinates of the complete trials, coloured by the objective (Optuna's plot_parallel_coordinate). */
export function parallelCoordinateFigure(
  space: SearchSpace,
  trials: readonly Trial[],
  options: StudyPlotOptions = {},
): PlotlyFigure {
  const info = parallelCoordinateInfo(space, trials, options);
  const data = [
    otherTrace({
      type: "parcoords",
      labelside: "top",
      labelangle: info.dimensions.length > 8 ? -25 : 0,
      line: {
        color: info.dimensions[0]!.values,
        colorscale: "Viridis",
        // The best trials are always yellow.
        reversescale: info.direction === "minimize",
        showscale: true,
        colorbar: { title: { text: info.objective, side: "right" }, thickness: 12 },
      },
      dimensions: info.dimensions,
    }),
  ];
  const {
    xaxis: _x,
    yaxis: _y,
    ...layout
  } = baseLayout(`Parallel coordinates: ${info.ids.length} complete trials by ${info.objective}`, "", "", {
    margin: { l: 72, r: 72, t: 120, b: 40 },
  });
  return fitLegend({ data, layout });
}

/** One parameter's slice: the objective against its values. */
export interface SlicePanel {
  readonly param: string;
  readonly kind: "numeric" | "categorical";
  readonly log: boolean;
  readonly labels: readonly string[];
  /** The value (numeric) or choice index (categorical) per drawn trial. */
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly number: readonly number[];
  readonly id: readonly string[];
  /** On the log10 scale for a log parameter (Plotly's log axis range). */
  readonly xRange: AxisRange;
}

/** The data behind sliceFigure: one panel per parameter (cell: per edge), one shared objective range. */
export interface SliceInfo {
  readonly objective: string;
  readonly direction: Direction;
  readonly panels: readonly SlicePanel[];
  readonly yRange: AxisRange;
  readonly numberRange: AxisRange;
}

/** The objective against each parameter's values, over the complete trials where it is active. */
export function sliceInfo(space: SearchSpace, trials: readonly Trial[], options: StudyPlotOptions = {}): SliceInfo {
  const { direction, objective, scored, columns } = prepare(space, trials, options);
  const panels = columns.map((col): SlicePanel => {
    const rows = scored.flatMap((r) => {
      const x = col.read(r.trial.config);
      return x === undefined ? [] : [{ x, r }];
    });
    const k = col.labels.length;
    return {
      param: col.name,
      kind: col.kind,
      log: col.log,
      labels: col.labels,
      x: rows.map((q) => q.x),
      y: rows.map((q) => q.r.value),
      number: rows.map((q) => q.r.trial.number),
      id: rows.map((q) => q.r.trial.id),
      xRange: col.kind === "categorical" ? [-0.25, k - 0.75] : hug(rows.map((q) => scaled(col, q.x))),
    };
  });
  const numbers = scored.map((r) => r.trial.number);
  return {
    objective,
    direction,
    panels,
    yRange: hug(scored.map((r) => r.value)),
    numberRange: [Math.min(...numbers), Math.max(...numbers)],
  };
}

/** One subplot per parameter: the objective against its values, coloured by trial number (Optuna's plot_slice). */
export function sliceFigure(
  space: SearchSpace,
  trials: readonly Trial[],
  options: StudyPlotOptions = {},
): PlotlyFigure {
  const info = sliceInfo(space, trials, options);
  const n = info.panels.length;
  const cols = Math.min(3, n);
  const rows = Math.ceil(n / cols);
  const [gx, gy] = [0.07, 0.12];
  const axes: Record<string, unknown> = {};
  const data: PlotlyTrace[] = info.panels.map((p, i) => {
    const [r, c] = [Math.floor(i / cols), i % cols];
    const w = (1 - gx * (cols - 1)) / cols;
    const h = (1 - gy * (rows - 1)) / rows;
    const suffix = i === 0 ? "" : String(i + 1);
    const top = 1 - r * (h + gy);
    axes[`xaxis${suffix}`] = axisStyle(p.param, {
      domain: [c * (w + gx), c * (w + gx) + w],
      anchor: `y${suffix}`,
      range: p.xRange,
      ...(p.log ? logAxis(p.xRange) : {}),
      ...(p.kind === "categorical" ? { tickvals: p.labels.map((_, j) => j), ticktext: p.labels } : {}),
    });
    axes[`yaxis${suffix}`] = axisStyle(c === 0 ? info.objective : "", {
      domain: [top - h, top],
      anchor: `x${suffix}`,
      range: info.yRange,
    });
    return {
      type: "scatter",
      mode: "markers",
      name: p.param,
      showlegend: false,
      xaxis: `x${suffix}`,
      yaxis: `y${suffix}`,
      x: p.x,
      y: p.y,
      text: p.id.map((id, j) => `${id} (trial ${p.number[j]})`),
      cliponaxis: false,
      marker: {
        size: 6,
        color: p.number,
        colorscale: "Viridis",
        cmin: info.numberRange[0],
        cmax: info.numberRange[1],
        line: { color: "#444", width: 0.5 },
        showscale: i === 0,
        ...(i === 0 ? { colorbar: { title: { text: "trial", side: "right" }, thickness: 12, tickformat: "d" } } : {}),
      },
      hovertemplate: `${p.param} %{x}: %{y:.4f}<br>%{text}<extra></extra>`,
    };
  });
  const layout = baseLayout(`Slice: ${info.objective} by parameter (${info.direction})`, "", "", axes);
  return fitLegend({ data, layout }, 120 + 260 * rows);
}
