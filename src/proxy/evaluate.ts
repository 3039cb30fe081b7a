import { fail, show } from "../core/errors.js";
import { warn } from "../core/warn.js";
import type { TrialView, Estimator } from "./types.js";
import { checkArray, checkNumber, checkNumbers, checkRequired, checkRecords } from "../core/validate.js";

/** One estimate: candidate i, estimator, budget t. `estimate` is undefined when it could not be made, with the reason. */
export interface EstimateRow {
  readonly candidate: number;
  readonly estimator: string;
  readonly t: number;
  readonly estimate: number | undefined;
  readonly error?: string;
}

/** `value` must be an estimator (name, needs, estimate). */
export function checkEstimator(parameter: string, value: unknown): Estimator {
  const est = value as Partial<Estimator> | undefined;
  if (!est || typeof est.estimate !== "function" || typeof est.name !== "string")
    fail("invalid-argument", {
      parameter,
      rule: "must be an estimator (name, needs, estimate)",
      received: show(est),
      fix: "use one of fh.proxy.standardEstimators(), e.g. fh.proxy.featureHistoryProxy().",
    });
  return est as Estimator;
}

/** `value` must be the rows of estimateAll (candidate, estimator, t, estimate). */
export function checkEstimateRows(name: string, value: unknown): EstimateRow[] {
  return checkRecords<EstimateRow>(
    name,
    value,
    {
      what: "an estimate row",
      fields: { candidate: "number", estimator: "string", t: "number" },
      fix: "pass fh.proxy.estimateAll(...) rows.",
    },
    { what: "estimate rows" },
  );
}

/** Options of fh.proxy.estimateAll: the estimators, the early budgets t and the full budget T. */
export interface EstimateAllOptions {
  /** The estimators, e.g. fh.proxy.standardEstimators(). */
  readonly estimators: readonly Estimator[];
  /** The budgets t (epochs observed) to estimate at. */
  readonly budgets: readonly number[];
  /** The full budget T (for estimators that extrapolate). Default: the trials' `budget`. */
  readonly budget?: number;
}

/**
 * Every estimator on every trial at every budget t. A trial that cannot be estimated at t (it
 * failed before epoch t, or its features diverged) gives a row with the reason instead of an
 * exception (and a warning), so one bad candidate never stops a study.
 */
export function estimateAll(candidates: readonly TrialView[], options: EstimateAllOptions): EstimateRow[] {
  checkRequired("options", options, ["estimators", "budgets", "budget"]);
  const { estimators, budgets } = options;
  const fromTrials = (candidates as readonly { budget?: unknown }[] | undefined)?.[0]?.budget;
  const T = options.budget ?? (typeof fromTrials === "number" ? fromTrials : undefined);
  if (T === undefined)
    fail("invalid-argument", {
      parameter: "options.budget",
      rule: "is required when the trials do not carry their full budget T",
      received: "undefined",
      fix: "pass { budget: T } (the full budget the trials were trained to).",
    });
  checkRecords(
    "candidates",
    candidates,
    {
      what: "a trial (with curves)",
      fields: { curves: "object" },
      fix: 'pass trials, e.g. study.trials(["complete"]).',
    },
    { what: "trials" },
  );
  checkArray("options.estimators", estimators, {
    item: checkEstimator,
    fix: "pass e.g. fh.proxy.standardEstimators().",
  });
  checkNumbers("options.budgets", budgets);
  checkNumber("options.budget", T, { integer: true, min: 1 });
  budgets.forEach((t, i) => checkNumber(`options.budgets[${i}]`, t, { integer: true, min: 1, max: T }));
  const rows: EstimateRow[] = [];
  candidates.forEach((c, i) => {
    for (const est of estimators)
      for (const t of budgets) {
        try {
          const value = est.estimate(c, t, T);
          rows.push({ candidate: i, estimator: est.name, t, estimate: value });
        } catch (err) {
          rows.push({ candidate: i, estimator: est.name, t, estimate: undefined, error: (err as Error).message });
        }
      }
  });
  const failed = rows.filter((r) => r.estimate === undefined);
  if (failed.length)
    warn(
      `estimateAll: ${failed.length} of ${rows.length} estimates could not be made (kept as rows with their reason; first: ${failed[0]!.estimator} at t = ${failed[0]!.t}: ${failed[0]!.error?.split("\n")[0]})`,
    );
  return rows;
}
