/**
 * Worker processes of a shared study on this machine: `optimize` starts them next to its
 * scheduler, `feature-histories worker --concurrency N` starts N. Each is an ordinary queue worker
 * (study/queue-worker.ts) with its share of the cores for TensorFlow's thread pools; SIGTERM stops
 * each cleanly (its job goes back to the queue as interrupted).
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { workerThreadEnv } from "../train/threads.js";

export interface QueueWorkersOptions {
  readonly workers: number;
  readonly url: string;
  readonly study: string;
  /** The folders each worker may import the study's code from (--code). Default: its working directory. */
  readonly code?: readonly string[];
  readonly env?: Record<string, string>;
  readonly onWorkerStart?: (pid: number) => void;
  /** Passed on to each worker (seconds). */
  readonly heartbeatSeconds?: number;
  readonly staleSeconds?: number;
  readonly idleSeconds?: number;
  /** Each worker's events as lines on this process's stdout. */
  readonly verbose?: boolean;
  /** The Node that runs each worker. Default this process's (process.execPath). */
  readonly execPath?: string;
}

export interface QueueWorkers {
  readonly pids: () => number[];
  /** Resolves when every worker has exited (after close, or idle). */
  readonly exited: Promise<void>;
  /** SIGTERM every worker and wait for them. */
  close(): Promise<void>;
}

export function startQueueWorkers(options: QueueWorkersOptions): QueueWorkers {
  const main = fileURLToPath(new URL("./queue-worker-main.js", import.meta.url));
  const children: ChildProcess[] = [];
  const exits: Promise<void>[] = [];
  for (let i = 0; i < options.workers; i++) {
    const child = fork(main, [], {
      env: {
        ...process.env,
        ...workerThreadEnv(options.workers),
        ...options.env,
        FH_WORKER_STORAGE: options.url,
        FH_WORKER_STUDY: options.study,
        ...(options.code ? { FH_WORKER_CODE: JSON.stringify(options.code) } : {}),
        ...(options.heartbeatSeconds ? { FH_WORKER_HEARTBEAT: String(options.heartbeatSeconds) } : {}),
        ...(options.staleSeconds ? { FH_WORKER_STALE: String(options.staleSeconds) } : {}),
        ...(options.idleSeconds ? { FH_WORKER_IDLE: String(options.idleSeconds) } : {}),
        ...(options.verbose ? { FH_WORKER_VERBOSE: "1" } : {}),
      },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      ...(options.execPath ? { execPath: options.execPath } : {}),
    });
    if (child.pid !== undefined) options.onWorkerStart?.(child.pid);
    children.push(child);
    // A worker that could not be started (fork failed) emits 'error' and 'close' but never 'exit':
    // without 'close' here, close() would wait for it forever.
    child.on("error", (err) => {
      if (child.pid === undefined)
        process.stderr.write(`[feature-histories] could not start a worker process: ${err.message}\n`);
    });
    exits.push(
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.once("close", () => resolve());
      }),
    );
  }
  const exited = Promise.all(exits).then(() => undefined);
  return {
    pids: () =>
      children.filter((c) => c.pid !== undefined && c.exitCode === null && c.signalCode === null).map((c) => c.pid!),
    exited,
    async close() {
      for (const c of children)
        if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
      const t = setTimeout(() => children.forEach((c) => c.exitCode === null && c.kill("SIGKILL")), 30_000);
      await exited;
      clearTimeout(t);
    },
  };
}
