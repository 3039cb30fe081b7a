/**
 * Safe file access for a study directory, and the one atomic writer of the toolkit: a file is
 * written to a temporary name created exclusively and renamed over its target, so a reader sees
 * the old file or the new, never half; only files directly in the study's own folders are read or
 * written, and symbolic links are refused (a study never follows one).
 */
import { randomBytes } from "node:crypto";
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
  type Stats,
} from "node:fs";
import { dirname, resolve } from "node:path";
import { FeatureHistoriesError, fail } from "../core/errors.js";

/** The fix of every file of a study that cannot be used as it is. */
export const RESTORE =
  "restore the file from a backup, or move it out of the study directory (the study loads without it).";

/** An error of the file system (ENOENT, ENOTDIR, ...), not one of the toolkit's own. */
export function fsCode(err: unknown): string | undefined {
  if (err instanceof FeatureHistoriesError || !(err instanceof Error)) return undefined;
  const code = (err as NodeJS.ErrnoException).code;
  return typeof code === "string" && code.startsWith("E") ? code : undefined;
}

/** A path for a message: whole when short, its ends and its length when long. */
export function showPath(path: string): string {
  return path.length <= 200
    ? JSON.stringify(path)
    : `${JSON.stringify(`${path.slice(0, 100)}...${path.slice(-60)}`)} (${path.length} characters)`;
}

export function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if (fsCode(err) === "ENOENT") return undefined;
    throw err;
  }
}

export const kindOf = (st: Stats) =>
  st.isDirectory() ? "a folder" : st.isSymbolicLink() ? "a symbolic link" : st.isFile() ? "a file" : "a special file";

export function refuseLink(path: string): never {
  let target = "";
  try {
    target = ` to ${showPath(readlinkSync(path))}`;
  } catch {
    /* gone meanwhile */
  }
  return fail("data-corrupt", {
    parameter: path,
    rule: "must be what the study wrote there, not a symbolic link (a study never follows links)",
    received: `a symbolic link${target}`,
    fix: "put the file or folder itself in its place, or move the link out of the study directory.",
  });
}

/** `path` must lie directly in `dir` (a real folder of the study), `dir` itself not moved by a link. */
export function checkInside(path: string, dir: string): void {
  const real = realpathSync.native(dirname(path));
  if (dirname(resolve(path)) !== dir || real !== dir)
    fail("data-corrupt", {
      parameter: path,
      rule: `must lie directly in the study's folder ${dir}`,
      received: real !== dir ? `a path in ${showPath(real)}` : "a path outside it",
      fix: "open the study where its files are; its folders must not be links.",
    });
}

/** A folder of the study (trials/, checkpoints/): a real folder, not a link to one elsewhere. */
export function checkFolder(path: string): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) refuseLink(path);
  if (!st.isDirectory())
    fail("data-corrupt", {
      parameter: path,
      rule: "must be a folder of the study",
      received: kindOf(st),
      fix: "move it out of the study directory; the study makes the folder again when opened for writing.",
    });
}

/** The bytes of a file the study wrote, directly in `dir`: never through a symbolic link. */
export function readOwn(path: string, dir: string): Buffer {
  checkInside(path, dir);
  const st = lstatOrUndefined(path);
  if (!st) return fail("data-missing", { parameter: path, rule: "must exist", received: "no such file", fix: RESTORE });
  if (st.isSymbolicLink()) refuseLink(path);
  if (!st.isFile())
    fail("data-corrupt", { parameter: path, rule: "must be a file", received: kindOf(st), fix: RESTORE });
  let fd: number;
  try {
    // O_NOFOLLOW: a link put there since the lstat is refused too (ELOOP); O_NONBLOCK: a FIFO does not hang.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    if (fsCode(err) === "ELOOP") refuseLink(path);
    throw err;
  }
  try {
    const opened = fstatSync(fd);
    if (!opened.isFile())
      fail("data-corrupt", { parameter: path, rule: "must be a file", received: kindOf(opened), fix: RESTORE });
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Write `path` (directly in `dir`) whole or not at all: a temporary file under a random name,
 * created exclusively (O_CREAT | O_EXCL never opens what is already there, a link included), then
 * renamed over the target (which replaces a link rather than writing through it).
 */
export function writeAtomic(path: string, dir: string, data: Uint8Array | string): void {
  checkInside(path, dir);
  const tmp = `${path}.tmp-${randomBytes(12).toString("hex")}`;
  let fd: number;
  try {
    fd = openSync(tmp, "wx");
  } catch (err) {
    if (fsCode(err) === "EEXIST")
      fail(
        "state",
        {
          parameter: tmp,
          rule: "must not exist yet: a temporary file is created new, never written through",
          received: "something already there (the study never leaves such a name behind)",
          fix: "remove it, and find out what put it there.",
        },
        err,
      );
    throw err;
  }
  try {
    try {
      writeFileSync(fd, data);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
