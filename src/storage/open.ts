/**
 * Where a study's `storage` option leads (Optuna's get_storage): a PostgreSQL URL opens the
 * shared storage (pg loads only then), any other string a study directory, and an object must be
 * a StudyStorage with every method of the contract.
 */
import { fail, show } from "../core/errors.js";
import { checkString } from "../core/validate.js";
import { STORAGE_METHODS, type StudyStorage } from "./contract.js";
import { directoryStorage } from "./directory.js";
import { isPostgresUrl, looksLikeUrl, redact } from "./postgres/url.js";

/** A custom storage must have every method of StudyStorage (checked at the call, not at first use). */
export function checkStorage(value: unknown): StudyStorage {
  const missing =
    value !== null && typeof value === "object"
      ? STORAGE_METHODS.filter((m) => typeof (value as Record<string, unknown>)[m] !== "function")
      : [...STORAGE_METHODS];
  if (!missing.length && typeof (value as { description?: unknown }).description !== "string")
    fail("invalid-argument", {
      parameter: "options.storage.description",
      rule: "must be a string (a storage names itself in messages)",
      received: show((value as { description?: unknown }).description),
      fix: 'give the storage a description such as "memory".',
    });
  if (missing.length)
    fail("invalid-argument", {
      parameter: "options.storage",
      rule:
        value !== null && typeof value === "object"
          ? `must be a directory path, a PostgreSQL URL or a StudyStorage (it lacks ${missing.join(", ")})`
          : "must be a directory path, a PostgreSQL URL or a StudyStorage",
      received: show(value),
      fix: `pass a path such as "studies/my-search", or a storage with ${STORAGE_METHODS.join(", ")}.`,
    });
  return value as StudyStorage;
}

/** Open the storage an option names: `name` is the study's name in a database (required there). */
export async function openStorage(storage: unknown, readOnly: boolean, name?: string): Promise<StudyStorage> {
  if (isPostgresUrl(storage)) {
    const { postgresStorage, postgresStudies } = await import("./postgres/storage.js");
    if (name === undefined) {
      const names = await postgresStudies(storage);
      return fail("invalid-argument", {
        parameter: "options.name",
        rule: "is required with a PostgreSQL storage (a database holds many studies)",
        received: "undefined",
        fix: names.length
          ? `pass one of ${names.map((n) => show(n)).join(", ")}.`
          : "the database holds no study yet: create one with fh.study.create.",
      });
    }
    return postgresStorage(storage, { study: checkString("options.name", name), readOnly });
  }
  // A string that starts like a URL is never a folder: a mistyped URL must not become a directory
  // named after its password.
  if (looksLikeUrl(storage))
    fail("invalid-argument", {
      parameter: "options.storage",
      rule: "must be a folder path or a PostgreSQL URL postgres://USER@HOST[:PORT]/DATABASE (it starts like a URL but is not one)",
      // Not a URL, so redact() cannot find its user-info: hide everything up to its last @.
      received: show(redact(storage).replace(/^(\s*[a-z][a-z0-9+.-]*:).*@/i, "$1***@")),
      fix: "write it as postgres://user@host:5432/db with no leading spaces (password from PGPASSWORD or ~/.pgpass), or pass a folder path such as ./studies/my-study.",
    });
  if (typeof storage === "string") return directoryStorage(checkString("options.storage", storage), { readOnly });
  return checkStorage(storage);
}
