/**
 * The one record of a trial, from the moment a study asks for it to its analysis (Optuna's
 * FrozenTrial): storage keeps it, estimators read its curves and histories, tables and plots
 * show it. It sits in history/ because proxy/, search/, study/ and table/ all read it.
 * T (the full training budget) is `budget`; t (epochs trained so far) is `epochs`.
 */
import type { TrialState } from "../core/types.js";
import { type FieldKind, checkRecords } from "../core/validate.js";
import type { Curves } from "./curves.js";
import type { FeatureHistory } from "./feature-history.js";

/** A config value as stored with a trial: a scalar, or the numbers of a NAS cell. */
export type TrialValue = string | number | boolean | readonly number[];

/** Why a trial failed: the error's name, message and the epoch it reached. */
export interface TrialError {
  readonly name: string;
  readonly message: string;
  /** The epoch during which it happened (0: before training). */
  readonly epoch: number;
}

/** One candidate of a study: config, state, curves, feature histories, scores, seconds and error. */
export interface Trial {
  /** Unique within its study, e.g. "t0007"; also its file name in a directory study. */
  readonly id: string;
  /** Order of asking, from 0. */
  readonly number: number;
  readonly config: Readonly<Record<string, TrialValue>>;
  readonly state: TrialState;
  readonly error?: TrialError;
  /** The full budget T (epochs) this trial would be trained to. */
  readonly budget: number;
  /** Epochs trained so far (t); equals the curves' length. */
  readonly epochs: number;
  readonly curves: Curves;
  /** Penultimate features of P_train and P_val after every epoch (absent when not loaded). */
  readonly probeTrain?: FeatureHistory;
  readonly probeValidation?: FeatureHistory;
  /** The epoch whose checkpoint storage holds (weights + optimiser state), if any. */
  readonly checkpointEpoch?: number;
  /** Accuracy on the test split after the last epoch trained, when measured. */
  readonly testAcc?: number;
  /** The network's number of parameters (recorded by training after its first epoch). */
  readonly parameters?: number;
  /** Objective values the user reported when the trial ended (tell's `values`), by objective name. */
  readonly values?: Readonly<Record<string, number>>;
  /** How many times a scheduler promoted the trial after pausing it (pruned, then running again). */
  readonly promotions?: number;
  /** Seed of the trial's training (initialisation, shuffling, dropout). */
  readonly seed: number;
  /** Training wall-clock seconds so far, over all its runs. */
  readonly seconds: number;
  /** Scores the study's decisions used, by name: e.g. { "FH@2": 0.81 }. */
  readonly scores: Readonly<Record<string, number>>;
  /**
   * Estimates a worker fitted for a decision the scheduler has not made yet (a shared study's
   * `scoreOnWorkers`), by the same names: the pruner uses them instead of fitting its estimator.
   */
  readonly fitted?: Readonly<Record<string, number>>;
  /** When it was asked for, and when it ended (complete, pruned or failed): ms since 1970. */
  readonly startedAt?: number;
  readonly endedAt?: number;
  /** Which worker trained it last, and how many times it was started. */
  readonly worker?: number;
  readonly attempts: number;
}

/**
 * `value` must be an array of trials (id, state, curves; plus `fields` where a caller reads more,
 * e.g. a replay reads the budget).
 */
export function checkTrials(name: string, value: unknown, fields: Readonly<Record<string, FieldKind>> = {}): Trial[] {
  return checkRecords<Trial>(
    name,
    value,
    {
      what: "a trial",
      fields: { id: "string", state: "string", curves: "object", ...fields },
      fix: "pass study.trials().",
    },
    { what: "trials", fix: "pass study.trials() (or a recorded study's trials)." },
  );
}
