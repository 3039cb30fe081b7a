/**
 * A study summary at a glance (notebooks 02 and 05, scripts/regime-report.mjs): its trials, the
 * truth's spread, the failed trials with their errors, training time, and the noise ceiling (the
 * seed-to-seed Spearman of the truth with its bootstrap range), as data and as text.
 */
import { checkSummary, repeatPairs, summaryTrials, type StudySummary } from "../study/summary.js";
import { checkOptions } from "../core/validate.js";
import { noiseCeiling, type BootstrapOptions, type Range } from "./compare.js";

/** What studyOverview returns; `text` says it in two or three lines. */
export interface StudyOverview {
  readonly name: string;
  readonly budget: number;
  readonly trials: number;
  readonly complete: number;
  readonly failed: readonly { readonly id: string; readonly error: string | null }[];
  /** The truth (test accuracy at T) over complete trials. */
  readonly truth: { readonly min: number; readonly median: number; readonly max: number };
  /** Candidates whose truth is below 0.4 (the weak ones an estimator must not over-rate). */
  readonly weak: number;
  /** Mean training seconds per complete candidate. */
  readonly meanSeconds: number;
  /** Seed-to-seed Spearman of the truth over the repeated candidates, with its bootstrap range. */
  readonly ceiling: Range;
  readonly repeats: number;
  readonly text: string;
}

/** Overview of a study summary (see the module comment); `options` are the ceiling's bootstrap. */
export function studyOverview(summary: StudySummary, options: BootstrapOptions = {}): StudyOverview {
  checkSummary("summary", summary);
  checkOptions("options", options, ["B", "level", "seed"]);
  const ok = summaryTrials(summary);
  const truth = ok.map((t) => t.testAcc!).sort((a, b) => a - b);
  const failed = summary.trials.filter((t) => t.state === "failed").map((t) => ({ id: t.id, error: t.error }));
  const pairs = repeatPairs(summary);
  const ceiling = noiseCeiling(pairs, options);
  const meanSeconds = ok.length ? ok.reduce((a, t) => a + t.seconds, 0) / ok.length : 0;
  const f = (v: number | null | undefined) => (typeof v === "number" ? v.toFixed(3) : "-");
  const spread = truth.length
    ? { min: truth[0]!, median: truth[truth.length >> 1]!, max: truth[truth.length - 1]! }
    : { min: Number.NaN, median: Number.NaN, max: Number.NaN };
  const weak = truth.filter((v) => v < 0.4).length;
  const text = [
    `${summary.name}: ${summary.trials.length} trials (${ok.length} complete, ${failed.length} failed), T = ${summary.budget}; ` +
      `truth (test acc.) ${f(spread.min)} .. ${f(spread.max)}, median ${f(spread.median)}, ${weak} below 0.4; ` +
      `training ${meanSeconds.toFixed(0)} s per candidate on average`,
    ...failed.map((t) => `  failed ${t.id}: ${t.error ?? "(no error recorded)"}`),
    `  noise ceiling (seed-to-seed Spearman of the truth, ${pairs.length} candidates): ` +
      `${f(ceiling.value)} [${f(ceiling.lo)}, ${f(ceiling.hi)}]`,
  ].join("\n");
  return {
    name: summary.name,
    budget: summary.budget,
    trials: summary.trials.length,
    complete: ok.length,
    failed,
    truth: spread,
    weak,
    meanSeconds,
    ceiling,
    repeats: pairs.length,
    text,
  };
}
