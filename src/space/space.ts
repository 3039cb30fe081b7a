import { fail, show } from "../core/errors.js";
import { createRng, type Rng, checkRng } from "../core/random.js";
import { checkNumber, checkShape } from "../core/validate.js";
import { canonicalCellKey, encodeCell, mutateCell, parseCell, sampleCell, cellToString } from "./cell.js";
import type { Param, Scalar } from "./params.js";

/** A sampled configuration: one value per active parameter (cells as their string). */
export type Config = Readonly<Record<string, Scalar>>;

/** A search space: its parameters (fh.space.defineSpace or a preset). */
export interface SearchSpace {
  readonly params: readonly Param[];
}

/** `value` must be a search space (defineSpace or a preset). */
export function checkSpace(name: string, value: unknown): SearchSpace {
  checkShape(
    name,
    value,
    "a search space",
    { params: "array" },
    "build one with fh.space.defineSpace([...]) or a preset such as fh.space.jointSpace().",
  );
  return value as SearchSpace;
}

/** `value` must be a configuration: an object of parameter values. */
export function checkConfig(name: string, value: unknown): Config {
  checkShape(
    name,
    value,
    "a configuration (an object of parameter values)",
    {},
    "pass a configuration from fh.space.sample(space, seed).",
  );
  return value as Config;
}

/** Define a space. Names are unique; a condition's parent comes earlier and can take its values. */
export function defineSpace(params: readonly Param[]): SearchSpace {
  if (!Array.isArray(params) || params.length === 0) {
    fail("invalid-argument", {
      parameter: "params",
      rule: "must be a non-empty array of parameters",
      received: show(params),
      fix: "pass e.g. [float('lr', 1e-4, 1e-1, { log: true })].",
    });
  }
  params.forEach((p, i) =>
    checkShape(
      `params[${i}]`,
      p,
      "a parameter",
      { name: "string", kind: "string" },
      "build parameters with fh.space.float / int / categorical / fixed / cell.",
    ),
  );
  const byName = new Map<string, Param>();
  for (const p of params) {
    if (byName.has(p.name))
      fail("invalid-argument", {
        parameter: p.name,
        rule: "must be defined once",
        received: "a second definition",
        fix: "rename or remove one.",
      });
    if (p.when) {
      const parent = byName.get(p.when.parent);
      if (!parent) {
        fail("invalid-argument", {
          parameter: `${p.name}.when.parent`,
          rule: "must name a parameter defined before it",
          received: show(p.when.parent),
          fix: "define the parent first.",
        });
      }
      if (parent.kind === "cell" || parent.kind === "float") {
        fail("invalid-argument", {
          parameter: `${p.name}.when.parent`,
          rule: "must be a categorical, int or fixed parameter",
          received: `${show(parent.name)} (${parent.kind})`,
          fix: "condition on a discrete parameter.",
        });
      }
      for (const v of p.when.values) {
        const ok =
          parent.kind === "categorical"
            ? parent.choices.includes(v)
            : parent.kind === "fixed"
              ? parent.value === v
              : typeof v === "number" && Number.isInteger(v) && v >= parent.low && v <= parent.high;
        if (!ok)
          fail("invalid-argument", {
            parameter: `${p.name}.when.values`,
            rule: `must be values ${parent.name} can take`,
            received: show(v),
            fix: "use one of the parent's values.",
          });
      }
    }
    byName.set(p.name, p);
  }
  return { params: [...params] };
}

function isActive(p: Param, config: Record<string, Scalar>): boolean {
  if (!p.when) return true;
  if (!(p.when.parent in config)) return false;
  return p.when.values.includes(config[p.when.parent]!);
}

function sampleParam(p: Param, rng: Rng): Scalar {
  switch (p.kind) {
    case "float":
      return p.log
        ? Math.exp(Math.log(p.low) + rng.next() * (Math.log(p.high) - Math.log(p.low)))
        : p.low + rng.next() * (p.high - p.low);
    case "int":
      if (p.log) {
        const v = Math.exp(Math.log(p.low) + rng.next() * (Math.log(p.high + 1) - Math.log(p.low)));
        return Math.min(p.high, Math.max(p.low, Math.floor(v)));
      }
      return p.low + rng.int(p.high - p.low + 1);
    case "categorical":
      return p.choices[rng.int(p.choices.length)]!;
    case "fixed":
      return p.value;
    case "cell":
      return cellToString(sampleCell(rng, p.ops));
  }
}

function rngOf(seedOrRng: number | Rng): Rng {
  return typeof seedOrRng === "number" ? createRng(checkNumber("seed", seedOrRng, { integer: true })) : seedOrRng;
}

/** Sample one configuration (only active parameters appear). */
export function sample(space: SearchSpace, seedOrRng: number | Rng): Config {
  checkSpace("space", space);
  if (typeof seedOrRng !== "number") checkRng("seedOrRng", seedOrRng);
  const rng = rngOf(seedOrRng);
  const config: Record<string, Scalar> = {};
  for (const p of space.params) if (isActive(p, config)) config[p.name] = sampleParam(p, rng);
  return config;
}

/** Sample `n` configurations, skipping ones whose key repeats (up to 50 n tries). */
export function sampleMany(space: SearchSpace, n: number, seed: number): Config[] {
  checkSpace("space", space);
  checkNumber("n", n, { integer: true, min: 0, max: 1_000_000 });
  checkNumber("seed", seed, { integer: true });
  checkNumber("n", n, { integer: true, min: 1 });
  const rng = createRng(checkNumber("seed", seed, { integer: true }));
  const out: Config[] = [];
  const keys = new Set<string>();
  for (let tries = 0; out.length < n && tries < 50 * n; tries++) {
    const c = sample(space, rng);
    const k = configKey(space, c);
    if (keys.has(k)) continue;
    keys.add(k);
    out.push(c);
  }
  if (out.length < n) {
    fail("invalid-argument", {
      parameter: "n",
      rule: `must be at most the number of distinct configurations (${out.length} found)`,
      received: show(n),
      fix: "sample fewer or widen the space.",
    });
  }
  return out;
}

/** Check a configuration against the space: every active parameter present and in range, nothing else. */
export function validateConfig(space: SearchSpace, config: Config): void {
  checkSpace("space", space);
  checkConfig("config", config);
  if (config === null || typeof config !== "object")
    fail("invalid-argument", {
      parameter: "config",
      rule: "must be an object",
      received: show(config),
      fix: "pass a configuration from sample().",
    });
  const known = new Set(space.params.map((p) => p.name));
  for (const k of Object.keys(config)) {
    if (!known.has(k))
      fail("unknown-option", {
        parameter: `config.${k}`,
        rule: "is not a parameter of this space",
        received: show(config[k]),
        fix: `use only: ${[...known].join(", ")}.`,
      });
  }
  for (const p of space.params) {
    const active = isActive(p, config as Record<string, Scalar>);
    const v = config[p.name];
    const param = `config.${p.name}`;
    if (!active) {
      if (v !== undefined)
        fail("invalid-argument", {
          parameter: param,
          rule: `must be absent unless ${p.when!.parent} is one of ${show(p.when!.values)}`,
          received: show(v),
          fix: "remove it or change its parent.",
        });
      continue;
    }
    if (v === undefined)
      fail("invalid-argument", {
        parameter: param,
        rule: "must be set (it is active)",
        received: "nothing",
        fix: "sample the configuration from the space.",
      });
    switch (p.kind) {
      case "float":
      case "int":
        if (
          typeof v !== "number" ||
          !Number.isFinite(v) ||
          v < p.low ||
          v > p.high ||
          (p.kind === "int" && !Number.isInteger(v))
        ) {
          fail("invalid-argument", {
            parameter: param,
            rule: `must be ${p.kind === "int" ? "an integer" : "a number"} in [${p.low}, ${p.high}]`,
            received: show(v),
            fix: "use a value inside the range.",
          });
        }
        break;
      case "categorical":
        if (!p.choices.includes(v))
          fail("invalid-argument", {
            parameter: param,
            rule: `must be one of ${show(p.choices)}`,
            received: show(v),
            fix: "pick one of the choices.",
          });
        break;
      case "fixed":
        if (v !== p.value)
          fail("invalid-argument", {
            parameter: param,
            rule: `must be ${show(p.value)} (fixed)`,
            received: show(v),
            fix: "do not change fixed parameters.",
          });
        break;
      case "cell":
        parseCell(v, param, p.ops);
        break;
    }
  }
}

/** Change one active, non-fixed parameter (a cell: one edge); children are re-sampled or dropped. */
export function mutate(space: SearchSpace, config: Config, seedOrRng: number | Rng): Config {
  checkSpace("space", space);
  checkConfig("config", config);
  if (typeof seedOrRng !== "number") checkRng("seedOrRng", seedOrRng);
  validateConfig(space, config);
  const rng = rngOf(seedOrRng);
  const candidates = space.params.filter(
    (p) =>
      p.kind !== "fixed" &&
      isActive(p, config as Record<string, Scalar>) &&
      !(p.kind === "categorical" && p.choices.length < 2),
  );
  if (candidates.length === 0)
    fail("invalid-argument", {
      parameter: "space",
      rule: "must have a parameter that can change",
      received: "only fixed parameters",
      fix: "add a free parameter.",
    });
  const target = candidates[rng.int(candidates.length)]!;
  const out: Record<string, Scalar> = {};
  for (const p of space.params) {
    if (!isActive(p, out)) continue;
    if (p.name !== target.name) {
      out[p.name] = p.name in config ? config[p.name]! : sampleParam(p, rng);
      continue;
    }
    const old = config[p.name]!;
    if (p.kind === "cell") out[p.name] = cellToString(mutateCell(parseCell(old, p.name, p.ops), rng, p.ops));
    else if (p.kind === "categorical") {
      const others = p.choices.filter((c) => c !== old);
      out[p.name] = others[rng.int(others.length)]!;
    } else {
      let v = old;
      for (let i = 0; i < 20 && v === old; i++) v = sampleParam(p, rng);
      out[p.name] = v;
    }
  }
  return out;
}

/** Fixed-length numeric encoding: ranges scaled to [0,1] (log-aware), one-hot categories and cell edges, 0 when inactive. */
export function encode(space: SearchSpace, config: Config): number[] {
  checkSpace("space", space);
  checkConfig("config", config);
  validateConfig(space, config);
  const out: number[] = [];
  for (const p of space.params) {
    const v = config[p.name];
    switch (p.kind) {
      case "float":
      case "int": {
        if (v === undefined) out.push(0);
        else {
          const x = v as number;
          out.push(
            p.log
              ? (Math.log(x) - Math.log(p.low)) / (Math.log(p.high) - Math.log(p.low))
              : (x - p.low) / (p.high - p.low),
          );
        }
        break;
      }
      case "categorical":
        for (const c of p.choices) out.push(v === c ? 1 : 0);
        break;
      case "fixed":
        break;
      case "cell":
        out.push(
          ...(v === undefined
            ? new Array<number>(6 * p.ops.length).fill(0)
            : encodeCell(parseCell(v, p.name, p.ops), p.ops)),
        );
        break;
    }
  }
  return out;
}

/** Length of encode()'s output for this space. */
export function encodingLength(space: SearchSpace): number {
  checkSpace("space", space);
  return space.params.reduce(
    (n, p) =>
      n +
      (p.kind === "categorical" ? p.choices.length : p.kind === "fixed" ? 0 : p.kind === "cell" ? 6 * p.ops.length : 1),
    0,
  );
}

/** A canonical string: parameters by name, cells by their isomorphism-invariant key. */
export function configKey(space: SearchSpace, config: Config): string {
  checkSpace("space", space);
  checkConfig("config", config);
  const parts: string[] = [];
  for (const p of [...space.params].sort((a, b) => a.name.localeCompare(b.name))) {
    const v = config[p.name];
    if (v === undefined) continue;
    parts.push(
      `${p.name}=${p.kind === "cell" ? canonicalCellKey(parseCell(v, p.name, p.ops)) : typeof v === "number" ? Number(v.toPrecision(12)) : String(v)}`,
    );
  }
  return parts.join(";");
}

/** JSON round-trip of a space (configurations are plain JSON already). */
export function spaceToJSON(space: SearchSpace): string {
  checkSpace("space", space);
  return JSON.stringify({ format: "feature-histories/space", version: 1, params: space.params });
}

/** A search space back from spaceToJSON. */
export function spaceFromJSON(text: string): SearchSpace {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return fail("invalid-argument", {
      parameter: "text",
      rule: "must be JSON written by spaceToJSON",
      received: (err as Error).message,
      fix: "pass spaceToJSON's output.",
    });
  }
  const o = parsed as { format?: string; version?: number; params?: Param[] };
  if (o?.format !== "feature-histories/space" || o.version !== 1 || !Array.isArray(o.params)) {
    fail("invalid-argument", {
      parameter: "text",
      rule: 'must have format "feature-histories/space", version 1 and params',
      received: show(parsed),
      fix: "pass spaceToJSON's output.",
    });
  }
  return defineSpace(o.params);
}
