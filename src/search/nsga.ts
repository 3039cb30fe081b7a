/**
 * NSGA-II's selection on top of mutation (Deb et al. 2002), for studies with several objectives
 * (say accuracy and parameter count): the finished trials are ranked by non-dominated sorting and
 * crowding distance, the best `population` of them are the parents, a binary tournament picks one
 * (lower front first, then the less crowded), and its configuration with one parameter changed
 * is the next trial (the space's own mutation, so conditional parameters and NAS cells work).
 */
import { checkNumber, checkRequired } from "../core/validate.js";
import type { Trial } from "../history/trial.js";
import { mutate, sample, type Config } from "../space/space.js";
import { checkObjectives, objectiveValue, type Objective } from "./objectives.js";
import { crowdingDistance, nonDominatedSort, type ParetoPoint } from "./pareto.js";
import { checkSampleArgs, type Sampler } from "./samplers.js";

/** Options of fh.search.nsga2Sampler: the study's objectives, the parent population and the exploration share. */
export interface Nsga2SamplerOptions {
  /** The objectives, as the study has them (study.objectives). */
  readonly objectives: readonly Objective[];
  /** How many of the best finished trials are parents. Default 16. */
  readonly population?: number;
  /** Share of asks that sample at random instead. Default 0.1. */
  readonly explore?: number;
}

interface Parent extends ParetoPoint {
  readonly trial: Trial;
  readonly rank: number;
  readonly crowding: number;
}

/** The best `population` finished trials by front, then by crowding distance (NSGA-II's elitist selection). */
export function nsgaParents(trials: readonly Trial[], objectives: readonly Objective[], population: number): Parent[] {
  const points = trials
    .filter((t) => t.state === "complete")
    .map((t) => ({ id: t.id, trial: t, values: objectives.map((o) => objectiveValue(t, o) ?? NaN) }))
    .filter((p) => p.values.every(Number.isFinite));
  const fronts = nonDominatedSort(
    points,
    objectives.map((o) => o.direction),
  );
  const parents: Parent[] = [];
  for (let rank = 0; rank < fronts.length && parents.length < population; rank++) {
    const front = fronts[rank]!;
    const crowding = crowdingDistance(front);
    const members = front.map((p, i) => ({ ...p, rank, crowding: crowding[i]! }));
    if (parents.length + members.length > population) members.sort((a, b) => b.crowding - a.crowding);
    parents.push(...members.slice(0, population - parents.length));
  }
  return parents;
}

/** Mutations of NSGA-II tournament winners among the finished trials; random until there are `population`. */
export function nsga2Sampler(options: Nsga2SamplerOptions): Sampler {
  checkRequired("options", options, ["objectives", "population", "explore"]);
  const objectives = checkObjectives("options.objectives", options.objectives);
  const population = checkNumber("options.population", options.population ?? 16, { integer: true, min: 2 });
  const explore = checkNumber("options.explore", options.explore ?? 0.1, { min: 0, max: 1 });
  return {
    name: `NSGA-II (${objectives.map((o) => o.name).join(", ")}; population ${population})`,
    sample(space, trials, rng) {
      checkSampleArgs(space, trials, rng);
      const parents = nsgaParents(trials, objectives, population);
      if (parents.length < population || rng.next() < explore) return sample(space, rng);
      const a = parents[rng.int(parents.length)]!;
      const b = parents[rng.int(parents.length)]!;
      const winner = b.rank < a.rank || (b.rank === a.rank && b.crowding > a.crowding) ? b : a;
      return mutate(space, winner.trial.config as Config, rng);
    },
  };
}
