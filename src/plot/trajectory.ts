import { baseLayout, fitLegend, colour, type PlotlyFigure, type PlotlyTrace } from "./theme.js";
import { checkArray, checkOptions, checkRecords, checkShape, checkString } from "../core/validate.js";

/** One search's events for the best-so-far figure, with its method's name. */
export interface TrajectoryInput {
  readonly method: string;
  /** Completed evaluations in time order: when (s from the start) and the truth found. */
  readonly events: readonly { readonly seconds: number; readonly truth: number }[];
}

/** The data behind the best-so-far figure: each search's best value over time. */
export interface TrajectoryInfo {
  readonly series: readonly { method: string; seconds: number[]; best: number[] }[];
  /** What the truth is, for the y axis (e.g. "test accuracy at T"); default "peak validation accuracy". */
  readonly truth?: string;
}

/** Best truth found so far vs wall-clock, one step line per method. */
export function trajectoryInfo(inputs: readonly TrajectoryInput[], options: { truth?: string } = {}): TrajectoryInfo {
  checkOptions("options", options, ["truth"]);
  if (options.truth !== undefined) checkString("options.truth", options.truth);
  checkArray("inputs", inputs, {
    what: "{ method, events } per search",
    item: (n, v) => {
      checkShape(n, v, "a search", { method: "string", events: "array" }, "pass { method, events }.");
      checkRecords(`${n}.events`, (v as TrajectoryInput).events, {
        what: "an event",
        fields: { seconds: "number", truth: "number" },
        fix: "pass { seconds, truth } per completed evaluation.",
      });
    },
    fix: "pass one { method, events } per search.",
  });
  return {
    ...(options.truth !== undefined ? { truth: options.truth } : {}),
    series: inputs.map((m) => {
      const ev = [...m.events].sort((a, b) => a.seconds - b.seconds);
      const seconds: number[] = [];
      const best: number[] = [];
      let b = -Infinity;
      for (const e of ev) {
        if (e.truth > b) {
          b = e.truth;
          seconds.push(e.seconds);
          best.push(b);
        }
      }
      if (ev.length && seconds.at(-1) !== ev.at(-1)!.seconds) {
        seconds.push(ev.at(-1)!.seconds);
        best.push(b);
      }
      return { method: m.method, seconds, best };
    }),
  };
}

/** The best-truth-vs-wall-clock figure of searches (figure 3). */
export function trajectoryFigure(info: TrajectoryInfo): PlotlyFigure {
  checkShape("info", info, "a trajectory info", { series: "array" }, "pass fh.plot.trajectoryInfo(...).");
  checkRecords("info.series", info.series, {
    what: "a series",
    fields: { method: "string", seconds: "array", best: "array" },
    fix: "pass fh.plot.trajectoryInfo(...).",
  });
  const data: PlotlyTrace[] = info.series.map((s, i) => ({
    type: "scatter",
    mode: "lines+markers",
    name: s.method,
    x: s.seconds,
    y: s.best,
    line: { shape: "hv", color: colour(i), width: 2 },
    marker: { size: 5, color: colour(i) },
    hovertemplate: "%{x:.0f} s: best %{y:.4f}<extra>" + s.method + "</extra>",
  }));
  return fitLegend({
    data,
    layout: baseLayout(
      "Search: best truth found vs wall-clock",
      "wall-clock (s)",
      `best truth so far (${info.truth ?? "peak validation accuracy"})`,
    ),
  });
}
