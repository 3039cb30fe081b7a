/**
 * Pruners: an estimator as the judge of whether a trial deserves the full budget. At its early
 * budget t, a trial's estimate is compared with the estimates other trials had at the same t;
 * a trial outside the best `keep` share of them stops (the sampling-based search's "keep the top
 * k of N", decided one trial at a time as in Optuna's percentile pruner).
 */
import { fail } from "../core/errors.js";
import { checkNumber, checkRequired, checkShape } from "../core/validate.js";
import { checkTrials, type Trial } from "../history/trial.js";
import type { Estimator } from "../proxy/types.js";
import { checkEstimator } from "../proxy/evaluate.js";
import { checkObjectives, objectiveValue, type Objective } from "./objectives.js";
import { nonDominatedSort } from "./pareto.js";

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

/** Options of fh.search.paretoPruner: the estimator, t, the study's objectives, the share kept and the warm-up. */
export interface ParetoPrunerOptions extends EstimatorPrunerOptions {
  /**
   * The study's objectives (study.objectives). "accuracy" is judged by the estimate at t; every
   * other objective must be known by epoch t (e.g. "params", recorded after the first epoch).
   */
  readonly objectives: readonly Objective[];
}

/**
 * Prune at epoch t by the estimate together with the cost: each judged trial is a point (its
 * estimate in place of accuracy, its other objectives as they stand at t), points are sorted into
 * non-dominated fronts, and a trial goes on if fewer than `keep` x (n + 1) points lie in fronts
 * ahead of its own. With accuracy alone this is estimatorPruner's rule.
 */
export function paretoPruner(options: ParetoPrunerOptions): Pruner {
  checkRequired("options", options, ["estimator", "t", "keep", "warmup", "objectives"]);
  const objectives = checkObjectives("options.objectives", options.objectives);
  if (!objectives.some((o) => o.name === "accuracy"))
    fail("invalid-argument", {
      parameter: "options.objectives",
      rule: 'must include "accuracy" (the objective the estimate stands in for)',
      received: objectives.map((o) => o.name).join(", "),
      fix: 'pass the study\'s objectives, e.g. [{ name: "accuracy", direction: "maximize" }, { name: "params", direction: "minimize" }].',
    });
  const { objectives: _o, ...rest } = options;
  const single = estimatorPruner(rest);
  const keep = options.keep ?? 0.25;
  const warmup = options.warmup ?? 4;
  const key = `${options.estimator.name}@${single.epochs}`;
  const point = (trial: Trial, score: number) =>
    objectives.map((o) => {
      if (o.name === "accuracy") return score;
      const v = objectiveValue(trial, o);
      if (v === undefined || !Number.isFinite(v))
        fail("data-missing", {
          parameter: `objective "${o.name}"`,
          rule: `must be known by epoch ${single.epochs}, where the pruner judges`,
          received: `${trial.id} has none`,
          fix: '"params" and "seconds" are recorded while training; a value you tell at the end cannot be judged early.',
        });
      return v;
    });
  return {
    name: `${key} with ${objectives
      .filter((o) => o.name !== "accuracy")
      .map((o) => o.name)
      .join(", ")}, keep ${keep}`,
    epochs: single.epochs,
    decide(trial, others) {
      const decision = single.decide(trial, others);
      const score = decision.scores[key];
      if (score === undefined || !Number.isFinite(score)) return decision;
      const judged = others.filter((o) => Number.isFinite(o.scores[key]));
      if (judged.length < warmup) return { prune: false, scores: decision.scores };
      const me = { id: trial.id, values: point(trial, score) };
      const points = [me, ...judged.map((o) => ({ id: o.id, values: point(o, o.scores[key]!) }))];
      const fronts = nonDominatedSort(
        points,
        objectives.map((o) => o.direction),
      );
      const rank = fronts.findIndex((f) => f.includes(me));
      const ahead = fronts.slice(0, rank).reduce((n, f) => n + f.length, 0);
      return { prune: ahead >= Math.max(1, Math.round(keep * points.length)), scores: decision.scores };
    },
  };
}
