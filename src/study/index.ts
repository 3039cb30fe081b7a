export { Study } from "./study.js";
export { createStudy as create, loadStudy as load, copyStudy as copy } from "./study-open.js";
export type { TrialReport } from "./study.js";
export type { CreateStudyOptions, LoadStudyOptions } from "./study-open.js";
export { directoryStorage } from "../storage/directory.js";
export type { StudyStorage, StudyMeta, StorageProblem } from "../storage/contract.js";
export { estimatorPruner } from "../search/pruners.js";
export type { Pruner, PruneDecision, EstimatorPrunerOptions } from "../search/pruners.js";
export { optimize } from "./optimize.js";
export type { OptimizeOptions, OptimizeProgress, OptimizeResult } from "./optimize.js";
export type { TrialJob, JobSnapshot, JobResult, ModelSource, ObjectiveFunction, ObjectiveEpoch } from "./jobs.js";
export { postgresStorage } from "../storage/postgres/storage.js";
export type { PostgresStorageOptions } from "../storage/postgres/storage.js";
export { worker } from "./queue-worker.js";
export type { WorkerOptions, WorkerEvent, WorkerSummary } from "./queue-worker.js";
export type { ModuleExport, RunSpec } from "./queue.js";
export {
  estimatorStudyPlans,
  regimePlans,
  REGIME_MODEL,
  planCandidates,
  planSpace,
  planSplits,
  runEstimatorStudy,
  studyEstimators,
  FH_DEFAULT,
  FH_K2,
} from "./estimator-study.js";
export {
  summarizeStudy,
  readSummary,
  writeSummary,
  summaryTrials,
  summaryEstimates,
  summaryStackedInputs,
  repeatPairs,
  summaryAsTrials,
  summarySpace,
  recordedEstimator,
  summaryScores,
  summaryEstimateSeconds,
  SUMMARY_FORMAT,
  RENAMED_ESTIMATORS,
  SUMMARY_VERSION,
} from "./summary.js";
export type { StudySummary, SummaryTrial, SummaryRepeat, SummaryEstimator, SummarizeOptions } from "./summary.js";
export type { EstimatorStudyPlan, PlanSpace, RunEstimatorStudyOptions } from "./estimator-study.js";
export {
  rankEstimators,
  stackedScores,
  truthStandardError,
  searchMethods,
  replaySearches,
  searchOutcomes,
} from "./analysis.js";
export type { StackedScoresOptions, SearchMethod, SearchRun, SearchOutcome } from "./analysis.js";
