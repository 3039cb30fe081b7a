/**
 * What a queue worker is given and what it reads and writes for a job: fh.study.worker's options,
 * events and summary; a job's spec as read from the database (its shape checked before use); a
 * snapshot's progress patch, histories and checkpoint as written under the lease; a failed result.
 */
import { fail, FeatureHistoriesError, show } from "../core/errors.js";
import type { FeatureHistory } from "../history/feature-history.js";
import type { ProgressPatch } from "../storage/postgres/db.js";
import type { JobResult, JobSnapshot } from "./jobs.js";
import type { RunSpec } from "./queue.js";
import { checkFunction, checkKeys, checkNumber, checkRequired, checkString } from "../core/validate.js";
import { codeRoots } from "./code.js";
import { checkSignal } from "./optimize-options.js";

/** Options of fh.study.worker: the PostgreSQL URL, the study, concurrency, heartbeat, stale and idle times. */
export interface WorkerOptions {
  /** The study's PostgreSQL URL (postgres://user@host/db; the password from PGPASSWORD or ~/.pgpass). */
  readonly storage: string;
  /** The study's name. */
  readonly study: string;
  /** Jobs at a time in this process. Default 1 (run one process per core for CPU-bound training). */
  readonly concurrency?: number;
  /** Stop: the epoch in progress is dropped, the saved ones stay, the job goes back to the queue. */
  readonly signal?: AbortSignal;
  /** Every job taken, epoch written and job finished. */
  readonly onEvent?: (event: WorkerEvent) => void;
  /** Seconds between heartbeats while training. Default 5. */
  readonly heartbeatSeconds?: number;
  /** A job whose worker has not heart-beaten for this long goes back to the queue. Default 30. */
  readonly staleSeconds?: number;
  /** Stop after this many seconds without a job. Default: never. */
  readonly idleSeconds?: number;
  /** How long a lost connection is retried. Default 300. */
  readonly reconnectSeconds?: number;
  /** How long the first connection waits for a server that is starting up or not answering. Default 300. */
  readonly connectSeconds?: number;
  /**
   * The folder(s) this worker imports the study's code from: a job names each module by a path
   * relative to them and its hash, never by a path, URL or package from the database. Default:
   * the working directory the worker was started in.
   */
  readonly code?: string | readonly string[];
}

/** What a shared study's worker did: took a job, wrote an epoch, finished or handed back a job. */
export interface WorkerEvent {
  /** e.g. "t0004 taken", "t0004 epoch 2", "t0004 done", "t0007 handed back (its worker stopped heart-beating)". */
  readonly event: string;
  readonly trialId?: string;
  readonly epoch?: number;
}

/** What a worker did before it stopped: jobs run, failed trials, jobs handed back, seconds. */
export interface WorkerSummary {
  /** Jobs this worker ran to their end (done or failed trial). */
  readonly jobs: number;
  readonly failed: number;
  readonly interrupted: number;
  readonly seconds: number;
}

export function progressPatch(s: JobSnapshot): ProgressPatch {
  const epochs = s.curves.valAcc.length;
  return {
    epochs,
    curves: s.curves,
    seconds: s.seconds,
    ...(s.parameters ? { parameters: s.parameters } : {}),
    ...(s.checkpoint ? { checkpointEpoch: epochs } : {}),
  };
}

export function historiesOf(s: JobSnapshot): { probeTrain?: FeatureHistory; probeValidation?: FeatureHistory } {
  return {
    ...(s.probeTrain ? { probeTrain: s.probeTrain } : {}),
    ...(s.probeValidation ? { probeValidation: s.probeValidation } : {}),
  };
}

export function checkpointOf(s: JobSnapshot): { epoch: number; bytes: Uint8Array } | undefined {
  return s.checkpoint ? { epoch: s.curves.valAcc.length, bytes: s.checkpoint } : undefined;
}

export function failed(id: string, err: unknown, epoch: number): JobResult {
  const e = err as Error;
  return {
    trialId: id,
    status: "failed",
    error: {
      name: e instanceof FeatureHistoriesError ? e.name : (e?.name ?? "Error"),
      message: e?.message ?? String(err),
      epoch,
    },
    epochs: epoch,
  };
}

/** A job's spec as a worker reads it from the database: its shape checked before anything is used. */
export function checkSpec(spec: unknown): asserts spec is RunSpec {
  const s = spec as Partial<RunSpec> | null;
  const kinds = ["builtin", "module", "objective"];
  if (
    !s ||
    typeof s !== "object" ||
    !Number.isInteger(s.budget) ||
    (s.budget as number) < 1 ||
    !s.model ||
    typeof s.model !== "object" ||
    !kinds.includes((s.model as { kind?: string }).kind ?? "")
  )
    fail("data-corrupt", {
      parameter: "job.spec",
      rule: "must be a job a feature-histories scheduler wrote: { budget, model: { kind: builtin | module | objective, ... }, ... }",
      received: show(spec),
      fix: "check who can write the study's database (docs/scale-out.md, threat model).",
    });
}

/** fh.study.worker's options checked at the call, with their defaults. */
export function checkWorkerOptions(options: WorkerOptions) {
  const allowed = [
    "storage",
    "study",
    "concurrency",
    "signal",
    "onEvent",
    "heartbeatSeconds",
    "staleSeconds",
    "idleSeconds",
    "reconnectSeconds",
    "connectSeconds",
    "code",
  ];
  checkRequired("options", options, allowed);
  checkKeys("options", options, allowed);
  const study = checkString("options.study", options.study);
  const lanes = checkNumber("options.concurrency", options.concurrency ?? 1, { integer: true, min: 1, max: 64 });
  const heartbeatMs = checkNumber("options.heartbeatSeconds", options.heartbeatSeconds ?? 5, { above: 0 }) * 1000;
  const staleSeconds = checkNumber("options.staleSeconds", options.staleSeconds ?? 30, { above: 0 });
  const idleMs =
    options.idleSeconds === undefined
      ? Infinity
      : checkNumber("options.idleSeconds", options.idleSeconds, { above: 0 }) * 1000;
  const reconnectSeconds = checkNumber("options.reconnectSeconds", options.reconnectSeconds ?? 300, { min: 0 });
  const connectSeconds = checkNumber("options.connectSeconds", options.connectSeconds ?? reconnectSeconds, { min: 0 });
  if (options.onEvent !== undefined)
    checkFunction("options.onEvent", options.onEvent, "pass (event) => { ... } or leave it out.");
  checkSignal("options.signal", options.signal);
  const roots = codeRoots(options.code ?? process.cwd(), "options.code");
  return { study, lanes, heartbeatMs, staleSeconds, idleMs, reconnectSeconds, connectSeconds, roots };
}
