export {
  createHistory,
  appendEpoch,
  epochFeatures,
  epochOutputs,
  epochCount,
  windowEpochs,
  truncate,
} from "./feature-history.js";
export type { FeatureHistory, HistoryDtype } from "./feature-history.js";
export { saveHistory, loadHistory, HISTORY_FORMAT_VERSION } from "./storage.js";
export { emptyCurves, copyCurves, peakValAcc } from "./curves.js";
export type { Curves } from "./curves.js";
export type { Trial, TrialError, TrialValue } from "./trial.js";
