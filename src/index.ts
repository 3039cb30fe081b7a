/**
 * feature-histories: early performance estimation from feature histories (arXiv 2103.04450)
 * for HPO and NAS, in TypeScript. The one public entry: each layer is a namespace.
 */
export * as core from "./core/index.js";
export * as data from "./data/index.js";
export * as space from "./space/index.js";
export * as history from "./history/index.js";
export * as proxy from "./proxy/index.js";
export * as metrics from "./metrics/index.js";
export * as table from "./table/index.js";
export * as search from "./search/index.js";
export * as study from "./study/index.js";
export * as train from "./train/index.js";
export * as plot from "./plot/index.js";
export * as notebook from "./notebook/index.js";
export { FeatureHistoriesError } from "./core/errors.js";
export const VERSION = "0.1.0";
