/**
 * One error family for the whole toolkit. Every message names the parameter, the rule it broke,
 * the value received and the fix, so a notebook user can act on it without reading the source.
 */
export type ErrorCode =
  | "invalid-argument"
  | "unknown-option"
  | "data-missing"
  | "data-corrupt"
  | "backend-unavailable"
  | "training-failed"
  | "state";

/** The parts of a toolkit error's message: the parameter, the rule it broke, the value received and the fix. */
export interface ErrorDetails {
  /** The parameter (or file) at fault, e.g. `options.seed` or a path. */
  readonly parameter: string;
  /** The rule that was broken, e.g. "must be an integer >= 0". */
  readonly rule: string;
  /** The value received, already rendered for the message. */
  readonly received?: string;
  /** What to do about it. */
  readonly fix?: string;
}

/** The toolkit's one error type: `code`, and the `parameter`, `rule`, value `received` and `fix` of its message. */
export class FeatureHistoriesError extends Error {
  readonly code: ErrorCode;
  readonly parameter: string;
  readonly rule: string;
  readonly received: string | undefined;
  readonly fix: string | undefined;

  constructor(code: ErrorCode, details: ErrorDetails, options?: { cause?: unknown }) {
    super(formatMessage(details), options);
    this.name = "FeatureHistoriesError";
    this.code = code;
    this.parameter = details.parameter;
    this.rule = details.rule;
    this.received = details.received;
    this.fix = details.fix;
  }
}

function formatMessage(d: ErrorDetails): string {
  let msg = `${d.parameter} ${d.rule}`;
  if (d.received !== undefined) msg += `; received ${d.received}`;
  msg += ".";
  if (d.fix) msg += ` Fix: ${d.fix}`;
  return msg;
}

/** The one throw helper: `fail("invalid-argument", {parameter, rule, received, fix})`. */
export function fail(code: ErrorCode, details: ErrorDetails, cause?: unknown): never {
  throw new FeatureHistoriesError(code, details, cause === undefined ? undefined : { cause });
}

/**
 * Render any value compactly for an error message: primitives as written, anything large as its
 * type and size with its first few items (never dumped: a data set's pixels stay out of messages).
 */
export function show(value: unknown): string {
  return shown(value, 1);
}

function shown(value: unknown, depth: number): string {
  if (typeof value === "string")
    return value.length > 60
      ? `${JSON.stringify(value.slice(0, 40))}... (${value.length} characters)`
      : JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value == null) return String(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") return "a function";
  if (typeof value === "symbol") return value.toString();
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    const items = value as ArrayLike<unknown>;
    const kind = Array.isArray(value) ? "array" : value.constructor.name;
    if (depth < 0) return `${article(kind)} ${kind} of length ${items.length}`;
    const first = Array.from({ length: Math.min(items.length, 4) }, (_, i) => shown(items[i], depth - 1));
    const list = `[${first.join(", ")}${items.length > 4 ? ", ..." : ""}]`;
    return items.length > 4 || !Array.isArray(value)
      ? `${article(kind)} ${kind} of length ${items.length} ${list}`
      : list;
  }
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as object).constructor?.name || "object";
    return `${article(name)} ${name}`;
  }
  const keys = Object.keys(value as object);
  if (depth < 0)
    return keys.length ? `an object with keys ${keys.slice(0, 4).join(", ")}${keys.length > 4 ? ", ..." : ""}` : "{}";
  const parts = keys
    .slice(0, 5)
    .map(
      (k) =>
        `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${shown((value as Record<string, unknown>)[k], depth - 1)}`,
    );
  return `{ ${parts.join(", ")}${keys.length > 5 ? `, ... (${keys.length} keys)` : ""} }`.replace("{  }", "{}");
}

function article(word: string): string {
  return /^[aeiouAEIOU]/.test(word) ? "an" : "a";
}
