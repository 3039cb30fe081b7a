/** Shared types used across layers. */
export type TrialState = "running" | "complete" | "pruned" | "failed";
export type Direction = "maximize" | "minimize";
