/**
 * The timeline of a study (Optuna's plot_timeline): one row per worker, each trial a bar from when
 * it was asked for to when it ended (still running: to `now`), coloured by its final state, with
 * trials a scheduler paused and promoted later shown apart. Times are seconds since the first
 * trial started, so figures of different studies compare.
 */
import { fail } from "../core/errors.js";
import type { TrialState } from "../core/types.js";
import { checkNumber, checkOptions } from "../core/validate.js";
import type { Trial } from "../history/trial.js";
import { STATE_COLOUR, checkStudyArgs, hug, otherTrace, type AxisRange } from "./study-plots.js";
import { axisStyle, baseLayout, fitLegend, type PlotlyFigure, type PlotlyTrace } from "./theme.js";

/** A bar's class: the trial's state, or "promoted" for a trial that was paused and went on. */
export type TimelineState = TrialState | "promoted";

/** One bar of the timeline. */
export interface TimelineBar {
  readonly id: string;
  readonly worker: number;
  readonly state: TimelineState;
  /** Seconds since the first trial started. */
  readonly start: number;
  readonly end: number;
  readonly epochs: number;
}

/** The data behind timelineFigure. */
export interface TimelineInfo {
  readonly bars: readonly TimelineBar[];
  /** Worker numbers with a row, ascending. */
  readonly workers: readonly number[];
  /** Trials left out: never started (no startedAt). */
  readonly undated: readonly string[];
  readonly xRange: AxisRange;
}

const ORDER: readonly TimelineState[] = ["complete", "promoted", "pruned", "failed", "running"];
const COLOUR: Record<TimelineState, string> = { ...STATE_COLOUR, promoted: "#CC79A7" };

/** Bars per trial with a start time; `now` (ms since 1970, default Date.now()) ends running trials' bars. */
export function timelineInfo(trials: readonly Trial[], options: { now?: number } = {}): TimelineInfo {
  checkStudyArgs(trials, {}, []);
  checkOptions("options", options, ["now"]);
  const now = options.now === undefined ? Date.now() : checkNumber("options.now", options.now, { min: 0 });
  const dated = trials.filter((t) => Number.isFinite(t.startedAt));
  if (!dated.length)
    fail("data-missing", {
      parameter: "trials",
      rule: "must have a start time (startedAt) to draw a timeline",
      received: `${trials.length} trials, none started`,
      fix: "pass trials of a study (study.trials()); trials built by hand need startedAt and endedAt.",
    });
  const t0 = Math.min(...dated.map((t) => t.startedAt!));
  const bars = [...dated]
    .sort((a, b) => a.startedAt! - b.startedAt! || a.number - b.number)
    .map((t): TimelineBar => {
      const end = t.state === "running" || t.endedAt === undefined ? Math.max(now, t.startedAt!) : t.endedAt;
      return {
        id: t.id,
        worker: t.worker ?? 0,
        state: t.state === "complete" && (t.promotions ?? 0) > 0 ? "promoted" : t.state,
        start: (t.startedAt! - t0) / 1000,
        end: (end - t0) / 1000,
        epochs: t.epochs,
      };
    });
  return {
    bars,
    workers: [...new Set(bars.map((b) => b.worker))].sort((a, b) => a - b),
    undated: trials.filter((t) => !Number.isFinite(t.startedAt)).map((t) => t.id),
    xRange: hug([0, ...bars.map((b) => b.end)], 0.02),
  };
}

/** One row per worker, one bar per trial coloured by its final state (Optuna's plot_timeline). */
export function timelineFigure(trials: readonly Trial[], options: { now?: number } = {}): PlotlyFigure {
  const info = timelineInfo(trials, options);
  const label = (w: number) => `worker ${w}`;
  const data: PlotlyTrace[] = ORDER.flatMap((state) => {
    const group = info.bars.filter((b) => b.state === state);
    if (!group.length) return [];
    return [
      otherTrace({
        type: "bar",
        orientation: "h",
        name: `${state === "promoted" ? "paused, then promoted" : state} (${group.length})`,
        base: group.map((b) => b.start),
        x: group.map((b) => Math.max(b.end - b.start, 1e-3)),
        y: group.map((b) => label(b.worker)),
        text: group.map((b) => `${b.id}: ${b.epochs} epochs`),
        marker: { color: COLOUR[state], line: { color: "#ffffff", width: 0.5 } },
        hovertemplate: "%{text}<br>%{base:.1f} s to %{x:.1f} s long<extra>" + state + "</extra>",
      }) as unknown as PlotlyTrace,
    ];
  });
  const rows = info.workers.map(label);
  return fitLegend({
    data,
    layout: baseLayout(
      `Timeline: ${info.bars.length} trials on ${rows.length} workers`,
      "seconds since the first trial",
      "",
      {
        barmode: "overlay",
        xaxis: axisStyle("seconds since the first trial", { range: info.xRange }),
        yaxis: axisStyle("", { type: "category", categoryorder: "array", categoryarray: [...rows].reverse() }),
        height: Math.min(900, 160 + 34 * rows.length),
      },
    ),
  });
}
