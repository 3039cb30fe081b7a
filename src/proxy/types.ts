import type { Trial } from "../history/trial.js";

/**
 * What an estimator reads of a trial: its curves and, for feature-history estimators, its probe
 * histories (a Trial fits, and so does a TrainResult). There is one trial record (history/trial.ts);
 * this names the part of it that estimators may read.
 */
export type TrialView = Pick<Trial, "curves"> &
  Partial<Pick<Trial, "id" | "probeTrain" | "probeValidation" | "parameters">>;

/** What an estimator reads from a trial: its curves only, or its feature histories too. */
export type Needs = "curves" | "histories";

/**
 * One interface for every estimator. `estimate(trial, t)` uses only epochs 1..t and returns a
 * score where higher means better (SoTL is minus a loss). `T` is the full budget, for
 * estimators that extrapolate.
 */
export interface Estimator {
  readonly name: string;
  readonly needs: readonly Needs[];
  estimate(trial: TrialView, t: number, T: number): number;
}
