import { fail, show } from "../core/errors.js";
import { checkBoolean, checkKeys, checkNumber, checkString } from "../core/validate.js";
import { CELL_OPS, type CellOp } from "./cell.js";

/** A parameter's value: a number, a string or a boolean. */
export type Scalar = number | string | boolean;

/** A parameter is active only when its parent takes one of `values`. */
export interface Condition {
  readonly parent: string;
  readonly values: readonly Scalar[];
}

interface Base {
  readonly name: string;
  readonly when?: Condition;
}
/** A real-valued parameter in [low, high], optionally sampled on a log scale. */
export interface FloatParam extends Base {
  readonly kind: "float";
  readonly low: number;
  readonly high: number;
  readonly log: boolean;
}
/** An integer parameter in [low, high], optionally sampled on a log scale. */
export interface IntParam extends Base {
  readonly kind: "int";
  readonly low: number;
  readonly high: number;
  readonly log: boolean;
}
/** A parameter that takes one of a list of values. */
export interface CategoricalParam extends Base {
  readonly kind: "categorical";
  readonly choices: readonly Scalar[];
}
/** A parameter with one value (kept in configs for reproducibility, never searched). */
export interface FixedParam extends Base {
  readonly kind: "fixed";
  readonly value: Scalar;
}
/** A NAS-Bench-201-style cell; its value is the cell string. */
export interface CellParam extends Base {
  readonly kind: "cell";
  readonly ops: readonly CellOp[];
}
/** One parameter of a search space: float, int, categorical, fixed, or a NAS cell. */
export type Param = FloatParam | IntParam | CategoricalParam | FixedParam | CellParam;

/** Options of a numeric parameter: log-scale sampling, and when it applies (a condition on other parameters). */
export interface RangeOptions {
  /** Sample on a log scale (low must be > 0). Default false. */
  log?: boolean;
  /** Active only when another parameter takes given values. */
  when?: Condition;
}

function checkName(name: unknown): string {
  const n = checkString("name", name);
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(n)) {
    fail("invalid-argument", {
      parameter: "name",
      rule: "must start with a letter or _ and hold only letters, digits, _ . -",
      received: show(n),
      fix: 'use e.g. "lr" or "weight_decay".',
    });
  }
  return n;
}

function checkWhen(name: string, when: unknown): Condition | undefined {
  if (when === undefined) return undefined;
  checkKeys(`${name}.when`, when as object, ["parent", "values"]);
  const w = when as Condition;
  checkString(`${name}.when.parent`, w.parent);
  if (!Array.isArray(w.values) || w.values.length === 0) {
    fail("invalid-argument", {
      parameter: `${name}.when.values`,
      rule: "must be a non-empty array of parent values",
      received: show(w.values),
      fix: 'pass e.g. { parent: "optimizer", values: ["sgd"] }.',
    });
  }
  return { parent: w.parent, values: [...w.values] };
}

function range(
  kind: "float" | "int",
  name: string,
  low: number,
  high: number,
  options: RangeOptions,
): FloatParam | IntParam {
  name = checkName(name);
  checkKeys(`${name} options`, options, ["log", "when"]);
  const integer = kind === "int";
  checkNumber(`${name}.low`, low, { integer });
  checkNumber(`${name}.high`, high, { integer });
  if (!(high > low)) {
    fail("invalid-argument", {
      parameter: `${name}.high`,
      rule: `must be greater than low (${low})`,
      received: show(high),
      fix: "swap or widen the bounds (use fixed() for one value).",
    });
  }
  const log = options.log === undefined ? false : checkBoolean(`${name}.log`, options.log);
  if (log && low <= 0) {
    fail("invalid-argument", {
      parameter: `${name}.low`,
      rule: "must be > 0 on a log scale",
      received: show(low),
      fix: "use a positive lower bound or log: false.",
    });
  }
  const when = checkWhen(name, options.when);
  return { kind, name, low, high, log, ...(when ? { when } : {}) };
}

/** A float in [low, high], optionally log-uniform. */
export function float(name: string, low: number, high: number, options: RangeOptions = {}): FloatParam {
  return range("float", name, low, high, options) as FloatParam;
}

/** An integer in [low, high] (both included), optionally log-uniform. */
export function int(name: string, low: number, high: number, options: RangeOptions = {}): IntParam {
  return range("int", name, low, high, options) as IntParam;
}

/** A categorical parameter: one of `choices`. */
export function categorical(
  name: string,
  choices: readonly Scalar[],
  options: { when?: Condition } = {},
): CategoricalParam {
  name = checkName(name);
  checkKeys(`${name} options`, options, ["when"]);
  if (!Array.isArray(choices) || choices.length === 0) {
    fail("invalid-argument", {
      parameter: `${name}.choices`,
      rule: "must be a non-empty array",
      received: show(choices),
      fix: 'pass e.g. ["sgd", "adam"].',
    });
  }
  const seen = new Set<string>();
  for (const c of choices) {
    if (!["number", "string", "boolean"].includes(typeof c) || (typeof c === "number" && !Number.isFinite(c))) {
      fail("invalid-argument", {
        parameter: `${name}.choices`,
        rule: "must hold finite numbers, strings or booleans",
        received: show(c),
        fix: "use scalar choices.",
      });
    }
    const k = `${typeof c}:${String(c)}`;
    if (seen.has(k))
      fail("invalid-argument", {
        parameter: `${name}.choices`,
        rule: "must not repeat a choice",
        received: show(c),
        fix: "remove the duplicate.",
      });
    seen.add(k);
  }
  const when = checkWhen(name, options.when);
  return { kind: "categorical", name, choices: [...choices], ...(when ? { when } : {}) };
}

/** A parameter with one fixed value. */
export function fixed(name: string, value: Scalar, options: { when?: Condition } = {}): FixedParam {
  name = checkName(name);
  checkKeys(`${name} options`, options, ["when"]);
  if (!["number", "string", "boolean"].includes(typeof value)) {
    fail("invalid-argument", {
      parameter: `${name}.value`,
      rule: "must be a number, string or boolean",
      received: show(value),
      fix: "use a scalar.",
    });
  }
  const when = checkWhen(name, options.when);
  return { kind: "fixed", name, value, ...(when ? { when } : {}) };
}

/** A NAS-Bench-201-style cell parameter (4 nodes, 6 edges, each edge one of `ops`). */
export function cell(name: string, options: { ops?: readonly CellOp[]; when?: Condition } = {}): CellParam {
  name = checkName(name);
  checkKeys(`${name} options`, options, ["ops", "when"]);
  const ops = options.ops ?? CELL_OPS;
  if (!Array.isArray(ops) || ops.length < 2 || ops.some((o) => !(CELL_OPS as readonly string[]).includes(o))) {
    fail("invalid-argument", {
      parameter: `${name}.ops`,
      rule: `must list at least two of ${CELL_OPS.join(", ")}`,
      received: show(ops),
      fix: "pick ops from that list.",
    });
  }
  const when = checkWhen(name, options.when);
  return { kind: "cell", name, ops: [...ops], ...(when ? { when } : {}) };
}
