/**
 * A study's objectives (Optuna's `directions`, with names): what a trial is judged by, each
 * maximised or minimised. Built-in names read what training records with every trial:
 * - "accuracy": peak validation accuracy (the single-objective default);
 * - "testAccuracy": accuracy on the test split after the last epoch, when measured;
 * - "params": the network's number of parameters (known after its first epoch);
 * - "seconds": training wall-clock seconds.
 * Any other name is a value the user reports when ending the trial:
 * `study.tell(trial, "complete", { values: { latencyMs: 3.1 } })`.
 */
import { fail, show } from "../core/errors.js";
import type { Direction } from "../core/types.js";
import { checkArray, checkOneOf, checkOptions, checkShape, checkString } from "../core/validate.js";
import { peakValAcc } from "../history/curves.js";
import type { Trial } from "../history/trial.js";

/** One objective of a study: a name (built-in or reported) and whether higher or lower is better. */
export interface Objective {
  readonly name: string;
  readonly direction: Direction;
}

/** The objective of a study created without `objectives`. */
export const DEFAULT_OBJECTIVES: readonly Objective[] = [{ name: "accuracy", direction: "maximize" }];

/** Objective names training records itself; any other is reported with tell(..., { values }). */
export const BUILT_IN_OBJECTIVES = ["accuracy", "testAccuracy", "params", "seconds"] as const;

const FIX = 'pass e.g. [{ name: "accuracy", direction: "maximize" }, { name: "params", direction: "minimize" }].';

/** `value` must be a non-empty list of { name, direction } with unique names. */
export function checkObjectives(name: string, value: unknown): Objective[] {
  const list = checkArray<Objective>(name, value, { min: 1, what: "objectives", fix: FIX });
  const seen = new Set<string>();
  list.forEach((o, i) => {
    checkShape(`${name}[${i}]`, o, "an objective { name, direction }", { name: "string", direction: "string" }, FIX);
    checkOptions(`${name}[${i}]`, o, ["name", "direction"]);
    checkString(`${name}[${i}].name`, o.name);
    checkOneOf(`${name}[${i}].direction`, o.direction, ["maximize", "minimize"]);
    if (seen.has(o.name))
      fail("invalid-argument", {
        parameter: `${name}[${i}].name`,
        rule: "must be unique among the objectives",
        received: show(o.name),
        fix: "name each objective once.",
      });
    seen.add(o.name);
  });
  return list.map((o) => ({ name: o.name, direction: o.direction }));
}

/** A trial's value of one objective; undefined when the trial does not have it (yet). */
export function objectiveValue(trial: Trial, objective: Objective | string): number | undefined {
  checkTrial(trial);
  if (typeof objective !== "string")
    checkShape("objective", objective, "an objective { name, direction } or its name", { name: "string" }, FIX);
  return valueOf(trial, typeof objective === "string" ? objective : objective.name);
}

const checkTrial = (trial: unknown) =>
  checkShape(
    "trial",
    trial,
    "a trial",
    { id: "string", state: "string", epochs: "number", curves: "object" },
    "pass a trial of study.trials().",
  );

function valueOf(trial: Trial, name: string): number | undefined {
  switch (name) {
    case "accuracy":
      return trial.epochs > 0 ? peakValAcc(trial.curves) : undefined;
    case "testAccuracy":
      return trial.testAcc;
    case "params":
      return trial.parameters || undefined;
    case "seconds":
      return trial.epochs > 0 ? trial.seconds : undefined;
    default:
      return trial.values?.[name];
  }
}

/**
 * A finished trial's values of every objective, in order; a missing one is the toolkit's error
 * naming the objective, the trial and where the value comes from.
 */
export function objectiveValues(trial: Trial, objectives: readonly Objective[]): number[] {
  checkTrial(trial);
  checkObjectives("objectives", objectives);
  return objectives.map((o) => {
    const v = valueOf(trial, o.name);
    if (v === undefined)
      fail("data-missing", {
        parameter: `objective "${o.name}"`,
        rule: "must have a value for every finished trial",
        received: `${trial.id} (${trial.state}) has none`,
        fix: (BUILT_IN_OBJECTIVES as readonly string[]).includes(o.name)
          ? o.name === "params"
            ? "train trials with study.optimize (it records the parameter count), or report({ parameters })."
            : "train the trial first (report its epochs)."
          : `report it when the trial ends: study.tell(trial, "complete", { values: { ${JSON.stringify(o.name)}: value } }).`,
      });
    return v;
  });
}
