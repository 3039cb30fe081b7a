/** Shared types used across layers. */
export type TrialState = "running" | "complete" | "pruned" | "failed";
/** Whether a search maximises or minimises its objective. */
export type Direction = "maximize" | "minimize";
