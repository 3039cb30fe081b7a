/**
 * Optuna's summary plots over the toolkit's results: hyper-parameter importances (of
 * fh.search.paramImportances), the empirical distribution function of the objective per study,
 * and the Pareto front of two objectives (fh.search.nonDominated). Each figure draws its info.
 */
import { fail, show } from "../core/errors.js";
import type { Direction } from "../core/types.js";
import { checkArray, checkOptions, checkRecords, checkShape, checkString } from "../core/validate.js";
import type { Trial } from "../history/trial.js";
import { scoredTrials, type ParamImportance } from "../search/importance.js";
import { checkParetoInput, nonDominated, type ParetoPoint } from "../search/pareto.js";
import { axisStyle, baseLayout, colour, fitLegend, type PlotlyFigure, type PlotlyTrace } from "./theme.js";
import {
  checkStudyArgs,
  hug,
  objectiveName,
  otherTrace,
  type AxisRange,
  type StudyPlotOptions,
} from "./study-plots.js";

/** Hyper-parameter importances as horizontal bars, the most important on top (Optuna's plot_param_importances). */
export function paramImportancesFigure(importances: readonly ParamImportance[]): PlotlyFigure {
  checkRecords(
    "importances",
    importances,
    {
      what: "an importance",
      fields: { param: "string", importance: "number" },
      fix: "pass fh.search.paramImportances(space, trials).",
    },
    { min: 1 },
  );
  const rows = [...importances].sort((a, b) => a.importance - b.importance);
  const max = Math.max(...rows.map((r) => r.importance));
  const data = [
    otherTrace({
      type: "bar",
      orientation: "h",
      name: "importance",
      x: rows.map((r) => r.importance),
      y: rows.map((r) => r.param),
      text: rows.map((r) => r.importance.toFixed(2)),
      textposition: "outside",
      cliponaxis: false,
      marker: { color: colour(0) },
      hovertemplate: "%{y}: %{x:.3f}<extra></extra>",
      showlegend: false,
    }),
  ];
  return fitLegend(
    {
      data,
      layout: baseLayout("Hyper-parameter importances", "importance (shares sum to 1)", "parameter", {
        xaxis: axisStyle("importance (shares sum to 1)", { range: [0, max > 0 ? max * 1.12 : 1] }),
        yaxis: axisStyle("parameter", { type: "category" }),
        bargap: 0.3,
      }),
    },
    Math.max(260, 120 + 28 * rows.length),
  );
}

/** One study's objectives for the EDF figure. */
export interface EdfStudy {
  readonly name: string;
  readonly trials: readonly Trial[];
}

/** The data behind edfFigure: per study, its sorted objectives and the fraction of trials at or below each. */
export interface EdfInfo {
  readonly objective: string;
  readonly series: readonly {
    readonly name: string;
    readonly value: readonly number[];
    readonly fraction: readonly number[];
  }[];
  readonly xRange: AxisRange;
}

/** The empirical distribution of the complete trials' objective, per study. */
export function edfInfo(studies: readonly EdfStudy[], options: Omit<StudyPlotOptions, "direction"> = {}): EdfInfo {
  checkArray("studies", studies, {
    min: 1,
    what: "{ name, trials } per study",
    item: (n, v) => {
      checkShape(n, v, "a study", { name: "string", trials: "array" }, "pass { name, trials: study.trials() }.");
      checkStudyArgs((v as EdfStudy).trials, options, ["value", "objective"]);
    },
    fix: "pass one { name, trials } per study.",
  });
  const series = studies.map((s) => {
    const value = scoredTrials(s.trials, options.value)
      .map((t) => t.value)
      .sort((a, b) => a - b);
    return { name: s.name, value, fraction: value.map((_, i) => (i + 1) / value.length) };
  });
  if (series.every((s) => s.value.length === 0))
    fail("invalid-argument", {
      parameter: "studies",
      rule: "must hold a complete trial with an objective",
      received: show(studies.map((s) => `${s.name}: ${s.trials.length} trials`)),
      fix: "pass studies with complete trials.",
    });
  return {
    objective: objectiveName(options),
    series,
    xRange: hug(
      series.flatMap((s) => s.value),
      0,
    ),
  };
}

/** The empirical distribution function of the objective, one step line per study (Optuna's plot_edf). */
export function edfFigure(
  studies: readonly EdfStudy[],
  options: Omit<StudyPlotOptions, "direction"> = {},
): PlotlyFigure {
  const info = edfInfo(studies, options);
  const data: PlotlyTrace[] = info.series.map((s, i) => ({
    type: "scatter",
    mode: "lines",
    name: `${s.name} (${s.value.length})`,
    // From 0 at its smallest objective to 1 at its largest, held to the axis' right end.
    x: s.value.length ? [s.value[0]!, ...s.value, info.xRange[1]] : [],
    y: s.value.length ? [0, ...s.fraction, 1] : [],
    line: { shape: "hv", color: colour(i), width: 2 },
    hovertemplate: `${s.name}: %{y:.2f} of trials at or below %{x:.4f}<extra></extra>`,
  }));
  return fitLegend({
    data,
    layout: baseLayout(
      `Empirical distribution of ${info.objective}`,
      info.objective,
      "fraction of trials at or below",
      {
        xaxis: axisStyle(info.objective, { range: info.xRange }),
        yaxis: axisStyle("fraction of trials at or below", { range: [0, 1.02] }),
      },
    ),
  });
}

/** Options of the Pareto-front figure: the two objectives' names and directions. */
export interface ParetoFrontOptions {
  readonly objectives: readonly [string, string];
  readonly directions: readonly [Direction, Direction];
}

/** The data behind paretoFrontFigure: the front (by the first objective) and the dominated points. */
export interface ParetoFrontInfo extends ParetoFrontOptions {
  readonly front: readonly ParetoPoint[];
  readonly dominated: readonly ParetoPoint[];
  readonly xRange: AxisRange;
  readonly yRange: AxisRange;
}

/** Splits two-objective points into the non-dominated front and the rest. */
export function paretoFrontInfo(points: readonly ParetoPoint[], options: ParetoFrontOptions): ParetoFrontInfo {
  checkShape(
    "options",
    options,
    "options with objectives and directions",
    { objectives: "array", directions: "array" },
    'pass { objectives: ["accuracy", "seconds"], directions: ["maximize", "minimize"] }.',
  );
  checkOptions("options", options, ["objectives", "directions"]);
  checkArray("options.objectives", options.objectives, {
    min: 2,
    item: (n, v) => checkString(n, v),
    fix: "name both objectives.",
  });
  if (options.objectives.length !== 2 || options.directions.length !== 2)
    fail("invalid-argument", {
      parameter: "options",
      rule: "must name two objectives and two directions",
      received: show(options),
      fix: "pass two of each (a 2-D front).",
    });
  const directions = checkParetoInput(points, options.directions) as [Direction, Direction];
  if (points.length === 0)
    fail("invalid-argument", {
      parameter: "points",
      rule: "must hold a point",
      received: "an empty array",
      fix: "pass { id, values } per trial.",
    });
  const front = nonDominated(points, directions).sort((a, b) => a.values[0]! - b.values[0]!);
  const onFront = new Set(front);
  return {
    objectives: [options.objectives[0], options.objectives[1]],
    directions,
    front,
    dominated: points.filter((p) => !onFront.has(p)),
    xRange: hug(points.map((p) => p.values[0]!)),
    yRange: hug(points.map((p) => p.values[1]!)),
  };
}

/** Two objectives against each other, the non-dominated points highlighted and joined (Optuna's plot_pareto_front). */
export function paretoFrontFigure(points: readonly ParetoPoint[], options: ParetoFrontOptions): PlotlyFigure {
  const info = paretoFrontInfo(points, options);
  const [ox, oy] = info.objectives;
  const hover = `${ox} %{x:.4g}, ${oy} %{y:.4g}<br>%{text}<extra></extra>`;
  const data: PlotlyTrace[] = [
    {
      type: "scatter",
      mode: "markers",
      name: `dominated (${info.dominated.length})`,
      x: info.dominated.map((p) => p.values[0]),
      y: info.dominated.map((p) => p.values[1]),
      text: info.dominated.map((p) => p.id),
      marker: { color: "#9a9a9a", size: 6, opacity: 0.7 },
      hovertemplate: hover,
    },
    {
      type: "scatter",
      mode: "lines+markers",
      name: `Pareto front (${info.front.length})`,
      x: info.front.map((p) => p.values[0]),
      y: info.front.map((p) => p.values[1]),
      text: info.front.map((p) => p.id),
      line: { shape: "linear", color: colour(3), width: 1.5 },
      marker: { color: colour(3), size: 9 },
      hovertemplate: hover,
    },
  ];
  const arrow = (d: Direction) => (d === "maximize" ? "higher is better" : "lower is better");
  const xTitle = `${ox} (${arrow(info.directions[0])})`;
  const yTitle = `${oy} (${arrow(info.directions[1])})`;
  return fitLegend({
    data,
    layout: baseLayout(`Pareto front: ${ox} vs ${oy}`, xTitle, yTitle, {
      xaxis: axisStyle(xTitle, { range: info.xRange }),
      yaxis: axisStyle(yTitle, { range: info.yRange }),
    }),
  });
}
