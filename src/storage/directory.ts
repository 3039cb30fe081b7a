/**
 * A study in a local directory: study.json, trials/<id>.json with trials/<id>.{train,val}.fhh
 * (the feature histories) and checkpoints/<id>.<epoch>.ckpt. Every file is written to a temporary
 * name and renamed, and a trial's JSON is written after its histories, so a kill -9 at any moment
 * leaves each trial as it was before or after its last update; histories found longer than their
 * JSON says are cut back to it. Readers need no lock; one writer at a time holds study.lock
 * (its pid and host): a second writer gets a clear error, a lock left by a dead process is taken
 * over with a warning. A file that cannot be read is reported by name and skipped, and never
 * written over. Only what the study writes is read: file names come from trial ids and epochs
 * checked on reading as on writing, every path must lie in the study's own folders, symbolic
 * links are refused, and temporary files are created exclusively under random names.
 */
import { mkdirSync, readdirSync, realpathSync, rmSync, statSync, type Stats } from "node:fs";
import { basename, join, resolve } from "node:path";
import { FeatureHistoriesError, fail, show } from "../core/errors.js";
import { warn } from "../core/warn.js";
import { decodeHistory, encodeHistory } from "../history/storage.js";
import { epochCount, truncate } from "../history/feature-history.js";
import type { Trial } from "../history/trial.js";
import { checkKeys, checkString } from "../core/validate.js";
import { RESTORE, checkFolder, fsCode, kindOf, lstatOrUndefined, readOwn, showPath, writeAtomic } from "./atomic.js";
import { checkUpdate, type StorageProblem, type StudyMeta, type StudyStorage } from "./contract.js";
import { takeLock } from "./directory-lock.js";

const TRIAL_FORMAT = "feature-histories/trial";
const TRIAL_VERSION = 2;

/** A trial id as the storage writes it and accepts it back: one file name, never a path. */
const TRIAL_ID = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;
const ID_CHARS = "only letters, digits, _ . - (at most 128, not starting with a dot)";

const isPositiveInteger = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 1;
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function safeId(id: unknown, parameter = "trial id"): string {
  if (typeof id !== "string" || !TRIAL_ID.test(id))
    fail("invalid-argument", {
      parameter,
      rule: `must hold ${ID_CHARS}`,
      received: show(id),
      fix: "use ids like t0007.",
    });
  return id;
}

function safeEpoch(epoch: unknown, parameter = "epoch"): number {
  if (!isPositiveInteger(epoch))
    fail("invalid-argument", {
      parameter,
      rule: "must be a positive integer (an epoch trained)",
      received: show(epoch),
      fix: "pass the epoch a checkpoint was saved after (trial.checkpointEpoch).",
    });
  return epoch;
}

/** A path given as a study directory that the file system refuses: a toolkit error naming it. */
function storageError(root: string, code: string, message: string, readOnly: boolean): never {
  const where = showPath(root);
  switch (code) {
    case "ENOTDIR":
    case "EEXIST":
      return fail("invalid-argument", {
        parameter: "storage",
        rule: "must be a directory, or a path where one can be created",
        received: `${where}, where a file stands in the way`,
        fix: "pass the path of a study directory (or of a new one), not of a file.",
      });
    case "ENAMETOOLONG":
      return fail("invalid-argument", {
        parameter: "storage",
        rule: "is too long for the file system (each name at most 255 bytes, the whole path at most 4096)",
        received: `${where}${root.length > 200 ? "" : ` (${root.length} characters)`}`,
        fix: "use a shorter path.",
      });
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return fail("invalid-argument", {
        parameter: "storage",
        rule: `must be a directory this process may ${readOnly ? "read" : "write"}`,
        received: `${where} (${code})`,
        fix: readOnly
          ? "check its permissions."
          : "check its permissions, or open it read-only: fh.study.load({ storage, readOnly: true }).",
      });
    default:
      return fail("invalid-argument", {
        parameter: "storage",
        rule: "must be a usable directory",
        received: `${where} (${message})`,
        fix: "check the path.",
      });
  }
}

/**
 * A study directory (created if missing when writable). Every file it reads is one it writes:
 * trial ids and checkpoint epochs read back are checked as on writing, symbolic links are refused
 * (the directory itself may be one: it is resolved once), and a trial file it cannot read is
 * never written over.
 */
export function directoryStorage(dir: string, options: { readOnly?: boolean } = {}): StudyStorage {
  checkString("storage", dir);
  checkKeys("options", options, ["readOnly"]);
  if (dir.includes("\0"))
    fail("invalid-argument", {
      parameter: "storage",
      rule: "must be a directory path without NUL characters",
      received: showPath(dir),
      fix: 'pass the directory\'s path, e.g. "studies/my-search".',
    });
  const root = resolve(dir);
  const readOnly = options.readOnly ?? false;
  let real: string;
  let release: (() => void) | undefined;
  try {
    if (readOnly) {
      let st: Stats | undefined;
      try {
        st = statSync(root);
      } catch (err) {
        if (fsCode(err) !== "ENOENT") throw err;
      }
      if (st && !st.isDirectory())
        fail("invalid-argument", {
          parameter: "storage",
          rule: "must be a study directory",
          received: `${showPath(root)}, ${kindOf(st)}`,
          fix: "pass the path of the study's directory (the one holding study.json).",
        });
      if (!st || !lstatOrUndefined(join(root, "study.json")))
        fail("data-missing", {
          parameter: root,
          rule: "must hold a study (study.json)",
          received: st ? "a directory without study.json" : "no such directory",
          fix: "check the path, or create the study with fh.study.create({ storage: path, ... }).",
        });
    } else mkdirSync(root, { recursive: true });
    real = realpathSync.native(root);
    for (const sub of ["trials", "checkpoints"]) {
      const path = join(real, sub);
      if (lstatOrUndefined(path)) checkFolder(path);
      else if (!readOnly) mkdirSync(path);
    }
    if (!readOnly) release = takeLock(real);
  } catch (err) {
    const code = fsCode(err);
    if (code) storageError(root, code, (err as Error).message, readOnly);
    throw err;
  }
  const trialsDir = join(real, "trials");
  const ckptDir = join(real, "checkpoints");
  /** Ids whose record this storage wrote or read back: their files may be written. */
  const readable = new Set<string>();
  /** Ids whose files it could not read, with why: never written over. */
  const unreadable = new Map<string, string>();

  const writable = () => {
    if (readOnly)
      fail("state", {
        parameter: root,
        rule: "a study opened read-only cannot be written",
        received: "a write",
        fix: "open it with readOnly: false (one writer at a time).",
      });
    if (!release)
      fail("state", {
        parameter: root,
        rule: "a closed study cannot be written",
        received: "a write",
        fix: "load it again.",
      });
  };

  function readTrial(file: string, histories: boolean): Trial {
    const path = join(trialsDir, file);
    const name = file.slice(0, -".json".length);
    if (!TRIAL_ID.test(name))
      fail("data-corrupt", {
        parameter: path,
        rule: `must be named <trial id>.json, the id holding ${ID_CHARS}`,
        received: show(file),
        fix: RESTORE,
      });
    const text = readOwn(path, trialsDir).toString("utf8");
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      return fail("data-corrupt", {
        parameter: path,
        rule: "must be JSON",
        received: (err as Error).message,
        fix: RESTORE,
      });
    }
    if (raw === null || typeof raw !== "object" || Array.isArray(raw))
      fail("data-corrupt", { parameter: path, rule: "must be a JSON object", received: show(raw), fix: RESTORE });
    if (raw.format !== TRIAL_FORMAT || raw.version !== TRIAL_VERSION)
      fail("data-corrupt", {
        parameter: path,
        rule: `must be a trial record (format "${TRIAL_FORMAT}", version ${TRIAL_VERSION})`,
        received: show({ format: raw.format, version: raw.version }),
        fix: RESTORE,
      });
    const { format: _f, version: _v, histories: has, ...rest } = raw;
    const trial = rest as unknown as Trial;
    if (typeof trial.id !== "string" || !trial.curves || typeof trial.epochs !== "number")
      fail("data-corrupt", {
        parameter: path,
        rule: "must have id, epochs and curves",
        received: show(Object.keys(rest)),
        fix: RESTORE,
      });
    // What names files (the id, the checkpoint's epoch) is checked as on writing: never a path.
    if (!TRIAL_ID.test(trial.id))
      fail("data-corrupt", {
        parameter: path,
        rule: `must have a trial id of ${ID_CHARS}, as the storage writes them (e.g. "t0001")`,
        received: show(trial.id),
        fix: RESTORE,
      });
    if (trial.id !== name)
      fail("data-corrupt", {
        parameter: path,
        rule: `must hold the trial of its file name (id ${show(name)})`,
        received: `id ${show(trial.id)}`,
        fix: RESTORE,
      });
    checkRecordNumbers(trial, path, "data-corrupt");
    if (!has || !histories) return trial;
    const read = (kind: string) => {
      const p = join(trialsDir, `${name}.${kind}.fhh`);
      const h = decodeHistory(new Uint8Array(readOwn(p, trialsDir)), p);
      const n = epochCount(h);
      if (n < trial.epochs)
        fail("data-corrupt", {
          parameter: p,
          rule: `must hold the trial's ${trial.epochs} epochs`,
          received: `${n} epochs`,
          fix: RESTORE,
        });
      // Written just before a JSON update that a crash prevented: cut back to what the JSON says.
      return n > trial.epochs ? truncate(h, trial.epochs) : h;
    };
    return { ...trial, probeTrain: read("train"), probeValidation: read("val") };
  }

  /** readTrial, remembering which ids can be read (and written again) and which cannot. */
  function readTracked(file: string, histories: boolean): Trial {
    const id = file.slice(0, -".json".length);
    try {
      const trial = readTrial(file, histories);
      readable.add(id);
      unreadable.delete(id);
      return trial;
    } catch (err) {
      readable.delete(id);
      unreadable.set(
        id,
        err instanceof FeatureHistoriesError
          ? `${basename(err.parameter)}, which ${err.rule}${err.received === undefined ? "" : `; found ${err.received}`}`
          : (err as Error).message.split("\n")[0]!,
      );
      throw err;
    }
  }

  /**
   * Before writing a trial's files: they must be new, or ones this storage can read. A damaged
   * record (or histories without one) is never written over, e.g. by a new trial that would take
   * the id of a damaged newest one.
   */
  function claim(id: string): void {
    if (readable.has(id)) return;
    const json = join(trialsDir, `${id}.json`);
    let problem = unreadable.get(id);
    if (problem === undefined) {
      const others = [`${id}.train.fhh`, `${id}.val.fhh`].filter((f) => lstatOrUndefined(join(trialsDir, f)));
      if (lstatOrUndefined(json)) {
        try {
          readTracked(`${id}.json`, true);
          return;
        } catch {
          problem = unreadable.get(id)!;
        }
      } else if (others.length === 0)
        return; // a new trial
      else problem = `${others.join(" and ")} without its record ${id}.json`;
    }
    fail("state", {
      parameter: json,
      rule: "is a trial file this storage cannot read, and it never writes over one",
      received: problem,
      fix: `move trials/${id}.* out of the study (or restore them from a backup), then load the study again.`,
    });
  }

  /** The last state of each trial this storage wrote or read: the state machine's "before". */
  const known = new Map<string, Trial>();
  const track = (t: Trial) => (known.set(t.id, t), t);

  function readMeta(): StudyMeta | undefined {
    const path = join(real, "study.json");
    if (!lstatOrUndefined(path)) return undefined;
    const text = readOwn(path, real).toString("utf8");
    let meta: StudyMeta;
    try {
      meta = JSON.parse(text) as StudyMeta;
    } catch (err) {
      return fail("data-corrupt", {
        parameter: path,
        rule: "must be JSON",
        received: (err as Error).message,
        fix: "restore it from a backup, or move the directory aside and create the study again.",
      });
    }
    if (meta === null || typeof meta !== "object" || meta.format !== "feature-histories/study" || meta.version !== 1)
      fail("data-corrupt", {
        parameter: path,
        rule: 'must be a study (format "feature-histories/study", version 1)',
        received: show(meta && typeof meta === "object" ? { format: meta.format, version: meta.version } : meta),
        fix: "point storage at a study directory.",
      });
    return meta;
  }

  /** Remove a trial's checkpoints, all or all but `keep`: exactly <id>.<epoch>.ckpt (not those of t1.2 for t1). */
  function dropCheckpoints(id: string, keep?: number): void {
    const prefix = `${id}.`;
    const kept = keep === undefined ? undefined : `${prefix}${keep}.ckpt`;
    for (const f of readdirSync(ckptDir))
      if (f.startsWith(prefix) && /^\d+\.ckpt$/.test(f.slice(prefix.length)) && f !== kept)
        rmSync(join(ckptDir, f), { force: true });
  }

  function commit(trial: Trial, checkpoint?: Uint8Array): void {
    writable();
    const id = safeId(trial.id);
    checkRecordNumbers(trial, "trial", "invalid-argument");
    if (checkpoint !== undefined) safeEpoch(trial.checkpointEpoch, "trial.checkpointEpoch");
    claim(id);
    checkUpdate(known.get(id), trial);
    // Checkpoint first, record (naming it) next, the others last: a crash leaves a record whose checkpoint exists.
    if (checkpoint !== undefined)
      writeAtomic(join(ckptDir, `${id}.${trial.checkpointEpoch}.ckpt`), ckptDir, checkpoint);
    if (trial.probeTrain) writeAtomic(join(trialsDir, `${id}.train.fhh`), trialsDir, encodeHistory(trial.probeTrain));
    if (trial.probeValidation)
      writeAtomic(join(trialsDir, `${id}.val.fhh`), trialsDir, encodeHistory(trial.probeValidation));
    const { probeTrain: _t, probeValidation: _v, ...meta } = trial;
    writeAtomic(
      join(trialsDir, `${id}.json`),
      trialsDir,
      JSON.stringify({ format: TRIAL_FORMAT, version: TRIAL_VERSION, ...meta, histories: !!trial.probeTrain }),
    );
    readable.add(id);
    track(trial);
    if (checkpoint !== undefined || trial.checkpointEpoch === undefined) dropCheckpoints(id, trial.checkpointEpoch);
  }

  function loadTrials(options: { histories?: boolean } = {}): { trials: Trial[]; problems: StorageProblem[] } {
    const problems: StorageProblem[] = [];
    const trials: Trial[] = [];
    if (!lstatOrUndefined(trialsDir)) return { trials, problems };
    for (const file of readdirSync(trialsDir)
      .filter((f) => f.endsWith(".json"))
      .sort()) {
      try {
        trials.push(track(readTracked(file, options.histories ?? true)));
      } catch (err) {
        const message = (err as Error).message;
        problems.push({ file: join(trialsDir, file), message });
        warn(`study ${root}: skipped ${file}: ${message.split("\n")[0]}`);
      }
    }
    trials.sort((a, b) => a.number - b.number);
    return { trials, problems };
  }

  function loadTrial(id: string, options: { histories?: boolean } = {}): Trial | undefined {
    const file = `${safeId(id)}.json`;
    return lstatOrUndefined(join(trialsDir, file)) ? track(readTracked(file, options.histories ?? true)) : undefined;
  }

  function loadCheckpoint(id: string, epoch: number): Uint8Array | undefined {
    const path = join(ckptDir, `${safeId(id)}.${safeEpoch(epoch)}.ckpt`);
    return lstatOrUndefined(path) ? new Uint8Array(readOwn(path, ckptDir)) : undefined;
  }

  // The file operations are local and short, so they run synchronously inside the async methods
  // (a network file system that hangs would hang them: docs/async-storage.md says so).
  return {
    description: `directory ${root}`,
    readOnly,
    readMeta: async () => readMeta(),
    async writeMeta(meta) {
      writable();
      writeAtomic(join(real, "study.json"), real, JSON.stringify(meta, null, 1));
    },
    commit: async (trial, checkpoint) => commit(trial, checkpoint),
    loadTrials: async (options) => loadTrials(options),
    loadTrial: async (id, options) => loadTrial(id, options),
    loadCheckpoint: async (id, epoch) => loadCheckpoint(id, epoch),
    async close() {
      release?.();
      release = undefined;
    },
  };
}

/** A trial's number and epochs (integers >= 0) and checkpoint epoch (a positive integer, if any). */
function checkRecordNumbers(trial: Trial, parameter: string, code: "data-corrupt" | "invalid-argument"): void {
  const bad = (field: string, rule: string, value: unknown) =>
    fail(code, {
      parameter,
      rule: `must have a ${field} that is ${rule}`,
      received: show(value),
      fix: code === "data-corrupt" ? RESTORE : `pass a trial with a valid ${field} (as fh.study writes them).`,
    });
  if (!isCount(trial.number)) bad("number", "an integer >= 0", trial.number);
  if (!isCount(trial.epochs)) bad("epochs", "an integer >= 0", trial.epochs);
  if (trial.checkpointEpoch !== undefined && !isPositiveInteger(trial.checkpointEpoch))
    bad("checkpointEpoch", "a positive integer (an epoch trained), if any", trial.checkpointEpoch);
}
