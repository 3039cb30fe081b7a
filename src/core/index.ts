export { FeatureHistoriesError, fail, show } from "./errors.js";
export type { ErrorCode, ErrorDetails } from "./errors.js";
export { checkKeys, checkNumber, checkOneOf, checkString, checkBoolean, checkFraction } from "./validate.js";
export type { NumberRule } from "./validate.js";
export { createRng, permutation } from "./random.js";
export type { Rng } from "./random.js";
export { warn, setWarningSink, captureWarnings } from "./warn.js";
export type { WarningSink } from "./warn.js";
export type { TrialState, Direction } from "./types.js";
