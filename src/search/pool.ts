import { fork, type ChildProcess } from "node:child_process";
import { checkNumber } from "../core/validate.js";

/**
 * A pool of worker processes, one task at a time each. tfjs-wasm is single-threaded, so
 * parallelism on CPU is processes: with N workers, N candidates train at once.
 *
 * The worker module receives `{ type: "task", id, payload }` messages and answers
 * `{ type: "result", id, result }` (or `{ type: "error", id, message }`). A worker that dies
 * mid-task is replaced and its task retried up to `retries` times, then reported as an error.
 */
export interface PoolTask<P> {
  readonly id: string;
  readonly payload: P;
}

export interface PoolOptions<P, R> {
  /** Absolute path of the worker module (ESM). */
  readonly worker: string;
  readonly tasks: readonly PoolTask<P>[];
  /** Worker processes. Default 2. */
  readonly workers?: number;
  /** Called as soon as a task finishes, before the next is scheduled: persist here. */
  readonly onResult: (id: string, result: R, worker: number) => void | Promise<void>;
  /** Called when a task cannot be completed (its worker kept dying, or it reported an error). */
  readonly onError: (id: string, message: string, worker: number) => void | Promise<void>;
  /** Retries of a task whose worker died. Default 1. */
  readonly retries?: number;
  /** Extra environment for the workers. */
  readonly env?: Record<string, string>;
  readonly signal?: AbortSignal;
  /** Called with each worker's pid when it starts (progress reports, tests). */
  readonly onWorkerStart?: (slot: number, pid: number) => void;
}

type Msg<R> =
  { type: "result"; id: string; result: R } | { type: "error"; id: string; message: string } | { type: "ready" };

export async function runPool<P, R>(options: PoolOptions<P, R>): Promise<{ completed: number; failed: number }> {
  const n = checkNumber("options.workers", options.workers ?? 2, { integer: true, min: 1, max: 64 });
  const retries = options.retries ?? 1;
  const queue = [...options.tasks];
  const attempts = new Map<string, number>();
  let completed = 0;
  let failed = 0;
  const children = new Set<ChildProcess>();
  const stopAll = () => {
    for (const c of children) c.kill("SIGTERM");
  };
  options.signal?.addEventListener("abort", stopAll);
  const lane = (slot: number, strikes = 0): Promise<void> =>
    new Promise((resolve, reject) => {
      let current: PoolTask<P> | undefined;
      let answered = 0;
      const child = fork(options.worker, [], {
        serialization: "advanced",
        env: { ...process.env, ...options.env, FH_WORKER_SLOT: String(slot) },
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
      children.add(child);
      if (child.pid !== undefined) options.onWorkerStart?.(slot, child.pid);
      const next = () => {
        if (options.signal?.aborted) current = undefined;
        else current = queue.shift();
        if (!current) {
          child.removeAllListeners("exit");
          child.kill("SIGTERM");
          children.delete(child);
          resolve();
          return;
        }
        attempts.set(current.id, (attempts.get(current.id) ?? 0) + 1);
        child.send({ type: "task", id: current.id, payload: current.payload });
      };
      child.on("message", (m: Msg<R>) => {
        void (async () => {
          if (m.type === "ready") return next();
          if (!current || m.id !== current.id) return;
          answered++;
          if (m.type === "result") {
            await options.onResult(m.id, m.result, slot);
            completed++;
          } else {
            await options.onError(m.id, m.message, slot);
            failed++;
          }
          next();
        })();
      });
      child.on("exit", (code, signal) => {
        children.delete(child);
        const task = current;
        void (async () => {
          if (task && !options.signal?.aborted) {
            if ((attempts.get(task.id) ?? 0) <= retries) queue.unshift(task);
            else {
              await options.onError(
                task.id,
                `worker ${slot} died (${signal ?? `exit ${code}`}) on every attempt`,
                slot,
              );
              failed++;
            }
          }
          // Replace the dead worker while work remains; a worker that keeps dying before it
          // answers anything means the worker module itself is broken: stop instead of looping.
          const nextStrikes = answered === 0 ? strikes + 1 : 0;
          if (nextStrikes > 3)
            reject(new Error(`worker ${slot} died ${nextStrikes} times without finishing a task (${options.worker})`));
          else if (queue.length && !options.signal?.aborted) resolve(lane(slot, nextStrikes));
          else resolve();
        })();
      });
    });
  await Promise.all(Array.from({ length: Math.min(n, Math.max(1, options.tasks.length)) }, (_, i) => lane(i)));
  options.signal?.removeEventListener("abort", stopAll);
  return { completed, failed };
}
