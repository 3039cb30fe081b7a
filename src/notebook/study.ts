import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { jointSpace } from "../space/presets.js";
import { sampleMany, spaceToJSON } from "../space/space.js";
import { checkKeys, checkNumber, checkString } from "../core/validate.js";
import { runPool } from "../search/pool.js";
import { workerThreadEnv } from "../train/threads.js";
import { finishedTrialIds, loadTrials, saveTrial, type TrialRecord } from "../search/store.js";
import type { TrainConfig } from "../train/config.js";
import type { TrainResult } from "../train/loop.js";
import type { DataSpec, TrainTask } from "../train/worker.js";
import { progressBar } from "./progress.js";

export interface StudyOptions {
  /** Study folder: one record per finished trial; reused, so a killed study resumes. */
  dir: string;
  /** Candidates: id (letters, digits, _ . -) and flat configuration. */
  candidates: readonly { id: string; config: Readonly<Record<string, string | number | boolean>> }[];
  data: DataSpec;
  train?: Partial<TrainConfig>;
  /** Worker processes (one tfjs-wasm each). Default 2. */
  workers?: number;
  /** Base seed: candidate i trains with seed + i. Default 0. */
  seed?: number;
  historyDtype?: "float32" | "float16";
  /** Show an in-place progress bar. Default true. */
  progress?: boolean;
  onWorkerStart?: (slot: number, pid: number) => void;
  signal?: AbortSignal;
}

/**
 * Train every candidate not yet finished in `dir` across worker processes, persisting each one as
 * soon as it finishes, and return all finished trials (including earlier runs').
 */
export async function runTrainingStudy(
  options: StudyOptions,
): Promise<{ trials: TrialRecord[]; trained: number; skipped: number }> {
  checkKeys("options", options, [
    "dir",
    "candidates",
    "data",
    "train",
    "workers",
    "seed",
    "historyDtype",
    "progress",
    "onWorkerStart",
    "signal",
  ]);
  const dir = checkString("options.dir", options.dir);
  const workers = checkNumber("options.workers", options.workers ?? 2, { integer: true, min: 1, max: 64 });
  const seed = checkNumber("options.seed", options.seed ?? 0, { integer: true });
  const done = finishedTrialIds(dir);
  const pending = options.candidates.map((c, i) => ({ ...c, index: i })).filter((c) => !done.has(c.id));
  const skipped = options.candidates.length - pending.length;
  const bar = options.progress === false ? undefined : progressBar(options.candidates.length, `study ${dir}`);
  let finished = skipped;
  bar?.update(finished, `${skipped} already finished`);
  const started = performance.now();
  const record = (id: string, r: TrainResult | undefined, worker: number, message?: string): TrialRecord => {
    const c = options.candidates.find((k) => k.id === id)!;
    if (!r)
      return {
        id,
        config: c.config,
        status: "failed",
        error: { name: "WorkerError", message: message ?? "", epoch: 0 },
        curves: { trainLoss: [], trainAcc: [], valLoss: [], valAcc: [], seconds: [], captureSeconds: [], lr: [] },
        seconds: (performance.now() - started) / 1000,
        worker,
      };
    return {
      id,
      config: c.config,
      status: r.status,
      ...(r.error ? { error: r.error } : {}),
      curves: r.curves,
      probeTrain: r.probeTrain,
      probeValidation: r.probeValidation,
      ...(r.testAcc !== undefined ? { testAcc: r.testAcc } : {}),
      parameters: r.parameters,
      seconds: r.seconds,
      worker,
    };
  };
  const { completed } = await runPool<TrainTask, TrainResult>({
    worker: fileURLToPath(new URL("../train/worker.js", import.meta.url)),
    workers,
    // N native workers would otherwise each start one TensorFlow thread per core.
    env: workerThreadEnv(workers),
    tasks: pending.map((c) => ({
      id: c.id,
      payload: {
        config: c.config,
        train: options.train ?? {},
        seed: seed + c.index,
        data: options.data,
        ...(options.historyDtype ? { historyDtype: options.historyDtype } : {}),
      },
    })),
    onResult: (id, result, worker) => {
      saveTrial(dir, record(id, result, worker));
      bar?.update(++finished, `${id}: ${result.status}`);
    },
    onError: (id, message, worker) => {
      saveTrial(dir, record(id, undefined, worker, message));
      bar?.update(++finished, `${id}: failed`);
    },
    ...(options.onWorkerStart ? { onWorkerStart: options.onWorkerStart } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  bar?.finish(`${completed} trained now, ${skipped} reused`);
  return { trials: loadTrials(dir), trained: pending.length, skipped };
}

/** The estimator study of notebooks/02: how many candidates, the full budget T and the subset sizes. */
export interface StudyPlan {
  readonly n: number;
  readonly T: number;
  readonly train: number;
  readonly validation: number;
  readonly probe: number;
  /** Seed of the candidate sample (jointSpace) and of the data splits. */
  readonly sampleSeed: number;
}

/** Full size: 32 candidates, T = 8, 3k training images (about half an hour with 2 workers here); CI: 8 x 4 on 600. */
export function studyPlan(ci: boolean): StudyPlan {
  return ci
    ? { n: 8, T: 4, train: 600, validation: 300, probe: 200, sampleSeed: 2103 }
    : { n: 32, T: 8, train: 3000, validation: 1000, probe: 500, sampleSeed: 2103 };
}

/**
 * Run (or resume) a study plan into `dir`: candidates sampled from jointSpace, trained to T on
 * Fashion-MNIST with float16 histories; writes `study.meta` (plan and space) first.
 */
export async function runStudyPlan(
  dir: string,
  plan: StudyPlan,
  options: { workers?: number; progress?: boolean } = {},
): Promise<{ trials: TrialRecord[]; trained: number; skipped: number }> {
  const space = jointSpace();
  const candidates = sampleMany(space, plan.n, plan.sampleSeed).map((config, i) => ({
    id: `c${String(i).padStart(3, "0")}`,
    config,
  }));
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "study.meta"),
    JSON.stringify({ T: plan.T, plan, space: JSON.parse(spaceToJSON(space)) }, null, 1),
  );
  return runTrainingStudy({
    dir,
    candidates,
    data: {
      source: "fashion-mnist",
      splits: {
        train: plan.train,
        validation: plan.validation,
        probeTrain: plan.probe,
        probeValidation: plan.probe,
        seed: 0,
      },
    },
    train: { epochs: plan.T },
    workers: options.workers ?? 2,
    seed: 7,
    historyDtype: "float16",
    progress: options.progress ?? true,
  });
}
