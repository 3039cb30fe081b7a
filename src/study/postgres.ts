/**
 * A study in PostgreSQL behind the same synchronous StudyStorage as a directory, so that a
 * notebook switches to the shared storage by passing a postgres:// URL and nothing else. Calls go
 * to a worker thread (study/postgres-bridge.ts) and wait for its answer; a writable storage holds
 * the study's write lock (one scheduler per study), a read-only one (a notebook watching) none.
 * Histories are written only when they changed since they were read or written here.
 */
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import { createSyncFn } from "synckit";
import { FeatureHistoriesError, fail, type ErrorCode, type ErrorDetails } from "../core/errors.js";
import { checkBoolean, checkNumber, checkRequired, checkString } from "../core/validate.js";
import { warn } from "../core/warn.js";
import type { FeatureHistory } from "../history/feature-history.js";
import type { Trial } from "../history/trial.js";
import type { BridgeAnswer } from "./postgres-bridge.js";
import { parsePostgresUrl, redact } from "./postgres-db.js";
import type { StorageProblem, StudyMeta, StudyStorage } from "./storage.js";

type Call = (...args: unknown[]) => BridgeAnswer;
let bridge: Call | undefined;

function call<T>(...args: unknown[]): T {
  bridge ??= createSyncFn(fileURLToPath(new URL("./postgres-bridge.js", import.meta.url)), {
    timeout: 600_000,
  }) as unknown as Call;
  const answer = bridge(...args);
  for (const w of answer.warnings) warn(w);
  if ("error" in answer) {
    const e = answer.error;
    if (e.code && e.details) throw new FeatureHistoriesError(e.code as ErrorCode, e.details as unknown as ErrorDetails);
    const err = new Error(e.message);
    err.name = e.name;
    throw err;
  }
  return answer.ok as T;
}

/** Options of fh.study.postgresStorage: the study's name in the database and read-only. */
export interface PostgresStorageOptions {
  /** The study's name in the database. */
  readonly study: string;
  /** Watch without the write lock. Default false. */
  readonly readOnly?: boolean;
  /**
   * Seconds to wait for a server that is starting up or not answering yet when the study is
   * opened (a warning says so; the notebook waits meanwhile). Default 10; 0 fails at once.
   */
  readonly connectSeconds?: number;
}

/** Default wait of the first connection of a study opened in this process (a notebook blocks meanwhile). */
export const STORAGE_CONNECT_SECONDS = 10;

/** The study `study` on the PostgreSQL database at `url` (schema created or migrated on first use). */
export function postgresStorage(url: string, options: PostgresStorageOptions): StudyStorage {
  checkString("url", url);
  checkRequired("options", options, ["study", "readOnly", "connectSeconds"]);
  const study = checkString("options.study", options.study);
  const readOnly = options.readOnly === undefined ? false : checkBoolean("options.readOnly", options.readOnly);
  const connectSeconds = checkNumber("options.connectSeconds", options.connectSeconds ?? STORAGE_CONNECT_SECONDS, {
    min: 0,
    max: 3600,
  });
  parsePostgresUrl(url);
  const handle = call<number>("open", url, study, readOnly, connectSeconds);
  let open = true;
  // Histories known to be in the database as they are (read from it or written to it here).
  const stored = new WeakSet<FeatureHistory>();
  const remember = (t: Trial) => {
    if (t.probeTrain) stored.add(t.probeTrain);
    if (t.probeValidation) stored.add(t.probeValidation);
    return t;
  };
  const writable = () => {
    if (readOnly)
      fail("state", {
        parameter: `study "${study}"`,
        rule: "a study opened read-only cannot be written",
        received: "a write",
        fix: "load it without readOnly (one writer, the scheduler, at a time).",
      });
    if (!open)
      fail("state", {
        parameter: `study "${study}"`,
        rule: "a closed study cannot be written",
        received: "a write",
        fix: "load it again.",
      });
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
    readMeta: () => call<StudyMeta | undefined>("readMeta", handle) ?? undefined,
    writeMeta(meta) {
      writable();
      call("writeMeta", handle, meta);
    },
    saveTrial(trial) {
      writable();
      const changed =
        (trial.probeTrain !== undefined && !stored.has(trial.probeTrain)) ||
        (trial.probeValidation !== undefined && !stored.has(trial.probeValidation));
      call("saveTrial", handle, trial, changed);
      remember(trial);
    },
    loadTrials(opts = {}) {
      const r = call<{ trials: Trial[]; problems: StorageProblem[] }>("loadTrials", handle, opts.histories ?? true);
      r.trials.forEach(remember);
      return r;
    },
    loadTrial(id, opts = {}) {
      const r = call<{ trials: Trial[] }>("loadTrials", handle, opts.histories ?? true, [id]);
      return r.trials[0] ? remember(r.trials[0]) : undefined;
    },
    saveCheckpoint(id, epoch, bytes) {
      writable();
      call("saveCheckpoint", handle, id, epoch, bytes);
    },
    loadCheckpoint: (id, epoch) => call<Uint8Array | undefined>("loadCheckpoint", handle, id, epoch) ?? undefined,
    deleteCheckpoints(id, keepEpoch) {
      writable();
      call("deleteCheckpoints", handle, id, keepEpoch);
    },
    close() {
      if (!open) return;
      open = false;
      call("close", handle);
    },
  };
  Object.defineProperty(storage, "toJSON", { value: () => ({ description, readOnly }) });
  Object.defineProperty(storage, inspect.custom, {
    value: () => `[StudyStorage ${description}${readOnly ? " (read-only)" : ""}]`,
  });
  return storage;
}

/** The names of the studies in a PostgreSQL database (for messages and `feature-histories worker`). */
export function postgresStudies(url: string): string[] {
  const h = call<number>("open", url, "", true, STORAGE_CONNECT_SECONDS);
  try {
    return call<string[]>("studies", h);
  } finally {
    call("close", h);
  }
}
