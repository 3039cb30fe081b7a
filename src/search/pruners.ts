/**
 * Pruners: an estimator as the judge of whether a trial deserves the full budget. At its early
 * budget t, a trial's estimate is compared with the estimates other trials had at the same t;
 * a trial outside the best `keep` share of them stops (the sampling-based search's "keep the top
 * k of N", decided one trial at a time as in Optuna's percentile pruner).
 */
import { checkNumber, checkRequired, checkShape } from "../core/validate.js";
import { checkTrials, type Trial } from "../history/trial.js";
import type { Estimator } from "../proxy/types.js";
import { checkEstimator } from "../proxy/evaluate.js";

/** A pruner's verdict on a trial (prune or go on) and the scores it used. */
export interface PruneDecision {
  readonly prune: boolean;
  /** Scores computed for the decision, recorded with the trial: e.g. { "FH@2": 0.81 }. */
  readonly scores: Readonly<Record<string, number>>;
}

/** Decides at epoch t whether a trial goes on to the full budget (fh.search.estimatorPruner). */
export interface Pruner {
  readonly name: string;
  /** The epoch t at which it judges: study.optimize trains new trials to t, then asks. */
  readonly epochs: number;
  decide(trial: Trial, others: readonly Trial[]): PruneDecision;
}

/** Options of fh.search.estimatorPruner: the estimator, the epoch t it judges at, the share kept and the warm-up. */
export interface EstimatorPrunerOptions {
  readonly estimator: Estimator;
  /** The early budget t (epochs) at which to judge. */
  readonly t: number;
  /** Share of trials that go on to the full budget, in (0, 1]. Default 0.25 (the paper's k/N = 2/8). */
  readonly keep?: number;
  /** Trials judged at t before anything is pruned (the first ones all go on). Default 4. */
  readonly warmup?: number;
}

/** Prune at epoch t when the trial's estimate is below the best `keep` share of the others' at t. */
export function estimatorPruner(options: EstimatorPrunerOptions): Pruner {
  checkRequired("options", options, ["estimator", "t", "keep", "warmup"]);
  checkEstimator("options.estimator", options.estimator);
  const t = checkNumber("options.t", options.t, { integer: true, min: 1 });
  const keep = checkNumber("options.keep", options.keep ?? 0.25, { above: 0, max: 1 });
  const warmup = checkNumber("options.warmup", options.warmup ?? 4, { integer: true, min: 0 });
  const key = `${options.estimator.name}@${t}`;
  return {
    name: `${key}, keep ${keep}`,
    epochs: t,
    decide(trial, others) {
      checkShape(
        "trial",
        trial,
        "a trial",
        { id: "string", curves: "object", epochs: "number", budget: "number", scores: "object" },
        "pass a trial of the study (study.trials()).",
      );
      if (trial.fitted !== undefined)
        checkShape(
          "trial.fitted",
          trial.fitted,
          "an object of estimates",
          {},
          "leave it out, or pass { [name]: estimate }.",
        );
      checkTrials("others", others, { scores: "object" });
      if (trial.epochs !== t) return { prune: false, scores: {} };
      if (t >= trial.budget) return { prune: false, scores: {} };
      // A worker may have fitted the estimator already (a shared study's scoreOnWorkers): the
      // same estimator on the same epochs, so its estimate is used as it is.
      const fitted = trial.fitted?.[key];
      const score =
        fitted !== undefined && Number.isFinite(fitted) ? fitted : options.estimator.estimate(trial, t, trial.budget);
      const previous = others.map((o) => o.scores[key]).filter((s): s is number => Number.isFinite(s));
      if (!Number.isFinite(score)) return { prune: true, scores: { [key]: score } };
      if (previous.length < warmup) return { prune: false, scores: { [key]: score } };
      // The trial goes on if fewer than keep x (n + 1) of all n + 1 scores beat it.
      const better = previous.filter((s) => s > score).length;
      return { prune: better >= Math.max(1, Math.round(keep * (previous.length + 1))), scores: { [key]: score } };
    },
  };
}
