import { fail, show } from "../core/errors.js";
import { warn } from "../core/warn.js";
import type { TrialView, Estimator } from "./types.js";
import { checkArray, checkNumber, checkNumbers, checkRequired, checkRecords, checkShape } from "../core/validate.js";

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

/**
 * The arguments of an estimator's estimate(trial, t, T): a trial view whose curves (those named in
 * `curves`, each an array of numbers) it reads, a budget t >= 1 (unless the caller checks it) and,
 * when given, a full budget T >= 1.
 */
export function checkEstimateArgs(
  estimator: string,
  candidate: unknown,
  t: unknown,
  T: unknown,
  curves: readonly (keyof TrialView["curves"])[] = [],
): TrialView {
  checkShape(
    "candidate",
    candidate,
    `a trial (with curves) for ${estimator}`,
    { curves: "object" },
    'pass a trial, e.g. one of study.trials(["complete"]), or a train result.',
  );
  checkShape(
    "candidate.curves",
    (candidate as TrialView).curves,
    `a trial's curves for ${estimator}`,
    Object.fromEntries(curves.map((k) => [k, "array"])),
    "pass trial.curves (or fh.history.emptyCurves() filled epoch by epoch).",
  );
  for (const k of curves)
    (candidate as TrialView).curves[k].forEach((v, i) => {
      if (typeof v !== "number" && v !== null)
        fail("invalid-argument", {
          parameter: `candidate.curves.${k}[${i}]`,
          rule: `must be a number (one per epoch) for ${estimator}`,
          received: show(v),
          fix: "pass the curves a training recorded.",
        });
    });
  if (t !== undefined) checkNumber("t", t, { integer: true, min: 1 });
  if (T !== undefined) checkNumber("T", T, { integer: true, min: 1 });
  return candidate as TrialView;
}

/** `value` must be the rows of estimateAll (candidate, estimator, t, estimate). */
export function checkEstimateRows(name: string, value: unknown): EstimateRow[] {
  const rows = checkRecords<EstimateRow>(
    name,
    value,
    {
      what: "an estimate row",
      fields: { candidate: "number", estimator: "string", t: "number" },
      fix: "pass fh.proxy.estimateAll(...) rows.",
    },
    { what: "estimate rows" },
  );
  rows.forEach((r, i) => {
    const bad =
      !Number.isInteger(r.candidate) || r.candidate < 0
        ? "candidate"
        : r.estimate !== undefined && r.estimate !== null && typeof r.estimate !== "number"
          ? "estimate"
          : r.error !== undefined && r.error !== null && typeof r.error !== "string"
            ? "error"
            : undefined;
    if (bad)
      fail("invalid-argument", {
        parameter: `${name}[${i}].${bad}`,
        rule:
          bad === "candidate"
            ? "must be a candidate's index (an integer >= 0)"
            : bad === "estimate"
              ? "must be a number, or undefined where the estimate could not be made"
              : "must be the reason (a string) or undefined",
        received: show(r[bad]),
        fix: "pass fh.proxy.estimateAll(...) rows.",
      });
  });
  return rows;
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
