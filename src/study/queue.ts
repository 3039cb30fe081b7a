/**
 * The work queue of a shared study: pg-boss on the study's own PostgreSQL database (schema
 * feature_histories_queue), one queue per study. A job names a trial and the epoch to train it to,
 * with what a worker needs to run it that is not in the trial's row: the model (built-in, or a
 * module and export name every machine imports; never source), the data module, the training
 * options. Retries with back-off and expiry are pg-boss's; liveness is the trial row's heartbeat
 * (postgres-db.ts): a job whose worker stops heart-beating is failed back to pg-boss, which retries
 * it on another worker. LISTEN/NOTIFY wakes workers on a new job and the scheduler on a finished one.
 */
import { createHash } from "node:crypto";
import PgBoss from "pg-boss";
import { warn } from "../core/warn.js";
import type { HistoryDtype } from "../history/feature-history.js";
import type { TrialValue } from "../history/trial.js";
import type { TrainConfig } from "../train/config.js";
import { explainPgError, isTransient, parsePostgresUrl, redact } from "../storage/postgres/db.js";
import { ListenedClient } from "../storage/postgres/connection.js";
import type { CodeRef } from "./code.js";

export const QUEUE_SCHEMA = "feature_histories_queue";

/** A module export every worker imports: the model, an objective, or the data. */
export interface ModuleExport {
  readonly module: string;
  readonly exportName: string;
}

/**
 * What a worker needs to run a study's jobs besides the trial's row. Code is named only by
 * reference (study/code.ts): a path relative to the worker's own code roots and its hash.
 */
export interface RunSpec {
  readonly budget: number;
  /** builtin, module or objective (a function source cannot travel). */
  readonly model:
    | { readonly kind: "builtin" }
    | ({ readonly kind: "module"; readonly featuresLayer?: string } & CodeRef)
    | ({ readonly kind: "objective" } & CodeRef);
  /** A module export that returns the splits (fh.data.makeSplits), for models that train on data. */
  readonly data?: CodeRef;
  readonly train?: Partial<TrainConfig>;
  readonly historyDtype?: HistoryDtype;
  /**
   * Fit this estimator on the worker right after a job trains a trial to epoch t, and record
   * its score (scores["name@t"]) with the trial: the pruner reads it instead of fitting it.
   */
  readonly score?: { readonly estimator: CodeRef; readonly t: number };
}

/** A job's data in the queue. */
export interface QueueJobData {
  readonly study: string;
  readonly trialId: string;
  readonly toEpoch: number;
  readonly spec: RunSpec;
  /** For workers' logs only: the config is read (and checked against the space) from the trial row. */
  readonly config?: Readonly<Record<string, TrialValue>>;
}

function hash(s: string, n: number): string {
  return createHash("sha1").update(s).digest("hex").slice(0, n);
}

/** The study's pg-boss queue name (letters, digits, - and _ only). */
export function queueName(study: string): string {
  return `fh-${study.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 32)}-${hash(study, 8)}`;
}

/** NOTIFY channels: new jobs for workers, finished jobs for the scheduler. */
export function channels(study: string): { jobs: string; done: string } {
  const h = hash(study, 16);
  return { jobs: `fh_jobs_${h}`, done: `fh_done_${h}` };
}

/** How a job is retried and expires (pg-boss's options). */
export interface RetryPolicy {
  /** Retries after a worker is lost. Default 3. */
  readonly retryLimit: number;
  /** Seconds before the first retry (doubling after). Default 2. */
  readonly retryDelay: number;
  /** pg-boss's own expiry of a running job, a backstop behind the heartbeat. Default 6 hours. */
  readonly expireInSeconds: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retryLimit: 3, retryDelay: 2, expireInSeconds: 6 * 3600 };

/**
 * Run a start-up call of pg-boss (start, queue creation) again while the server restarts: a lost
 * connection is waited for with back-off (up to `seconds`), every other error is thrown.
 */
async function whileRestarting<T>(call: () => Promise<T>, seconds = 300): Promise<T> {
  const end = Date.now() + seconds * 1000;
  let delay = 100;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      const lost =
        isTransient(err) ||
        /Connection|terminat|ECONN|starting up|shutting down/i.test(String((err as Error)?.message));
      if (!lost || Date.now() + delay > end) throw err;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(5000, delay * 2);
    }
  }
}

/** Start pg-boss on the database (installs or migrates its schema); its errors are logged, redacted. */
export async function startBoss(url: string, applicationName: string): Promise<PgBoss> {
  return whileRestarting(() => startBossOnce(url, applicationName));
}

async function startBossOnce(url: string, applicationName: string): Promise<PgBoss> {
  const target = parsePostgresUrl(url);
  const boss = new PgBoss({
    connectionString: url,
    schema: QUEUE_SCHEMA,
    application_name: applicationName.slice(0, 63),
    max: 3,
    schedule: false,
    supervise: true,
    maintenanceIntervalSeconds: 30,
    // pg-boss hands its options to pg.Pool: its clients, too, always hear their errors.
    Client: ListenedClient,
  } as PgBoss.ConstructorOptions);
  let last = 0;
  boss.on("error", (err) => {
    // Connection errors while the server restarts: our own retries cope; say it once a minute.
    if (Date.now() - last > 60_000) {
      last = Date.now();
      warn(`pg-boss at ${target.host}:${target.port}: ${redact(String((err as Error)?.message ?? err))}`);
    }
  });
  try {
    await boss.start();
  } catch (err) {
    await boss.stop({ graceful: false, wait: false } as PgBoss.StopOptions).catch(() => {});
    if (
      isTransient(err) ||
      /Connection|terminat|ECONN|starting up|shutting down/i.test(String((err as Error)?.message))
    )
      throw err; // waited for by startBoss
    explainPgError(err, target);
  }
  return boss;
}

/** Create the study's queue unless it exists. */
export async function ensureQueue(boss: PgBoss, name: string, policy: RetryPolicy): Promise<void> {
  return whileRestarting(() => ensureQueueOnce(boss, name, policy));
}

async function ensureQueueOnce(boss: PgBoss, name: string, policy: RetryPolicy): Promise<void> {
  if (await boss.getQueue(name)) return;
  try {
    await boss.createQueue(name, {
      name,
      policy: "standard",
      retryLimit: policy.retryLimit,
      retryDelay: policy.retryDelay,
      retryBackoff: true,
      expireInSeconds: policy.expireInSeconds,
    });
  } catch (err) {
    if (!(await boss.getQueue(name))) throw err; // another process created it meanwhile: fine
  }
}
