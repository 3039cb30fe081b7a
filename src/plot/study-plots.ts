/**
 * Optuna's study plots (optuna.visualization) over the toolkit's trials: the optimisation history
 * and the intermediate values, and the helpers every study figure shares; the importances, EDF
 * and Pareto front are in study-summary.ts, the parameter plots in study-params.ts (parallel
 * coordinates, slice) and study-contour.ts. Each figure function takes plain data (trials, a space, points) and draws its
 * `...Info`, a pure data step the tests assert on. Only complete trials have an objective (by
 * default their peak validation accuracy; see fh.search.ObjectiveOptions); every axis hugs its
 * data, and trial and epoch axes tick whole numbers only.
 */
import { fail } from "../core/errors.js";
import type { Direction, TrialState } from "../core/types.js";
import { checkOneOf, checkOptions, checkString } from "../core/validate.js";
import { checkTrials, type Trial } from "../history/trial.js";
import { checkObjectiveOptions, trialObjective, type ObjectiveOptions } from "../search/importance.js";
import { axisStyle, baseLayout, epochAxis, fitLegend, type PlotlyFigure, type PlotlyTrace } from "./theme.js";

/** Options of the study figures: the objective (fh.search.ObjectiveOptions) and its name on the axes. */
export interface StudyPlotOptions extends ObjectiveOptions {
  /** The objective's name on axes and in titles. Default "peak validation accuracy" (or "objective" with `value`). */
  readonly objective?: string;
}

/** A [low, high] axis range. */
export type AxisRange = readonly [number, number];

/**
 * A trace of a type theme.ts's PlotlyTrace does not list (bar, parcoords, contour): the one cast
 * of the study figures, so their JSON is exactly what Plotly reads.
 */
export function otherTrace(trace: { readonly type: "bar" | "parcoords" | "contour"; readonly [k: string]: unknown }) {
  return trace as unknown as PlotlyTrace;
}

/** A range that hugs `values` with a margin of `pad` of their span (a constant gets +-5% of it, or +-0.5). */
export function hug(values: readonly number[], pad = 0.04, fallback: AxisRange = [0, 1]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (!finite.length) return [...fallback];
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const m = hi > lo ? (hi - lo) * pad : Math.abs(lo) * 0.05 || 0.5;
  return [lo - m, hi + m];
}

/** The smallest of 1, 2, 5, 10, 20, 50, ... at least `x`: a whole-number tick step. */
export function wholeStep(x: number): number {
  let step = 1;
  for (let k = 0; step < x; k++) step = [1, 2, 5][k % 3]! * 10 ** Math.floor(k / 3);
  return step;
}

/** An axis of trial numbers (or epochs) lo..hi: whole ticks, about 10 of them, the range half a step past the ends. */
export function wholeAxis(title: string, lo: number, hi: number, epochs = false): Record<string, unknown> {
  const dtick = wholeStep((hi - lo) / 10);
  // Lines of epochs run edge to edge; markers of trials (or a single epoch) get half a step of room.
  const range = epochs && hi > lo ? [lo, hi] : [lo - 0.5, hi + 0.5];
  const extra = { dtick, tick0: epochs ? 1 : 0, range };
  return epochs ? epochAxis(title, extra) : axisStyle(title, { tickformat: "d", ...extra });
}

/** The objective's name: the option, else what the default objective is. */
export function objectiveName(options: StudyPlotOptions): string {
  if (options.objective !== undefined) return checkString("options.objective", options.objective);
  return options.value === undefined ? "peak validation accuracy" : "objective";
}

/** The checks every study figure makes of its trials and options; returns the direction and the objective's name. */
export function checkStudyArgs(
  trials: unknown,
  options: StudyPlotOptions,
  keys: readonly string[] = ["value", "direction", "objective"],
): { direction: Direction; objective: string } {
  checkTrials("trials", trials, { number: "number", config: "object" });
  checkOptions("options", options, keys);
  if ((trials as Trial[]).length === 0)
    fail("invalid-argument", {
      parameter: "trials",
      rule: "must hold at least one trial",
      received: "an empty array",
      fix: "pass study.trials() once a trial has run.",
    });
  return { direction: checkObjectiveOptions("options", options), objective: objectiveName(options) };
}

const STATES: readonly TrialState[] = ["complete", "pruned", "failed", "running"];
export const STATE_COLOUR: Record<TrialState, string> = {
  complete: "#0072B2",
  running: "#009E73",
  pruned: "#E69F00",
  failed: "#D55E00",
};

/** One trial of the optimisation history: its objective (pruned: its value when it stopped), or none. */
export interface HistoryPoint {
  readonly number: number;
  readonly id: string;
  readonly state: TrialState;
  /** Undefined: no value (a failed trial, or one pruned before its first epoch); drawn on the bottom edge. */
  readonly value?: number;
  readonly note: string;
}

/** The data behind optimizationHistoryFigure. */
export interface OptimizationHistoryInfo {
  readonly objective: string;
  readonly direction: Direction;
  /** Complete, pruned and failed trials by number (running ones are not drawn). */
  readonly points: readonly HistoryPoint[];
  /** The best objective of the complete trials so far, as a step line over trial numbers. */
  readonly best: { readonly number: readonly number[]; readonly value: readonly number[] };
  readonly xRange: AxisRange;
  readonly yRange: AxisRange;
}

/**
 * The objective per trial number and the best so far (complete trials only). Pruned trials show
 * the value when they stopped (`value(trial)`, by default their peak validation accuracy so far),
 * failed ones sit on the bottom edge with their error in the hover text.
 */
export function optimizationHistoryInfo(
  trials: readonly Trial[],
  options: StudyPlotOptions = {},
): OptimizationHistoryInfo {
  const { direction, objective } = checkStudyArgs(trials, options);
  const shown = [...trials].filter((t) => t.state !== "running").sort((a, b) => a.number - b.number);
  const points = shown.map((t): HistoryPoint => {
    const value = t.state === "failed" ? undefined : trialObjective(t, options.value);
    const note =
      t.state === "failed"
        ? `failed at epoch ${t.error?.epoch ?? t.epochs}: ${t.error?.message ?? "no message"}`
        : t.state === "pruned"
          ? `pruned after epoch ${t.epochs}`
          : `complete, ${t.epochs} epochs`;
    return { number: t.number, id: t.id, state: t.state, ...(value === undefined ? {} : { value }), note };
  });
  const better = (a: number, b: number) => (direction === "maximize" ? a > b : a < b);
  const best = { number: [] as number[], value: [] as number[] };
  for (const p of points) {
    if (p.state !== "complete" || p.value === undefined) continue;
    const b = best.value.at(-1);
    best.number.push(p.number);
    best.value.push(b === undefined || better(p.value, b) ? p.value : b);
  }
  const last = points.at(-1)?.number;
  if (best.number.length && last !== undefined && best.number.at(-1)! < last) {
    best.number.push(last);
    best.value.push(best.value.at(-1)!);
  }
  const numbers = points.map((p) => p.number);
  return {
    objective,
    direction,
    points,
    best,
    xRange: numbers.length ? [numbers[0]! - 0.5, numbers.at(-1)! + 0.5] : [-0.5, 0.5],
    yRange: hug(points.flatMap((p) => (p.value === undefined ? [] : [p.value]))),
  };
}

/** Objective per trial number with the best-so-far line; pruned and failed trials marked (Optuna's plot_optimization_history). */
export function optimizationHistoryFigure(trials: readonly Trial[], options: StudyPlotOptions = {}): PlotlyFigure {
  const info = optimizationHistoryInfo(trials, options);
  const symbol: Record<TrialState, string> = { complete: "circle", pruned: "triangle-down", failed: "x", running: "" };
  const data: PlotlyTrace[] = STATES.flatMap((state): PlotlyTrace[] => {
    const ps = info.points.filter((p) => p.state === state);
    if (!ps.length) return [];
    return [
      {
        type: "scatter",
        mode: "markers",
        name: `${state} (${ps.length})`,
        x: ps.map((p) => p.number),
        y: ps.map((p) => p.value ?? info.yRange[0]),
        text: ps.map((p) => `${p.id}: ${p.note}`),
        cliponaxis: false,
        marker: { symbol: symbol[state], size: state === "complete" ? 7 : 8, color: STATE_COLOUR[state] },
        hovertemplate: "trial %{x}: %{y:.4f}<br>%{text}<extra></extra>",
      },
    ];
  });
  data.push({
    type: "scatter",
    mode: "lines",
    name: "best so far",
    x: info.best.number,
    y: info.best.value,
    line: { shape: "hv", color: "#000000", width: 2 },
    hovertemplate: "best after trial %{x}: %{y:.4f}<extra></extra>",
  });
  const x = wholeAxis("trial number", info.xRange[0] + 0.5, info.xRange[1] - 0.5);
  return fitLegend({
    data,
    layout: baseLayout(`Optimisation history (${info.direction} ${info.objective})`, "trial number", info.objective, {
      xaxis: x,
      yaxis: axisStyle(info.objective, { range: info.yRange }),
    }),
  });
}

/** The data behind intermediateValuesFigure: every trial's validation accuracy by epoch. */
export interface IntermediateValuesInfo {
  readonly trials: readonly { readonly id: string; readonly state: TrialState; readonly valAcc: readonly number[] }[];
  readonly epochs: number;
  readonly yRange: AxisRange;
}

/** Each trial's validation accuracy by epoch (trials with no epoch yet are left out). */
export function intermediateValuesInfo(trials: readonly Trial[]): IntermediateValuesInfo {
  checkStudyArgs(trials, {}, []);
  trials.forEach((t, i) => checkOneOf(`trials[${i}].state`, t.state, STATES));
  const rows = [...trials]
    .sort((a, b) => a.number - b.number)
    .filter((t) => t.curves.valAcc.length > 0)
    .map((t) => ({ id: t.id, state: t.state, valAcc: [...t.curves.valAcc] }));
  return {
    trials: rows,
    epochs: Math.max(1, ...rows.map((r) => r.valAcc.length)),
    yRange: hug(rows.flatMap((r) => r.valAcc)),
  };
}

/** Validation accuracy by epoch, one line per trial coloured by its state (Optuna's plot_intermediate_values). */
export function intermediateValuesFigure(trials: readonly Trial[]): PlotlyFigure {
  const info = intermediateValuesInfo(trials);
  const data: PlotlyTrace[] = STATES.flatMap((state): PlotlyTrace[] => {
    const group = info.trials.filter((t) => t.state === state);
    if (!group.length) return [];
    // One trace per state, trials separated by gaps: one legend entry each, and fast with 1000 trials.
    const x: (number | null)[] = [];
    const y: (number | null)[] = [];
    const text: (string | null)[] = [];
    for (const t of group) {
      x.push(...t.valAcc.map((_, e) => e + 1), null);
      y.push(...t.valAcc, null);
      text.push(...t.valAcc.map(() => t.id), null);
    }
    return [
      {
        type: "scatter",
        mode: info.epochs === 1 ? "markers" : "lines",
        name: `${state} (${group.length})`,
        x,
        y,
        text,
        connectgaps: false,
        line: {
          color: STATE_COLOUR[state],
          width: state === "complete" ? 1.5 : 1,
          dash: state === "pruned" ? "dot" : "solid",
        },
        marker: { color: STATE_COLOUR[state], size: 5 },
        hovertemplate: "%{text}, epoch %{x}: %{y:.4f}<extra>" + state + "</extra>",
      },
    ];
  });
  return fitLegend({
    data,
    layout: baseLayout(
      `Intermediate values: validation accuracy of ${info.trials.length} trials`,
      "epoch",
      "validation accuracy",
      {
        xaxis: wholeAxis("epoch", 1, info.epochs, true),
        yaxis: axisStyle("validation accuracy", { range: info.yRange }),
      },
    ),
  });
}
