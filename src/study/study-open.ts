/**
 * Opening a study (Optuna's create_study / load_study / copy_study): create one or reopen the same
 * study stored there, load a stored one, or copy one with every trial, history and checkpoint to
 * another storage. The storage option is resolved by storage/open.ts.
 */
import { fail, show } from "../core/errors.js";
import { checkBoolean, checkKeys, checkNumber, checkRequired, checkShape, checkString } from "../core/validate.js";
import type { Trial } from "../history/trial.js";
import { spaceToJSON, type SearchSpace } from "../space/space.js";
import { openStorage } from "../storage/open.js";
import type { StudyMeta, StudyStorage } from "../storage/contract.js";
import type { Pruner } from "../search/pruners.js";
import { checkSearchSpace, type Sampler } from "../search/samplers.js";
import { DEFAULT_OBJECTIVES, checkObjectives, type Objective } from "../search/objectives.js";
import { Study, checkStudy } from "./study.js";

/** Options of fh.study.create: name, storage (directory or PostgreSQL URL), space, budget, seed, pruner, sampler. */
export interface CreateStudyOptions {
  /** A name for reports; a directory study must be created and loaded under the same name. */
  readonly name: string;
  /**
   * A directory path (the embedded default), a PostgreSQL URL postgres://user@host/db (a study
   * that workers on many machines share; `name` is its name there) or a StudyStorage.
   */
  readonly storage: string | StudyStorage;
  readonly space: SearchSpace;
  /** The full budget T (epochs) of every trial. */
  readonly budget: number;
  /** Seed of sampling and of every trial's training seed. Default 0. */
  readonly seed?: number;
  /** Decides at epoch t whether a trial goes on (shouldPrune). Default: never prune. */
  readonly pruner?: Pruner;
  /** Where ask() gets configurations. Default: random sampling. */
  readonly sampler?: Sampler;
  /**
   * What a trial is judged by, each maximised or minimised: built-in "accuracy" (peak validation
   * accuracy), "testAccuracy", "params", "seconds", or a value you tell at the end. Default
   * [{ name: "accuracy", direction: "maximize" }]; with more than one, study.paretoFront().
   */
  readonly objectives?: readonly Objective[];
}

/** Options of fh.study.load: storage (directory or PostgreSQL URL with name), read-only, pruner, sampler, histories. */
export interface LoadStudyOptions {
  /** A directory path, a PostgreSQL URL (with `name`) or a StudyStorage. */
  readonly storage: string | StudyStorage;
  /** The study's name in a PostgreSQL database (required there; a directory holds one study). */
  readonly name?: string;
  /** Open without the write lock, e.g. to watch a study that another process runs. Default false. */
  readonly readOnly?: boolean;
  readonly pruner?: Pruner;
  readonly sampler?: Sampler;
  /** Load feature histories too. Default true. */
  readonly histories?: boolean;
}

/** The pruner and sampler options of create / load / copy, checked at the call. */
function checkPrunerSampler(options: { pruner?: unknown; sampler?: unknown }): void {
  if (options.pruner !== undefined)
    checkShape(
      "options.pruner",
      options.pruner,
      "a pruner { name, epochs, decide }",
      { name: "string", epochs: "number", decide: "function" },
      "pass e.g. fh.search.estimatorPruner({ estimator, t }), or leave it out to never prune.",
    );
  if (options.sampler !== undefined)
    checkShape(
      "options.sampler",
      options.sampler,
      "a sampler { name, sample }",
      { name: "string", sample: "function" },
      "pass e.g. fh.search.mutationSampler(), or leave it out for random sampling.",
    );
}

/**
 * Create a study, or reopen the one stored there when it is the same study (same name, space and
 * budget): a search resumes by calling this again. A different study in the same place is an
 * error, never overwritten.
 */
export async function createStudy(options: CreateStudyOptions): Promise<Study> {
  checkRequired("options", options, ["name", "storage", "space", "budget", "seed", "pruner", "sampler", "objectives"]);
  const name = checkString("options.name", options.name);
  const budget = checkNumber("options.budget", options.budget, { integer: true, min: 1, max: 10000 });
  const seed = checkNumber("options.seed", options.seed ?? 0, { integer: true });
  const objectives =
    options.objectives === undefined ? undefined : checkObjectives("options.objectives", options.objectives);
  checkPrunerSampler(options);
  if (!options.space || !Array.isArray((options.space as { params?: unknown }).params))
    fail("invalid-argument", {
      parameter: "options.space",
      rule: "must be a search space",
      received: show(options.space),
      fix: "build one with fh.space.defineSpace([...]) or a preset such as fh.space.jointSpace().",
    });
  checkSearchSpace("options.space", options.space);
  const storage = await openStorage(options.storage, false, name);
  try {
    const space = spaceToJSON(options.space);
    const existing = await storage.readMeta();
    if (existing) {
      const same =
        existing.name === name &&
        existing.budget === budget &&
        JSON.stringify(existing.space) === JSON.stringify(space) &&
        JSON.stringify(existing.objectives ?? DEFAULT_OBJECTIVES) === JSON.stringify(objectives ?? DEFAULT_OBJECTIVES);
      if (!same)
        fail("state", {
          parameter: "options.storage",
          rule: "holds a different study (name, space, budget or objectives differ)",
          received: `${storage.description}: "${existing.name}", budget ${existing.budget}`,
          fix: "use another storage path, or fh.study.load({ storage }) to open the stored study as it is.",
        });
      const { trials, problems } = await storage.loadTrials();
      return new Study(existing, storage, trials, problems, options.pruner, options.sampler);
    }
    const meta: StudyMeta = {
      format: "feature-histories/study",
      version: 1,
      name,
      budget,
      seed,
      space,
      created: new Date().toISOString(),
      ...(objectives ? { objectives } : {}),
    };
    await storage.writeMeta(meta);
    return new Study(meta, storage, [], [], options.pruner, options.sampler);
  } catch (err) {
    await storage.close();
    throw err;
  }
}

/** Open a stored study (every trial, histories unless `histories: false`). */
export async function loadStudy(options: LoadStudyOptions): Promise<Study> {
  checkRequired("options", options, ["storage", "name", "readOnly", "pruner", "sampler", "histories"]);
  checkKeys("options", options, ["storage", "name", "readOnly", "pruner", "sampler", "histories"]);
  if (options.name !== undefined) checkString("options.name", options.name);
  if (options.readOnly !== undefined) checkBoolean("options.readOnly", options.readOnly);
  if (options.histories !== undefined) checkBoolean("options.histories", options.histories);
  checkPrunerSampler(options);
  const storage = await openStorage(options.storage, options.readOnly ?? false, options.name);
  try {
    const meta = await storage.readMeta();
    if (!meta)
      fail("data-missing", {
        parameter: "options.storage",
        rule: "must hold a study",
        received: storage.description,
        fix: "create it with fh.study.create({ name, storage, space, budget }).",
      });
    if (options.name !== undefined && meta.name !== options.name)
      fail("invalid-argument", {
        parameter: "options.name",
        rule: `must be the stored study's name`,
        received: `${show(options.name)}; ${storage.description} holds ${show(meta.name)}`,
        fix: `pass name: ${show(meta.name)}, or leave it out for a directory.`,
      });
    const { trials, problems } = await storage.loadTrials({ histories: options.histories ?? true });
    return new Study(meta, storage, trials, problems, options.pruner, options.sampler);
  } catch (err) {
    await storage.close();
    throw err;
  }
}

/**
 * Copy a study, every trial with its histories and checkpoints, to another storage: a local study
 * moved to PostgreSQL to scale out, or a shared one archived to a directory. The target must not
 * hold a study yet; copy a study while nothing runs on it (a running trial is copied as it stands
 * and resumes from there). Returns the copy, open for writing (close it when done).
 */
export async function copyStudy(
  study: Study,
  options: { storage: string | StudyStorage; name?: string },
): Promise<Study> {
  checkStudy("study", study);
  checkRequired("options", options, ["storage", "name"]);
  const name = options.name === undefined ? study.name : checkString("options.name", options.name);
  const target = await openStorage(options.storage, false, name);
  try {
    const existing = await target.readMeta();
    if (existing)
      fail("state", {
        parameter: "options.storage",
        rule: "must not hold a study yet: a copy never overwrites",
        received: `${target.description} holds "${existing.name}"`,
        fix: "copy to an empty directory, or under another name in the database.",
      });
    const source = await study.storage.readMeta();
    const meta: StudyMeta = {
      format: "feature-histories/study",
      version: 1,
      name,
      budget: study.budget,
      seed: study.seed,
      space: spaceToJSON(study.space),
      created: source?.created ?? new Date().toISOString(),
      ...(source?.objectives ? { objectives: source.objectives } : {}),
    };
    await target.writeMeta(meta);
    const trials: Trial[] = [];
    for (const t of study.trials()) {
      const full = t.probeTrain ? t : ((await study.storage.loadTrial(t.id)) ?? t);
      const bytes =
        full.checkpointEpoch === undefined
          ? undefined
          : await study.storage.loadCheckpoint(full.id, full.checkpointEpoch);
      await target.commit(full, bytes);
      trials.push(full);
    }
    return new Study(meta, target, trials, [], study.pruner, study.sampler);
  } catch (err) {
    await target.close();
    throw err;
  }
}
