import { fail, show } from "./errors.js";

/**
 * Boundary checks. Public functions validate their options once with these and then call
 * trusting internals (arquero's derive -> _derive pattern).
 */

/** Like checkKeys, but the options object is required (its absence is an error too). */
export function checkRequired(name: string, options: unknown, allowed: readonly string[]): void {
  if (options === null || typeof options !== "object" || Array.isArray(options))
    fail("invalid-argument", {
      parameter: name,
      rule: "must be an options object",
      received: show(options),
      fix: `pass an object with ${allowed.join(", ")}.`,
    });
  checkKeys(name, options, allowed);
}

/** Reject keys of `options` not in `allowed`, naming the nearest allowed key. */
export function checkKeys(name: string, options: object | undefined, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    fail("invalid-argument", {
      parameter: name,
      rule: "must be an options object",
      received: show(options),
      fix: `pass an object with some of: ${allowed.join(", ")}.`,
    });
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      const near = nearest(key, allowed);
      fail("unknown-option", {
        parameter: `${name}.${key}`,
        rule: "is not a known option",
        received: show((options as Record<string, unknown>)[key]),
        fix: near
          ? `did you mean "${near}"? Known options: ${allowed.join(", ")}.`
          : `use one of: ${allowed.join(", ")}.`,
      });
    }
  }
}

export interface NumberRule {
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
  /** Exclusive lower bound. */
  readonly above?: number;
}

export function checkNumber(name: string, value: unknown, rule: NumberRule = {}): number {
  const parts: string[] = [rule.integer ? "an integer" : "a finite number"];
  if (rule.min !== undefined) parts.push(`>= ${rule.min}`);
  if (rule.above !== undefined) parts.push(`> ${rule.above}`);
  if (rule.max !== undefined) parts.push(`<= ${rule.max}`);
  const text = `must be ${parts.join(" ")}`;
  const ok =
    typeof value === "number" &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.min === undefined || value >= rule.min) &&
    (rule.above === undefined || value > rule.above) &&
    (rule.max === undefined || value <= rule.max);
  if (!ok) {
    fail("invalid-argument", {
      parameter: name,
      rule: text,
      received: show(value),
      fix: `pass a value that is ${parts.join(" ")}.`,
    });
  }
  return value as number;
}

export function checkOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    fail("invalid-argument", {
      parameter: name,
      rule: `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}`,
      received: show(value),
      fix: `pass one of ${allowed.map((a) => `"${a}"`).join(", ")}.`,
    });
  }
  return value as T;
}

export function checkString(name: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) {
    fail("invalid-argument", {
      parameter: name,
      rule: "must be a non-empty string",
      received: show(value),
      fix: "pass a non-empty string.",
    });
  }
  return value;
}

export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== "boolean") {
    fail("invalid-argument", {
      parameter: name,
      rule: "must be true or false",
      received: show(value),
      fix: "pass a boolean.",
    });
  }
  return value;
}

/** Fractions in (0, 1) that must leave room for each other, e.g. validation + test split. */
export function checkFraction(name: string, value: unknown): number {
  return checkNumber(name, value, { min: 0, max: 1 });
}

function nearest(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const a of allowed) {
    const d = editDistance(key.toLowerCase(), a.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = a;
    }
  }
  return bestD <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** What a field of a checked object must be. */
export type FieldKind = "array" | "function" | "number" | "string" | "object" | "bytes" | "boolean";

function kindOf(v: unknown, kind: FieldKind): boolean {
  switch (kind) {
    case "array":
      return Array.isArray(v);
    case "function":
      return typeof v === "function";
    case "number":
      return typeof v === "number" && Number.isFinite(v);
    case "string":
      return typeof v === "string";
    case "boolean":
      return typeof v === "boolean";
    case "object":
      return v !== null && typeof v === "object" && !Array.isArray(v);
    case "bytes":
      return ArrayBuffer.isView(v);
  }
}

/**
 * `value` must be an object whose `fields` have the given kinds (e.g. a feature history: samples
 * and dims numbers, labels bytes, blocks an array). `what` and `fix` complete the message.
 */
export function checkShape(
  name: string,
  value: unknown,
  what: string,
  fields: Readonly<Record<string, FieldKind>>,
  fix: string,
): void {
  const bad =
    value === null || typeof value !== "object"
      ? "itself"
      : Object.entries(fields).find(([k, kind]) => !kindOf((value as Record<string, unknown>)[k], kind))?.[0];
  if (bad !== undefined)
    fail("invalid-argument", {
      parameter: name,
      rule: `must be ${what}${bad === "itself" ? "" : ` (its "${bad}" must be ${article(fields[bad]!)})`}`,
      received: show(value),
      fix,
    });
}

const article = (k: FieldKind) =>
  k === "array" || k === "object" ? `an ${k}` : k === "bytes" ? "a typed array" : `a ${k}`;

/** `value` must be an array (of at least `min` items), each item passing `item` when given. */
export function checkArray<T = unknown>(
  name: string,
  value: unknown,
  options: { min?: number; item?: (name: string, v: unknown) => void; what?: string; fix?: string } = {},
): T[] {
  if (!Array.isArray(value) || value.length < (options.min ?? 0))
    fail("invalid-argument", {
      parameter: name,
      rule: `must be an array${options.what ? ` of ${options.what}` : ""}${options.min ? ` with at least ${options.min} item${options.min > 1 ? "s" : ""}` : ""}`,
      received: show(value),
      fix: options.fix ?? "pass an array.",
    });
  if (options.item) value.forEach((v, i) => options.item!(`${name}[${i}]`, v));
  return value as T[];
}

/**
 * `value` must be an array of records, each with `item.fields` (checkShape per item); the array's
 * own message uses `what` and `fix` (default: the item's fix).
 */
export function checkRecords<T = unknown>(
  name: string,
  value: unknown,
  item: { readonly what: string; readonly fields: Readonly<Record<string, FieldKind>>; readonly fix: string },
  options: { min?: number; what?: string; fix?: string } = {},
): T[] {
  return checkArray<T>(name, value, {
    ...options,
    item: (n, v) => checkShape(n, v, item.what, item.fields, item.fix),
    fix: options.fix ?? item.fix,
  });
}

/** `value` must be a function. */
export function checkFunction(name: string, value: unknown, fix: string): void {
  if (typeof value !== "function")
    fail("invalid-argument", { parameter: name, rule: "must be a function", received: show(value), fix });
}

/** `value` must be an array of finite numbers (`min` of them at least). */
export function checkNumbers(name: string, value: unknown, min = 0): number[] {
  return checkArray<number>(name, value, {
    min,
    what: "finite numbers",
    item: (n, v) => checkNumber(n, v),
    fix: "pass one finite number per item.",
  });
}

/** `value` must be an array of strings (`min` of them at least), e.g. estimator names. */
export function checkStrings(name: string, value: unknown, fix: string, min = 0): string[] {
  return checkArray<string>(name, value, { min, what: "strings", item: (n, v) => checkString(n, v), fix });
}

/** Whether `value` is a plain object (an object literal or Object.create(null)), not a Map, Date, array or class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** show(value), but never throwing (show renders a short array with JSON, which has no BigInt). */
function safeShow(value: unknown): string {
  try {
    return show(value);
  } catch {
    return Array.isArray(value) ? `an array of length ${value.length}` : Object.prototype.toString.call(value);
  }
}

/** `value` for a message, naming its class when it is not a plain object (a Map renders as "{}"). */
function described(value: unknown): string {
  if (value !== null && typeof value === "object" && !Array.isArray(value) && !isPlainObject(value)) {
    const ctor = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } }).constructor?.name;
    return `${safeShow(value)} (a ${typeof ctor === "string" && ctor ? ctor : "class instance"})`;
  }
  return safeShow(value);
}

/**
 * Like checkKeys, but `options` (when given) must be a plain object: a Map, Date, array or class
 * instance, whose own keys checkKeys would find none of, is rejected too.
 */
export function checkOptions(name: string, options: unknown, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (!isPlainObject(options))
    fail("invalid-argument", {
      parameter: name,
      rule: "must be an options object",
      received: described(options),
      fix: `pass an object literal with some of: ${allowed.join(", ")}.`,
    });
  checkKeys(name, options, allowed);
}

/** `value` must be bytes (a Uint8Array). */
export function checkBytes(name: string, value: unknown, fix: string): Uint8Array {
  if (!(value instanceof Uint8Array))
    fail("invalid-argument", {
      parameter: name,
      rule: "must be bytes (a Uint8Array)",
      received: described(value),
      fix,
    });
  return value;
}

/** `value` must be a plain object whose every value is a number (NaN and infinities allowed), e.g. a trial's scores. */
export function checkNumberRecord(name: string, value: unknown, fix: string): Record<string, number> {
  if (!isPlainObject(value))
    fail("invalid-argument", {
      parameter: name,
      rule: "must be an object of numbers",
      received: described(value),
      fix,
    });
  for (const [k, v] of Object.entries(value))
    if (typeof v !== "number")
      fail("invalid-argument", { parameter: `${name}.${k}`, rule: "must be a number", received: show(v), fix });
  return value as Record<string, number>;
}
