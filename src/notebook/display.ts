import { createRequire } from "node:module";
import { checkKeys, checkShape } from "../core/validate.js";

/**
 * Displays go through one sink. In the kernel it is tslab's lastWriteDisplayData (the only way to
 * send several MIME types in one output); tests install their own sink and assert on the bundles.
 */
export type MimeBundle = Record<string, string | object>;

/** One display for the notebook: a MIME bundle, its metadata, its display id and whether it updates one shown before. */
export interface DisplayRequest {
  readonly data: MimeBundle;
  readonly metadata: Record<string, unknown>;
  /** Set to update an earlier output in place. */
  readonly displayId?: string;
  readonly update: boolean;
}

/** Where displays go: the kernel's display function, or a test's recorder (setDisplaySink). */
export type DisplaySink = (request: DisplayRequest) => void;

const require = createRequire(import.meta.url);
let sink: DisplaySink | undefined;

interface TslabJupyter {
  lastWriteDisplayData:
    | ((
        msg: { data: MimeBundle; metadata: Record<string, unknown>; transient: { display_id?: string } },
        update: boolean,
      ) => void)
    | null;
}

function tslabSink(): DisplaySink | undefined {
  let jupyter: TslabJupyter;
  try {
    jupyter = require("tslab/dist/jupyter.js") as TslabJupyter;
  } catch {
    return undefined;
  }
  const write = jupyter.lastWriteDisplayData;
  if (!write) return undefined;
  return (r) =>
    write({ data: r.data, metadata: r.metadata, transient: r.displayId ? { display_id: r.displayId } : {} }, r.update);
}

/** Replace the display sink (tests, other front ends); returns a restore function. */
export function setDisplaySink(next: DisplaySink | undefined): () => void {
  const previous = sink;
  sink = next;
  return () => {
    sink = previous;
  };
}

/** True inside a running kernel cell (or when a sink is installed). */
export function canDisplay(): boolean {
  return sink !== undefined || tslabSink() !== undefined;
}

/**
 * Send one output with several representations. Outside a kernel, with no sink, the text/plain
 * part is printed so scripts still show something.
 */
export function displayBundle(
  data: MimeBundle,
  options: { displayId?: string; update?: boolean; metadata?: Record<string, unknown> } = {},
): void {
  checkShape("data", data, "a MIME bundle (MIME type -> content)", {}, 'pass e.g. { "text/plain": "hello" }.');
  checkKeys("options", options, ["displayId", "update", "metadata"]);
  const target = sink ?? tslabSink();
  const request: DisplayRequest = {
    data,
    metadata: options.metadata ?? {},
    update: options.update ?? false,
    ...(options.displayId ? { displayId: options.displayId } : {}),
  };
  if (target) target(request);
  else if (typeof data["text/plain"] === "string") console.log(data["text/plain"]);
}

let counter = 0;
/** A display id unique to this process. */
export function newDisplayId(): string {
  counter += 1;
  return `fh-${process.pid.toString(36)}-${Date.now().toString(36)}-${counter}`;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** The hooks the feature-histories kernel's launcher (kernel/protocol.cjs) sets during a cell. */
interface KernelHooks {
  clearOutput(wait: boolean): void;
}
const KERNEL_HOOKS = Symbol.for("feature-histories.kernel");

/**
 * Clear the running cell's output (Jupyter's clear_output; `wait: true` clears when the next
 * output arrives, without flicker). Returns false outside the feature-histories kernel.
 */
export function clearOutput(options: { wait?: boolean } = {}): boolean {
  checkKeys("options", options, ["wait"]);
  const hooks = (globalThis as Record<symbol, KernelHooks | undefined>)[KERNEL_HOOKS];
  if (!hooks) return false;
  hooks.clearOutput(options.wait ?? false);
  return true;
}
