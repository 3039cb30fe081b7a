/**
 * Where a study lives. One interface, so that a local directory (the embedded default, here) and
 * a shared database (PostgreSQL, later) are interchangeable behind fh.study.
 */
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
}

/** A file (or row) that could not be read: reported by name and skipped, never silently dropped. */
export interface StorageProblem {
  readonly file: string;
  readonly message: string;
}

/** Where a study lives: a directory or a PostgreSQL database, behind one interface. */
export interface StudyStorage {
  /** For messages, e.g. "directory /home/me/studies/cnn". */
  readonly description: string;
  readonly readOnly: boolean;
  /** A shared storage's work queue (PostgreSQL: the database URL and the study's name); none for a directory. */
  readonly queue?: { readonly url: string; readonly study: string };
  readMeta(): StudyMeta | undefined;
  writeMeta(meta: StudyMeta): void;
  /** Persist a trial's current state (atomically: a reader sees the old or the new, never half). */
  saveTrial(trial: Trial): void;
  loadTrials(options?: { histories?: boolean }): { trials: Trial[]; problems: StorageProblem[] };
  /** One trial with its histories unless `histories: false` (a big study is read one trial at a time); undefined if absent. */
  loadTrial(id: string, options?: { histories?: boolean }): Trial | undefined;
  /** A trial's checkpoint after `epoch` (one file or row per epoch, so the one its record names always exists). */
  saveCheckpoint(id: string, epoch: number, bytes: Uint8Array): void;
  loadCheckpoint(id: string, epoch: number): Uint8Array | undefined;
  /** Delete a trial's checkpoints, all or all but `keepEpoch`. */
  deleteCheckpoints(id: string, keepEpoch?: number): void;
  /** Release the write lock. */
  close(): void;
}
