export { saveTrial, loadTrials, finishedTrialIds } from "./store.js";
export type { TrialRecord } from "./store.js";
export { runPool } from "./pool.js";
export type { PoolOptions, PoolTask } from "./pool.js";
