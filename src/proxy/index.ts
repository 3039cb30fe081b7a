export type { Estimator, TrialView, Needs } from "./types.js";
export { featureHistoryProxy, fitFeatureHistoryProxy, lastCheckpointProbe } from "./fh.js";
export type { FeatureHistoryOptions, Combine, Normalize, Head, ProxyFit } from "./fh.js";
export { earlyStopping, bestSoFar, sotl, sotlE, lce, lceFits, LCE_FAMILIES, LCE_MIN_EPOCHS } from "./baselines.js";
export { fitCalibration } from "./calibrate.js";
export { consensusEstimator, parameterCount, oneEpoch } from "./own.js";
export type { ConsensusOptions } from "./own.js";
export { estimateAll } from "./evaluate.js";
export type { EstimateRow, EstimateAllOptions } from "./evaluate.js";
export type { Calibration } from "./calibrate.js";
export {
  stackedFeatures,
  fitStacked,
  predictStacked,
  crossValidatedStacked,
  stackedEstimator,
  STACKED_FEATURES,
} from "./stacked.js";
export type { StackedInput, StackedModel, FitStackedOptions, CrossValidationOptions } from "./stacked.js";

import { bestSoFar, earlyStopping, lce, sotl, sotlE } from "./baselines.js";
import { featureHistoryProxy, lastCheckpointProbe } from "./fh.js";
import type { Estimator } from "./types.js";

/** The feature-history proxy (defaults) and every baseline researchers compare against. */
export function standardEstimators(): Estimator[] {
  return [featureHistoryProxy(), lastCheckpointProbe(), earlyStopping(), bestSoFar(), sotl(), sotlE(), lce()];
}
