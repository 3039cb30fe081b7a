/**
 * One unit of a live search's work: train a trial from where it stands (its checkpoint, or
 * scratch) to epoch `toEpoch`, streaming a snapshot after every epoch. The same function runs in
 * the kernel process and in worker processes (study/worker.ts), so a job means the same thing in
 * both; a model function travels to workers as a module specifier and an export name, never as
 * source.
 */
import { fail, show } from "../core/errors.js";
import type { HistoryDtype } from "../history/feature-history.js";
import type { TrialError, TrialValue } from "../history/trial.js";
import { emptyCurves, type Curves } from "../history/curves.js";
import { decodeCheckpoint, encodeCheckpoint } from "../train/checkpoint.js";
import { candidateFromConfig, type TrainConfig } from "../train/config.js";
import {
  trainCandidate,
  type PreparedData,
  type TrainResult,
  type TrainSnapshot,
  type TrainSoFar,
} from "../train/loop.js";
import type { ModelFunction } from "../train/user-model.js";
import type { Estimator } from "../proxy/types.js";

/** Where a trial's model comes from. */
export type ModelSource =
  /** The built-in families (the config's `family` key). */
  | { readonly kind: "builtin" }
  /** A function in this process: in-process training only. */
  | { readonly kind: "function"; readonly build: ModelFunction; readonly featuresLayer?: string }
  /** `import(module)[exportName]`: what every worker process (and machine) can load. */
  | { readonly kind: "module"; readonly module: string; readonly exportName: string; readonly featuresLayer?: string }
  /** An objective the toolkit does not train itself (`import(module)[exportName]`): one call per epoch. */
  | { readonly kind: "objective"; readonly module: string; readonly exportName: string };

/** One epoch of an objective: its validation accuracy, and what else it measured. */
export interface ObjectiveEpoch {
  readonly valAcc: number;
  readonly trainLoss?: number;
  readonly trainAcc?: number;
  readonly valLoss?: number;
  /** Test accuracy, measured after the last epoch of the budget. */
  readonly testAcc?: number;
}

/**
 * A training run outside TensorFlow.js (another framework, a simulator, a synthetic benchmark):
 * called once per epoch, in order, with what it needs to be reproducible; returns that epoch's
 * validation accuracy or its measurements. Metrics it does not return are recorded as NaN.
 */
export type ObjectiveFunction = (
  config: Readonly<Record<string, TrialValue>>,
  context: {
    readonly epoch: number;
    readonly budget: number;
    readonly seed: number;
    readonly trialId: string;
    readonly signal?: AbortSignal;
  },
) => number | ObjectiveEpoch | Promise<number | ObjectiveEpoch>;

/** A unit of a live search's work: train a trial from where it stands up to an epoch. */
export interface TrialJob {
  readonly trialId: string;
  readonly config: Readonly<Record<string, TrialValue>>;
  readonly seed: number;
  readonly budget: number;
  /** Train up to this epoch (<= budget). */
  readonly toEpoch: number;
  readonly train?: Partial<TrainConfig>;
  readonly historyDtype?: HistoryDtype;
  /** Continue from a checkpoint (encodeCheckpoint bytes) and the record of the epochs before it. */
  readonly resume?: TrainSoFar & { readonly checkpoint: Uint8Array };
  /** An objective's epochs so far (it keeps no checkpoint: it continues with the next epoch). */
  readonly previous?: { readonly curves: Curves; readonly seconds: number };
}

/** A training snapshot on its way to storage: its trial, and the checkpoint as bytes. */
export type JobSnapshot = Omit<TrainSnapshot, "checkpoint"> & {
  readonly trialId: string;
  readonly checkpoint: Uint8Array;
};

/** How a trial job ended (done, failed with its error, or interrupted), with its epochs and test accuracy. */
export interface JobResult {
  readonly trialId: string;
  /** interrupted: stopped on request (a worker's SIGTERM) after saving its last epoch. */
  readonly status: "done" | "failed" | "interrupted";
  readonly error?: TrialError;
  /** Epochs the trial has after the job. */
  readonly epochs: number;
  readonly testAcc?: number;
}

/** The model function of a source (imported once per process for a module). */
export async function modelFunction(source: ModelSource): Promise<ModelFunction | undefined> {
  if (source.kind === "builtin") return undefined;
  if (source.kind === "function") return source.build;
  return importFunction<ModelFunction>(source.module, source.exportName, "model");
}

/** `import(module)[exportName]`, a function, imported once per process; errors name `parameter`. */
export function importFunction<F>(module: string, exportName: string, parameter: string): Promise<F> {
  return importExport<F>(module, exportName, parameter, (v) => typeof v === "function", "function");
}

/** An estimator (an object with name, needs and estimate) exported by a module, imported once per process. */
export function importEstimator(module: string, exportName: string, parameter: string): Promise<Estimator> {
  return importExport<Estimator>(
    module,
    exportName,
    parameter,
    (v) => {
      const e = v as Partial<Estimator> | null;
      return !!e && typeof e === "object" && typeof e.name === "string" && typeof e.estimate === "function";
    },
    "estimator (e.g. export const fh = fh.proxy.featureHistoryProxy({ ... }))",
  );
}

const imported = new Map<string, unknown>();

async function importExport<T>(
  module: string,
  exportName: string,
  parameter: string,
  valid: (v: unknown) => boolean,
  what: string,
): Promise<T> {
  const key = `${module}#${exportName}`;
  if (imported.has(key)) return imported.get(key) as T;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(module)) as Record<string, unknown>;
  } catch (err) {
    return fail("invalid-argument", {
      parameter: `${parameter}.module`,
      rule: "must be a module every worker can import (an absolute path or a package name)",
      received: `${show(module)}: ${(err as Error).message.split("\n")[0]}`,
      fix: "pass the file's absolute path (new URL('./model.js', import.meta.url).pathname), deployed on every machine.",
    });
  }
  const value = mod[exportName];
  if (!valid(value))
    fail("invalid-argument", {
      parameter: `${parameter}.exportName`,
      rule: `must name a ${what} exported by ${module}`,
      received: `${show(exportName)} (exports: ${Object.keys(mod).join(", ") || "none"})`,
      fix: `export the ${parameter} by that name.`,
    });
  imported.set(key, value);
  return value as T;
}

/** Run an objective's epochs after the job's previous ones, up to toEpoch, a snapshot after each. */
async function runObjective(
  job: TrialJob,
  source: { module: string; exportName: string },
  onSnapshot: (s: JobSnapshot) => void | Promise<void>,
  signal?: AbortSignal,
): Promise<{ curves: Curves; testAcc?: number; interrupted: boolean }> {
  const fn = await importFunction<ObjectiveFunction>(source.module, source.exportName, "objective");
  const prev = job.previous?.curves ?? emptyCurves();
  const curves = {
    trainLoss: [...prev.trainLoss],
    trainAcc: [...prev.trainAcc],
    valLoss: [...prev.valLoss],
    valAcc: [...prev.valAcc],
    seconds: [...prev.seconds],
    captureSeconds: [...prev.captureSeconds],
    lr: [...(prev.lr ?? [])],
  };
  let seconds = job.previous?.seconds ?? 0;
  let testAcc: number | undefined;
  for (let epoch = curves.valAcc.length + 1; epoch <= job.toEpoch; epoch++) {
    if (signal?.aborted) return { curves, interrupted: true };
    const started = performance.now();
    const out = await fn(job.config, {
      epoch,
      budget: job.budget,
      seed: job.seed,
      trialId: job.trialId,
      ...(signal ? { signal } : {}),
    });
    const m: ObjectiveEpoch = typeof out === "number" ? { valAcc: out } : out;
    if (!m || typeof m !== "object" || !Number.isFinite(m.valAcc))
      fail("training-failed", {
        parameter: "objective",
        rule: "must return a finite validation accuracy (a number, or { valAcc, trainLoss?, ... })",
        received: `${show(out)} at epoch ${epoch}`,
        fix: "return the epoch's validation accuracy in [0, 1].",
      });
    const took = (performance.now() - started) / 1000;
    seconds += took;
    curves.trainLoss.push(m.trainLoss ?? NaN);
    curves.trainAcc.push(m.trainAcc ?? NaN);
    curves.valLoss.push(m.valLoss ?? NaN);
    curves.valAcc.push(m.valAcc);
    curves.seconds.push(took);
    curves.captureSeconds.push(0);
    curves.lr.push(NaN);
    if (epoch === job.budget && m.testAcc !== undefined) testAcc = m.testAcc;
    await onSnapshot({ trialId: job.trialId, epoch, curves, seconds, parameters: 0 } as unknown as JobSnapshot);
  }
  return { curves, ...(testAcc !== undefined ? { testAcc } : {}), interrupted: false };
}

/**
 * Run a job on prepared data. Never throws for a failing trial (a throwing model function, a NaN
 * loss, a bad checkpoint): the result is failed with the error.
 */
export async function runTrialJob(
  job: TrialJob,
  data: PreparedData | undefined,
  source: ModelSource,
  onSnapshot: (s: JobSnapshot) => void | Promise<void>,
  signal?: AbortSignal,
): Promise<JobResult> {
  const epochsBefore = job.resume ? job.resume.curves.valAcc.length : (job.previous?.curves.valAcc.length ?? 0);
  let result: TrainResult;
  try {
    if (source.kind === "objective") {
      const r = await runObjective(job, source, onSnapshot, signal);
      return {
        trialId: job.trialId,
        status: r.interrupted ? "interrupted" : "done",
        epochs: r.curves.valAcc.length,
        ...(r.testAcc !== undefined ? { testAcc: r.testAcc } : {}),
      };
    }
    if (!data)
      fail("invalid-argument", {
        parameter: "data",
        rule: "is required to train a model",
        received: "undefined",
        fix: "pass the study's data (fh.data.makeSplits) or { module, exportName } that loads it.",
      });
    const build = await modelFunction(source);
    const featuresLayer = source.kind === "builtin" ? undefined : source.featuresLayer;
    const { model, train } = candidateFromConfig(
      job.config as Record<string, string | number | boolean>,
      { ...job.train, epochs: job.budget },
      build ? { model: build, ...(featuresLayer ? { featuresLayer } : {}) } : undefined,
    );
    const resume = job.resume
      ? {
          checkpoint: decodeCheckpoint(job.resume.checkpoint, `checkpoint of ${job.trialId}`),
          previous: job.resume,
        }
      : undefined;
    result = await trainCandidate(model, train, data, {
      seed: job.seed,
      epochs: job.toEpoch,
      checkpoint: true,
      stopOnSigint: false,
      ...(job.historyDtype ? { historyDtype: job.historyDtype } : {}),
      ...(resume ? { resume } : {}),
      ...(signal ? { signal } : {}),
      // The test split is measured once, after the last epoch of the full budget.
      evaluateTest: job.toEpoch === job.budget,
      hooks: {
        onSnapshot: (s) => onSnapshot({ ...s, trialId: job.trialId, checkpoint: encodeCheckpoint(s.checkpoint!) }),
      },
    });
  } catch (err) {
    const e = err as Error;
    return {
      trialId: job.trialId,
      status: "failed",
      error: { name: e?.name ?? "Error", message: e?.message ?? String(err), epoch: epochsBefore },
      epochs: epochsBefore,
    };
  }
  return {
    trialId: job.trialId,
    status: result.status === "complete" ? "done" : signal?.aborted ? "interrupted" : "failed",
    ...(result.error ? { error: result.error } : {}),
    epochs: result.curves.valAcc.length,
    ...(result.testAcc !== undefined ? { testAcc: result.testAcc } : {}),
  };
}
