import { warn } from "../core/warn.js";
import { checkNumber } from "../core/validate.js";
import type { TrialView, Estimator } from "./types.js";
import { checkArray, checkNumbers, checkShape } from "../core/validate.js";

/** One estimate: candidate i, estimator, budget t. `estimate` is undefined when it could not be made, with the reason. */
export interface EstimateRow {
  readonly candidate: number;
  readonly estimator: string;
  readonly t: number;
  readonly estimate: number | undefined;
  readonly error?: string;
}

/**
 * Every estimator on every candidate at every budget. A candidate that cannot be estimated at t
 * (it failed before epoch t, or its features diverged) gives a row with the reason instead of an
 * exception, so one bad candidate never stops a study.
 */
export function estimateAll(
  candidates: readonly TrialView[],
  estimators: readonly Estimator[],
  budgets: readonly number[],
  T: number,
): EstimateRow[] {
  checkArray("candidates", candidates, {
    what: "trials",
    item: (n, v) =>
      checkShape(n, v, "a trial (with curves)", { curves: "object" }, 'pass trials, e.g. study.trials(["complete"]).'),
    fix: 'pass trials, e.g. study.trials(["complete"]).',
  });
  checkArray("estimators", estimators, {
    item: (n, v) =>
      checkShape(
        n,
        v,
        "an estimator",
        { name: "string", estimate: "function" },
        "pass e.g. fh.proxy.standardEstimators().",
      ),
    fix: "pass e.g. fh.proxy.standardEstimators().",
  });
  checkNumbers("budgets", budgets);
  checkNumber("T", T, { integer: true, min: 1 });
  budgets.forEach((t, i) => checkNumber(`budgets[${i}]`, t, { integer: true, min: 1, max: T }));
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
