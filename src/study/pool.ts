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
import { fail } from "../core/errors.js";
import type { JobResult, JobSnapshot, ModelSource, TrialJob } from "./jobs.js";

/** Workers that die before they are ready, in a row, before the pool gives up (a set-up error, not bad luck). */
export const START_DEATHS = 3;

export class WorkerDied extends Error {
  override readonly name = "WorkerDied";
}

interface Slot {
  readonly child: ChildProcess;
  ready: Promise<void>;
  isReady: boolean;
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
  /** The Node that runs each worker. Default this process's (process.execPath). */
  readonly execPath?: string;
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
  /** Workers that died before they were ready, in a row, and the last one's stderr (its error). */
  private startDeaths = 0;
  private lastStderr = "";

  constructor(private readonly options: PoolOptions) {}

  private spawn(): Slot {
    const worker = fileURLToPath(new URL("./worker.js", import.meta.url));
    const child = fork(worker, [], {
      serialization: "advanced",
      // TensorFlow's start-up INFO lines (CPU features) would land in every notebook cell with workers.
      env: {
        TF_CPP_MIN_LOG_LEVEL: "1",
        ...process.env,
        ...workerThreadEnv(this.options.workers),
        ...this.options.env,
      },
      stdio: ["ignore", "inherit", "pipe", "ipc"],
      ...(this.options.execPath ? { execPath: this.options.execPath } : {}),
    });
    // The worker's stderr goes on to ours; its tail is kept to explain a worker that cannot start.
    let tail = "";
    child.stderr?.on("data", (b: Buffer) => {
      process.stderr.write(b);
      tail = (tail + b.toString()).slice(-4000);
    });
    if (child.pid !== undefined) this.options.onWorkerStart?.(child.pid);
    let started: () => void = () => {};
    const slot: Slot = {
      child,
      busy: false,
      isReady: false,
      ready: new Promise<void>((resolve) => (started = resolve)),
    };
    child.on("message", (m: Incoming) => {
      if (m.type === "started") child.send({ type: "init", splits: this.options.splits, source: this.options.source });
      else if (m.type === "ready") {
        slot.isReady = true;
        this.startDeaths = 0;
        started();
      } else if (m.type === "snapshot") slot.current?.onSnapshot(m.snapshot);
      else if (m.type === "result") {
        const c = slot.current;
        slot.current = undefined;
        slot.busy = false;
        c?.resolve(m.result);
        this.waiting.shift()?.();
      }
    });
    // A worker that cannot be started at all (fork fails: no memory, no process slots, a missing
    // Node) emits 'error' and 'close' but never 'exit'; without these the job would wait for it
    // forever (and the 'error' would be an uncaught exception of the kernel). 'exit' and 'close'
    // both end the slot, once.
    let spawnError = "";
    child.on("error", (err) => {
      if (child.pid === undefined) spawnError = `could not start a worker process: ${err.message}`;
    });
    let gone = false;
    const onGone = (code: number | null, signal: NodeJS.Signals | null) => {
      if (gone) return;
      gone = true;
      if (spawnError) tail = `${tail}\n${spawnError}`;
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      const c = slot.current;
      slot.current = undefined;
      if (!slot.isReady) {
        this.startDeaths++;
        this.lastStderr = `${signal ?? `exit ${code}`}${tail.trim() ? `: ${tail.trim().split("\n").slice(-12).join("\n")}` : ""}`;
      }
      started(); // never leave a job waiting on a dead worker's start
      c?.reject(
        new WorkerDied(
          spawnError
            ? `${spawnError} (for the job)`
            : `worker pid ${child.pid} died (${signal ?? `exit ${code}`}) during the job`,
        ),
      );
      this.waiting.shift()?.();
    };
    child.on("exit", onGone);
    child.on("close", onGone);
    this.slots.push(slot);
    return slot;
  }

  /** Run one job on a worker; rejects with WorkerDied if that worker dies before answering. */
  async run(job: TrialJob, onSnapshot: (s: JobSnapshot) => void): Promise<JobResult> {
    for (;;) {
      if (this.closed) throw new WorkerDied("the pool is closed");
      if (this.startDeaths >= START_DEATHS)
        fail("state", {
          parameter: "options.workers",
          rule: `worker processes must start: ${this.startDeaths} in a row died before they were ready`,
          received: this.lastStderr,
          fix: "fix the error above (an FH_BACKEND or other environment setting, a model module that does not import), or pass workers: 0 to train in this process.",
        });
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
