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

/** Where a trial's model comes from. */
export type ModelSource =
  /** The built-in families (the config's `family` key). */
  | { readonly kind: "builtin" }
  /** A function in this process: in-process training only. */
  | { readonly kind: "function"; readonly build: ModelFunction; readonly featuresLayer?: string }
  /** `import(module)[exportName]`: what every worker process (and machine) can load. */
  | { readonly kind: "module"; readonly module: string; readonly exportName: string; readonly featuresLayer?: string };

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
}

/** A training snapshot on its way to storage: its trial, and the checkpoint as bytes. */
export type JobSnapshot = Omit<TrainSnapshot, "checkpoint"> & {
  readonly trialId: string;
  readonly checkpoint: Uint8Array;
};

export interface JobResult {
  readonly trialId: string;
  readonly status: "done" | "failed";
  readonly error?: TrialError;
  /** Epochs the trial has after the job. */
  readonly epochs: number;
  readonly testAcc?: number;
}

const loaded = new Map<string, ModelFunction>();

/** The model function of a source (imported once per process for a module). */
export async function modelFunction(source: ModelSource): Promise<ModelFunction | undefined> {
  if (source.kind === "builtin") return undefined;
  if (source.kind === "function") return source.build;
  const key = `${source.module}#${source.exportName}`;
  let fn = loaded.get(key);
  if (!fn) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(source.module)) as Record<string, unknown>;
    } catch (err) {
      return fail("invalid-argument", {
        parameter: "model.module",
        rule: "must be a module every worker can import (an absolute path or a package name)",
        received: `${show(source.module)}: ${(err as Error).message.split("\n")[0]}`,
        fix: "pass the file's absolute path (new URL('./model.js', import.meta.url).pathname), deployed on every machine.",
      });
    }
    const f = mod[source.exportName];
    if (typeof f !== "function")
      fail("invalid-argument", {
        parameter: "model.exportName",
        rule: `must name a function exported by ${source.module}`,
        received: `${show(source.exportName)} (exports: ${Object.keys(mod).join(", ") || "none"})`,
        fix: "export the model function by that name.",
      });
    fn = f as ModelFunction;
    loaded.set(key, fn);
  }
  return fn;
}

/**
 * Run a job on prepared data. Never throws for a failing trial (a throwing model function, a NaN
 * loss, a bad checkpoint): the result is failed with the error.
 */
export async function runTrialJob(
  job: TrialJob,
  data: PreparedData,
  source: ModelSource,
  onSnapshot: (s: JobSnapshot) => void | Promise<void>,
  signal?: AbortSignal,
): Promise<JobResult> {
  const epochsBefore = job.resume ? job.resume.curves.valAcc.length : 0;
  let result: TrainResult;
  try {
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
    status: result.status === "complete" ? "done" : "failed",
    ...(result.error ? { error: result.error } : {}),
    epochs: result.curves.valAcc.length,
    ...(result.testAcc !== undefined ? { testAcc: result.testAcc } : {}),
  };
}
