export { Study, createStudy as create, loadStudy as load } from "./study.js";
export type { CreateStudyOptions, LoadStudyOptions, TrialReport } from "./study.js";
export { directoryStorage } from "./directory.js";
export type { StudyStorage, StudyMeta, StorageProblem } from "./storage.js";
export { estimatorPruner } from "./pruners.js";
export type { Pruner, PruneDecision, EstimatorPrunerOptions } from "./pruners.js";
