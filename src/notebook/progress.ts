import { displayBundle, escapeHtml, newDisplayId, type MimeBundle } from "./display.js";
import { checkShape } from "../core/validate.js";

/** What a progress bar shows: done of total, label, detail line and elapsed seconds. */
export interface ProgressState {
  readonly done: number;
  readonly total: number;
  readonly label: string;
  readonly detail: string;
  readonly elapsedSeconds: number;
}

/** The bundle of one progress state: an HTML bar and a text line. Pure, so tests check it. */
export function progressBundle(s: ProgressState): MimeBundle {
  checkShape(
    "state",
    s,
    "a progress state",
    { done: "number", total: "number", label: "string" },
    "pass the state a progress bar renders.",
  );
  const frac = s.total > 0 ? Math.min(1, s.done / s.total) : 0;
  const pct = Math.round(frac * 100);
  const eta =
    s.done > 0 && s.done < s.total ? ` · ~${Math.round((s.elapsedSeconds / s.done) * (s.total - s.done))} s left` : "";
  const text = `${s.label} [${"#".repeat(Math.round(frac * 30)).padEnd(30, ".")}] ${s.done}/${s.total} (${pct} %) · ${s.elapsedSeconds.toFixed(1)} s${eta}${s.detail ? ` · ${s.detail}` : ""}`;
  const html =
    `<div style="font-family:var(--jp-code-font-family,monospace);font-size:12px">` +
    `<span>${escapeHtml(s.label)}</span> ` +
    `<span style="display:inline-block;width:240px;height:10px;background:#e6e6e6;vertical-align:middle;border-radius:2px">` +
    `<span style="display:block;width:${pct}%;height:100%;background:#0072b2;border-radius:2px"></span></span> ` +
    `${s.done}/${s.total} · ${s.elapsedSeconds.toFixed(1)} s${escapeHtml(eta)}${s.detail ? ` · ${escapeHtml(s.detail)}` : ""}</div>`;
  return { "text/html": html, "text/plain": text };
}

/** A progress bar in the notebook that updates in place (fh.notebook.progress). */
export interface Progress {
  /** Set the count done (and an optional detail line); re-renders at most every `minIntervalMs`. */
  update(done: number, detail?: string): void;
  /** Mark finished and render the final state. */
  finish(detail?: string): void;
}

/**
 * A progress bar that updates one output in place (Jupyter display_id), instead of printing a line
 * per step. `now` is injectable for tests.
 */
export function progressBar(
  total: number,
  label = "",
  options: { minIntervalMs?: number; now?: () => number } = {},
): Progress {
  const now = options.now ?? (() => performance.now());
  const minInterval = options.minIntervalMs ?? 250;
  const id = newDisplayId();
  const start = now();
  let last = -Infinity;
  let first = true;
  let state = { done: 0, detail: "" };
  const render = () => {
    displayBundle(progressBundle({ ...state, total, label, elapsedSeconds: (now() - start) / 1000 }), {
      displayId: id,
      update: !first,
    });
    first = false;
    last = now();
  };
  render();
  return {
    update(done, detail = "") {
      state = { done, detail };
      if (now() - last >= minInterval) render();
    },
    finish(detail = "") {
      state = { done: total, detail };
      render();
    },
  };
}
