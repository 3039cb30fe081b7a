/**
 * A study: the trials of one search over one space, persisted as they change, with the ask/tell
 * interface for users who run their own training loop (Optuna's pattern). `ask()` samples a new
 * configuration (seeded by the study's seed and the trial's number, so a resumed study asks the
 * same things), `report()` records the epochs trained so far, `shouldPrune()` lets an estimator
 * decide at epoch t whether the trial deserves the full budget, and `tell()` ends the trial as
 * complete, pruned or failed. Every change is saved at once: nothing reported is lost on a crash.
 *
 * Every method that touches the storage returns a promise (the storage is asynchronous: a
 * notebook stays responsive while a database is away) and runs after the study's earlier writes,
 * in call order; reads of what the study holds (trials, trial, best) are synchronous.
 */
import { fail, show } from "../core/errors.js";
import { createRng } from "../core/random.js";
import {
  checkArray,
  checkBoolean,
  checkBytes,
  checkNumberRecord,
  checkOneOf,
  checkOptions,
  checkShape,
  checkStrings,
  isPlainObject,
} from "../core/validate.js";
import type { TrialState } from "../core/types.js";
import { emptyCurves, type Curves } from "../history/curves.js";
import type { Trial, TrialError } from "../history/trial.js";
import { checkConfig, configKey, spaceFromJSON, validateConfig, type SearchSpace } from "../space/space.js";
import type { StorageProblem, StudyMeta, StudyStorage } from "../storage/contract.js";
import type { Pruner } from "../search/pruners.js";
import { randomSampler, type Sampler } from "../search/samplers.js";
import { DEFAULT_OBJECTIVES, objectiveValue, objectiveValues, type Objective } from "../search/objectives.js";
import { nonDominated } from "../search/pareto.js";
import { optimize, type OptimizeOptions, type OptimizeResult } from "./optimize.js";
import { CURVE_KEYS, checkReport, type TrialReport } from "./report.js";

export type { TrialReport } from "./report.js";

const TRIAL_STATES: readonly TrialState[] = ["running", "complete", "pruned", "failed"];

/** A trial id from its number: t0000, t0001, ... */
const trialId = (n: number) => `t${String(n).padStart(4, "0")}`;
const mixSeed = (seed: number, n: number, salt: number) =>
  (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(n + 1, 0xc2b2ae35) + salt) | 0;

/** A study: its trials, persisted as they change, with ask / report / shouldPrune / tell and optimize. */
export class Study {
  readonly name: string;
  readonly budget: number;
  readonly seed: number;
  readonly space: SearchSpace;
  readonly storage: StudyStorage;
  /** Files or rows that could not be read when the study was loaded (also sent as warnings). */
  readonly problems: readonly StorageProblem[];
  private readonly byId = new Map<string, Trial>();
  /** The study's storage calls, one after another in call order. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The clock of startedAt / endedAt (ms since 1970); replaceable in tests. */
  now: () => number = () => Date.now();
  /** Decides at its epoch t whether a trial goes on (shouldPrune, optimize). */
  readonly pruner: Pruner | undefined;

  /** Where ask() gets configurations. */
  readonly sampler: Sampler;

  /** What a trial is judged by (one objective: best(); several: paretoFront()). */
  readonly objectives: readonly Objective[];

  /** @internal use createStudy / loadStudy. */
  constructor(
    meta: StudyMeta,
    storage: StudyStorage,
    trials: Trial[],
    problems: StorageProblem[],
    pruner?: Pruner,
    sampler?: Sampler,
  ) {
    this.name = meta.name;
    this.budget = meta.budget;
    this.seed = meta.seed;
    this.space = spaceFromJSON(typeof meta.space === "string" ? meta.space : JSON.stringify(meta.space));
    this.storage = storage;
    this.problems = problems;
    this.pruner = pruner;
    this.sampler = sampler ?? randomSampler();
    this.objectives = meta.objectives ?? DEFAULT_OBJECTIVES;
    for (const t of trials) {
      // A configuration read back from storage is checked against the space before it is used.
      validateConfig(this.space, t.config as Record<string, string | number | boolean>);
      this.byId.set(t.id, t);
    }
  }

  /** Every trial, in the order they were asked for. */
  trials(states?: readonly TrialState[]): Trial[] {
    if (states !== undefined)
      checkArray("states", states, {
        what: "trial states",
        item: (n, v) => checkOneOf(n, v, TRIAL_STATES),
        fix: 'pass e.g. ["complete"] or ["running", "pruned"], or nothing for every trial.',
      });
    const all = [...this.byId.values()].sort((a, b) => a.number - b.number);
    return states ? all.filter((t) => states.includes(t.state)) : all;
  }

  trial(id: string): Trial {
    const t = typeof id === "string" ? this.byId.get(id) : undefined;
    if (!t)
      fail("invalid-argument", {
        parameter: "trial id",
        rule: `must be a trial of study "${this.name}"`,
        received: show(id),
        fix: `use one of ${[...this.byId.keys()].slice(0, 5).join(", ")}${this.byId.size > 5 ? ", ..." : ""}.`,
      });
    return t;
  }

  /**
   * Read trials again from storage: all of them, or the given ids. A notebook watching a study
   * that workers elsewhere train sees their progress; the scheduler takes in a finished job.
   * `histories: false` reads only the records (curves, states): cheap enough to poll; a trial
   * keeps the histories it had when its epochs did not change.
   */
  refresh(ids?: readonly string[], options: { histories?: boolean } = {}): Promise<Trial[]> {
    if (ids !== undefined) checkStrings("ids", ids, 'pass trial ids such as ["t0003"], or nothing for every trial.');
    checkOptions("options", options, ["histories"]);
    const histories = options.histories === undefined ? true : checkBoolean("options.histories", options.histories);
    const take = (t: Trial) => {
      validateConfig(this.space, t.config as Record<string, string | number | boolean>);
      const old = this.byId.get(t.id);
      if (!histories && old?.probeTrain && old.epochs === t.epochs)
        t = {
          ...t,
          probeTrain: old.probeTrain,
          ...(old.probeValidation ? { probeValidation: old.probeValidation } : {}),
        };
      this.byId.set(t.id, t);
    };
    return this.serial(async () => {
      if (ids) {
        for (const id of ids) {
          const t = await this.storage.loadTrial(id, { histories });
          if (t) take(t);
        }
        return ids.map((id) => this.byId.get(id)).filter((t): t is Trial => t !== undefined);
      }
      (await this.storage.loadTrials({ histories })).trials.forEach(take);
      return this.trials();
    });
  }

  /** Wait until every storage call made so far has settled (never rejects). */
  flush(): Promise<void> {
    return this.queue.then(() => undefined);
  }

  /** The complete trial with the best value of the study's objective (default: peak validation accuracy), if any. */
  best(): Trial | undefined {
    if (this.objectives.length > 1)
      fail("state", {
        parameter: "study",
        rule: "best() needs a single objective",
        received: `${this.objectives.length} objectives (${this.objectives.map((o) => o.name).join(", ")})`,
        fix: "use study.paretoFront(): the trials no other trial beats in every objective.",
      });
    const o = this.objectives[0]!;
    const sign = o.direction === "maximize" ? 1 : -1;
    let best: Trial | undefined;
    let bestValue = -Infinity;
    for (const t of this.trials(["complete"])) {
      const v = objectiveValue(t, o);
      if (v !== undefined && Number.isFinite(v) && sign * v > bestValue) [best, bestValue] = [t, sign * v];
    }
    return best;
  }

  /**
   * The complete trials no other complete trial beats in every objective (the Pareto front), in
   * trial order, each with its objective values. A study with one objective has best() instead.
   */
  paretoFront(): { trial: Trial; values: number[] }[] {
    if (this.objectives.length < 2)
      fail("state", {
        parameter: "study",
        rule: "a Pareto front needs two or more objectives",
        received: `one objective (${this.objectives[0]!.name})`,
        fix: 'use study.best(), or create the study with objectives: [{ name: "accuracy", direction: "maximize" }, { name: "params", direction: "minimize" }].',
      });
    const points = this.trials(["complete"]).map((t) => ({
      id: t.id,
      trial: t,
      values: objectiveValues(t, this.objectives),
    }));
    return nonDominated(
      points,
      this.objectives.map((o) => o.direction),
    ).map(({ trial, values }) => ({ trial, values }));
  }

  /**
   * Run `fn` after every storage call made before it (whatever their outcome): a study's writes
   * reach its storage in call order, and each method reads the trial's state as the writes before
   * it left it.
   */
  private serial<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Persist a trial's new state (with its checkpoint when given), then hold it. */
  private async save(t: Trial, checkpoint?: Uint8Array): Promise<Trial> {
    await this.storage.commit(t, checkpoint);
    this.byId.set(t.id, t);
    return t;
  }

  /**
   * A new running trial: a configuration sampled from the space (not one asked before, when the
   * space has others), or `config` when given (checked against the space).
   */
  ask(options: { config?: Record<string, string | number | boolean> } = {}): Promise<Trial> {
    return this.serial(() => {
      checkOptions("options", options, ["config"]);
      if (options.config !== undefined) {
        checkConfig("options.config", options.config);
        if (!isPlainObject(options.config))
          fail("invalid-argument", {
            parameter: "options.config",
            rule: "must be a configuration (an object of parameter values)",
            received: show(options.config),
            fix: "pass a configuration from fh.space.sample(space, seed).",
          });
      }
      // The next number after every trial, readable or not: a damaged newest trial's files (a
      // problem of the storage) are never written over by a new trial taking its id.
      const damaged = this.problems
        .map((p) => /(?:^|[\\/])t(\d+)\.[^\\/]*$/.exec(p.file))
        .map((m) => (m ? Number(m[1]) : -1));
      const number = Math.max(-1, ...[...this.byId.values()].map((t) => t.number), ...damaged) + 1;
      let config = options.config;
      if (config) validateConfig(this.space, config);
      else {
        const rng = createRng(mixSeed(this.seed, number, 1));
        const trials = this.trials();
        const seen = new Set(trials.map((t) => configKey(this.space, t.config as Record<string, string>)));
        config = { ...this.sampler.sample(this.space, trials, rng) };
        for (let tries = 0; tries < 50 && seen.has(configKey(this.space, config)); tries++)
          config = { ...this.sampler.sample(this.space, trials, rng) };
      }
      return this.save({
        id: trialId(number),
        number,
        config,
        state: "running",
        budget: this.budget,
        epochs: 0,
        curves: emptyCurves(),
        seed: mixSeed(this.seed, number, 2) & 0x7fffffff,
        seconds: 0,
        scores: {},
        attempts: 1,
        startedAt: this.now(),
      });
    });
  }

  /** The stored trial a method's `trial` argument (a trial or its id) names. */
  private find(trial: Trial | string): Trial {
    if (typeof trial === "string") return this.trial(trial);
    if (trial === null || typeof trial !== "object" || typeof (trial as { id?: unknown }).id !== "string")
      fail("invalid-argument", {
        parameter: "trial",
        rule: `must be a trial of study "${this.name}" or its id`,
        received: show(trial),
        fix: 'pass a trial from study.ask() or study.trials(), or its id such as "t0003".',
      });
    return this.trial(trial.id);
  }

  private running(trial: Trial | string, what: string): Trial {
    const t = this.find(trial);
    if (t.state !== "running")
      fail("state", {
        parameter: "trial",
        rule: `must be running to ${what}`,
        received: `${t.id} is ${t.state}`,
        fix: "ask for a new trial, or resume this one with study.resume(trial).",
      });
    return t;
  }

  /**
   * Record the epochs trained so far (curves and histories cover epochs 1..t), with the
   * checkpoint after epoch t when given: its file is written first, the trial's record (naming it)
   * next, older checkpoints last, so a crash at any point leaves a record whose checkpoint exists.
   */
  report(trial: Trial | string, report: TrialReport, options: { checkpoint?: Uint8Array } = {}): Promise<Trial> {
    return this.serial(() => {
      checkOptions("options", options, ["checkpoint"]);
      if (options.checkpoint !== undefined)
        checkBytes(
          "options.checkpoint",
          options.checkpoint,
          "pass the checkpoint's bytes (a Uint8Array), e.g. a train result's checkpoint.",
        );
      const t = this.running(trial, "report");
      checkReport(report);
      const epochs = report.curves.valAcc.length;
      if (!Number.isInteger(epochs) || epochs < t.epochs || epochs > this.budget)
        fail("invalid-argument", {
          parameter: "report.curves",
          rule: `must cover epochs 1..t with ${t.epochs} <= t <= ${this.budget} (the budget)`,
          received: `${show(epochs)} epochs`,
          fix: "report the whole run so far (a resumed run: pass `previous` to trainCandidate).",
        });
      return this.save(
        {
          ...t,
          epochs,
          // The per-epoch arrays only: a key the curves do not have is not stored.
          curves: Object.fromEntries(CURVE_KEYS.map((k) => [k, report.curves[k]])) as unknown as Curves,
          ...(report.probeTrain ? { probeTrain: report.probeTrain } : {}),
          ...(report.probeValidation ? { probeValidation: report.probeValidation } : {}),
          ...(report.testAcc !== undefined ? { testAcc: report.testAcc } : {}),
          ...(report.parameters !== undefined ? { parameters: report.parameters } : {}),
          ...(options.checkpoint ? { checkpointEpoch: epochs } : {}),
          seconds: report.seconds ?? t.seconds,
        },
        options.checkpoint,
      );
    });
  }

  /** The bytes of the trial's checkpoint (after epoch trial.checkpointEpoch), if it has one. */
  loadCheckpoint(trial: Trial | string): Promise<Uint8Array | undefined> {
    return this.serial(async () => {
      const t = this.find(trial);
      return t.checkpointEpoch === undefined ? undefined : this.storage.loadCheckpoint(t.id, t.checkpointEpoch);
    });
  }

  /**
   * Ask the study's pruner whether the trial should stop at its current epoch; the score it used
   * is recorded with the trial. False when the study has no pruner.
   */
  shouldPrune(trial: Trial | string): Promise<boolean> {
    return this.serial(async () => {
      const t = this.running(trial, "be judged");
      if (!this.pruner) return false;
      const others = this.trials().filter((o) => o.id !== t.id);
      const decision = this.pruner.decide(t, others);
      if (Object.keys(decision.scores).length) await this.save({ ...t, scores: { ...t.scores, ...decision.scores } });
      return decision.prune;
    });
  }

  /** End a trial: complete (trained to the budget), pruned (stopped early on purpose) or failed. */
  tell(
    trial: Trial | string,
    state: "complete" | "pruned" | "failed",
    options: { error?: TrialError; values?: Readonly<Record<string, number>> } = {},
  ): Promise<Trial> {
    return this.serial(() => {
      checkOptions("options", options, ["error", "values"]);
      const values = options.values === undefined ? undefined : checkValues(options.values, this.objectives);
      checkOneOf("state", state, ["complete", "pruned", "failed"]);
      if (options.error !== undefined)
        checkShape(
          "options.error",
          options.error,
          "a trial error { name, message, epoch }",
          { name: "string", message: "string", epoch: "number" },
          "pass { error: { name, message, epoch } } (a failed train result's error fits).",
        );
      const t = this.running(trial, "be told");
      if (state === "complete" && t.epochs !== this.budget)
        fail("state", {
          parameter: "state",
          rule: `"complete" means trained to the budget (${this.budget} epochs)`,
          received: `${t.id} has ${t.epochs} epochs`,
          fix: 'report the remaining epochs first, or tell "pruned".',
        });
      if (state === "failed" && !options.error)
        fail("invalid-argument", {
          parameter: "options.error",
          rule: 'is required with "failed": a failed trial keeps its error',
          received: "undefined",
          fix: "pass { error: { name, message, epoch } } (a failed train result's error fits).",
        });
      // A NaN objective is a failed trial (never a point samplers learn from), with the reason.
      const nan = values && Object.entries(values).find(([, v]) => Number.isNaN(v));
      if (nan && state === "complete") {
        state = "failed";
        options = { error: { name: "ObjectiveNaN", message: `objective "${nan[0]}" is NaN`, epoch: t.epochs } };
      }
      const done: Trial = {
        ...t,
        state,
        endedAt: this.now(),
        ...(options.error ? { error: options.error } : {}),
        // NaN is kept out of the record (JSON would store null): the error says which was NaN.
        ...(values
          ? {
              values: {
                ...t.values,
                ...Object.fromEntries(Object.entries(values).filter(([, v]) => !Number.isNaN(v))),
              },
            }
          : {}),
      };
      // A pruned trial keeps its checkpoint: a later promotion continues it. The others are done with
      // it: a record without checkpointEpoch, whose commit removes the trial's checkpoints.
      if (state === "pruned" || t.checkpointEpoch === undefined) return this.save(done);
      const { checkpointEpoch: _c, ...without } = done;
      return this.save(without);
    });
  }

  /** Reopen a pruned trial (a promotion) or a failed one (a retry), from its checkpoint if any. */
  resume(trial: Trial | string): Promise<Trial> {
    return this.serial(() => {
      const t = this.find(trial);
      if (t.state !== "pruned" && t.state !== "failed" && t.state !== "running")
        fail("state", {
          parameter: "trial",
          rule: "must be pruned, failed or running (left by a crash) to resume",
          received: `${t.id} is ${t.state}`,
          fix: "complete trials are done.",
        });
      const { error: _e, endedAt: _x, ...rest } = t;
      return this.save({ ...rest, state: "running", attempts: t.attempts + 1 });
    });
  }

  /** Record scores a decision used (e.g. { "FH@2": 0.81 }) with a trial. */
  recordScores(trial: Trial | string, scores: Readonly<Record<string, number>>): Promise<Trial> {
    return this.serial(() => {
      checkNumberRecord("scores", scores, 'pass scores by name, e.g. { "FH@2": 0.81 }.');
      const t = this.find(trial);
      return this.save({ ...t, scores: { ...t.scores, ...scores } });
    });
  }

  /** Reopen a pruned (paused) trial that a scheduler promotes: it trains on from its checkpoint. */
  promote(trial: Trial | string): Promise<Trial> {
    return this.serial(() => {
      const t = this.find(trial);
      if (t.state !== "pruned")
        fail("state", {
          parameter: "trial",
          rule: "must be pruned (paused) to be promoted",
          received: `${t.id} is ${t.state}`,
          fix: "promote only trials a scheduler paused.",
        });
      const { endedAt: _e, ...rest } = t;
      return this.save({ ...rest, state: "running", promotions: (t.promotions ?? 0) + 1 });
    });
  }

  /** Forget a running trial's epochs (its checkpoint was lost or damaged): it trains again from epoch 1. */
  restart(trial: Trial | string): Promise<Trial> {
    return this.serial(() => {
      const t = this.running(trial, "restart");
      // A record without checkpointEpoch: its commit removes the trial's checkpoints.
      const { probeTrain: _t, probeValidation: _v, checkpointEpoch: _c, testAcc: _a, ...rest } = t;
      const { fitted: _f, ...kept } = rest;
      return this.save({ ...kept, epochs: 0, curves: emptyCurves(), seconds: 0, scores: {} });
    });
  }

  /**
   * Run the search on this study: train trials (on worker processes by default) until it has
   * `options.trials`, the pruner deciding at its epoch which go on; resumable. See optimize.ts.
   */
  optimize(options: OptimizeOptions): Promise<OptimizeResult> {
    return optimize(this, options);
  }

  /** After the study's pending writes, release the write lock and connections; the study can be loaded again. */
  close(): Promise<void> {
    return this.serial(() => this.storage.close());
  }
}

/** tell's `values`: numbers (NaN allowed: it fails the trial) by objective name; a name that is no objective is refused. */
function checkValues(values: unknown, objectives: readonly Objective[]): Record<string, number> {
  if (!isPlainObject(values))
    fail("invalid-argument", {
      parameter: "options.values",
      rule: "must be an object of objective values by name",
      received: show(values),
      fix: "pass e.g. { values: { latencyMs: 3.1 } }.",
    });
  for (const [k, v] of Object.entries(values)) {
    if (!objectives.some((o) => o.name === k))
      fail("invalid-argument", {
        parameter: `options.values.${k}`,
        rule: "must name one of the study's objectives",
        received: show(k),
        fix: `report values of ${objectives.map((o) => JSON.stringify(o.name)).join(", ")}, or create the study with that objective.`,
      });
    if (typeof v !== "number" || v === Infinity || v === -Infinity)
      fail("invalid-argument", {
        parameter: `options.values.${k}`,
        rule: "must be a finite number (NaN fails the trial)",
        received: show(v),
        fix: "report the measured value.",
      });
  }
  return values as Record<string, number>;
}

/** `value` must be a study (fh.study.create / fh.study.load). */
export function checkStudy(name: string, value: unknown): Study {
  if (!(value instanceof Study))
    fail("invalid-argument", {
      parameter: name,
      rule: "must be a study",
      received: show(value),
      fix: "create one with fh.study.create({ name, storage, space, budget }) or open one with fh.study.load({ storage }).",
    });
  return value;
}
