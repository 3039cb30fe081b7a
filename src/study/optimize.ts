/**
 * The live search: trains the study's trials on the user's data (built-in families or the user's
 * model function), on worker processes (default: one per core) or in this process, with the
 * study's pruner deciding at its epoch t which trials earn the full budget. Every epoch is saved
 * as it finishes (curves, histories, a checkpoint), so an interrupted or killed search resumes by
 * calling optimize again: trials left running continue from their last checkpoint, no finished
 * epoch is trained again, none is lost or run twice. A failing trial (a model function that
 * throws, a NaN loss) is a failed trial with its error; a worker that dies is replaced and its
 * trial retried once.
 */
import { availableParallelism } from "node:os";
import { fail, show } from "../core/errors.js";
import { checkBoolean, checkFunction, checkKeys, checkNumber, checkRequired } from "../core/validate.js";
import { peakValAcc } from "../history/curves.js";
import type { HistoryDtype } from "../history/feature-history.js";
import type { Trial } from "../history/trial.js";
import type { Splits } from "../data/splits.js";
import type { TrainConfig } from "../train/config.js";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { prepareData, type PreparedData } from "../train/loop.js";
import { TRAIN_DEFAULTS } from "../train/config.js";
import { codeRefOf, codeRoots, moduleFolder } from "./code.js";
import type { ModelFunction } from "../train/user-model.js";
import { warn } from "../core/warn.js";
import { checkCheckpoint } from "../train/checkpoint.js";
import {
  importFunction,
  runTrialJob,
  type JobResult,
  type JobSnapshot,
  type ModelSource,
  type TrialJob,
} from "./jobs.js";
import { QueueRunner } from "./queue-runner.js";
import { startQueueWorkers, type QueueWorkers } from "./queue-processes.js";
import type { ModuleExport, RunSpec } from "./queue.js";
import { WorkerDied, WorkerPool } from "./pool.js";
import { prunerScheduler, type Scheduler, type SchedulerJob } from "../search/schedulers.js";
import type { Study } from "./study.js";
import { checkStudy } from "./study.js";

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

function isModuleExport(v: unknown): v is ModuleExport {
  const m = v as Partial<ModuleExport> | null;
  return !!m && typeof m === "object" && typeof m.module === "string" && typeof m.exportName === "string";
}

function sourceOf(options: OptimizeOptions): ModelSource {
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

/** Run the study's search until it has `trials` trials, all ended (or until stopped). */
export async function optimize(study: Study, options: OptimizeOptions): Promise<OptimizeResult> {
  checkStudy("study", study);
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
  const maxFailures = checkNumber("options.maxConsecutiveFailures", options.maxConsecutiveFailures ?? 20, {
    integer: true,
    min: 1,
    max: 1_000_000,
  });
  if (study.storage.readOnly)
    fail("state", {
      parameter: "study",
      rule: "must be opened for writing to optimize",
      received: "a read-only study",
      fix: "load it without readOnly (one writer at a time).",
    });
  const target = checkNumber("options.trials", options.trials, { integer: true, min: 1, max: 1_000_000 });
  const source = sourceOf(options);
  const shared = study.storage.queue;
  let splits: Splits | undefined;
  let dataModule: ModuleExport | undefined;
  if (source.kind !== "objective" || options.data !== undefined) {
    if (isModuleExport(options.data)) {
      checkKeys("options.data", options.data, ["module", "exportName"]);
      dataModule = { module: options.data.module, exportName: options.data.exportName };
      if (!shared) {
        const load = await importFunction<() => Splits | Promise<Splits>>(
          dataModule.module,
          dataModule.exportName,
          "data",
        );
        splits = await load();
      }
    } else if (shared)
      fail("invalid-argument", {
        parameter: "options.data",
        rule: `must be { module, exportName } for a study in PostgreSQL: its workers (other processes and machines) load the data themselves`,
        received: show(options.data),
        fix: "export a function returning fh.data.makeSplits(...) from a module deployed on every machine and pass { module: <its absolute path>, exportName }.",
      });
    else splits = options.data as Splits | undefined;
    if (!shared && (!splits || typeof splits !== "object" || !splits.train || !splits.probeTrain))
      fail("invalid-argument", {
        parameter: "options.data",
        rule: "must be the splits of a data set (training, validation, test and probe sets), or { module, exportName } returning them",
        received: show(splits),
        fix: "pass fh.data.makeSplits(dataset, { train, validation, probeTrain, probeValidation, seed }).",
      });
  }
  const cores = availableParallelism();
  const workers = checkNumber("options.workers", options.workers ?? Math.min(cores, target), {
    integer: true,
    min: 0,
    max: 256,
  });
  if (shared && source.kind === "function")
    fail("invalid-argument", {
      parameter: "options.model",
      rule: "a study in PostgreSQL trains on workers that import the model by module, never a function's source",
      received: "a function",
      fix: "pass { module: <absolute path of the file that exports it, deployed on every machine>, exportName }.",
    });
  if (source.kind === "function" && workers > 0)
    fail("invalid-argument", {
      parameter: "options.model",
      rule: "a function can only train in this process (workers: 0): worker processes import the model by module",
      received: `a function with workers: ${workers}`,
      fix: "pass { module: <absolute path of the file that exports it>, exportName } for workers, or workers: 0.",
    });
  const started = performance.now();
  const scheduler = options.scheduler ?? prunerScheduler(study.pruner);
  const base = {
    budget: study.budget,
    ...(options.train ? { train: options.train } : {}),
    ...(options.historyDtype ? { historyDtype: options.historyDtype } : {}),
  };

  let pool: WorkerPool | undefined;
  let data: PreparedData | undefined;
  let remote: QueueRunner | undefined;
  let localWorkers: QueueWorkers | undefined;
  let stopped = false;
  const stop = new AbortController();
  const waiting: (() => void)[] = [];
  const wakeAll = () => {
    for (const w of waiting.splice(0)) w();
  };
  const onStop = () => {
    stopped = true;
    wakeAll();
    stop.abort("the search was stopped");
    pool?.close();
    // Jobs out in the queue stay there; the next optimize on this study waits for them.
    void remote?.close();
  };
  let interruptedBySigint = false;
  const onSigint = () => {
    interruptedBySigint = true;
    onStop();
  };
  options.signal?.addEventListener("abort", onStop);
  if (options.stopOnSigint ?? true) process.on("SIGINT", onSigint);
  if (options.signal?.aborted) onStop();

  // The first storage error of a write made in the background (an epoch's report, a refresh for
  // progress): it stops the search, and optimize rethrows it once the lanes have ended.
  let storageError: Error | undefined;
  const inBackground = (write: Promise<unknown>) =>
    void write.catch((err: unknown) => {
      storageError ??= err as Error;
      onStop();
    });

  let score: { readonly estimator: ModuleExport; readonly t: number } | undefined;
  // Set-up that fails (a bad option, a module that is not there) leaves no listener, process or connection.
  try {
    if (options.scoreOnWorkers !== undefined) {
      if (!shared || !isModuleExport(options.scoreOnWorkers) || !study.pruner)
        fail("invalid-argument", {
          parameter: "options.scoreOnWorkers",
          rule: "is { module, exportName } of the pruner's estimator, for a study in PostgreSQL with a pruner",
          received: !shared
            ? "a local study"
            : !study.pruner
              ? "a study without a pruner"
              : show(options.scoreOnWorkers),
          fix: "export the estimator from a module every worker imports (export const fhEstimator = fh.proxy.featureHistoryProxy()) and pass { module, exportName }.",
        });
      checkKeys("options.scoreOnWorkers", options.scoreOnWorkers, ["module", "exportName"]);
      score = {
        estimator: { module: options.scoreOnWorkers.module, exportName: options.scoreOnWorkers.exportName },
        t: study.pruner.epochs,
      };
    }
    if (options.code !== undefined && !shared)
      fail("invalid-argument", {
        parameter: "options.code",
        rule: "names the code folders of a study in PostgreSQL (its jobs name modules relative to them)",
        received: "a local study",
        fix: "drop options.code: a local study imports the modules you pass as they are.",
      });
    if (shared) {
      // Code travels by name: each module as a path relative to a code root, with its file's hash.
      // Default roots: the working directory (workers started in the same project folder find the
      // same paths), else each module's own folder.
      const given = [
        source.kind === "module" || source.kind === "objective" ? source : undefined,
        dataModule,
        score?.estimator,
      ];
      const roots =
        options.code !== undefined
          ? codeRoots(options.code, "options.code")
          : [
              ...new Set([
                ...(process.cwd() === "/" ? [] : codeRoots(process.cwd(), "the working directory")),
                ...given.flatMap((m, i) =>
                  m ? [moduleFolder(m.module, ["options.model", "options.data", "options.scoreOnWorkers"][i]!)] : [],
                ),
              ]),
            ];
      const model: RunSpec["model"] =
        source.kind === "module"
          ? {
              kind: "module",
              ...codeRefOf(source, roots, "options.model"),
              ...(source.featuresLayer ? { featuresLayer: source.featuresLayer } : {}),
            }
          : source.kind === "objective"
            ? { kind: "objective", ...codeRefOf(source, roots, "options.objective") }
            : { kind: "builtin" };
      const spec: RunSpec = {
        ...(score
          ? { score: { t: score.t, estimator: codeRefOf(score.estimator, roots, "options.scoreOnWorkers") } }
          : {}),
        budget: study.budget,
        model,
        ...(dataModule ? { data: codeRefOf(dataModule, roots, "options.data") } : {}),
        ...(options.train ? { train: options.train } : {}),
        ...(options.historyDtype ? { historyDtype: options.historyDtype } : {}),
      };
      // Local workers resolve the same names under the same roots (this process's, not the database's).
      remote = await QueueRunner.start({
        url: shared.url,
        study: shared.study,
        spec,
        onEpoch: (id, epoch) => {
          if (finished) return;
          // Progress needs the records only; the histories are read once the job is done.
          inBackground(
            study.refresh([id], { histories: false }).then(() => progress(`${id} epoch ${epoch}`, id, epoch)),
          );
        },
        onNote: (id, note) => progress(`${id}: ${note}`, id),
      });
      if (workers > 0)
        localWorkers = startQueueWorkers({
          workers,
          url: shared.url,
          study: shared.study,
          code: roots,
          ...(options.env ? { env: options.env } : {}),
          ...(options.onWorkerStart ? { onWorkerStart: options.onWorkerStart } : {}),
        });
    } else if (workers > 0)
      pool = new WorkerPool({
        workers,
        ...(splits ? { splits } : {}),
        source,
        ...(options.env ? { env: options.env } : {}),
        ...(options.onWorkerStart ? { onWorkerStart: options.onWorkerStart } : {}),
      });
    else data = splits ? prepareData(splits, { includeTest: true }) : undefined;
  } catch (err) {
    pool?.close();
    await localWorkers?.close();
    await remote?.close();
    options.signal?.removeEventListener("abort", onStop);
    process.off("SIGINT", onSigint);
    throw err;
  }

  /** Trials by state, counted once. */
  const tally = () => {
    const n = { running: 0, complete: 0, pruned: 0, failed: 0 };
    for (const t of study.trials()) n[t.state]++;
    return n;
  };
  const progress = (event: string, trialId?: string, epoch?: number) => {
    if (!options.onProgress) return;
    const n = tally();
    const best = study.best();
    const seconds = (performance.now() - started) / 1000;
    const done = n.complete + n.pruned + n.failed;
    options.onProgress({
      event,
      ...(trialId ? { trialId } : {}),
      ...(epoch !== undefined ? { epoch } : {}),
      ...n,
      total: target,
      ...(best ? { best: { id: best.id, value: peakValAcc(best.curves) } } : {}),
      seconds,
      ...(done > 0 && sessionEnded > 0 ? { eta: (seconds / sessionEnded) * Math.max(0, target - done) } : {}),
    });
  };
  let sessionEnded = 0;
  // Failed trials in a row, and their errors: a search whose every trial fails stops with the cause.
  const streak: string[] = [];
  let runaway: Error | undefined;
  const ended = (state: "complete" | "pruned" | "failed", message?: string) => {
    sessionEnded++;
    if (state !== "failed") return void (streak.length = 0);
    streak.push((message ?? "").split("\n")[0]!.slice(0, 300));
    if (streak.length < maxFailures || runaway) return;
    const counts = new Map<string, number>();
    for (const m of streak) counts.set(m, (counts.get(m) ?? 0) + 1);
    const [cause, n] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!;
    try {
      fail("training-failed", {
        parameter: "optimize",
        rule: `stops after options.maxConsecutiveFailures = ${maxFailures} failed trials in a row`,
        received: `${streak.length} failed trials in a row; ${n} of them: ${cause}`,
        fix: "fix the cause above (the model, data, objective or training options) and call optimize again: the failed trials stay in the study as records.",
      });
    } catch (err) {
      runaway = err as Error;
    }
    onStop();
  };

  const jobFor = async (trial: Trial, to: number): Promise<TrialJob> => {
    let t = trial;
    const checkpoint = t.checkpointEpoch !== undefined ? await study.loadCheckpoint(t) : undefined;
    let canResume = !!(checkpoint && t.probeTrain && t.probeValidation && t.checkpointEpoch === t.epochs);
    if (canResume) {
      try {
        checkCheckpoint(checkpoint!, `checkpoint of ${t.id}`); // the worker decodes it
      } catch (err) {
        warn(`${t.id}: ${(err as Error).message.split("\n")[0]}; training it again from its first epoch`);
        canResume = false;
      }
    }
    const head = (t: Trial) => ({ trialId: t.id, config: t.config, seed: t.seed, toEpoch: to, ...base });
    // An objective keeps no checkpoint: it goes on with its next epoch.
    if (source.kind === "objective")
      return { ...head(t), ...(t.epochs > 0 ? { previous: { curves: t.curves, seconds: t.seconds } } : {}) };
    if (!canResume && t.epochs > 0) t = await study.restart(t);
    if (!canResume) return head(t);
    return {
      ...head(t),
      resume: {
        checkpoint: checkpoint!,
        curves: t.curves,
        probeTrain: t.probeTrain!,
        probeValidation: t.probeValidation!,
        seconds: t.seconds,
      },
    };
  };

  let finished = false;
  const onSnapshot = (s: JobSnapshot) => {
    // A finished epoch is saved even after a stop; nothing is written once optimize has returned.
    if (finished) return;
    // The study writes its calls in order: the job's verdict (settle, after study.flush()) comes
    // after every epoch it reported.
    const saved = study.report(
      s.trialId,
      {
        curves: s.curves,
        probeTrain: s.probeTrain,
        probeValidation: s.probeValidation,
        seconds: s.seconds,
        parameters: s.parameters,
      },
      { checkpoint: s.checkpoint },
    );
    inBackground(saved.then(() => progress(`${s.trialId} epoch ${s.epoch}`, s.trialId, s.epoch)));
  };

  const runJob = (job: TrialJob): Promise<JobResult> =>
    pool ? pool.run(job, onSnapshot) : runTrialJob(job, data!, source, onSnapshot, stop.signal);

  /** Apply the scheduler's verdict on a trial that just reached its epochs. */
  const settle = async (id: string): Promise<void> => {
    await study.flush();
    const t = study.trial(id);
    if (t.state !== "running") return;
    const v = scheduler.verdict(t, study.trials());
    if (Object.keys(v.scores).length) await study.recordScores(id, v.scores);
    const scores = Object.entries(v.scores)
      .map(([k, x]) => `${k} ${x.toFixed(3)}`)
      .join(", ");
    if (v.state === "complete") {
      await study.tell(id, "complete");
      ended("complete");
      progress(`${id} complete`, id);
    } else if (v.state === "pruned") {
      await study.tell(id, "pruned");
      ended("pruned");
      progress(`${id} ${scheduler.name.startsWith("ASHA") ? "paused" : "pruned"}${scores ? ` (${scores})` : ""}`, id);
    } else if (scores) progress(`${id} goes on (${scores})`, id);
  };

  /** Run one scheduled job on a trial; false when the search should not go on with it. */
  const work = async (id: string, to: number, adopt?: string): Promise<void> => {
    let t = study.trial(id);
    let result: JobResult;
    if (remote) {
      try {
        result = await (adopt ? remote.adopt(id, adopt, to) : remote.run(id, to));
      } catch (err) {
        if (stopped) return;
        throw err;
      }
      if (stopped) return;
      await study.refresh([id]);
      if (result.status === "failed") {
        await study.tell(id, "failed", { error: result.error! });
        progress(`${id} failed: ${result.error!.message.split("\n")[0]}`, id);
        ended("failed", result.error!.message);
      } else await settle(id);
      await remote.release(id);
      return;
    }
    try {
      result = await runJob(await jobFor(t, to));
    } catch (err) {
      if (stopped) return;
      if (!(err instanceof WorkerDied)) throw err;
      await study.flush();
      t = study.trial(id);
      if (t.attempts < 2) {
        await study.resume(t); // running again; the scheduler hands it out as idle work
        progress(`${id}: ${err.message}; retrying`, id);
        return;
      }
      await study.tell(t, "failed", {
        error: { name: "WorkerDied", message: `${err.message}, twice`, epoch: t.epochs },
      });
      progress(`${id} failed: its worker died twice`, id);
      ended("failed", `${err.message}, twice`);
      return;
    }
    if (stopped || result.status === "interrupted") return;
    await study.flush();
    if (result.status === "failed") {
      await study.tell(id, "failed", { error: result.error! });
      progress(`${id} failed: ${result.error!.message.split("\n")[0]}`, id);
      ended("failed", result.error!.message);
      return;
    }
    if (result.testAcc !== undefined) {
      const now = study.trial(id);
      await study.report(id, { curves: now.curves, testAcc: result.testAcc, seconds: now.seconds });
    }
    await settle(id);
  };

  // Trials a crash or an interrupt left running get their verdict first (they may sit at a
  // decision epoch), then the scheduler hands out work, `workers` jobs at a time.
  const busy = new Set<string>();
  const adopted: Promise<void>[] = [];
  if (remote)
    // Jobs a previous scheduler sent (it was killed): wait for them rather than send them again.
    for (const a of await remote.assigned()) {
      busy.add(a.id);
      progress(`${a.id} in flight (sent by a previous scheduler)`, a.id);
      adopted.push(
        work(a.id, a.to, a.job).finally(() => {
          busy.delete(a.id);
          wakeAll();
        }),
      );
    }
  for (const t of study.trials(["running"])) if (!busy.has(t.id)) await settle(t.id);
  const lanes = remote
    ? checkNumber("options.concurrency", options.concurrency ?? Math.max(4, workers), {
        integer: true,
        min: 1,
        max: 4096,
      })
    : Math.max(1, workers);
  // Whatever the scheduler answers, the search asks for at most `trials` trials, and it gives the
  // event loop a turn at least every 50 ms (an abort, a kernel interrupt, progress get through).
  let lastYield = performance.now();
  let asking = 0;
  const lane = async (): Promise<void> => {
    for (;;) {
      if (performance.now() - lastYield > 50) {
        await yieldToLoop();
        lastYield = performance.now();
      }
      if (stopped) return;
      // Trials being asked for count already: another lane must not ask past the target meanwhile.
      const canAsk = study.trials().length + asking < target;
      let job = checkJob(scheduler.next(study.trials(), study.budget, { busy, canAsk }), study.budget, (id) =>
        study.trials().some((t) => t.id === id),
      );
      // A scheduler that asks for a new trial past the study's target is told no.
      if (job !== "done" && job !== "wait" && job.kind === "new" && !canAsk) job = busy.size ? "wait" : "done";
      if (job === "done") return wakeAll();
      if (job === "wait") {
        if (busy.size === 0) {
          // Nothing in flight can change the picture: settle idle trials once, else stop.
          const idle = study.trials(["running"]);
          if (!idle.length) return wakeAll();
          for (const t of idle) await settle(t.id);
          if (study.trials(["running"]).length === idle.length) return wakeAll();
          continue;
        }
        await new Promise<void>((resolve) => waiting.push(resolve));
        continue;
      }
      let id: string;
      if (job.kind === "new") {
        asking++;
        try {
          id = (await study.ask()).id;
        } finally {
          asking--;
        }
        progress(`${id} asked`, id);
      } else {
        id = job.id;
        if (study.trial(id).state === "pruned") {
          await study.promote(id);
          progress(`${id} promoted to ${job.to} epochs`, id);
        }
      }
      busy.add(id);
      try {
        await work(id, job.to);
      } finally {
        busy.delete(id);
        wakeAll();
      }
    }
  };
  try {
    await Promise.all([...adopted, ...Array.from({ length: lanes }, () => lane())]);
    await study.flush();
    if (runaway) throw runaway;
    if (storageError) throw storageError;
  } catch (err) {
    // One lane's error stops the others (a scheduler's bad answer, a storage error).
    if (!stopped) onStop();
    throw err;
  } finally {
    finished = true;
    pool?.close();
    await localWorkers?.close();
    await remote?.close();
    options.signal?.removeEventListener("abort", onStop);
    process.off("SIGINT", onSigint);
  }
  progress(stopped ? "stopped" : "done");
  const n = tally();
  if (interruptedBySigint)
    console.log(
      `study "${study.name}" stopped by the interrupt: ${n.complete} complete, ${n.pruned} pruned, ${n.failed} failed, ` +
        `${n.running} left at their last saved epoch. Every saved epoch is kept: run the same call again to resume.`,
    );
  return {
    complete: n.complete,
    pruned: n.pruned,
    failed: n.failed,
    interrupted: n.running,
    seconds: (performance.now() - started) / 1000,
  };
}

function checkSignal(name: string, signal: unknown): void {
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

function checkScheduler(name: string, scheduler: unknown): void {
  const s = scheduler as Partial<Scheduler> | null;
  if (!s || typeof s !== "object" || typeof s.next !== "function" || typeof s.verdict !== "function")
    fail("invalid-argument", {
      parameter: name,
      rule: "must be a scheduler: an object with name, next(trials, budget, state) and verdict(trial, trials)",
      received: show(scheduler),
      fix: "pass fh.search.ashaScheduler(...), fh.search.prunerScheduler(pruner), or leave it out for the study's pruner.",
    });
}

function checkEnv(name: string, env: unknown): void {
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

function checkTrainOptions(name: string, train: unknown): void {
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
function checkJob(answer: unknown, budget: number, known: (id: string) => boolean): SchedulerJob | "wait" | "done" {
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
