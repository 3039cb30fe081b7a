export { FeatureHistoriesError } from "./errors.js";
export type { ErrorCode, ErrorDetails } from "./errors.js";
export { createRng, permutation } from "./random.js";
export type { Rng } from "./random.js";
export { setWarningSink, captureWarnings } from "./warn.js";
export type { WarningSink } from "./warn.js";
export type { TrialState, Direction } from "./types.js";
