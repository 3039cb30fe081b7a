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
import { fail } from "../core/errors.js";
import { checkNumber } from "../core/validate.js";
import { peakValAcc } from "../history/curves.js";
import type { Trial } from "../history/trial.js";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { prepareData, type PreparedData } from "../train/loop.js";
import { warn } from "../core/warn.js";
import { checkCheckpoint } from "../train/checkpoint.js";
import { runTrialJob, type JobResult, type JobSnapshot, type TrialJob } from "./jobs.js";
import { QueueRunner } from "./queue-runner.js";
import { startQueueWorkers, type QueueWorkers } from "./queue-processes.js";
import { WorkerDied, WorkerPool } from "./pool.js";
import { prunerScheduler } from "../search/schedulers.js";
import type { Study } from "./study.js";
import { checkStudy } from "./study.js";
import {
  checkJob,
  checkOptionValues,
  sourceOf,
  type OptimizeOptions,
  type OptimizeResult,
} from "./optimize-options.js";
import { checkWorkers, optimizeData, sharedRunSpec, workerScore } from "./optimize-setup.js";

export { OPTIMIZE_OPTIONS } from "./optimize-options.js";
export type { OptimizeOptions, OptimizeProgress, OptimizeResult } from "./optimize-options.js";

/** Run the study's search until it has `trials` trials, all ended (or until stopped). */
export async function optimize(study: Study, options: OptimizeOptions): Promise<OptimizeResult> {
  checkStudy("study", study);
  const maxFailures = checkOptionValues(options);
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
  const { splits, dataModule } = await optimizeData(options, source, !!shared);
  const workers = checkWorkers(options, source, !!shared, target);
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

  // Set-up that fails (a bad option, a module that is not there) leaves no listener, process or connection.
  try {
    const score = workerScore(options, !!shared, study.pruner);
    if (options.code !== undefined && !shared)
      fail("invalid-argument", {
        parameter: "options.code",
        rule: "names the code folders of a study in PostgreSQL (its jobs name modules relative to them)",
        received: "a local study",
        fix: "drop options.code: a local study imports the modules you pass as they are.",
      });
    if (shared) {
      const { spec, roots } = sharedRunSpec(options, study.budget, source, dataModule, score);
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
      // Stopped meanwhile: the runner is closed; the next optimize adopts the finished job.
      if (stopped) return;
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
