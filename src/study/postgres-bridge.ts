/**
 * The worker thread behind the synchronous PostgreSQL storage (study/postgres.ts): the study's
 * interface is synchronous (a notebook's ask/tell, the scheduler's bookkeeping), node-postgres is
 * not, so each storage call is posted here and the calling thread waits for the answer (synckit:
 * Atomics.wait on a shared buffer). Errors come back as data and are rethrown as the toolkit's
 * errors on the calling side. A writable storage holds the study's write lock: a session-level
 * advisory lock on its own connection, taken again after a server restart.
 */
import pg from "pg";
import { hostname } from "node:os";
import { runAsWorker } from "synckit";
import { FeatureHistoriesError, fail } from "../core/errors.js";
import { setWarningSink } from "../core/warn.js";
import { PG_SCHEMA, PgStudyDb, explainPgError, isTransient } from "./postgres-db.js";
import type { Trial } from "../history/trial.js";
import type { StudyMeta } from "./storage.js";

export type BridgeAnswer =
  | { readonly ok: unknown; readonly warnings: string[] }
  | {
      readonly error: { name: string; message: string; code?: string; details?: Record<string, string | undefined> };
      readonly warnings: string[];
    };

interface Handle {
  readonly db: PgStudyDb;
  readonly study: string;
  lock?: { client: pg.Client; lost: boolean };
  readonly holder: string;
}

const handles = new Map<number, Handle>();
let nextHandle = 1;
const warnings: string[] = [];
setWarningSink((m) => void warnings.push(m));

const LOCK_KEY = "SELECT pg_try_advisory_lock(hashtext('feature_histories:study'), hashtext($1)) AS ok";

async function takeLock(h: Handle): Promise<void> {
  const client = new pg.Client({ connectionString: h.db.target.url, application_name: h.holder.slice(0, 63) });
  const lock = { client, lost: false };
  client.on("error", () => void (lock.lost = true));
  client.on("end", () => void (lock.lost = true));
  await client.connect();
  const r = await client.query<{ ok: boolean }>(LOCK_KEY, [h.study]);
  if (!r.rows[0]?.ok) {
    await client.end().catch(() => {});
    const who = await h.db.query<{ holder: string; since: Date }>(
      `SELECT holder, since FROM ${PG_SCHEMA}.writers WHERE study = $1`,
      [h.study],
    );
    const w = who.rows[0];
    fail("state", {
      parameter: `study "${h.study}"`,
      rule: "is written (scheduled) by one process at a time: another process holds its lock",
      received: w ? `held by ${w.holder} since ${w.since.toISOString()}` : "held by another connection",
      fix: "stop that scheduler first, or attach read-only to watch: fh.study.load({ storage, name, readOnly: true }); workers need no lock.",
    });
  }
  await h.db.query(
    `INSERT INTO ${PG_SCHEMA}.writers (study, holder, since) VALUES ($1, $2, now())
     ON CONFLICT (study) DO UPDATE SET holder = EXCLUDED.holder, since = EXCLUDED.since`,
    [h.study, h.holder],
  );
  h.lock = lock;
}

/** Before a write: the lock is still ours (after a restart of the server, take it again). */
async function ensureLock(h: Handle): Promise<void> {
  if (!h.lock)
    fail("state", {
      parameter: `study "${h.study}"`,
      rule: "a closed or read-only study cannot be written",
      received: "a write",
      fix: "load it again without readOnly.",
    });
  if (!h.lock.lost) return;
  await h.lock.client.end().catch(() => {});
  h.lock = undefined;
  await h.db.retry("taking the study lock again", async () => {
    try {
      await takeLock(h);
    } catch (err) {
      if (isTransient(err)) throw err;
      if (err instanceof FeatureHistoriesError)
        fail("state", {
          parameter: `study "${h.study}"`,
          rule: "lost its lock while the connection to PostgreSQL was down, and another process took it",
          received: err.received ?? "",
          fix: "this process stops writing; attach read-only, or stop the other scheduler and rerun this one.",
        });
      throw err;
    }
  });
}

function handle(id: number): Handle {
  const h = handles.get(id);
  if (!h)
    fail("state", {
      parameter: "study storage",
      rule: "is closed",
      received: `handle ${id}`,
      fix: "load the study again.",
    });
  return h;
}

type Op =
  | ["open", string, string, boolean, number]
  | ["studies", number]
  | ["readMeta", number]
  | ["writeMeta", number, StudyMeta]
  | ["saveTrial", number, Trial, boolean]
  | ["loadTrials", number, boolean, string[] | undefined]
  | ["saveCheckpoint", number, string, number, Uint8Array]
  | ["loadCheckpoint", number, string, number]
  | ["deleteCheckpoints", number, string, number | undefined]
  | ["close", number];

async function run(op: Op): Promise<unknown> {
  switch (op[0]) {
    case "open": {
      const [, url, study, readOnly, connectSeconds] = op;
      const holder = `feature-histories ${readOnly ? "reader" : "writer"} ${hostname()}:${process.pid}`;
      const db = await PgStudyDb.open(url, { applicationName: holder, max: 2, connectSeconds });
      const h: Handle = { db, study, holder };
      try {
        if (!readOnly) await takeLock(h);
      } catch (err) {
        await db.close();
        if (err instanceof FeatureHistoriesError) throw err;
        explainPgError(err, db.target);
      }
      const id = nextHandle++;
      handles.set(id, h);
      return id;
    }
    case "studies":
      return handle(op[1]).db.studyNames();
    case "readMeta": {
      const h = handle(op[1]);
      return h.db.readMeta(h.study);
    }
    case "writeMeta": {
      const h = handle(op[1]);
      await ensureLock(h);
      return h.db.writeMeta(h.study, op[2]);
    }
    case "saveTrial": {
      const h = handle(op[1]);
      await ensureLock(h);
      return h.db.saveTrial(h.study, op[2], op[3]);
    }
    case "loadTrials": {
      const h = handle(op[1]);
      const { rows, problems } = await h.db.loadTrials(h.study, { histories: op[2], ...(op[3] ? { ids: op[3] } : {}) });
      return { trials: rows.map((r) => r.trial), problems };
    }
    case "saveCheckpoint": {
      const h = handle(op[1]);
      await ensureLock(h);
      return h.db.saveCheckpoint(h.study, op[2], op[3], op[4]);
    }
    case "loadCheckpoint": {
      const h = handle(op[1]);
      return h.db.loadCheckpoint(h.study, op[2], op[3]);
    }
    case "deleteCheckpoints": {
      const h = handle(op[1]);
      await ensureLock(h);
      return h.db.deleteCheckpoints(h.study, op[2], op[3]);
    }
    case "close": {
      const h = handles.get(op[1]);
      if (!h) return undefined;
      handles.delete(op[1]);
      if (h.lock) await h.lock.client.end().catch(() => {});
      await h.db.close();
      return undefined;
    }
  }
}

runAsWorker(async (...op: Op): Promise<BridgeAnswer> => {
  warnings.length = 0;
  try {
    const ok = await run(op);
    return { ok, warnings: [...warnings] };
  } catch (err) {
    const e = err as Error & Partial<FeatureHistoriesError>;
    return {
      error: {
        name: e?.name ?? "Error",
        message: e?.message ?? String(err),
        ...(err instanceof FeatureHistoriesError
          ? {
              code: err.code,
              details: { parameter: err.parameter, rule: err.rule, received: err.received, fix: err.fix },
            }
          : {}),
      },
      warnings: [...warnings],
    };
  }
});
