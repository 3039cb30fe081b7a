/**
 * The write lock of a study directory: study.lock holds the writer's pid and host, created
 * exclusively; a second writer gets a clear error, a lock left by a dead process on this host is
 * taken over with a warning, and the lock is released on close or when the process exits.
 */
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { fail } from "../core/errors.js";
import { warn } from "../core/warn.js";

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

/** Take the lock of the study directory `dir`; returns its release. */
export function takeLock(dir: string): () => void {
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
