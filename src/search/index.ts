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
export { nextSearchStep } from "./policy.js";
export type { SearchStep } from "./policy.js";
export { estimatorPruner } from "./pruners.js";
export type { Pruner, PruneDecision, EstimatorPrunerOptions } from "./pruners.js";
export { replayOptimize, replaySchedule, trialAt, liveSearchEvents, compareLiveToReplay } from "./live-replay.js";
export type { LiveReplayOptions, LiveReplayResult, LiveComparisonRow } from "./live-replay.js";
export { randomSampler, mutationSampler, listSampler } from "./samplers.js";
export type { Sampler, MutationSamplerOptions } from "./samplers.js";
export { prunerScheduler, ashaScheduler, ashaRungs, hyperbandScheduler } from "./schedulers.js";
export type { Scheduler, SchedulerJob, SchedulerState, Verdict, AshaOptions, HyperbandOptions } from "./schedulers.js";
