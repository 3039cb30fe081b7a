/**
 * A worker of a shared study, on any machine: pulls the study's jobs from its pg-boss queue,
 * trains each trial from where its row stands (checkpoint, or the next epoch of an objective),
 * writes every epoch under its lease, heart-beats while training, and completes the job in the
 * same transaction as the trial's last write, so a crash never leaves a trial half-written or a
 * job done twice. On SIGTERM (signal) it stops after the epoch in progress is lost at most: the
 * saved epochs stay, the job is handed back as interrupted and the scheduler sends it again.
 * Code never comes from the database: the model, objective and data are imported by module
 * specifier on this machine; the config read from the row is checked against the study's space.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type PgBoss from "pg-boss";
import { fail, show } from "../core/errors.js";
import { warn } from "../core/warn.js";
import { emptyCurves } from "../history/curves.js";
import { spaceFromJSON, validateConfig } from "../space/space.js";
import type { Trial } from "../history/trial.js";
import type { Splits } from "../data/splits.js";
import { checkCheckpoint } from "../train/checkpoint.js";
import {
  importEstimator,
  importFunction,
  runTrialJob,
  type JobResult,
  type JobSnapshot,
  type ModelSource,
  type TrialJob,
} from "./jobs.js";
import { resolveCodeRef } from "./code.js";
import { claimStale, heartbeat, resetProgress, takeLease, writeProgress } from "../storage/postgres/leases.js";
import { PgStudyDb, isTransient, listenTo } from "../storage/postgres/db.js";
import { sleep } from "../storage/postgres/url.js";
import {
  channels,
  ensureQueue,
  queueName,
  startBoss,
  DEFAULT_RETRY,
  type QueueJobData,
  type RunSpec,
} from "./queue.js";
import {
  checkSpec,
  checkWorkerOptions,
  checkpointOf,
  failed,
  historiesOf,
  progressPatch,
  type WorkerOptions,
  type WorkerSummary,
} from "./queue-worker-io.js";

export type { WorkerEvent, WorkerOptions, WorkerSummary } from "./queue-worker-io.js";

/** Work on a shared study's jobs until stopped (or idle for idleSeconds). */
export async function worker(options: WorkerOptions): Promise<WorkerSummary> {
  const { study, lanes, heartbeatMs, staleSeconds, idleMs, reconnectSeconds, connectSeconds, roots } =
    checkWorkerOptions(options);
  const me = `feature-histories worker ${hostname()}:${process.pid}`;
  const started = performance.now();
  const stop = new AbortController();
  const onAbort = () => stop.abort(options.signal?.reason ?? "the worker was stopped");
  options.signal?.addEventListener("abort", onAbort);
  if (options.signal?.aborted) onAbort();
  let db: PgStudyDb;
  try {
    db = await PgStudyDb.open(options.storage, {
      applicationName: me,
      reconnectSeconds,
      connectSeconds,
      signal: stop.signal,
    });
  } catch (err) {
    options.signal?.removeEventListener("abort", onAbort);
    throw err;
  }
  const emit = (event: string, trialId?: string, epoch?: number) =>
    options.onEvent?.({ event, ...(trialId ? { trialId } : {}), ...(epoch !== undefined ? { epoch } : {}) });

  let boss: PgBoss | undefined;
  let listener: { close(): Promise<void> } | undefined;
  const summary = { jobs: 0, failed: 0, interrupted: 0 };
  try {
    let meta = await db.readMeta(study);
    // Workers may start before the scheduler creates the study: wait for it (until idleSeconds).
    if (!meta) {
      const names = await db.studyNames();
      const waitStart = Date.now();
      warn(
        `study ${show(study)} is not in database ${db.target.database} yet (${names.length ? `it has ${names.map((n) => show(n)).join(", ")}` : "no studies"}); waiting for it to be created`,
      );
      while (!meta && !stop.signal.aborted && Date.now() - waitStart < idleMs) {
        await sleep(Math.min(1000, idleMs), stop.signal);
        meta = await db.readMeta(study);
      }
    }
    if (!meta) {
      const names = await db.studyNames();
      if (stop.signal.aborted) return { ...summary, seconds: (performance.now() - started) / 1000 };
      fail("data-missing", {
        parameter: "options.study",
        rule: `must name a study in database ${db.target.database}`,
        received: show(study),
        fix: names.length
          ? `use one of ${names.map((n) => show(n)).join(", ")}.`
          : "create the study first (fh.study.create({ name, storage: URL, ... }) in the notebook or scheduler).",
      });
    }
    const space = spaceFromJSON(typeof meta.space === "string" ? meta.space : JSON.stringify(meta.space));
    boss = await startBoss(options.storage, me);
    const queue = queueName(study);
    await ensureQueue(boss, queue, DEFAULT_RETRY);
    const { jobs: jobsChannel } = channels(study);
    const wake: (() => void)[] = [];
    const wakeAll = () => wake.splice(0).forEach((w) => w());
    listener = listenTo(db.target, jobsChannel, wakeAll, wakeAll);
    stop.signal.addEventListener("abort", wakeAll);

    // pg-boss's calls outside a transaction of ours (fail, complete, fetch) meet a restarting
    // server like every other call: retried with back-off until it answers or the worker stops.
    const connectionLost = (err: unknown) =>
      isTransient(err) || /Connection|terminat|ECONN/i.test(String((err as Error)?.message));
    const persist = async <T>(call: () => Promise<T>): Promise<T> => {
      let delay = 100;
      for (;;) {
        try {
          return await call();
        } catch (err) {
          if (!connectionLost(err) || stop.signal.aborted) throw err;
          await sleep(delay, stop.signal);
          delay = Math.min(5000, delay * 2);
        }
      }
    };

    let lastReclaim = 0;
    const reclaim = async () => {
      if (Date.now() - lastReclaim < heartbeatMs) return;
      lastReclaim = Date.now();
      for (const s of await claimStale(db, study, staleSeconds)) {
        await persist(() =>
          boss!.fail(queue, s.job, { message: `its worker stopped heart-beating for ${staleSeconds} s` }),
        );
        emit(`${s.id} handed back (its worker stopped heart-beating)`, s.id);
      }
    };

    const prepared = new Map<string, Promise<unknown>>();
    const prepare = (spec: RunSpec): Promise<unknown> => {
      if (spec.model.kind === "objective") return Promise.resolve(undefined);
      if (!spec.data)
        fail("invalid-argument", {
          parameter: "data",
          rule: "a shared study that trains models needs its data as { module, exportName } every worker imports",
          received: "none in the job",
          fix: "pass optimize({ data: { module, exportName } }) in the scheduler.",
        });
      const key = `${spec.data.module}#${spec.data.exportName}#${spec.data.sha256}`;
      let p = prepared.get(key);
      if (!p) {
        p = (async () => {
          const { resolveBackend } = await import("../train/backend.js");
          const { prepareData } = await import("../train/loop.js");
          await resolveBackend();
          const load = await importFunction<() => Splits | Promise<Splits>>(
            resolveCodeRef(spec.data, roots, "job.spec.data"),
            spec.data!.exportName,
            "data",
          );
          return prepareData(await load(), { includeTest: true });
        })();
        prepared.set(key, p);
        p.catch(() => prepared.delete(key));
      }
      return p;
    };

    const runOne = async (job: PgBoss.Job<QueueJobData>): Promise<void> => {
      const data = job.data;
      const id = data.trialId;
      const spec = data.spec;
      // This machine must be able to run it: import the code (and load the data) before taking the trial.
      // Every module is named relative to this worker's code roots and checked against its hash.
      let preparedData: unknown;
      let source: ModelSource = { kind: "builtin" };
      let estimatorUrl: string | undefined;
      try {
        checkSpec(spec);
        if (spec.model.kind === "module" || spec.model.kind === "objective") {
          const url = resolveCodeRef(spec.model, roots, "job.spec.model");
          await importFunction(url, spec.model.exportName, spec.model.kind === "objective" ? "objective" : "model");
          source =
            spec.model.kind === "objective"
              ? { kind: "objective", module: url, exportName: spec.model.exportName }
              : {
                  kind: "module",
                  module: url,
                  exportName: spec.model.exportName,
                  ...(spec.model.featuresLayer ? { featuresLayer: spec.model.featuresLayer } : {}),
                };
        }
        preparedData = await prepare(spec);
        if (spec.score) {
          estimatorUrl = resolveCodeRef(spec.score.estimator, roots, "job.spec.score.estimator");
          await importEstimator(estimatorUrl, spec.score.estimator.exportName, "scoreOnWorkers");
        }
      } catch (err) {
        const message = `worker ${me} refuses or cannot run it: ${(err as Error).message}`;
        warn(`job ${job.id} (trial ${show(id)}) handed back: ${(err as Error).message}`);
        emit(`${typeof id === "string" ? id : "?"} handed back: ${(err as Error).message.split("\n")[0]}`);
        await persist(() => boss!.fail(queue, job.id, { message }));
        throw err;
      }
      const lease = `${job.id}:${randomUUID()}`;
      let trial = await takeLease(db, study, id, job.id, lease);
      if (!trial) {
        // The scheduler has moved on from this job (it assigned another): nothing to do.
        await persist(() => boss!.complete(queue, job.id, { status: "stale" }));
        return;
      }
      emit(`${id} taken (to epoch ${data.toEpoch})`, id);
      const abort = new AbortController();
      const onStop = () => abort.abort("the worker was stopped");
      stop.signal.addEventListener("abort", onStop);
      let lost = false;
      const loseLease = () => {
        lost = true;
        abort.abort("another worker took this trial over");
      };
      const beat = setInterval(() => {
        heartbeat(db, study, id, lease).then(
          (ok) => void (ok || loseLease()),
          () => {},
        );
      }, heartbeatMs);
      let result: JobResult;
      try {
        try {
          validateConfig(space, trial.config as Record<string, string | number | boolean>);
        } catch (err) {
          result = failed(id, err, trial.epochs);
          return void (await finish(job, id, lease, result));
        }
        let resume: TrialJob["resume"];
        if (spec.model.kind !== "objective" && trial.epochs > 0) {
          const bytes =
            trial.checkpointEpoch === trial.epochs
              ? await db.loadCheckpoint(study, id, trial.checkpointEpoch)
              : undefined;
          let ok = !!(bytes && trial.probeTrain && trial.probeValidation);
          if (ok) {
            try {
              checkCheckpoint(bytes!, `checkpoint of ${id}`);
            } catch (err) {
              warn(`${id}: ${(err as Error).message.split("\n")[0]}; training it again from its first epoch`);
              ok = false;
            }
          }
          if (ok)
            resume = {
              checkpoint: bytes!,
              curves: trial.curves,
              probeTrain: trial.probeTrain!,
              probeValidation: trial.probeValidation!,
              seconds: trial.seconds,
            };
          else {
            const empty = { epochs: 0, curves: emptyCurves(), seconds: 0 };
            if (!(await resetProgress(db, study, id, lease, empty))) return loseLease();
            trial = { ...trial, ...empty };
          }
        }
        const trialJob: TrialJob = {
          trialId: id,
          config: trial.config,
          seed: trial.seed,
          budget: spec.budget,
          toEpoch: data.toEpoch,
          ...(spec.train ? { train: spec.train } : {}),
          ...(spec.historyDtype ? { historyDtype: spec.historyDtype } : {}),
          ...(resume ? { resume } : {}),
          ...(spec.model.kind === "objective" && trial.epochs > 0
            ? { previous: { curves: trial.curves, seconds: trial.seconds } }
            : {}),
        };
        let latest: Trial = trial;
        // The job's last epoch is written by finish, in the transaction that completes the job.
        let last: JobSnapshot | undefined;
        const onSnapshot = async (s: JobSnapshot) => {
          if (lost) return;
          const epochs = s.curves.valAcc.length;
          latest = {
            ...latest,
            epochs,
            curves: s.curves,
            seconds: s.seconds,
            ...(s.probeTrain ? { probeTrain: s.probeTrain } : {}),
            ...(s.probeValidation ? { probeValidation: s.probeValidation } : {}),
          };
          if (epochs >= data.toEpoch) {
            last = s;
            return;
          }
          const ok = await writeProgress(db, study, id, lease, progressPatch(s), historiesOf(s), checkpointOf(s));
          if (!ok) return loseLease();
          emit(`${id} epoch ${epochs}`, id, epochs);
        };
        result = await runTrialJob(trialJob, preparedData as never, source, onSnapshot, abort.signal);
        if (lost) {
          emit(`${id} dropped: another worker took it over`, id);
          return;
        }
        if (stop.signal.aborted && result.status !== "done")
          result = { trialId: id, status: "interrupted", epochs: result.epochs };
        let scores: Record<string, number> | undefined;
        if (spec.score && result.status === "done" && result.epochs === spec.score.t && spec.score.t < spec.budget) {
          // The decision's estimator fit happens here, on the worker, not in the scheduler.
          const est = await importEstimator(estimatorUrl!, spec.score.estimator.exportName, "scoreOnWorkers");
          const key = `${est.name}@${spec.score.t}`;
          try {
            const score = est.estimate(latest, spec.score.t, spec.budget);
            if (Number.isFinite(score)) scores = { ...trial.fitted, [key]: score };
          } catch (err) {
            warn(
              `${id}: ${key} failed on this worker (${(err as Error).message.split("\n")[0]}); the scheduler fits it`,
            );
          }
          if (scores) emit(`${id} scored ${key} ${scores[key]!.toFixed(3)}`, id);
        }
        await finish(job, id, lease, result, scores, last);
      } finally {
        clearInterval(beat);
        stop.signal.removeEventListener("abort", onStop);
      }
    };

    const finish = async (
      job: PgBoss.Job<QueueJobData>,
      id: string,
      lease: string,
      result: JobResult,
      fitted?: Record<string, number>,
      last?: JobSnapshot,
    ) => {
      const { done } = channels(study);
      const patch = {
        ...(last ? progressPatch(last) : {}),
        ...(result.testAcc !== undefined ? { testAcc: result.testAcc } : {}),
        ...(fitted ? { fitted } : {}),
      };
      const ok = await writeProgress(
        db,
        study,
        id,
        lease,
        patch,
        last ? historiesOf(last) : {},
        last ? checkpointOf(last) : undefined,
        async (c) => {
          await boss!.complete(
            queue,
            job.id,
            { ...result },
            { db: { executeSql: (text, values) => c.query(text, values) } },
          );
          await c.query("SELECT pg_notify($1, $2)", [done, job.id]);
        },
      );
      if (ok && last) emit(`${id} epoch ${last.curves.valAcc.length}`, id, last.curves.valAcc.length);
      if (!ok) return emit(`${id} dropped: another worker took it over`, id);
      if (result.status === "interrupted") summary.interrupted++;
      else {
        summary.jobs++;
        if (result.status === "failed") summary.failed++;
      }
      emit(
        `${id} ${result.status === "failed" ? `failed: ${result.error?.message.split("\n")[0]}` : result.status} (epoch ${result.epochs})`,
        id,
        result.epochs,
      );
    };

    let lastJob = Date.now();
    const lane = async (): Promise<void> => {
      let delay = 100;
      while (!stop.signal.aborted) {
        let jobs: PgBoss.Job<QueueJobData>[];
        try {
          await reclaim();
          jobs = await boss!.fetch<QueueJobData>(queue, { batchSize: 1 });
          delay = 100;
        } catch (err) {
          if (!connectionLost(err)) throw err;
          await sleep(delay, stop.signal);
          delay = Math.min(5000, delay * 2);
          continue;
        }
        const job = jobs?.[0];
        if (!job) {
          if (Date.now() - lastJob > idleMs) return;
          // A NOTIFY of a new job, or a second's poll (a notification missed across a reconnect).
          await new Promise<void>((resolve) => {
            const t = setTimeout(finish, 1000);
            wake.push(finish);
            stop.signal.addEventListener("abort", finish, { once: true });
            function finish() {
              clearTimeout(t);
              stop.signal.removeEventListener("abort", finish);
              resolve();
            }
          });
          continue;
        }
        lastJob = Date.now();
        await runOne(job);
        lastJob = Date.now();
      }
    };
    await Promise.all(Array.from({ length: lanes }, () => lane()));
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    await listener?.close();
    await boss?.stop({ graceful: false, wait: true, close: true } as PgBoss.StopOptions).catch(() => {});
    await db.close();
  }
  return { ...summary, seconds: (performance.now() - started) / 1000 };
}
