/**
 * Worker processes for a live search: `run(job)` sends a trial job to an idle worker (starting
 * one when fewer than `workers` exist) and resolves with its result; snapshots stream through
 * `onSnapshot`. A worker that dies mid-job rejects that job with WorkerDied (the search decides
 * whether to retry) and is replaced on the next job. Each worker gets its share of the cores
 * for TensorFlow's thread pools.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Splits } from "../data/splits.js";
import { workerThreadEnv } from "../train/threads.js";
import type { JobResult, JobSnapshot, ModelSource, TrialJob } from "./jobs.js";

export class WorkerDied extends Error {
  override readonly name = "WorkerDied";
}

interface Slot {
  readonly child: ChildProcess;
  ready: Promise<void>;
  busy: boolean;
  current?: { resolve: (r: JobResult) => void; reject: (e: Error) => void; onSnapshot: (s: JobSnapshot) => void };
}

export interface PoolOptions {
  readonly workers: number;
  /** The data (none for an objective, which loads its own). */
  readonly splits?: Splits;
  readonly source: ModelSource;
  /** Extra environment (e.g. FH_BACKEND). */
  readonly env?: Record<string, string>;
  readonly onWorkerStart?: (pid: number) => void;
}

type Incoming =
  | { type: "started" }
  | { type: "ready" }
  | { type: "snapshot"; snapshot: JobSnapshot }
  | { type: "result"; result: JobResult };

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: (() => void)[] = [];
  private closed = false;

  constructor(private readonly options: PoolOptions) {}

  private spawn(): Slot {
    const worker = fileURLToPath(new URL("./worker.js", import.meta.url));
    const child = fork(worker, [], {
      serialization: "advanced",
      env: { ...process.env, ...workerThreadEnv(this.options.workers), ...this.options.env },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    if (child.pid !== undefined) this.options.onWorkerStart?.(child.pid);
    let started: () => void = () => {};
    const slot: Slot = {
      child,
      busy: false,
      ready: new Promise<void>((resolve) => (started = resolve)),
    };
    child.on("message", (m: Incoming) => {
      if (m.type === "started") child.send({ type: "init", splits: this.options.splits, source: this.options.source });
      else if (m.type === "ready") started();
      else if (m.type === "snapshot") slot.current?.onSnapshot(m.snapshot);
      else if (m.type === "result") {
        const c = slot.current;
        slot.current = undefined;
        slot.busy = false;
        c?.resolve(m.result);
        this.waiting.shift()?.();
      }
    });
    child.on("exit", (code, signal) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      const c = slot.current;
      slot.current = undefined;
      started(); // never leave a job waiting on a dead worker's start
      c?.reject(new WorkerDied(`worker pid ${child.pid} died (${signal ?? `exit ${code}`}) during the job`));
      this.waiting.shift()?.();
    });
    this.slots.push(slot);
    return slot;
  }

  /** Run one job on a worker; rejects with WorkerDied if that worker dies before answering. */
  async run(job: TrialJob, onSnapshot: (s: JobSnapshot) => void): Promise<JobResult> {
    for (;;) {
      if (this.closed) throw new WorkerDied("the pool is closed");
      let slot = this.slots.find((s) => !s.busy);
      if (!slot && this.slots.length < this.options.workers) slot = this.spawn();
      if (slot) {
        slot.busy = true;
        await slot.ready;
        if (!this.slots.includes(slot)) continue; // it died while starting: take another
        return new Promise<JobResult>((resolve, reject) => {
          slot.current = { resolve, reject, onSnapshot };
          slot.child.send({ type: "job", job });
        });
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  /** The workers' pids (for progress reports and tests). */
  pids(): number[] {
    return this.slots.map((s) => s.child.pid!).filter((p) => p !== undefined);
  }

  /** Stop every worker (SIGTERM: each stops after its current batch; saved epochs stay saved). */
  close(): void {
    this.closed = true;
    for (const s of this.slots) s.child.kill("SIGTERM");
    for (const w of this.waiting.splice(0)) w();
  }
}
