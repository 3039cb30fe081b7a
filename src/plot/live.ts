/**
 * The live view of a search (info, then figure, like every plot): the best truth found so far
 * against wall-clock, and every trial's validation accuracy by epoch, coloured by its state, so
 * pruned trials visibly stop at the pruner's epoch.
 */
import type { TrialState } from "../core/types.js";
import { peakValAcc } from "../history/curves.js";
import { checkTrials, type Trial } from "../history/trial.js";
import { baseLayout, fitLegend, epochAxis, type PlotlyFigure, type PlotlyTrace } from "./theme.js";
import { trajectoryInfo, type TrajectoryInfo } from "./trajectory.js";
import { checkOneOf, checkOptions, checkRecords, checkShape, checkString } from "../core/validate.js";

const STATES: readonly TrialState[] = ["running", "complete", "pruned", "failed"];

/** The data behind the live figures: counts by state, best-so-far over time and every curve by state. */
export interface LiveSearchInfo {
  /** Best peak validation accuracy of the complete trials vs seconds since `start`. */
  readonly trajectory: TrajectoryInfo;
  readonly trials: readonly {
    readonly id: string;
    readonly state: TrialState;
    readonly valAcc: readonly number[];
  }[];
  readonly counts: Readonly<Record<TrialState, number>>;
}

/** What the live view shows, from the study's trials; `start` is the search's start (ms since 1970). */
export function liveSearchInfo(trials: readonly Trial[], options: { start: number; label?: string }): LiveSearchInfo {
  checkTrials("trials", trials);
  checkShape(
    "options",
    options,
    "options with a start time",
    { start: "number" },
    "pass { start: Date.now() at the search's start }.",
  );
  checkOptions("options", options, ["start", "label"]);
  if (options.label !== undefined) checkString("options.label", options.label);
  trials.forEach((t, i) => {
    checkOneOf(`trials[${i}].state`, t.state, STATES);
    checkShape(`trials[${i}].curves`, t.curves, "a trial's curves", { valAcc: "array" }, "pass study.trials().");
    for (const key of ["endedAt", "startedAt"] as const)
      if (t[key] !== undefined) checkShape(`trials[${i}]`, t, "a trial", { [key]: "number" }, "pass study.trials().");
  });
  const counts: Record<TrialState, number> = { running: 0, complete: 0, pruned: 0, failed: 0 };
  for (const t of trials) counts[t.state]++;
  const events = trials
    .filter((t) => t.state === "complete" && t.endedAt !== undefined)
    .map((t) => ({ seconds: Math.max(0, (t.endedAt! - options.start) / 1000), truth: peakValAcc(t.curves) }));
  return {
    trajectory: trajectoryInfo([{ method: options.label ?? "best complete trial", events }]),
    trials: trials.map((t) => ({ id: t.id, state: t.state, valAcc: [...t.curves.valAcc] })),
    counts,
  };
}

const STATE_STYLE: Record<TrialState, { color: string; dash: string; width: number }> = {
  complete: { color: "#0072B2", dash: "solid", width: 1.5 },
  running: { color: "#009E73", dash: "solid", width: 2 },
  pruned: { color: "#E69F00", dash: "dot", width: 1 },
  failed: { color: "#D55E00", dash: "dash", width: 1 },
};

/** Validation accuracy by epoch, one line per trial, one legend entry per state. */
export function liveCurvesFigure(info: LiveSearchInfo): PlotlyFigure {
  checkShape(
    "info",
    info,
    "a live search info",
    { trajectory: "object", trials: "array" },
    "pass fh.plot.liveSearchInfo(...).",
  );
  checkRecords("info.trials", info.trials, {
    what: "a trial's line",
    fields: { id: "string", state: "string", valAcc: "array" },
    fix: "pass fh.plot.liveSearchInfo(...).",
  });
  checkShape(
    "info.counts",
    info.counts,
    "trial counts by state",
    { running: "number", complete: "number", pruned: "number", failed: "number" },
    "pass fh.plot.liveSearchInfo(...).",
  );
  const data: PlotlyTrace[] = (["complete", "running", "pruned", "failed"] as const).flatMap((state) => {
    const group = info.trials.filter((t) => t.state === state && t.valAcc.length > 0);
    if (!group.length) return [];
    const x: (number | null)[] = [];
    const y: (number | null)[] = [];
    const text: (string | null)[] = [];
    for (const t of group) {
      t.valAcc.forEach((v, e) => {
        x.push(e + 1);
        y.push(v);
        text.push(t.id);
      });
      x.push(null);
      y.push(null);
      text.push(null);
    }
    const s = STATE_STYLE[state];
    return [
      {
        type: "scatter" as const,
        mode: "lines+markers",
        name: `${state} (${info.counts[state]})`,
        x,
        y,
        text,
        connectgaps: false,
        line: { color: s.color, dash: s.dash, width: s.width },
        marker: { size: 4, color: s.color },
        hovertemplate: "%{text}, epoch %{x}: %{y:.3f}<extra>" + state + "</extra>",
      },
    ];
  });
  const c = info.counts;
  return fitLegend({
    data,
    layout: baseLayout(
      `Trials: ${c.complete} complete, ${c.pruned} pruned, ${c.failed} failed, ${c.running} running`,
      "epoch",
      "validation accuracy",
      { xaxis: epochAxis("epoch") },
    ),
  });
}
