export { saveTrial, loadTrials, finishedTrialIds } from "./store.js";
export type { TrialRecord } from "./store.js";
export { runPool } from "./pool.js";
export type { PoolOptions, PoolTask } from "./pool.js";
export {
  schedule,
  randomSearchFull,
  samplingSearch,
  successiveHalving,
  regularizedEvolution,
  timeToReach,
} from "./replay.js";
export type {
  ReplayCandidate,
  SearchEvent,
  Score,
  SamplingOptions,
  HalvingOptions,
  EvolutionOptions,
} from "./replay.js";
