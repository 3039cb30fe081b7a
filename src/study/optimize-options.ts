/**
 * The options of study.optimize: their types, the names it knows, where the model comes from
 * (built-in family, the user's function or module, or an objective), and the checks an option
 * gets at the call (a scheduler's answers are checked here too, each time it gives one).
 */
import { fail, show } from "../core/errors.js";
import { checkBoolean, checkFunction, checkKeys, checkNumber, checkRequired } from "../core/validate.js";
import type { HistoryDtype } from "../history/feature-history.js";
import type { Splits } from "../data/splits.js";
import type { TrainConfig } from "../train/config.js";
import { TRAIN_DEFAULTS } from "../train/config.js";
import type { ModelFunction } from "../train/user-model.js";
import type { ModelSource } from "./jobs.js";
import type { ModuleExport } from "./queue.js";
import type { Scheduler, SchedulerJob } from "../search/schedulers.js";

/** Options of study.optimize: data, trials, the model (or objective), workers, training options, scheduler, progress. */
export interface OptimizeOptions {
  /**
   * The splits every trial trains and is measured on (fh.data.makeSplits), or `{ module,
   * exportName }` of a function returning them that every worker imports (required for a study
   * in PostgreSQL, whose workers may be other machines). Not needed with `objective`.
   */
  readonly data?: Splits | ModuleExport;
  /** Stop asking for new trials once the study has this many (of any state). */
  readonly trials: number;
  /**
   * The model: the built-in families (default, from the config's `family`), a model function (in
   * this process only: `workers: 0`), or `{ module, exportName }` that every worker imports.
   */
  readonly model?: ModelFunction | { readonly module: string; readonly exportName: string };
  /**
   * Instead of a model: an objective outside TensorFlow.js, `{ module, exportName }` of a function
   * called once per epoch that returns the epoch's validation accuracy (or { valAcc, trainLoss, ... }).
   */
  readonly objective?: ModuleExport;
  /** The layer of a user model whose output is the feature vector. Default "features". */
  readonly featuresLayer?: string;
  /**
   * Worker processes on this machine; 0 trains in this process (a PostgreSQL study: leaves the work
   * to workers started elsewhere with `npx feature-histories worker`). Default: the number of
   * cores (at most the trials).
   */
  readonly workers?: number;
  /**
   * A PostgreSQL study: the pruner's estimator as `{ module, exportName }` of an exported
   * Estimator (the same one the pruner uses). Workers then fit it right after training a trial
   * to the pruner's epoch t and record the score; the scheduler only compares scores.
   */
  readonly scoreOnWorkers?: ModuleExport;
  /**
   * A PostgreSQL study: jobs in the queue at once, i.e. the worker processes on all machines.
   * Default: the local workers, at least 4.
   */
  readonly concurrency?: number;
  /** Training options for every trial (the budget is the study's). */
  readonly train?: Partial<TrainConfig>;
  readonly historyDtype?: HistoryDtype;
  /** Called after every epoch and every decision. */
  readonly onProgress?: (progress: OptimizeProgress) => void;
  /** Stops the search cleanly (running trials stay resumable). */
  readonly signal?: AbortSignal;
  /** Also stop on SIGINT (a Jupyter kernel interrupt). Default true. */
  readonly stopOnSigint?: boolean;
  /** Extra environment for worker processes (e.g. { FH_BACKEND: "wasm" }). */
  readonly env?: Record<string, string>;
  /** Called with each worker process's pid as it starts. */
  readonly onWorkerStart?: (pid: number) => void;
  /**
   * Who decides which trial trains next and how far: default the study's pruner (train to t,
   * judge, prune or train to T); `fh.search.ashaScheduler(...)` for asynchronous successive halving.
   */
  readonly scheduler?: Scheduler;
  /**
   * Stop the search with an error after this many failed trials in a row (a typo in the model,
   * the data or the training options fails every trial the same way). Default 20.
   */
  readonly maxConsecutiveFailures?: number;
  /**
   * A PostgreSQL study: the folder(s) its code (model, objective, data, estimator modules) lives
   * in. Jobs name each module relative to these folders, with its file's hash; each worker
   * resolves the name under its own `--code` folders and checks the hash. Default: each module's
   * own folder.
   */
  readonly code?: string | readonly string[];
}

/** What study.optimize reports after every epoch and decision: the event, counts by state, best, seconds, ETA. */
export interface OptimizeProgress {
  /** What just happened, e.g. "t0003 epoch 2", "t0003 pruned (FH@2 0.71)". */
  readonly event: string;
  readonly trialId?: string;
  readonly epoch?: number;
  readonly complete: number;
  readonly pruned: number;
  readonly failed: number;
  readonly running: number;
  /** The study's target number of trials. */
  readonly total: number;
  /** The best complete trial so far (peak validation accuracy). */
  readonly best?: { readonly id: string; readonly value: number };
  readonly seconds: number;
  /** Seconds left, from the pace so far (undefined until a trial has ended). */
  readonly eta?: number;
}

/** How a search ended: trials complete, pruned, failed and left running (to resume), and its seconds. */
export interface OptimizeResult {
  readonly complete: number;
  readonly pruned: number;
  readonly failed: number;
  /** Trials left running because the search was stopped (resume with optimize). */
  readonly interrupted: number;
  readonly seconds: number;
}

export function isModuleExport(v: unknown): v is ModuleExport {
  const m = v as Partial<ModuleExport> | null;
  return !!m && typeof m === "object" && typeof m.module === "string" && typeof m.exportName === "string";
}

export function sourceOf(options: OptimizeOptions): ModelSource {
  const m = options.model;
  const featuresLayer = options.featuresLayer;
  const layer = featuresLayer ? { featuresLayer } : {};
  if (options.objective !== undefined) {
    if (m !== undefined)
      fail("invalid-argument", {
        parameter: "options.objective",
        rule: "replaces the model: pass one of model and objective",
        received: "both",
        fix: "drop options.model (an objective trains its own model).",
      });
    if (!isModuleExport(options.objective))
      fail("invalid-argument", {
        parameter: "options.objective",
        rule: "must be { module, exportName } of an objective function every worker imports",
        received: show(options.objective),
        fix: "pass { module: new URL('./objective.js', import.meta.url).pathname, exportName: 'objective' }.",
      });
    checkKeys("options.objective", options.objective, ["module", "exportName"]);
    return { kind: "objective", module: options.objective.module, exportName: options.objective.exportName };
  }
  if (m === undefined) return { kind: "builtin" };
  if (typeof m === "function") return { kind: "function", build: m, ...layer };
  if (m && typeof m === "object" && typeof m.module === "string" && typeof m.exportName === "string") {
    checkKeys("options.model", m, ["module", "exportName"]);
    return { kind: "module", module: m.module, exportName: m.exportName, ...layer };
  }
  return fail("invalid-argument", {
    parameter: "options.model",
    rule: "must be a model function or { module, exportName }",
    received: show(m),
    fix: "pass (config, { inputShape, numClasses, seed }) => tf.LayersModel, or where workers can import it.",
  });
}

/** The options study.optimize knows (liveOptimize checks a call against them first). */
export const OPTIMIZE_OPTIONS: readonly string[] = [
  "data",
  "trials",
  "model",
  "objective",
  "concurrency",
  "scoreOnWorkers",
  "featuresLayer",
  "workers",
  "train",
  "historyDtype",
  "onProgress",
  "signal",
  "stopOnSigint",
  "env",
  "onWorkerStart",
  "scheduler",
  "maxConsecutiveFailures",
  "code",
];

export function checkSignal(name: string, signal: unknown): void {
  if (signal === undefined) return;
  const s = signal as Partial<AbortSignal> | null;
  if (!s || typeof s !== "object" || typeof s.aborted !== "boolean" || typeof s.addEventListener !== "function")
    fail("invalid-argument", {
      parameter: name,
      rule: "must be an AbortSignal",
      received: show(signal),
      fix: "pass controller.signal of a new AbortController(), or leave it out.",
    });
}

export function checkScheduler(name: string, scheduler: unknown): void {
  const s = scheduler as Partial<Scheduler> | null;
  if (!s || typeof s !== "object" || typeof s.next !== "function" || typeof s.verdict !== "function")
    fail("invalid-argument", {
      parameter: name,
      rule: "must be a scheduler: an object with name, next(trials, budget, state) and verdict(trial, trials)",
      received: show(scheduler),
      fix: "pass fh.search.ashaScheduler(...), fh.search.prunerScheduler(pruner), or leave it out for the study's pruner.",
    });
}

export function checkEnv(name: string, env: unknown): void {
  if (
    !env ||
    typeof env !== "object" ||
    Array.isArray(env) ||
    Object.values(env as Record<string, unknown>).some((v) => typeof v !== "string")
  )
    fail("invalid-argument", {
      parameter: name,
      rule: "must be an object of environment variables with string values",
      received: show(env),
      fix: 'pass e.g. { FH_BACKEND: "wasm" }.',
    });
}

export function checkTrainOptions(name: string, train: unknown): void {
  if (!train || typeof train !== "object" || Array.isArray(train))
    fail("invalid-argument", {
      parameter: name,
      rule: "must be an object of training options",
      received: show(train),
      fix: `pass some of: ${Object.keys(TRAIN_DEFAULTS).join(", ")}.`,
    });
  if ("epochs" in train)
    fail("invalid-argument", {
      parameter: `${name}.epochs`,
      rule: "is the study's budget in a search (every trial trains up to it)",
      received: show((train as { epochs: unknown }).epochs),
      fix: "drop it from options.train; create the study with the budget you want.",
    });
  // Checked here, at the call, so that a typo is one error instead of a failed trial per candidate.
  checkKeys(name, train, Object.keys(TRAIN_DEFAULTS));
}

/** A scheduler's answer checked: "done", "wait", { kind: "new", to } or { kind: "continue", id, to }. */
export function checkJob(
  answer: unknown,
  budget: number,
  known: (id: string) => boolean,
): SchedulerJob | "wait" | "done" {
  if (answer === "done" || answer === "wait") return answer;
  const j = answer as Partial<{ kind: string; to: number; id: string }> | null;
  const okTo = (to: unknown) => Number.isInteger(to) && (to as number) >= 1 && (to as number) <= budget;
  if (j && typeof j === "object" && j.kind === "new" && okTo(j.to)) return j as SchedulerJob;
  if (j && typeof j === "object" && j.kind === "continue" && typeof j.id === "string" && known(j.id) && okTo(j.to))
    return j as SchedulerJob;
  return fail("invalid-argument", {
    parameter: "options.scheduler.next",
    rule: `must answer "done", "wait", { kind: "new", to } or { kind: "continue", id of a trial of the study, to }, with to an integer in [1, ${budget}]`,
    received: show(answer),
    fix: "correct the scheduler's next(); the study is unchanged from its last answer.",
  });
}

/** The options whose values need no study: names known, callbacks, signal, scheduler, env, train; returns maxConsecutiveFailures. */
export function checkOptionValues(options: OptimizeOptions): number {
  checkRequired("options", options, OPTIMIZE_OPTIONS);
  if (options.onProgress !== undefined)
    checkFunction("options.onProgress", options.onProgress, "pass (progress) => { ... } or leave it out.");
  if (options.onWorkerStart !== undefined)
    checkFunction("options.onWorkerStart", options.onWorkerStart, "pass (pid) => { ... } or leave it out.");
  checkSignal("options.signal", options.signal);
  if (options.stopOnSigint !== undefined) checkBoolean("options.stopOnSigint", options.stopOnSigint);
  if (options.scheduler !== undefined) checkScheduler("options.scheduler", options.scheduler);
  if (options.env !== undefined) checkEnv("options.env", options.env);
  if (options.train !== undefined) checkTrainOptions("options.train", options.train);
  return checkNumber("options.maxConsecutiveFailures", options.maxConsecutiveFailures ?? 20, {
    integer: true,
    min: 1,
    max: 1_000_000,
  });
}
