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

/** Render any value compactly for an error message. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value == null) return String(value);
  if (typeof value === "bigint") return `${value}n`;
  if (Array.isArray(value)) return value.length > 6 ? `an array of length ${value.length}` : JSON.stringify(value);
  if (typeof value === "function") return "a function";
  if (typeof value === "symbol") return value.toString();
  try {
    const s = JSON.stringify(value);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
