/**
 * A study's tables in PostgreSQL (node-postgres), asynchronous: what the PostgreSQL storage
 * (storage.ts), the scheduler's queue runner and the workers (study/queue.ts) all read and write.
 * Schema `feature_histories` (schema.ts), created and migrated here under a version table. A
 * trial is one row: its record (the Trial without histories) as jsonb, its probe histories as
 * bytea (the toolkit's float16 codec), and the queue columns (leases.ts). Transient connection errors (the server
 * restarting, a dropped socket) are retried with back-off; every other error is explained.
 */
import pg from "pg";
import { fail, show } from "../../core/errors.js";
import { warn } from "../../core/warn.js";
import type { Trial } from "../../history/trial.js";
import type { StudyMeta } from "../contract.js";
import { MIGRATIONS, PG_SCHEMA, PG_SCHEMA_VERSION, bytesOf, trialOf, type RawRow } from "./schema.js";

export { PG_SCHEMA, PG_SCHEMA_VERSION } from "./schema.js";
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
      if (this.closed) this.closedError(what);
      try {
        const r = await fn();
        if (warned) warn(`PostgreSQL at ${this.target.host}:${this.target.port} is back (${what})`);
        return r;
      } catch (err) {
        // Closed under a call in flight (the search stopped): say so, not pg's bare pool error.
        if (this.closed) this.closedError(what);
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

  private closedError(what: string): never {
    fail("state", {
      parameter: "PostgreSQL connection",
      rule: `was closed because the search stopped, before ${what} could finish`,
      received: `${this.target.host}:${this.target.port}`,
      fix: "run the same call again to resume; every committed epoch is kept.",
    });
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

  async loadCheckpoint(study: string, id: string, epoch: number): Promise<Uint8Array | undefined> {
    const r = await this.query<{ bytes: Buffer }>(
      `SELECT bytes FROM ${PG_SCHEMA}.checkpoints WHERE study = $1 AND id = $2 AND epoch = $3`,
      [study, id, epoch],
    );
    const b = r.rows[0]?.bytes;
    return b ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end().catch(() => {});
  }
}
