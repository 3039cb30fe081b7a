/**
 * A study's tables in PostgreSQL (node-postgres), asynchronous: what the PostgreSQL storage
 * (through a synchronous bridge, study/postgres.ts), the scheduler's queue runner and the workers
 * (study/queue.ts) all read and write. Schema `feature_histories`, created and migrated here under
 * a version table. A trial is one row: its record (the Trial without histories) as jsonb, its
 * probe histories as bytea (the toolkit's float16 codec), and the queue columns: the job the
 * scheduler assigned to it, the lease (token) of the worker training it and its heartbeat.
 * Workers write progress only under their lease, so a worker that lost its job (expired, taken
 * over) can never overwrite the one that took it over. Transient connection errors (the server
 * restarting, a dropped socket) are retried with back-off; every other error is explained.
 */
import pg from "pg";
import { fail, show } from "../../core/errors.js";
import { warn } from "../../core/warn.js";
import { decodeHistory, encodeHistory } from "../../history/storage.js";
import { epochCount, truncate, type FeatureHistory } from "../../history/feature-history.js";
import type { Trial } from "../../history/trial.js";
import type { StudyMeta } from "../contract.js";
import { guardClient, ListenedClient } from "./connection.js";
import { explainPgError, isTransient, redact, redactError, sleep, parsePostgresUrl, type PgTarget } from "./url.js";

export { guardClient, listenTo } from "./connection.js";
export {
  explainPgError,
  isPostgresUrl,
  isTransient,
  looksLikeUrl,
  parsePostgresUrl,
  redact,
  redactError,
  type PgTarget,
} from "./url.js";

export const PG_SCHEMA = "feature_histories";
/** The schema version this toolkit writes; a database with a newer one is refused. */
export const PG_SCHEMA_VERSION = 1;

const MIGRATIONS: readonly (readonly string[])[] = [
  // version 1
  [
    `CREATE TABLE ${PG_SCHEMA}.studies (name text PRIMARY KEY, meta jsonb NOT NULL, created timestamptz NOT NULL DEFAULT now())`,
    `CREATE TABLE ${PG_SCHEMA}.trials (
       study text NOT NULL REFERENCES ${PG_SCHEMA}.studies(name) ON DELETE CASCADE,
       id text NOT NULL,
       number integer NOT NULL,
       record jsonb NOT NULL,
       probe_train bytea,
       probe_validation bytea,
       job text,
       job_to integer,
       lease text,
       heartbeat timestamptz,
       updated timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (study, id))`,
    `CREATE TABLE ${PG_SCHEMA}.checkpoints (
       study text NOT NULL, id text NOT NULL, epoch integer NOT NULL, bytes bytea NOT NULL,
       PRIMARY KEY (study, id, epoch),
       FOREIGN KEY (study, id) REFERENCES ${PG_SCHEMA}.trials(study, id) ON DELETE CASCADE)`,
    // Who holds a study's write lock (for the message a second writer gets).
    `CREATE TABLE ${PG_SCHEMA}.writers (study text PRIMARY KEY, holder text NOT NULL, since timestamptz NOT NULL)`,
  ],
];

export interface PgOptions {
  /** Shown in pg_stat_activity (e.g. "feature-histories worker host:pid"). */
  readonly applicationName?: string;
  /** How long a lost connection is retried (with back-off) before an operation fails. Default 300 s. */
  readonly reconnectSeconds?: number;
  /**
   * How long the first connection waits for a server that is starting up or not answering yet
   * (with back-off, a warning says so). Default: reconnectSeconds. 0 explains the error at once.
   */
  readonly connectSeconds?: number;
  /** Stops the first connection's wait (and every retry) early with the last error. */
  readonly signal?: AbortSignal;
  /** Pool size. Default 4. */
  readonly max?: number;
  /**
   * A SIGINT (a Jupyter kernel interrupt) during a wait for the server ends that wait with the
   * toolkit's error, and for 30 s after it every operation that finds the server away fails at
   * once instead of waiting: a notebook user who interrupts is never held by a dead database.
   * Default false (a worker process handles SIGINT itself).
   */
  readonly interruptible?: boolean;
}

/** How long after a kernel interrupt an interruptible database fails at once instead of waiting. */
const INTERRUPT_MS = 30_000;

/** A progress patch a worker may write (keys of the trial record it owns while training). */
export type ProgressPatch = Partial<
  Pick<Trial, "epochs" | "curves" | "seconds" | "parameters" | "testAcc" | "checkpointEpoch" | "fitted">
>;

/** A trial row as the queue sees it. */
export interface TrialRow {
  readonly trial: Trial;
  readonly job: string | null;
}

/** The toolkit's tables on one PostgreSQL database. */
export class PgStudyDb {
  readonly target: PgTarget;
  readonly pool: pg.Pool;
  private readonly reconnectMs: number;
  private readonly signal: AbortSignal | undefined;
  private readonly interruptible: boolean;
  /** When a kernel interrupt last ended a wait (interruptible only). */
  private interruptedAt = -Infinity;
  private closed = false;

  private constructor(target: PgTarget, options: PgOptions) {
    this.target = target;
    this.reconnectMs = (options.reconnectSeconds ?? 300) * 1000;
    this.signal = options.signal;
    this.interruptible = options.interruptible ?? false;
    this.pool = new pg.Pool({
      connectionString: target.url,
      max: options.max ?? 4,
      application_name: (options.applicationName ?? "feature-histories").slice(0, 63),
      connectionTimeoutMillis: 10_000,
      Client: ListenedClient,
    });
    // An idle connection dropped by a server restart: the next query reconnects.
    this.pool.on("error", () => {});
  }

  /**
   * Connect and migrate the schema. A server that is starting up, restarting or not answering yet
   * is waited for (connectSeconds, with back-off, interruptible); every other first failure (wrong
   * password, no database) is explained at once.
   */
  static async open(url: string, options: PgOptions = {}, parameter = "options.storage"): Promise<PgStudyDb> {
    const target = parsePostgresUrl(url, parameter);
    const connectMs = (options.connectSeconds ?? options.reconnectSeconds ?? 300) * 1000;
    const db = new PgStudyDb(target, options);
    const start = Date.now();
    let delay = 100;
    let warned = false;
    for (;;) {
      try {
        const c = await db.pool.connect();
        c.release();
        await db.migrate();
        if (warned) warn(`PostgreSQL at ${target.host}:${target.port} answers: connected`);
        return db;
      } catch (err) {
        const waited = Date.now() - start;
        if (!isTransient(err) || waited + delay > connectMs || options.signal?.aborted || db.interrupted()) {
          await db.close();
          explainPgError(err, target, parameter);
        }
        if (!warned) {
          warned = true;
          warn(
            `PostgreSQL at ${target.host}:${target.port} is not answering yet (${redact(String((err as Error).message))}): waiting up to ${Math.round(connectMs / 1000)} s (connectSeconds)`,
          );
        }
        await db.wait(delay);
        delay = Math.min(2000, delay * 2);
      }
    }
  }

  /** Run `fn`, retrying transient connection errors with back-off for up to reconnectSeconds. */
  async retry<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const start = Date.now();
    let delay = 100;
    let warned = false;
    for (;;) {
      try {
        const r = await fn();
        if (warned) warn(`PostgreSQL at ${this.target.host}:${this.target.port} is back (${what})`);
        return r;
      } catch (err) {
        const interrupted = this.interrupted();
        if (
          this.closed ||
          this.signal?.aborted ||
          interrupted ||
          !isTransient(err) ||
          Date.now() - start > this.reconnectMs
        ) {
          if (isTransient(err) && !this.closed)
            fail(
              "state",
              {
                parameter: "PostgreSQL",
                rule: interrupted
                  ? `was unreachable when the kernel was interrupted (${what})`
                  : this.signal?.aborted
                    ? `was unreachable when this process was stopped (${what})`
                    : `must come back within ${Math.round(this.reconnectMs / 1000)} s (${what})`,
                received: `${redact((err as Error).message)} at ${this.target.host}:${this.target.port}`,
                fix: "start the server again; the study resumes from the database when you rerun.",
              },
              redactError(err as Error),
            );
          return explainPgError(err, this.target);
        }
        if (!warned) {
          warned = true;
          warn(`PostgreSQL at ${this.target.host}:${this.target.port} unreachable (${what}): retrying with back-off`);
        }
        await this.wait(delay);
        delay = Math.min(5000, delay * 2);
      }
    }
  }

  /** A kernel interrupt ended a wait of this database less than INTERRUPT_MS ago. */
  private interrupted(): boolean {
    return Date.now() - this.interruptedAt < INTERRUPT_MS;
  }

  /** Sleep `ms` between attempts: ended early by the signal, or by a SIGINT when interruptible. */
  private async wait(ms: number): Promise<void> {
    if (!this.interruptible) return sleep(ms, this.signal);
    const stop = new AbortController();
    const onSigint = () => {
      this.interruptedAt = Date.now();
      stop.abort();
    };
    process.on("SIGINT", onSigint);
    try {
      await sleep(ms, this.signal ? AbortSignal.any([this.signal, stop.signal]) : stop.signal);
    } finally {
      process.off("SIGINT", onSigint);
    }
  }

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values: unknown[] = [],
  ): Promise<pg.QueryResult<R>> {
    return this.retry("query", () => this.pool.query<R>(text, values));
  }

  /** A transaction, retried as a whole on a connection error (`fn` must be safe to run twice). */
  tx<T>(what: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.retry(what, async () => {
      const c = await this.pool.connect();
      let broken = false;
      const unguard = guardClient(c, () => void (broken = true));
      try {
        await c.query("BEGIN");
        const r = await fn(c);
        await c.query("COMMIT");
        return r;
      } catch (err) {
        broken ||= isTransient(err);
        if (!broken) await c.query("ROLLBACK").catch(() => {});
        throw err;
      } finally {
        // A broken client is thrown away; its listener stays so a late error is heard too.
        if (!broken) unguard();
        c.release(broken);
      }
    });
  }

  /** Create or upgrade the schema (one migrator at a time); refuse a newer one. */
  async migrate(): Promise<void> {
    await this.tx("migrate", async (c) => {
      await c.query("SELECT pg_advisory_xact_lock(hashtext('feature_histories:migrate'))");
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${PG_SCHEMA}`);
      await c.query(
        `CREATE TABLE IF NOT EXISTS ${PG_SCHEMA}.schema_version (version integer NOT NULL, applied timestamptz NOT NULL DEFAULT now())`,
      );
      const r = await c.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${PG_SCHEMA}.schema_version`);
      const current = r.rows[0]?.v ?? 0;
      if (current > PG_SCHEMA_VERSION)
        fail("state", {
          parameter: "options.storage",
          rule: `must hold a schema this toolkit knows: database ${this.target.database} has feature-histories schema version ${current}, this toolkit writes version ${PG_SCHEMA_VERSION}`,
          received: show(redact(this.target.url)),
          fix: "upgrade feature-histories on this machine to the version the other machines run (npm i feature-histories@latest); every machine of a study runs the same version.",
        });
      for (let v = current + 1; v <= PG_SCHEMA_VERSION; v++) {
        for (const sql of MIGRATIONS[v - 1]!) await c.query(sql);
        await c.query(`INSERT INTO ${PG_SCHEMA}.schema_version (version) VALUES ($1)`, [v]);
      }
    });
  }

  async studyNames(): Promise<string[]> {
    const r = await this.query<{ name: string }>(`SELECT name FROM ${PG_SCHEMA}.studies ORDER BY name`);
    return r.rows.map((x) => x.name);
  }

  async readMeta(study: string): Promise<StudyMeta | undefined> {
    const r = await this.query<{ meta: StudyMeta }>(`SELECT meta FROM ${PG_SCHEMA}.studies WHERE name = $1`, [study]);
    return r.rows[0]?.meta;
  }

  async writeMeta(study: string, meta: StudyMeta): Promise<void> {
    await this.query(
      `INSERT INTO ${PG_SCHEMA}.studies (name, meta) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET meta = EXCLUDED.meta`,
      [study, JSON.stringify(meta)],
    );
  }

  /** Write a trial's record (and its histories when given); the queue columns are left alone. */
  async saveTrial(study: string, trial: Trial, histories: boolean): Promise<void> {
    const { probeTrain, probeValidation, ...record } = trial;
    const json = JSON.stringify(record);
    if (histories)
      await this.query(
        `INSERT INTO ${PG_SCHEMA}.trials (study, id, number, record, probe_train, probe_validation) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (study, id) DO UPDATE SET record = EXCLUDED.record, probe_train = EXCLUDED.probe_train,
           probe_validation = EXCLUDED.probe_validation, updated = now()`,
        [study, trial.id, trial.number, json, bytesOf(probeTrain), bytesOf(probeValidation)],
      );
    else
      await this.query(
        `INSERT INTO ${PG_SCHEMA}.trials (study, id, number, record) VALUES ($1, $2, $3, $4)
         ON CONFLICT (study, id) DO UPDATE SET record = EXCLUDED.record, updated = now()`,
        [study, trial.id, trial.number, json],
      );
  }

  /** Trials (with histories unless `histories: false`) and the ones that could not be read. */
  async loadTrials(
    study: string,
    options: { histories?: boolean; ids?: readonly string[] } = {},
  ): Promise<{ rows: TrialRow[]; problems: { file: string; message: string }[] }> {
    const cols = options.histories === false ? "" : ", probe_train, probe_validation";
    const r = await this.query<RawRow>(
      `SELECT id, record, job${cols} FROM ${PG_SCHEMA}.trials WHERE study = $1 ${options.ids ? "AND id = ANY($2)" : ""} ORDER BY number`,
      options.ids ? [study, options.ids] : [study],
    );
    const rows: TrialRow[] = [];
    const problems: { file: string; message: string }[] = [];
    for (const row of r.rows) {
      try {
        rows.push({ trial: trialOf(row, `${this.target.database}/${study}/${row.id}`), job: row.job });
      } catch (err) {
        const message = (err as Error).message;
        problems.push({ file: `trial ${row.id} of study "${study}"`, message });
        warn(`study "${study}": skipped trial ${row.id}: ${message.split("\n")[0]}`);
      }
    }
    return { rows, problems };
  }

  /**
   * The one write of a trial by its scheduler (StudyStorage.commit), in one transaction: the
   * checkpoint after `trial.checkpointEpoch` when given, the record (with its histories when
   * `histories`), then the trial's other checkpoints removed (all of them when the record names
   * none). The queue's columns are left alone.
   */
  async commit(study: string, trial: Trial, histories: boolean, checkpoint?: Uint8Array): Promise<void> {
    const { probeTrain, probeValidation, ...record } = trial;
    const json = JSON.stringify(record);
    await this.tx("commit", async (c) => {
      await c.query(
        histories
          ? `INSERT INTO ${PG_SCHEMA}.trials (study, id, number, record, probe_train, probe_validation) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (study, id) DO UPDATE SET record = EXCLUDED.record, probe_train = EXCLUDED.probe_train,
               probe_validation = EXCLUDED.probe_validation, updated = now()`
          : `INSERT INTO ${PG_SCHEMA}.trials (study, id, number, record) VALUES ($1, $2, $3, $4)
             ON CONFLICT (study, id) DO UPDATE SET record = EXCLUDED.record, updated = now()`,
        histories
          ? [study, trial.id, trial.number, json, bytesOf(probeTrain), bytesOf(probeValidation)]
          : [study, trial.id, trial.number, json],
      );
      if (checkpoint !== undefined)
        await c.query(
          `INSERT INTO ${PG_SCHEMA}.checkpoints (study, id, epoch, bytes) VALUES ($1, $2, $3, $4)
           ON CONFLICT (study, id, epoch) DO UPDATE SET bytes = EXCLUDED.bytes`,
          [
            study,
            trial.id,
            trial.checkpointEpoch,
            Buffer.from(checkpoint.buffer, checkpoint.byteOffset, checkpoint.byteLength),
          ],
        );
      if (checkpoint !== undefined || trial.checkpointEpoch === undefined)
        await c.query(
          `DELETE FROM ${PG_SCHEMA}.checkpoints WHERE study = $1 AND id = $2 AND epoch IS DISTINCT FROM $3`,
          [study, trial.id, trial.checkpointEpoch ?? null],
        );
    });
  }

  async saveCheckpoint(study: string, id: string, epoch: number, bytes: Uint8Array): Promise<void> {
    await this.query(
      `INSERT INTO ${PG_SCHEMA}.checkpoints (study, id, epoch, bytes) VALUES ($1, $2, $3, $4)
       ON CONFLICT (study, id, epoch) DO UPDATE SET bytes = EXCLUDED.bytes`,
      [study, id, epoch, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)],
    );
  }

  async loadCheckpoint(study: string, id: string, epoch: number): Promise<Uint8Array | undefined> {
    const r = await this.query<{ bytes: Buffer }>(
      `SELECT bytes FROM ${PG_SCHEMA}.checkpoints WHERE study = $1 AND id = $2 AND epoch = $3`,
      [study, id, epoch],
    );
    const b = r.rows[0]?.bytes;
    return b ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : undefined;
  }

  async deleteCheckpoints(study: string, id: string, keepEpoch?: number): Promise<void> {
    await this.query(
      `DELETE FROM ${PG_SCHEMA}.checkpoints WHERE study = $1 AND id = $2 AND epoch IS DISTINCT FROM $3`,
      [study, id, keepEpoch ?? null],
    );
  }

  // ---- the queue's columns --------------------------------------------------------------------

  /** The scheduler assigns job `job` to a trial (before sending it: a restart finds it by name). */
  async assignJob(study: string, id: string, job: string | null, to: number | null = null): Promise<void> {
    await this.query(
      `UPDATE ${PG_SCHEMA}.trials SET job = $3, job_to = $4, lease = NULL, heartbeat = NULL, updated = now() WHERE study = $1 AND id = $2`,
      [study, id, job, to],
    );
  }

  /** Trials with a job assigned (in flight, or ended and not yet taken in by the scheduler). */
  async assignedJobs(study: string): Promise<{ id: string; job: string; to: number }[]> {
    const r = await this.query<{ id: string; job: string; to: number }>(
      `SELECT id, job, job_to AS to FROM ${PG_SCHEMA}.trials WHERE study = $1 AND job IS NOT NULL ORDER BY number`,
      [study],
    );
    return r.rows;
  }

  /** Epochs of the trials with a job assigned (the scheduler's live progress). */
  async assignedEpochs(study: string): Promise<Map<string, number>> {
    const r = await this.query<{ id: string; epochs: number }>(
      `SELECT id, (record->>'epochs')::int AS epochs FROM ${PG_SCHEMA}.trials WHERE study = $1 AND job IS NOT NULL`,
      [study],
    );
    return new Map(r.rows.map((x) => [x.id, x.epochs]));
  }

  /**
   * A worker takes the lease of the trial its job names: the trial (with histories) when the
   * job is still the trial's job, undefined when the scheduler has moved on (a stale job).
   */
  async takeLease(study: string, id: string, job: string, lease: string): Promise<Trial | undefined> {
    const r = await this.query<RawRow>(
      `UPDATE ${PG_SCHEMA}.trials SET lease = $4, heartbeat = now(), updated = now()
       WHERE study = $1 AND id = $2 AND job = $3
       RETURNING id, record, job, probe_train, probe_validation`,
      [study, id, job, lease],
    );
    const row = r.rows[0];
    return row ? trialOf(row, `${this.target.database}/${study}/${id}`) : undefined;
  }

  /** Under a lease: forget the trial's epochs (its checkpoint is gone or damaged); it trains from epoch 1. */
  async resetProgress(study: string, id: string, lease: string, empty: ProgressPatch): Promise<boolean> {
    return this.tx("reset", async (c) => {
      const r = await c.query(
        `UPDATE ${PG_SCHEMA}.trials SET record = (record - 'checkpointEpoch' - 'testAcc') || $4::jsonb,
           probe_train = NULL, probe_validation = NULL, heartbeat = now(), updated = now()
         WHERE study = $1 AND id = $2 AND lease = $3`,
        [study, id, lease, JSON.stringify({ ...empty, scores: {}, fitted: {} })],
      );
      if (r.rowCount !== 1) return false;
      await c.query(`DELETE FROM ${PG_SCHEMA}.checkpoints WHERE study = $1 AND id = $2`, [study, id]);
      return true;
    });
  }

  /** The worker is alive; false when its lease was taken over (stop training). */
  async heartbeat(study: string, id: string, lease: string): Promise<boolean> {
    const r = await this.query(
      `UPDATE ${PG_SCHEMA}.trials SET heartbeat = now() WHERE study = $1 AND id = $2 AND lease = $3`,
      [study, id, lease],
    );
    return r.rowCount === 1;
  }

  /**
   * Progress under a lease, in one transaction: the checkpoint first, then the record and
   * histories, then older checkpoints removed. False (nothing written) when the lease is lost.
   * With `finish`, the same transaction also gives the lease up and runs `finish` (the job's
   * completion): a trial's last epoch and its job commit together or not at all.
   */
  async writeProgress(
    study: string,
    id: string,
    lease: string,
    patch: ProgressPatch,
    histories: { probeTrain?: FeatureHistory; probeValidation?: FeatureHistory },
    checkpoint?: { epoch: number; bytes: Uint8Array },
    finish?: (c: pg.PoolClient) => Promise<void>,
  ): Promise<boolean> {
    return this.tx(finish ? "finish" : "progress", async (c) => {
      const r = await c.query(
        `UPDATE ${PG_SCHEMA}.trials SET record = record || $4::jsonb,
           probe_train = COALESCE($5, probe_train), probe_validation = COALESCE($6, probe_validation),
           lease = CASE WHEN $7 THEN NULL ELSE lease END,
           heartbeat = CASE WHEN $7 THEN NULL ELSE now() END, updated = now()
         WHERE study = $1 AND id = $2 AND lease = $3`,
        [
          study,
          id,
          lease,
          JSON.stringify(patch),
          bytesOf(histories.probeTrain) ?? null,
          bytesOf(histories.probeValidation) ?? null,
          !!finish,
        ],
      );
      if (r.rowCount !== 1) return false;
      if (checkpoint) {
        await c.query(
          `INSERT INTO ${PG_SCHEMA}.checkpoints (study, id, epoch, bytes) VALUES ($1, $2, $3, $4)
           ON CONFLICT (study, id, epoch) DO UPDATE SET bytes = EXCLUDED.bytes`,
          [study, id, checkpoint.epoch, Buffer.from(checkpoint.bytes)],
        );
        await c.query(`DELETE FROM ${PG_SCHEMA}.checkpoints WHERE study = $1 AND id = $2 AND epoch <> $3`, [
          study,
          id,
          checkpoint.epoch,
        ]);
      }
      if (finish) await finish(c);
      return true;
    });
  }

  /**
   * Jobs whose worker stopped heart-beating for `seconds`: each is claimed (heartbeat cleared)
   * by exactly one caller, which hands it back to the queue.
   */
  async claimStale(study: string, seconds: number): Promise<{ id: string; job: string }[]> {
    const r = await this.query<{ id: string; job: string }>(
      `UPDATE ${PG_SCHEMA}.trials SET heartbeat = NULL, lease = NULL
       WHERE study = $1 AND job IS NOT NULL AND lease IS NOT NULL AND heartbeat < now() - make_interval(secs => $2)
       RETURNING id, job`,
      [study, seconds],
    );
    return r.rows;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end().catch(() => {});
  }
}

interface RawRow {
  id: string;
  record: Record<string, unknown>;
  job: string | null;
  probe_train?: Buffer | null;
  probe_validation?: Buffer | null;
}

function bytesOf(h: FeatureHistory | undefined): Buffer | undefined {
  if (!h) return undefined;
  const b = encodeHistory(h);
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

function trialOf(row: RawRow, where: string): Trial {
  const t = row.record as unknown as Trial;
  if (typeof t?.id !== "string" || !t.curves || typeof t.epochs !== "number")
    fail("data-corrupt", {
      parameter: where,
      rule: "must have id, epochs and curves",
      received: show(Object.keys(t ?? {})),
    });
  if (!row.probe_train || !row.probe_validation) return t;
  const read = (b: Buffer, kind: string) => {
    const h = decodeHistory(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), `${where} ${kind}`);
    const n = epochCount(h);
    if (n < t.epochs)
      fail("data-corrupt", {
        parameter: `${where} ${kind}`,
        rule: `must hold the trial's ${t.epochs} epochs`,
        received: `${n}`,
      });
    return n > t.epochs ? truncate(h, t.epochs) : h;
  };
  return {
    ...t,
    probeTrain: read(row.probe_train, "probeTrain"),
    probeValidation: read(row.probe_validation, "probeValidation"),
  };
}
