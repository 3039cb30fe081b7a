/**
 * A study in PostgreSQL behind the same asynchronous StudyStorage as a directory, so that a
 * notebook switches to the shared storage by passing a postgres:// URL and nothing else. It runs
 * on the calling thread's event loop (node-postgres is asynchronous): while the server is away,
 * calls wait with back-off and a warning, progress keeps updating and a kernel interrupt ends the
 * wait (docs/async-storage.md). A writable storage holds the study's write lock (one scheduler
 * per study), a read-only one (a notebook watching) none. Histories are written only when they
 * changed since they were read or written here.
 */
import { hostname } from "node:os";
import { inspect } from "node:util";
import { FeatureHistoriesError, fail } from "../../core/errors.js";
import { checkBoolean, checkNumber, checkRequired, checkString } from "../../core/validate.js";
import type { FeatureHistory } from "../../history/feature-history.js";
import type { Trial } from "../../history/trial.js";
import { checkUpdate, type StudyStorage } from "../contract.js";
import { PgStudyDb, explainPgError, parsePostgresUrl, redact } from "./db.js";
import { ensureLock, takeLock, type StudyLock } from "./lock.js";

/** Options of fh.study.postgresStorage: the study's name in the database and read-only. */
export interface PostgresStorageOptions {
  /** The study's name in the database. */
  readonly study: string;
  /** Watch without the write lock. Default false. */
  readonly readOnly?: boolean;
  /**
   * Seconds to wait for a server that is starting up or not answering yet when the study is
   * opened (a warning says so; a kernel interrupt ends the wait). Default 10; 0 fails at once.
   */
  readonly connectSeconds?: number;
  /** Seconds a lost connection is retried (with back-off, interruptible) before a call fails. Default 300. */
  readonly reconnectSeconds?: number;
}

/** Default wait of the first connection of a study opened in this process. */
export const STORAGE_CONNECT_SECONDS = 10;

/** The study `study` on the PostgreSQL database at `url` (schema created or migrated on first use). */
export async function postgresStorage(url: string, options: PostgresStorageOptions): Promise<StudyStorage> {
  checkString("url", url);
  checkRequired("options", options, ["study", "readOnly", "connectSeconds", "reconnectSeconds"]);
  const study = checkString("options.study", options.study);
  const readOnly = options.readOnly === undefined ? false : checkBoolean("options.readOnly", options.readOnly);
  const connectSeconds = checkNumber("options.connectSeconds", options.connectSeconds ?? STORAGE_CONNECT_SECONDS, {
    min: 0,
    max: 3600,
  });
  const reconnectSeconds = checkNumber("options.reconnectSeconds", options.reconnectSeconds ?? 300, {
    min: 0,
    max: 86400,
  });
  parsePostgresUrl(url);
  const holder = `feature-histories ${readOnly ? "reader" : "writer"} ${hostname()}:${process.pid}`;
  const db = await PgStudyDb.open(url, {
    applicationName: holder,
    max: 2,
    connectSeconds,
    reconnectSeconds,
    interruptible: true,
  });
  let lock: StudyLock | undefined;
  try {
    if (!readOnly) lock = await takeLock(db, study, holder);
  } catch (err) {
    await db.close();
    if (err instanceof FeatureHistoriesError) throw err;
    explainPgError(err, db.target);
  }
  let open = true;
  // Histories known to be in the database as they are (read from it or written to it here).
  const stored = new WeakSet<FeatureHistory>();
  /** The last state of each trial read or written here: the state machine's "before". */
  const known = new Map<string, Trial>();
  const remember = (t: Trial) => {
    if (t.probeTrain) stored.add(t.probeTrain);
    if (t.probeValidation) stored.add(t.probeValidation);
    known.set(t.id, t);
    return t;
  };
  const usable = () => {
    if (!open)
      fail("state", {
        parameter: `study "${study}"`,
        rule: "a closed study storage cannot be used",
        received: "a call after close()",
        fix: "load the study again.",
      });
  };
  const writable = async () => {
    if (readOnly)
      fail("state", {
        parameter: `study "${study}"`,
        rule: "a study opened read-only cannot be written",
        received: "a write",
        fix: "load it without readOnly (one writer, the scheduler, at a time).",
      });
    usable();
    lock = await ensureLock(db, study, holder, lock!);
  };
  const description = `PostgreSQL ${redact(url)} study "${study}"`;
  // The URL may carry a password: the queue keeps it out of sight of util.inspect (a notebook cell
  // ending in the study), JSON.stringify and Object.keys; the storage prints as its description.
  const queue = Object.defineProperty({ study }, "url", { value: url, enumerable: false }) as {
    readonly study: string;
    readonly url: string;
  };
  Object.defineProperty(queue, inspect.custom, {
    value: () => `{ url: ${JSON.stringify(redact(url))}, study: ${JSON.stringify(study)} }`,
  });
  Object.defineProperty(queue, "toJSON", { value: () => ({ url: redact(url), study }) });
  const storage: StudyStorage = {
    description,
    readOnly,
    queue,
    async readMeta() {
      usable();
      return db.readMeta(study);
    },
    async writeMeta(meta) {
      await writable();
      await db.writeMeta(study, meta);
    },
    async commit(trial, checkpoint) {
      await writable();
      if (checkpoint !== undefined)
        checkNumber("trial.checkpointEpoch", trial.checkpointEpoch, { integer: true, min: 1 });
      checkUpdate(known.get(trial.id), trial);
      const changed =
        (trial.probeTrain !== undefined && !stored.has(trial.probeTrain)) ||
        (trial.probeValidation !== undefined && !stored.has(trial.probeValidation));
      await db.commit(study, trial, changed, checkpoint);
      remember(trial);
    },
    async loadTrials(opts = {}) {
      usable();
      const { rows, problems } = await db.loadTrials(study, { histories: opts.histories ?? true });
      return { trials: rows.map((r) => remember(r.trial)), problems };
    },
    async loadTrial(id, opts = {}) {
      usable();
      const { rows } = await db.loadTrials(study, { histories: opts.histories ?? true, ids: [id] });
      return rows[0] ? remember(rows[0].trial) : undefined;
    },
    async loadCheckpoint(id, epoch) {
      usable();
      return db.loadCheckpoint(study, id, epoch);
    },
    async close() {
      if (!open) return;
      open = false;
      if (lock) await lock.client.end().catch(() => {});
      await db.close();
    },
  };
  Object.defineProperty(storage, "toJSON", { value: () => ({ description, readOnly }) });
  Object.defineProperty(storage, inspect.custom, {
    value: () => `[StudyStorage ${description}${readOnly ? " (read-only)" : ""}]`,
  });
  return storage;
}

/** The names of the studies in a PostgreSQL database (for messages and `feature-histories worker`). */
export async function postgresStudies(url: string): Promise<string[]> {
  const db = await PgStudyDb.open(url, { connectSeconds: STORAGE_CONNECT_SECONDS, max: 1, interruptible: true });
  try {
    return await db.studyNames();
  } finally {
    await db.close();
  }
}
