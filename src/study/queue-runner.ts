/**
 * The scheduler's side of a shared study: optimize runs its decision logic as in the local case
 * and, instead of handing jobs to its own processes, sends them to the study's pg-boss queue and
 * waits for the workers (on any machine) to finish them. A job's id is written to its trial's row
 * before it is sent, so a scheduler restarted after a crash finds every job it had sent (or was
 * about to send) and waits for those instead of sending them twice. Finished jobs wake it through
 * NOTIFY (with a one-second poll behind it); workers' epochs are polled for live progress; a job
 * whose worker stopped heart-beating is failed back to pg-boss, which retries it elsewhere.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type PgBoss from "pg-boss";
import type { JobResult } from "./jobs.js";
import { assignJob, assignedEpochs, assignedJobs, claimStale } from "../storage/postgres/leases.js";
import { PgStudyDb, listenTo } from "../storage/postgres/db.js";
import {
  DEFAULT_RETRY,
  channels,
  ensureQueue,
  queueName,
  startBoss,
  type QueueJobData,
  type RetryPolicy,
  type RunSpec,
} from "./queue.js";

export interface QueueRunnerOptions {
  readonly url: string;
  readonly study: string;
  readonly spec: RunSpec;
  readonly retry?: RetryPolicy;
  /** A job whose worker has not heart-beaten for this long goes back to the queue. Default 30 s. */
  readonly staleSeconds?: number;
  /** A trial in flight wrote epoch `epoch` (live progress). */
  readonly onEpoch?: (id: string, epoch: number) => void;
  /** Something worth a line in the progress (a job handed back, a job sent again). */
  readonly onNote?: (id: string, note: string) => void;
}

interface Pending {
  readonly id: string;
  readonly to: number;
  job: string;
  readonly resolve: (r: JobResult) => void;
  readonly reject: (e: Error) => void;
}

export class QueueRunner {
  private readonly pending = new Map<string, Pending>();
  private readonly epochs = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private listener: { close(): Promise<void> } | undefined;
  private polling = false;
  private closed = false;

  private constructor(
    private readonly options: QueueRunnerOptions,
    private readonly db: PgStudyDb,
    private readonly boss: PgBoss,
    private readonly queue: string,
  ) {}

  static async start(options: QueueRunnerOptions): Promise<QueueRunner> {
    const me = `feature-histories scheduler ${hostname()}:${process.pid}`;
    const db = await PgStudyDb.open(options.url, { applicationName: me });
    let boss: PgBoss | undefined;
    try {
      boss = await startBoss(options.url, me);
      const queue = queueName(options.study);
      await ensureQueue(boss, queue, options.retry ?? DEFAULT_RETRY);
      const runner = new QueueRunner(options, db, boss, queue);
      const { done } = channels(options.study);
      runner.listener = listenTo(
        db.target,
        done,
        (job) => void runner.checkJob(job),
        () => void runner.poll(),
      );
      runner.timer = setInterval(() => void runner.poll(), 1000);
      return runner;
    } catch (err) {
      await boss?.stop({ graceful: false, wait: false } as PgBoss.StopOptions).catch(() => {});
      await db.close();
      throw err;
    }
  }

  /** Jobs a previous scheduler assigned and did not take in (adopt them, do not send them again). */
  assigned(): Promise<{ id: string; job: string; to: number }[]> {
    return assignedJobs(this.db, this.options.study);
  }

  /** Send a job training trial `id` to epoch `to`, and wait for its outcome. */
  async run(id: string, to: number): Promise<JobResult> {
    const job = randomUUID();
    await assignJob(this.db, this.options.study, id, job, to);
    await this.send(id, to, job);
    return this.wait(id, to, job);
  }

  /** Wait for a job a previous scheduler sent (sending it if that scheduler died before it could). */
  async adopt(id: string, job: string, to: number): Promise<JobResult> {
    const found = await this.boss.getJobById(this.queue, job, { includeArchive: true });
    if (!found) await this.send(id, to, job);
    return this.wait(id, to, job);
  }

  /** The trial's result is taken in: clear its job. */
  async release(id: string): Promise<void> {
    await assignJob(this.db, this.options.study, id, null);
    this.epochs.delete(id);
  }

  private async send(id: string, to: number, job: string): Promise<void> {
    const data: QueueJobData = { study: this.options.study, trialId: id, toEpoch: to, spec: this.options.spec };
    const retry = this.options.retry ?? DEFAULT_RETRY;
    await this.db.retry("sending a job", () =>
      this.boss.send(this.queue, data as unknown as object, {
        id: job,
        retryLimit: retry.retryLimit,
        retryDelay: retry.retryDelay,
        retryBackoff: true,
        expireInSeconds: retry.expireInSeconds,
      }),
    );
    await this.db.query("SELECT pg_notify($1, $2)", [channels(this.options.study).jobs, job]);
  }

  private wait(id: string, to: number, job: string): Promise<JobResult> {
    return new Promise<JobResult>((resolve, reject) => {
      this.pending.set(job, { id, to, job, resolve, reject });
      void this.checkJob(job);
    });
  }

  /** Look at one pending job; settle it when it has ended. */
  private async checkJob(job: string): Promise<void> {
    const p = this.pending.get(job);
    if (!p || this.closed) return;
    let found: PgBoss.JobWithMetadata<QueueJobData> | null;
    try {
      found = await this.boss.getJobById<QueueJobData>(this.queue, job, { includeArchive: true });
    } catch {
      return; // the server is away: the poll tries again
    }
    if (!found || this.pending.get(job) !== p) return;
    const output = (found.output ?? {}) as Partial<JobResult> & { message?: string; value?: { message?: string } };
    if (found.state === "completed") {
      if (output.status === "interrupted") {
        // A worker stopped cleanly (SIGTERM) after saving its epochs: send the rest again.
        this.pending.delete(job);
        const next = randomUUID();
        this.options.onNote?.(p.id, `its worker stopped at epoch ${output.epochs ?? "?"}; sent again`);
        try {
          await assignJob(this.db, this.options.study, p.id, next, p.to);
          await this.send(p.id, p.to, next);
          this.pending.set(next, { ...p, job: next });
        } catch (err) {
          p.reject(err as Error);
        }
        return;
      }
      this.pending.delete(job);
      p.resolve(output as JobResult);
    } else if (found.state === "failed" || found.state === "cancelled") {
      this.pending.delete(job);
      const why = output.message ?? output.value?.message ?? found.state;
      p.resolve({
        trialId: p.id,
        status: "failed",
        error: {
          name: "WorkerLost",
          message: `its job ${found.state} after ${found.retryCount + 1} attempt(s): ${why}`,
          epoch: this.epochs.get(p.id) ?? 0,
        },
        epochs: this.epochs.get(p.id) ?? 0,
      });
    }
  }

  /** Every second: pending jobs' states, workers' epochs, stale heartbeats. */
  private async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      for (const job of [...this.pending.keys()]) await this.checkJob(job);
      if (this.options.onEpoch && this.pending.size) {
        const now = await assignedEpochs(this.db, this.options.study);
        for (const [id, e] of now)
          if (e > (this.epochs.get(id) ?? 0) && [...this.pending.values()].some((p) => p.id === id)) {
            this.epochs.set(id, e);
            this.options.onEpoch(id, e);
          }
      }
      for (const s of await claimStale(this.db, this.options.study, this.options.staleSeconds ?? 30)) {
        await this.boss.fail(this.queue, s.job, { message: "its worker stopped heart-beating" });
        this.options.onNote?.(s.id, "its worker stopped heart-beating; handed back to the queue");
      }
    } catch {
      /* the server is away: next second */
    } finally {
      this.polling = false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.listener?.close();
    await this.boss.stop({ graceful: false, wait: true, close: true } as PgBoss.StopOptions).catch(() => {});
    await this.db.close();
    for (const p of this.pending.values()) p.reject(new Error("the scheduler stopped"));
    this.pending.clear();
  }
}
