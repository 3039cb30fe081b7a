import { checkFunction } from "./validate.js";
/**
 * Warnings are a testable channel (observablehq/plot src/warnings.js): they go to a sink that
 * tests and notebooks can replace, and each distinct message is emitted once per sink.
 */
export type WarningSink = (message: string) => void;

const stderrSink: WarningSink = (message) => console.warn(`[feature-histories] ${message}`);
let sink: WarningSink = stderrSink;
const seen = new Set<string>();

export function warn(message: string): void {
  if (seen.has(message)) return;
  seen.add(message);
  sink(message);
}

/**
 * Replace the sink (undefined: the default, stderr); returns a function restoring the previous
 * one. Resets de-duplication.
 */
export function setWarningSink(next: WarningSink | undefined): () => void {
  if (next !== undefined) checkFunction("sink", next, "pass (message) => ..., or undefined for the default (stderr).");
  const previous = sink;
  sink = next ?? stderrSink;
  seen.clear();
  return () => {
    sink = previous;
    seen.clear();
  };
}

/** Run `fn` and collect the warnings it emits (for tests and for notebook reports). */
export function captureWarnings<T>(fn: () => Promise<T>): Promise<{ result: T; warnings: string[] }>;
export function captureWarnings<T>(fn: () => T): { result: T; warnings: string[] };
export function captureWarnings<T>(
  fn: () => T | Promise<T>,
): { result: T; warnings: string[] } | Promise<{ result: T; warnings: string[] }> {
  checkFunction("fn", fn, "pass the code to run, e.g. () => fh.metrics.spearman(a, b).");
  const warnings: string[] = [];
  const restore = setWarningSink((m) => warnings.push(m));
  let result: T | Promise<T>;
  try {
    result = fn();
  } catch (err) {
    restore();
    throw err;
  }
  // An async fn (opening a study, say): the warnings until its promise settles.
  if (result instanceof Promise)
    return result.then(
      (r) => (restore(), { result: r, warnings }),
      (err: unknown) => {
        restore();
        throw err;
      },
    );
  restore();
  return { result: result as T, warnings };
}
