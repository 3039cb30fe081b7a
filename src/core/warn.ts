import { checkFunction } from "./validate.js";
/**
 * Warnings are a testable channel (observablehq/plot src/warnings.js): they go to a sink that
 * tests and notebooks can replace, and each distinct message is emitted once per sink.
 */
export type WarningSink = (message: string) => void;

let sink: WarningSink = (message) => console.warn(`[feature-histories] ${message}`);
const seen = new Set<string>();

export function warn(message: string): void {
  if (seen.has(message)) return;
  seen.add(message);
  sink(message);
}

/** Replace the sink; returns a function restoring the previous one. Resets de-duplication. */
export function setWarningSink(next: WarningSink): () => void {
  const previous = sink;
  sink = next;
  seen.clear();
  return () => {
    sink = previous;
    seen.clear();
  };
}

/** Run `fn` and collect the warnings it emits (for tests and for notebook reports). */
export function captureWarnings<T>(fn: () => T): { result: T; warnings: string[] } {
  checkFunction("fn", fn, "pass the code to run, e.g. () => fh.metrics.spearman(a, b).");
  const warnings: string[] = [];
  const restore = setWarningSink((m) => warnings.push(m));
  try {
    return { result: fn(), warnings };
  } finally {
    restore();
  }
}
