/**
 * A study in a local directory: study.json, trials/<id>.json with trials/<id>.{train,val}.fhh
 * (the feature histories) and checkpoints/<id>.<epoch>.ckpt. Every file is written to a temporary name
 * and renamed, and a trial's JSON is written after its histories, so a kill -9 at any moment
 * leaves each trial as it was before or after its last update; histories found longer than their
 * JSON says are cut back to it. Readers need no lock; one writer at a time holds study.lock
 * (its pid and host): a second writer gets a clear error, a lock left by a dead process is taken
 * over with a warning. A file that cannot be read is reported by name and skipped.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { fail, show } from "../core/errors.js";
import { warn } from "../core/warn.js";
import { decodeHistory, encodeHistory } from "../history/storage.js";
import { epochCount, truncate } from "../history/feature-history.js";
import type { Trial } from "../history/trial.js";
import type { StorageProblem, StudyMeta, StudyStorage } from "./storage.js";
import { checkKeys, checkString } from "../core/validate.js";

const TRIAL_FORMAT = "feature-histories/trial";
const TRIAL_VERSION = 2;

function writeAtomic(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

function safeId(id: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(id))
    fail("invalid-argument", {
      parameter: "trial id",
      rule: "must hold only letters, digits, _ . -",
      received: JSON.stringify(id),
      fix: "use ids like t0007.",
    });
  return id;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

interface LockInfo {
  pid: number;
  host: string;
  since: string;
}

function takeLock(dir: string): () => void {
  const path = join(dir, "study.lock");
  const mine: LockInfo = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeFileSync(fd, JSON.stringify(mine));
      closeSync(fd);
      const release = () => {
        try {
          const held = JSON.parse(readFileSync(path, "utf8")) as LockInfo;
          if (held.pid === mine.pid && held.host === mine.host) rmSync(path, { force: true });
        } catch {
          /* already gone */
        }
      };
      process.once("exit", release);
      return () => {
        process.off("exit", release);
        release();
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      let held: LockInfo | undefined;
      try {
        held = JSON.parse(readFileSync(path, "utf8")) as LockInfo;
      } catch {
        held = undefined; // written by a process killed mid-write: stale
      }
      if (held && (held.host !== mine.host || pidAlive(held.pid)))
        fail("state", {
          parameter: dir,
          rule: "a study directory is opened for writing by one process at a time",
          received: `locked by pid ${held.pid} on ${held.host} since ${held.since}`,
          fix: "stop that process (or its kernel) first, or open the study read-only: fh.study.load({ storage, readOnly: true }).",
        });
      warn(
        `study ${dir}: taking over the lock of ${held ? `pid ${held.pid}, which is no longer running` : "a process that died while taking it"}`,
      );
      rmSync(path, { force: true });
    }
  }
  return fail("state", { parameter: dir, rule: "could not take the study lock", received: path, fix: "try again." });
}

/** A study directory (created if missing when writable). */
export function directoryStorage(dir: string, options: { readOnly?: boolean } = {}): StudyStorage {
  checkString("dir", dir);
  checkKeys("options", options, ["readOnly"]);
  const root = resolve(dir);
  const readOnly = options.readOnly ?? false;
  const trialsDir = join(root, "trials");
  const ckptDir = join(root, "checkpoints");
  let release: (() => void) | undefined;
  if (!readOnly) {
    mkdirSync(trialsDir, { recursive: true });
    mkdirSync(ckptDir, { recursive: true });
    release = takeLock(root);
  } else if (!existsSync(join(root, "study.json"))) {
    fail("data-missing", {
      parameter: root,
      rule: "must hold a study (study.json)",
      received: existsSync(root) ? "a directory without study.json" : "no such directory",
      fix: "check the path, or create the study with fh.study.create({ storage: path, ... }).",
    });
  }
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
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    } catch (err) {
      return fail("data-corrupt", { parameter: path, rule: "must be JSON", received: (err as Error).message });
    }
    if (raw.format !== TRIAL_FORMAT || raw.version !== TRIAL_VERSION)
      fail("data-corrupt", {
        parameter: path,
        rule: `must be a trial record (format "${TRIAL_FORMAT}", version ${TRIAL_VERSION})`,
        received: show({ format: raw.format, version: raw.version }),
      });
    const { format: _f, version: _v, histories: has, ...rest } = raw;
    const trial = rest as unknown as Trial;
    if (typeof trial.id !== "string" || !trial.curves || typeof trial.epochs !== "number")
      fail("data-corrupt", {
        parameter: path,
        rule: "must have id, epochs and curves",
        received: show(Object.keys(rest)),
      });
    if (!has || !histories) return trial;
    const read = (kind: string) => {
      const p = join(trialsDir, `${trial.id}.${kind}.fhh`);
      const h = decodeHistory(new Uint8Array(readFileSync(p)), p);
      const n = epochCount(h);
      if (n < trial.epochs)
        fail("data-corrupt", {
          parameter: p,
          rule: `must hold the trial's ${trial.epochs} epochs`,
          received: `${n} epochs`,
        });
      // Written just before a JSON update that a crash prevented: cut back to what the JSON says.
      return n > trial.epochs ? truncate(h, trial.epochs) : h;
    };
    return { ...trial, probeTrain: read("train"), probeValidation: read("val") };
  }

  return {
    description: `directory ${root}`,
    readOnly,
    readMeta() {
      const path = join(root, "study.json");
      if (!existsSync(path)) return undefined;
      let meta: StudyMeta;
      try {
        meta = JSON.parse(readFileSync(path, "utf8")) as StudyMeta;
      } catch (err) {
        return fail("data-corrupt", {
          parameter: path,
          rule: "must be JSON",
          received: (err as Error).message,
          fix: "restore it from a backup, or move the directory aside and create the study again.",
        });
      }
      if (meta.format !== "feature-histories/study" || meta.version !== 1)
        fail("data-corrupt", {
          parameter: path,
          rule: 'must be a study (format "feature-histories/study", version 1)',
          received: show({ format: meta.format, version: meta.version }),
          fix: "point storage at a study directory.",
        });
      return meta;
    },
    writeMeta(meta) {
      writable();
      writeAtomic(join(root, "study.json"), JSON.stringify(meta, null, 1));
    },
    saveTrial(trial) {
      writable();
      const id = safeId(trial.id);
      if (trial.probeTrain) writeAtomic(join(trialsDir, `${id}.train.fhh`), encodeHistory(trial.probeTrain));
      if (trial.probeValidation) writeAtomic(join(trialsDir, `${id}.val.fhh`), encodeHistory(trial.probeValidation));
      const { probeTrain: _t, probeValidation: _v, ...meta } = trial;
      writeAtomic(
        join(trialsDir, `${id}.json`),
        JSON.stringify({ format: TRIAL_FORMAT, version: TRIAL_VERSION, ...meta, histories: !!trial.probeTrain }),
      );
    },
    loadTrials(options = {}) {
      const problems: StorageProblem[] = [];
      const trials: Trial[] = [];
      if (!existsSync(trialsDir)) return { trials, problems };
      for (const file of readdirSync(trialsDir)
        .filter((f) => f.endsWith(".json"))
        .sort()) {
        try {
          trials.push(readTrial(file, options.histories ?? true));
        } catch (err) {
          const message = (err as Error).message;
          problems.push({ file: join(trialsDir, file), message });
          warn(`study ${root}: skipped ${file}: ${message.split("\n")[0]}`);
        }
      }
      trials.sort((a, b) => a.number - b.number);
      return { trials, problems };
    },
    loadTrial(id, options = {}) {
      const file = `${safeId(id)}.json`;
      return existsSync(join(trialsDir, file)) ? readTrial(file, options.histories ?? true) : undefined;
    },
    saveCheckpoint(id, epoch, bytes) {
      writable();
      writeAtomic(join(ckptDir, `${safeId(id)}.${epoch}.ckpt`), bytes);
    },
    loadCheckpoint(id, epoch) {
      const path = join(ckptDir, `${safeId(id)}.${epoch}.ckpt`);
      return existsSync(path) ? new Uint8Array(readFileSync(path)) : undefined;
    },
    deleteCheckpoints(id, keepEpoch) {
      writable();
      const prefix = `${safeId(id)}.`;
      for (const f of readdirSync(ckptDir))
        if (f.startsWith(prefix) && f.endsWith(".ckpt") && f !== `${prefix}${keepEpoch}.ckpt`)
          rmSync(join(ckptDir, f), { force: true });
    },
    close() {
      release?.();
      release = undefined;
    },
  };
}
