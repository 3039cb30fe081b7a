/**
 * What notebooks 02 and 03 compute from study summaries: choosing a default on one study only,
 * FH+'s scores (out-of-fold within a study, or fitted on another study and applied frozen), and
 * the replayed searches with honest costs.
 */
import { fail, show } from "../core/errors.js";
import {
  checkKeys,
  checkNumber,
  checkNumbers,
  checkRequired,
  checkString,
  checkStrings,
  checkRecords,
} from "../core/validate.js";
import { spearman } from "../metrics/rank.js";
import { crossValidatedStacked, fitStacked, predictStacked } from "../proxy/stacked.js";
import type { Estimator } from "../proxy/types.js";
import { estimatorPruner } from "../search/pruners.js";
import { replaySchedule, timeToReach, type SearchEvent } from "../search/live-replay.js";
import { ashaScheduler, prunerScheduler, type Scheduler } from "../search/schedulers.js";
import type { Trial } from "../history/trial.js";
import { createRng, permutation } from "../core/random.js";
import {
  recordedEstimator,
  summaryAsTrials,
  summaryEstimateSeconds,
  summaryScores,
  summaryStackedInputs,
  summaryTrials,
  type StudySummary,
} from "./summary.js";
import { checkSummary } from "./summary.js";

/** Spearman of each named estimator at each budget on a summary's complete trials, and their mean; best first. */
export function rankEstimators(
  summary: StudySummary,
  names: readonly string[],
  budgets: readonly number[],
): { estimator: string; mean: number; spearman: (number | null)[] }[] {
  checkSummary("summary", summary);
  checkStrings("names", names, "name estimators of the summary.");
  checkNumbers("budgets", budgets, 1);
  const trials = summaryTrials(summary);
  return names
    .map((name) => {
      const per = budgets.map((t) => {
        const ok = trials.filter((tr) => typeof tr.estimates[name]?.[t - 1] === "number");
        if (ok.length < 3) return null;
        const v = spearman(
          ok.map((tr) => tr.estimates[name]![t - 1]!),
          ok.map((tr) => tr.testAcc!),
        );
        return v ?? null;
      });
      const vals = per.filter((v): v is number => v !== null);
      return {
        estimator: name,
        mean: vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : -Infinity,
        spearman: per,
      };
    })
    .sort((a, b) => b.mean - a.mean);
}

/** Options of fh.study.stackedScores: the FH variant, the budgets, the study FH+ is fitted on, folds and seed. */
export interface StackedScoresOptions {
  /** The FH estimator (a name in the summary) whose estimates FH+ reads. */
  readonly fh: string;
  /** Budgets 1..upTo. */
  readonly upTo: number;
  /**
   * Fit on this other study (with its own FH estimates of the same name) and apply frozen. Default:
   * out-of-fold within `summary` (each trial scored by a model fitted on the other folds).
   */
  readonly fitOn?: StudySummary;
  readonly folds?: number;
  readonly seed?: number;
}

/** FH+ scores per trial id (index t - 1) of a summary's complete trials. */
export function stackedScores(summary: StudySummary, options: StackedScoresOptions): Record<string, (number | null)[]> {
  checkSummary("summary", summary);
  checkRequired("options", options, ["fh", "upTo", "fitOn", "folds", "seed"]);
  if (options.fitOn !== undefined) checkSummary("options.fitOn", options.fitOn);
  const upTo = checkNumber("options.upTo", options.upTo, { integer: true, min: 1, max: summary.budget });
  const trials = summaryTrials(summary);
  const inputs = summaryStackedInputs(summary, options.fh);
  const truths = trials.map((t) => t.testAcc!);
  const out: Record<string, (number | null)[]> = Object.fromEntries(trials.map((t) => [t.id, []]));
  // The other study's inputs and truths, read once for every t.
  const fitOn = options.fitOn && {
    inputs: summaryStackedInputs(options.fitOn, options.fh),
    truths: summaryTrials(options.fitOn).map((x) => x.testAcc!),
  };
  for (let t = 1; t <= upTo; t++) {
    let scores: (number | undefined)[];
    if (fitOn) {
      const model = fitStacked(fitOn.inputs, fitOn.truths, t);
      scores = inputs.map((inp) => predictStacked(model, inp));
    } else
      scores = crossValidatedStacked(inputs, truths, t, {
        folds: options.folds ?? 5,
        seed: options.seed ?? 0,
      }).scores;
    trials.forEach((tr, i) => out[tr.id]!.push(scores[i] ?? null));
  }
  return out;
}

/** One truth's standard error from its test-set size: sqrt(p (1 - p) / n). */
export function truthStandardError(accuracy: number, testImages: number): number {
  checkNumber("accuracy", accuracy, { min: 0, max: 1 });
  checkNumber("testImages", testImages, { integer: true, min: 1 });
  return Math.sqrt((accuracy * (1 - accuracy)) / testImages);
}

/** A search method of the estimator study's replays: its name, scheduler, and what it pays for capture and decisions. */
export interface SearchMethod {
  readonly name: string;
  readonly scheduler: Scheduler;
  /** Whether the search reads feature histories (so pays their capture). */
  readonly capture: boolean;
  /** What each scored decision costs (recorded fit seconds); none: free. */
  readonly decisionSeconds?: (trial: Trial, epoch: number) => number;
}

/**
 * The usual methods over a summary: full training; the sampling-based search (a pruner at t that
 * keeps the best `keep` share) with each score; ASHA with FH and with early stopping. Scores are
 * the summary's recorded estimates (and `extra`, e.g. FH+), decisions cost their recorded fit
 * seconds (FH+ the sum of its FH fits at t and t - 1; its ridge is negligible).
 */
export function searchMethods(
  summary: StudySummary,
  options: {
    readonly t: number;
    readonly keep: number;
    readonly scores: readonly string[];
    readonly historyScores: readonly string[];
    readonly extra?: Readonly<Record<string, { byId: Record<string, readonly (number | null)[]>; costOf: string }>>;
    readonly asha?: readonly string[];
    /** ASHA's first rung (rungs r, 3r, 9r, ... below T). Default t. */
    readonly ashaMinEpochs?: number;
    readonly warmup?: number;
  },
): SearchMethod[] {
  checkSummary("summary", summary);
  checkRequired("options", options, [
    "t",
    "keep",
    "scores",
    "historyScores",
    "extra",
    "asha",
    "ashaMinEpochs",
    "warmup",
  ]);
  checkStrings("options.scores", options.scores, "name the scores to search with.");
  checkStrings("options.historyScores", options.historyScores, "name the scores that read histories.");
  if (options.asha !== undefined) checkStrings("options.asha", options.asha, "name ASHA's scores.");
  const est = (name: string): { estimator: Estimator; seconds: Record<string, readonly number[]> } => {
    const extra = options.extra?.[name];
    if (extra)
      return { estimator: recordedEstimator(name, extra.byId), seconds: summaryEstimateSeconds(summary, extra.costOf) };
    if (!summary.estimators.some((e) => e.name === name))
      fail("invalid-argument", {
        parameter: "options.scores",
        rule: "must name estimators of the summary or of options.extra",
        received: show(name),
        fix: "use summary.estimators[i].name.",
      });
    return {
      estimator: recordedEstimator(name, summaryScores(summary, name)),
      seconds: summaryEstimateSeconds(summary, name),
    };
  };
  const fitCost =
    (seconds: Record<string, readonly number[]>, twoEpochs: boolean) =>
    (trial: Trial, epoch: number): number => {
      const s = seconds[trial.id] ?? [];
      return (s[epoch - 1] ?? 0) + (twoEpochs && epoch > 1 ? (s[epoch - 2] ?? 0) : 0);
    };
  const methods: SearchMethod[] = [{ name: "full training", scheduler: prunerScheduler(), capture: false }];
  for (const name of options.scores) {
    const { estimator, seconds } = est(name);
    const pruner = estimatorPruner({
      estimator,
      t: options.t,
      keep: options.keep,
      ...(options.warmup !== undefined ? { warmup: options.warmup } : {}),
    });
    methods.push({
      name: `sampling (t = ${options.t}, keep ${options.keep}) + ${name}`,
      scheduler: prunerScheduler(pruner),
      capture: options.historyScores.includes(name),
      decisionSeconds: fitCost(seconds, !!options.extra?.[name]),
    });
  }
  const r = options.ashaMinEpochs ?? options.t;
  for (const name of options.asha ?? []) {
    const { estimator, seconds } = est(name);
    methods.push({
      name: `ASHA (r = ${r}, eta 3) + ${name}`,
      scheduler: ashaScheduler({ estimator, minEpochs: r, eta: 3 }),
      capture: options.historyScores.includes(name),
      decisionSeconds: fitCost(seconds, !!options.extra?.[name]),
    });
  }
  return methods;
}

/** One replayed search of one method with one seed: its events and seconds. */
export interface SearchRun {
  readonly method: string;
  readonly seed: number;
  readonly events: readonly SearchEvent[];
  readonly seconds: number;
}

/**
 * Replay each method over the summary's complete trials in `seeds` random orders (the order the
 * trials are "asked"), on `workers` workers, with the truth as test accuracy.
 */
export function replaySearches(
  summary: StudySummary,
  methods: readonly SearchMethod[],
  options: { readonly workers: number; readonly seeds: readonly number[]; readonly trials?: number },
): SearchRun[] {
  checkSummary("summary", summary);
  checkRecords("methods", methods, {
    what: "a search method",
    fields: { name: "string", scheduler: "object" },
    fix: "pass searchMethods(...).",
  });
  checkRequired("options", options, ["workers", "seeds", "trials"]);
  checkNumbers("options.seeds", options.seeds, 1);
  checkKeys("options", options, ["workers", "seeds", "trials"]);
  const all = summaryAsTrials(summary);
  const n = checkNumber("options.trials", options.trials ?? all.length, { integer: true, min: 1, max: all.length });
  const runs: SearchRun[] = [];
  for (const seed of options.seeds) {
    const order = permutation(all.length, createRng(seed));
    const trials = Array.from(order.slice(0, n), (i, k) => ({ ...all[i]!, number: k }));
    for (const m of methods) {
      const r = replaySchedule(trials, m.scheduler, {
        workers: options.workers,
        capture: m.capture,
        decisionSeconds: m.decisionSeconds ?? (() => 0),
        truth: (t) => t.testAcc!,
      });
      runs.push({ method: m.name, seed, events: r.events, seconds: r.seconds });
    }
  }
  return runs;
}

/** A search method over replay seeds: how often it reached the best (within one SE, exactly), mean time to it and reduction against full training. */
export interface SearchOutcome {
  readonly method: string;
  /** Seeds where the search found a trial within one standard error of that seed's best truth. */
  readonly reachedWithinSE: number;
  /** Seeds where it found that seed's exact best trial. */
  readonly reachedExact: number;
  readonly seeds: number;
  /** Mean seconds to reach within one SE (seeds that did). */
  readonly meanSecondsToTarget: number | null;
  /** Mean of 1 - time / full training's time (seeds where both did). */
  readonly meanReduction: number | null;
  /** Mean best truth found (over seeds that completed a trial), and mean total wall-clock of the search. */
  readonly meanBestFound: number | null;
  readonly meanSeconds: number;
}

/**
 * Per method: how often and how fast it reached the best full-training result within one
 * standard error of the truth (and exactly), against the method named `baseline`.
 */
export function searchOutcomes(
  runs: readonly SearchRun[],
  options: { readonly baseline: string; readonly testImages: number },
): SearchOutcome[] {
  checkRecords("runs", runs, {
    what: "a search run",
    fields: { method: "string", seed: "number", events: "array" },
    fix: "pass replaySearches(...).",
  });
  checkRequired("options", options, ["baseline", "testImages"]);
  checkString("options.baseline", options.baseline);
  checkKeys("options", options, ["baseline", "testImages"]);
  const methods = [...new Set(runs.map((r) => r.method))];
  const base = new Map(runs.filter((r) => r.method === options.baseline).map((r) => [r.seed, r]));
  if (!base.size)
    fail("invalid-argument", {
      parameter: "options.baseline",
      rule: "must name a method of the runs",
      received: show(options.baseline),
      fix: `use one of ${methods.join(", ")}.`,
    });
  const target = (seed: number) => {
    const b = base.get(seed)!;
    const best = Math.max(...b.events.map((e) => e.truth));
    return { best, within: best - truthStandardError(best, options.testImages) };
  };
  const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : null);
  return methods.map((method) => {
    const rs = runs.filter((r) => r.method === method);
    const times: number[] = [];
    const reductions: number[] = [];
    let exact = 0;
    for (const r of rs) {
      const { best, within } = target(r.seed);
      const t = timeToReach(r.events, within);
      if (timeToReach(r.events, best) !== undefined) exact++;
      if (t === undefined) continue;
      times.push(t);
      const tb = timeToReach(base.get(r.seed)!.events, within);
      if (tb !== undefined && tb > 0) reductions.push(1 - t / tb);
    }
    return {
      method,
      reachedWithinSE: times.length,
      reachedExact: exact,
      seeds: rs.length,
      meanSecondsToTarget: mean(times),
      meanReduction: mean(reductions),
      meanBestFound: mean(rs.filter((r) => r.events.length).map((r) => Math.max(...r.events.map((e) => e.truth)))),
      meanSeconds: mean(rs.map((r) => r.seconds)) ?? 0,
    };
  });
}
