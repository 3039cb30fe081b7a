/**
 * The write lock of a PostgreSQL study (one scheduler per study): a session-level advisory lock
 * on a connection of its own, with the holder named in the writers table for messages. After a
 * server restart the lock is gone with its session; the next write takes it again, or stops with
 * an error when another process took it meanwhile.
 */
import pg from "pg";
import { FeatureHistoriesError, fail } from "../../core/errors.js";
import { PG_SCHEMA, isTransient, type PgStudyDb } from "./db.js";

/** A held lock: its connection, and whether that connection was lost. */
export interface StudyLock {
  readonly client: pg.Client;
  lost: boolean;
}

const LOCK_KEY = "SELECT pg_try_advisory_lock(hashtext('feature_histories:study'), hashtext($1)) AS ok";

/** Take the write lock of `study`; a "state" error naming the holder when another process has it. */
export async function takeLock(db: PgStudyDb, study: string, holder: string): Promise<StudyLock> {
  const client = new pg.Client({ connectionString: db.target.url, application_name: holder.slice(0, 63) });
  const lock: StudyLock = { client, lost: false };
  client.on("error", () => void (lock.lost = true));
  client.on("end", () => void (lock.lost = true));
  await client.connect();
  const r = await client.query<{ ok: boolean }>(LOCK_KEY, [study]).catch(async (err: unknown) => {
    await client.end().catch(() => {});
    throw err;
  });
  if (!r.rows[0]?.ok) {
    await client.end().catch(() => {});
    const who = await db.query<{ holder: string; since: Date }>(
      `SELECT holder, since FROM ${PG_SCHEMA}.writers WHERE study = $1`,
      [study],
    );
    const w = who.rows[0];
    fail("state", {
      parameter: `study "${study}"`,
      rule: "is written (scheduled) by one process at a time: another process holds its lock",
      received: w ? `held by ${w.holder} since ${w.since.toISOString()}` : "held by another connection",
      fix: "stop that scheduler first, or attach read-only to watch: fh.study.load({ storage, name, readOnly: true }); workers need no lock.",
    });
  }
  await db.query(
    `INSERT INTO ${PG_SCHEMA}.writers (study, holder, since) VALUES ($1, $2, now())
     ON CONFLICT (study) DO UPDATE SET holder = EXCLUDED.holder, since = EXCLUDED.since`,
    [study, holder],
  );
  return lock;
}

/** Before a write: the lock, taken again (waiting for the server) when its connection was lost. */
export async function ensureLock(db: PgStudyDb, study: string, holder: string, lock: StudyLock): Promise<StudyLock> {
  if (!lock.lost) return lock;
  await lock.client.end().catch(() => {});
  return db.retry("taking the study lock again", async () => {
    try {
      return await takeLock(db, study, holder);
    } catch (err) {
      if (isTransient(err)) throw err;
      if (err instanceof FeatureHistoriesError)
        fail("state", {
          parameter: `study "${study}"`,
          rule: "lost its lock while the connection to PostgreSQL was down, and another process took it",
          received: err.received ?? "",
          fix: "this process stops writing; attach read-only, or stop the other scheduler and rerun this one.",
        });
      throw err;
    }
  });
}
