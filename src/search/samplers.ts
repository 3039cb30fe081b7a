/**
 * Samplers: where a study's next configuration comes from, as pure functions of the space, the
 * trials so far and a seeded generator. Random sampling, and mutation of good trials (the
 * regularised evolution of Real et al.: a tournament among the most recent scored trials, the
 * winner's configuration with one parameter changed), with some random exploration.
 */
import { checkFunction, checkKeys, checkNumber, checkRecords } from "../core/validate.js";
import { checkRng, type Rng } from "../core/random.js";
import { peakValAcc } from "../history/curves.js";
import { checkTrials, type Trial } from "../history/trial.js";
import { fail, show } from "../core/errors.js";
import {
  checkConfig,
  checkSpace,
  defineSpace,
  mutate,
  sample,
  validateConfig,
  type Config,
  type SearchSpace,
} from "../space/space.js";
import { categorical, cell, fixed, float, int, type Condition, type Param, type Scalar } from "../space/params.js";
import type { CellOp } from "../space/cell.js";

/**
 * `value` must be a search space whose every parameter is whole: each is rebuilt with its
 * constructor (fh.space.float, int, categorical, fixed, cell), which checks its fields, and the
 * rebuilt list with defineSpace (unique names, conditions on earlier parameters).
 */
export function checkSearchSpace(name: string, value: unknown): SearchSpace {
  const space = checkSpace(name, value);
  const fix = "build the space with fh.space.defineSpace([...]) from fh.space.int, float, categorical, fixed, cell.";
  checkRecords(
    `${name}.params`,
    space.params,
    { what: "a parameter", fields: { kind: "string", name: "string" }, fix },
    { what: "parameters", min: 1 },
  );
  const rebuilt = space.params.map((p, i): Param => {
    const q = p as unknown as Record<string, unknown>;
    const when = q.when === undefined ? {} : { when: q.when as Condition };
    switch (p.kind) {
      case "float":
      case "int":
        return (p.kind === "float" ? float : int)(p.name, q.low as number, q.high as number, {
          ...(q.log === undefined ? {} : { log: q.log as boolean }),
          ...when,
        });
      case "categorical":
        return categorical(p.name, q.choices as Scalar[], when);
      case "fixed":
        return fixed(p.name, q.value as Scalar, when);
      case "cell":
        return cell(p.name, { ...(q.ops === undefined ? {} : { ops: q.ops as CellOp[] }), ...when });
      default:
        return fail("invalid-argument", {
          parameter: `${name}.params[${i}].kind`,
          rule: 'must be "float", "int", "categorical", "fixed" or "cell"',
          received: show((p as { kind: unknown }).kind),
          fix,
        });
    }
  });
  defineSpace(rebuilt);
  return space;
}

/** The arguments of a sampler's sample(space, trials, rng), checked before any is read. */
export function checkSampleArgs(space: unknown, trials: unknown, rng: unknown): void {
  checkSearchSpace("space", space);
  checkTrials("trials", trials, { number: "number", config: "object", scores: "object" });
  checkRng("rng", rng);
}

/** Where study.ask() gets configurations: random, a fixed list, or mutation of the best (regularised evolution). */
export interface Sampler {
  readonly name: string;
  sample(space: SearchSpace, trials: readonly Trial[], rng: Rng): Config;
}

/** Uniform random configurations from the space. */
export function randomSampler(): Sampler {
  return {
    name: "random",
    sample: (space, trials, rng) => {
      checkSampleArgs(space, trials, rng);
      return sample(space, rng);
    },
  };
}

/**
 * The given configurations in order (trial number i gets configs[i]): a fixed sample, e.g. the
 * candidates of an estimator study or the same candidates trained again with another seed.
 */
export function listSampler(configs: readonly Config[]): Sampler {
  if (!Array.isArray(configs) || configs.length === 0)
    fail("invalid-argument", {
      parameter: "configs",
      rule: "must be a non-empty array of configurations",
      received: show(configs),
      fix: "pass fh.space.sampleMany(space, n, seed) or your own list.",
    });
  configs.forEach((c, i) => checkConfig(`configs[${i}]`, c));
  return {
    name: `list of ${configs.length}`,
    sample(space, trials, rng) {
      checkSampleArgs(space, trials, rng);
      const next = configs[trials.length];
      if (!next)
        fail("state", {
          parameter: "trials",
          rule: `a list sampler has ${configs.length} configurations`,
          received: `configuration ${trials.length + 1} asked for`,
          fix: `ask for at most ${configs.length} trials (optimize's trials option).`,
        });
      validateConfig(space, next as Record<string, string | number | boolean>);
      return { ...next };
    },
  };
}

/** Options of fh.search.mutationSampler (regularised evolution): population, tournament size, exploration and the fitness it ranks by. */
export interface MutationSamplerOptions {
  /** How many of the most recent scored trials form the population. Default 8. */
  readonly population?: number;
  /** Trials drawn into each tournament. Default 3. */
  readonly tournament?: number;
  /** Share of asks that sample at random instead. Default 0.2. */
  readonly explore?: number;
  /**
   * A trial's fitness (higher is better; undefined: not in the population). Default: the score
   * its pruner gave it at t (all judged trials have one, so they compare), else, for a complete
   * trial of a study without pruner, its peak validation accuracy.
   */
  readonly fitness?: (trial: Trial) => number | undefined;
}

function defaultFitness(t: Trial): number | undefined {
  const scores = Object.values(t.scores).filter(Number.isFinite);
  if (scores.length) return scores[0];
  return t.state === "complete" ? peakValAcc(t.curves) : undefined;
}

/** Mutations of tournament winners among the recent scored trials; random until there are enough. */
export function mutationSampler(options: MutationSamplerOptions = {}): Sampler {
  checkKeys("options", options, ["population", "tournament", "explore", "fitness"]);
  const population = checkNumber("options.population", options.population ?? 8, { integer: true, min: 2 });
  const tournament = checkNumber("options.tournament", options.tournament ?? 3, {
    integer: true,
    min: 1,
    max: population,
  });
  const explore = checkNumber("options.explore", options.explore ?? 0.2, { min: 0, max: 1 });
  if (options.fitness !== undefined)
    checkFunction("options.fitness", options.fitness, "pass (trial) => a number (higher is better) or undefined.");
  const fitness = options.fitness ?? defaultFitness;
  return {
    name: `mutation (population ${population}, tournament ${tournament})`,
    sample(space, trials, rng) {
      checkSampleArgs(space, trials, rng);
      const scored = trials
        .map((t) => ({ t, f: fitness(t) }))
        .filter((x): x is { t: Trial; f: number } => x.f !== undefined && Number.isFinite(x.f))
        .sort((a, b) => a.t.number - b.t.number)
        .slice(-population);
      if (scored.length < population || rng.next() < explore) return sample(space, rng);
      let winner = scored[rng.int(scored.length)]!;
      for (let k = 1; k < tournament; k++) {
        const c = scored[rng.int(scored.length)]!;
        if (c.f > winner.f) winner = c;
      }
      return mutate(space, winner.t.config as Config, rng);
    },
  };
}
