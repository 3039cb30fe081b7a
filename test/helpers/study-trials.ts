// A small study for the study-plot tests and the browser figure check: 28 trials over a space with
// a log-scaled float, a categorical, a conditional float, an int and a fixed value, in every state.
import type { TrialState } from "../../src/core/types.js";
import type { Trial, TrialValue } from "../../src/history/trial.js";
import { categorical, fixed, float, int } from "../../src/space/params.js";
import { defineSpace, sample } from "../../src/space/space.js";
import { createRng } from "../../src/core/random.js";

/** A trial with the validation-accuracy curve `valAcc` (its peak is the objective). */
export function curveTrial(
  number: number,
  config: Record<string, TrialValue>,
  valAcc: number[],
  state: TrialState = "complete",
  budget = 4,
): Trial {
  const epochs = valAcc.length;
  const same = (v: number) => valAcc.map(() => v);
  return {
    id: `t${number}`,
    number,
    config,
    state,
    ...(state === "failed" ? { error: { name: "Error", message: "NaN loss", epoch: epochs } } : {}),
    budget,
    epochs,
    curves: {
      trainLoss: same(1),
      trainAcc: valAcc,
      valLoss: same(1),
      valAcc,
      seconds: same(1),
      captureSeconds: same(0),
      lr: same(0.1),
    },
    seed: number,
    seconds: epochs,
    scores: {},
    attempts: 1,
  };
}

/** A trial that reached `value` (its peak validation accuracy) after `epochs` epochs. */
export function fakeTrial(
  number: number,
  config: Record<string, TrialValue>,
  value: number,
  state: TrialState = "complete",
  epochs = 4,
): Trial {
  const valAcc = Array.from({ length: epochs }, (_, e) => value * (0.6 + (0.4 * (e + 1)) / epochs));
  return curveTrial(number, config, valAcc, state);
}

export const space = defineSpace([
  float("lr", 1e-4, 1e-1, { log: true }),
  categorical("optimizer", ["sgd", "adam"]),
  float("momentum", 0, 0.99, { when: { parent: "optimizer", values: ["sgd"] } }),
  int("width", 8, 64),
  fixed("seed", 1),
]);
const rng = createRng(11);
const states: TrialState[] = ["complete", "complete", "pruned", "complete", "failed", "complete", "running"];
export const trials = Array.from({ length: 28 }, (_, i) => {
  const config = { ...sample(space, rng) };
  const value = 0.5 + 0.4 * Math.exp(-((Math.log10(config.lr as number) + 2.5) ** 2)) + 0.001 * i;
  const state = states[i % states.length]!;
  return fakeTrial(i + 3, config, value, state, state === "pruned" ? 2 : state === "running" ? 1 : 4);
});
