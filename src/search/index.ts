export { nextSearchStep } from "./policy.js";
export type { SearchStep } from "./policy.js";
export { estimatorPruner, paretoPruner } from "./pruners.js";
export type { Pruner, PruneDecision, EstimatorPrunerOptions, ParetoPrunerOptions } from "./pruners.js";
export { nsga2Sampler } from "./nsga.js";
export type { Nsga2SamplerOptions } from "./nsga.js";
export { objectiveValue, objectiveValues, BUILT_IN_OBJECTIVES } from "./objectives.js";
export type { Objective } from "./objectives.js";
export {
  replayOptimize,
  replaySchedule,
  trialAt,
  liveSearchEvents,
  compareLiveToReplay,
  timeToReach,
} from "./live-replay.js";
export type {
  LiveReplayOptions,
  LiveReplayResult,
  LiveComparisonRow,
  ReplayCostOptions,
  SearchEvent,
} from "./live-replay.js";
export { liveSearchReport } from "./live-report.js";
export type { LiveSearchReport } from "./live-report.js";
export { searchSavings } from "./savings.js";
export type { SearchSavings } from "./savings.js";
export { randomSampler, mutationSampler, listSampler } from "./samplers.js";
export type { Sampler, MutationSamplerOptions } from "./samplers.js";
export { tpeSampler, bohbSampler } from "./tpe.js";
export type { TpeSamplerOptions, BohbSamplerOptions, BudgetObservation } from "./tpe.js";
export { prunerScheduler, ashaScheduler, ashaRungs, hyperbandScheduler } from "./schedulers.js";
export type { Scheduler, SchedulerJob, SchedulerState, Verdict, AshaOptions, HyperbandOptions } from "./schedulers.js";
export { paramImportances } from "./importance.js";
export type { ImportanceOptions, ObjectiveOptions, ParamImportance } from "./importance.js";
export { nonDominated, nonDominatedSort, crowdingDistance, hypervolume2d } from "./pareto.js";
export type { ParetoPoint } from "./pareto.js";
