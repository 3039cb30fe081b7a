/**
 * Where a study lives, as one asynchronous contract (Optuna's BaseStorage is the model): a local
 * directory (the embedded default) and a shared PostgreSQL database are interchangeable behind
 * fh.study. Every call returns a promise, so a notebook's event loop stays free while a database
 * is slow or away: progress keeps updating and a kernel interrupt is heard (docs/async-storage.md).
 *
 * The contract, which both storages' tests check (test/storage/contract.test.ts):
 * - `commit(trial, checkpoint?)` is the one write of a trial: a reader sees the old state or the
 *   new, never half. With a checkpoint, its bytes (after epoch `trial.checkpointEpoch`) are
 *   stored first, the record naming it next, the trial's other checkpoints removed last; without
 *   one, a record with no `checkpointEpoch` removes the trial's checkpoints after it is written.
 *   A crash at any point leaves a record whose checkpoint exists. PostgreSQL: one transaction.
 * - The state machine: a finished trial (complete, pruned, failed) is written again only as the
 *   same state (its scores) or as running (a resume or a promotion); a complete trial's epochs
 *   never change. Anything else is refused with a "state" error.
 * - A storage opened read-only refuses every write; a closed one refuses everything but close.
 */
import { fail } from "../core/errors.js";
import type { Trial } from "../history/trial.js";

/** A study's stored header: name, full budget, seed, space and creation time. */
export interface StudyMeta {
  readonly format: "feature-histories/study";
  readonly version: 1;
  readonly name: string;
  /** The full budget T of every trial. */
  readonly budget: number;
  readonly seed: number;
  /** spaceToJSON(space). */
  readonly space: unknown;
  readonly created: string;
  /** The study's objectives; absent: one, peak validation accuracy, maximised. */
  readonly objectives?: readonly { readonly name: string; readonly direction: "maximize" | "minimize" }[];
}

/** A file (or row) that could not be read: reported by name and skipped, never silently dropped. */
export interface StorageProblem {
  readonly file: string;
  readonly message: string;
}

/** Where a study lives: a directory or a PostgreSQL database, behind one asynchronous interface. */
export interface StudyStorage {
  /** For messages, e.g. "directory /home/me/studies/cnn". */
  readonly description: string;
  readonly readOnly: boolean;
  /** A shared storage's work queue (PostgreSQL: the database URL and the study's name); none for a directory. */
  readonly queue?: { readonly url: string; readonly study: string };
  readMeta(): Promise<StudyMeta | undefined>;
  writeMeta(meta: StudyMeta): Promise<void>;
  /** Persist a trial's state, with the checkpoint after epoch `trial.checkpointEpoch` when given (see above). */
  commit(trial: Trial, checkpoint?: Uint8Array): Promise<void>;
  loadTrials(options?: { histories?: boolean }): Promise<{ trials: Trial[]; problems: StorageProblem[] }>;
  /** One trial with its histories unless `histories: false` (a big study is read one trial at a time); undefined if absent. */
  loadTrial(id: string, options?: { histories?: boolean }): Promise<Trial | undefined>;
  loadCheckpoint(id: string, epoch: number): Promise<Uint8Array | undefined>;
  /** Release the write lock and connections. */
  close(): Promise<void>;
}

/** The methods a custom storage must have (checked at the call, not at first use). */
export const STORAGE_METHODS = [
  "readMeta",
  "writeMeta",
  "commit",
  "loadTrials",
  "loadTrial",
  "loadCheckpoint",
  "close",
] as const;

const FINISHED = new Set(["complete", "pruned", "failed"]);

/**
 * The state machine every storage enforces before a commit (Optuna's check_trial_is_updatable):
 * `before` is the stored trial (undefined when new), `after` the one to write. Returns the rule
 * broken, or undefined when the write is allowed.
 */
export function updateRule(before: Trial | undefined, after: Trial): string | undefined {
  if (!before) return undefined;
  if (before.number !== after.number) return `keeps its number (${before.number})`;
  if (!FINISHED.has(before.state)) return undefined;
  if (after.state === "running") return undefined; // resume, promote, retry
  if (after.state !== before.state) return `is ${before.state}: only a resume or a promotion writes it again`;
  if (before.state === "complete" && after.epochs !== before.epochs)
    return `is complete: its ${before.epochs} epochs never change`;
  return undefined;
}

/** Refuse a commit the state machine forbids, with the toolkit's "state" error naming the trial. */
export function checkUpdate(before: Trial | undefined, after: Trial): void {
  const broken = updateRule(before, after);
  if (broken)
    fail("state", {
      parameter: `trial ${after.id}`,
      rule: broken,
      received: `a write as ${after.state} with ${after.epochs} epochs`,
      fix: "resume or promote a finished trial before writing it again (study.resume / study.promote).",
    });
}
