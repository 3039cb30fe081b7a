import type { Curves } from "../history/curves.js";
import type { FeatureHistory } from "../history/feature-history.js";

/** What estimators read about one candidate: its curves and, for feature-history estimators, its probe histories. */
export interface CandidateRecord {
  readonly curves: Curves;
  readonly probeTrain?: FeatureHistory;
  readonly probeValidation?: FeatureHistory;
  /** Trainable parameters (FH+ reads it as an architecture fact). */
  readonly parameters?: number;
}

export type Needs = "curves" | "histories";

/**
 * One interface for every estimator. `estimate(candidate, t)` uses only epochs 1..t and returns a
 * score where higher means better (SoTL is minus a loss). `T` is the full budget, for
 * estimators that extrapolate.
 */
export interface Estimator {
  readonly name: string;
  readonly needs: readonly Needs[];
  estimate(candidate: CandidateRecord, t: number, T: number): number;
}
