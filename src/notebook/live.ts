/**
 * A live search in a notebook: study.optimize with one progress line and two figures that update
 * in place (Jupyter display ids) as epochs are saved and trials end: the best result against
 * wall-clock, and every trial's validation curve coloured by state. A kernel interrupt stops the
 * search cleanly (everything saved stays saved; run the cell again to resume).
 */
import type { OptimizeOptions, OptimizeProgress, OptimizeResult } from "../study/optimize.js";
import { OPTIMIZE_OPTIONS } from "../study/optimize.js";
import type { Study } from "../study/study.js";
import { liveCurvesFigure, liveSearchInfo } from "../plot/live.js";
import { trajectoryFigure } from "../plot/trajectory.js";
import {
  checkBoolean,
  checkFunction,
  checkKeys,
  checkNumber,
  checkOptions,
  checkShape,
  checkString,
} from "../core/validate.js";
import { fail, show } from "../core/errors.js";
import { displayBundle, escapeHtml, newDisplayId, type MimeBundle } from "./display.js";
import { figureBundle, loadPlotly } from "./figures.js";
import { checkStudy } from "../study/study.js";
import type { Trial } from "../history/trial.js";
import { peakValAcc } from "../history/curves.js";

/** The progress line of a live search (HTML and text). Pure, so tests check it. */
export function liveProgressBundle(p: OptimizeProgress, label = "search"): MimeBundle {
  checkShape(
    "progress",
    p,
    "a search progress report",
    { complete: "number", pruned: "number", failed: "number", running: "number", total: "number", seconds: "number" },
    "pass the OptimizeProgress that onProgress receives.",
  );
  checkString("label", label);
  const ended = p.complete + p.pruned + p.failed;
  const frac = p.total > 0 ? Math.min(1, ended / p.total) : 0;
  const best = p.best ? ` · best ${p.best.id} ${p.best.value.toFixed(4)}` : "";
  const eta = p.eta !== undefined && ended < p.total ? ` · ~${Math.round(p.eta)} s left` : "";
  const counts = `${p.complete} complete, ${p.pruned} pruned, ${p.failed} failed, ${p.running} running of ${p.total}`;
  const text = `${label} [${"#".repeat(Math.round(frac * 30)).padEnd(30, ".")}] ${counts}${best} · ${p.seconds.toFixed(0)} s${eta} · ${p.event}`;
  const html =
    `<div style="font-family:var(--jp-code-font-family,monospace);font-size:12px">` +
    `<span>${escapeHtml(label)}</span> ` +
    `<span style="display:inline-block;width:240px;height:10px;background:#e6e6e6;vertical-align:middle;border-radius:2px">` +
    `<span style="display:block;width:${Math.round(frac * 100)}%;height:100%;background:#0072b2;border-radius:2px"></span></span> ` +
    `${escapeHtml(counts + best)} · ${p.seconds.toFixed(0)} s${escapeHtml(eta)}<br/>` +
    `<span style="color:#666">${escapeHtml(p.event)}</span></div>`;
  return { "text/html": html, "text/plain": text };
}

/** Options of fh.notebook.liveOptimize: study.optimize's options plus the progress line's label and the figures. */
export interface LiveOptimizeOptions extends OptimizeOptions {
  /** Label of the progress line. Default the study's name. */
  readonly label?: string;
  /** Show the two figures. Default true. */
  readonly figures?: boolean;
  /** Redraw the figures at most this often, besides every trial's end. Default 2000 ms. */
  readonly figureIntervalMs?: number;
}

/** study.optimize with a live progress line and live figures in the notebook. */
export async function liveOptimize(study: Study, options: LiveOptimizeOptions): Promise<OptimizeResult> {
  checkStudy("study", study);
  // A misspelt option is named before anything else is checked (`trial` for `trials`).
  checkKeys("options", options, [...OPTIMIZE_OPTIONS, "label", "figures", "figureIntervalMs"]);
  checkShape(
    "options",
    options,
    "the options of study.optimize (data, trials, ...)",
    { trials: "number" },
    "pass { data, trials, ... } as to study.optimize.",
  );
  const { label, figures, figureIntervalMs, ...optimizeOptions } = options;
  checkKeys("options", { label, figures, figureIntervalMs }, ["label", "figures", "figureIntervalMs"]);
  const interval = checkNumber("options.figureIntervalMs", figureIntervalMs ?? 2000, { min: 0 });
  const draw = liveDisplay(study, label ?? study.name, figures ?? true, interval);
  return study.optimize({
    ...optimizeOptions,
    onProgress: (p) => {
      draw(p);
      options.onProgress?.(p);
    },
  });
}

/** A progress line and two figures that update in place; returns the function that redraws them. */
function liveDisplay(study: Study, label: string, show: boolean, interval: number): (p: OptimizeProgress) => void {
  // A resumed search keeps its timeline: time counts from its first trial's start.
  const earlier = study.trials().map((t) => t.startedAt ?? Infinity);
  const start = Math.min(Date.now(), ...earlier);
  const ids = { progress: newDisplayId(), best: newDisplayId(), curves: newDisplayId() };
  let first = true;
  let lastFigure = -Infinity;
  // JupyterLab, Notebook 7 and VS Code draw the Plotly MIME type and its in-place updates
  // themselves: the 4.8 MB loader only on request, as for every figure.
  if (show && process.env.FH_PLOTLY_LOADER === "1") loadPlotly();
  return (p: OptimizeProgress) => {
    // Seconds of the study's own timeline (a resumed or finished study included).
    const trials = study.trials();
    const last = trials.some((t) => t.state === "running")
      ? Date.now()
      : Math.max(start, ...trials.map((t) => t.endedAt ?? start));
    displayBundle(liveProgressBundle({ ...p, seconds: (last - start) / 1000 }, label), {
      displayId: ids.progress,
      update: !first,
    });
    const ended = /complete|pruned|failed|done|stopped/.test(p.event);
    if (show && (first || ended || Date.now() - lastFigure >= interval)) {
      const info = liveSearchInfo(study.trials(), { start });
      displayBundle(figureBundle(trajectoryFigure(info.trajectory), { height: 340 }), {
        displayId: ids.best,
        update: !first,
      });
      displayBundle(figureBundle(liveCurvesFigure(info), { height: 380 }), { displayId: ids.curves, update: !first });
      lastFigure = Date.now();
    }
    first = false;
  };
}

/** Options of fh.notebook.watchStudy: when to stop (trials, seconds), the poll interval, label and figures. */
export interface WatchStudyOptions {
  /** Stop once this many trials have ended (the scheduler's `trials`). Default: when nothing runs and nothing changed for three polls. */
  readonly trials?: number;
  /** Stop after this many seconds at most. */
  readonly seconds?: number;
  /** Seconds between polls of the storage. Default 2. */
  readonly intervalSeconds?: number;
  readonly label?: string;
  /** Show the two figures. Default true. */
  readonly figures?: boolean;
  readonly signal?: AbortSignal;
  /** Called after every poll that changed something. */
  readonly onProgress?: (progress: OptimizeProgress) => void;
}

/** What changed between two polls, as a progress event ("t0004 epoch 2", "t0004 complete"). */
function changeEvent(before: ReadonlyMap<string, Trial>, now: readonly Trial[]): string | undefined {
  const events: string[] = [];
  for (const t of now) {
    const b = before.get(t.id);
    if (!b) events.push(`${t.id} asked`);
    else if (b.state !== t.state) events.push(`${t.id} ${t.state === "running" ? "promoted" : t.state}`);
    else if (b.epochs !== t.epochs) events.push(`${t.id} epoch ${t.epochs}`);
  }
  if (!events.length) return undefined;
  return events.length > 3 ? `${events.slice(-3).join(", ")} (+${events.length - 3} more)` : events.join(", ");
}

/**
 * Watch a study that runs elsewhere (a scheduler and workers on other machines, e.g.
 * fh.study.load({ storage: "postgres://...", name, readOnly: true })): the same progress line and
 * figures as a live search, redrawn from the storage every few seconds until it ends. A kernel
 * interrupt stops watching (nothing else).
 */
export async function watchStudy(study: Study, options: WatchStudyOptions = {}): Promise<OptimizeProgress> {
  checkStudy("study", study);
  // A plain object only: a Map (or any object whose keys are not its own properties) would pass a
  // key check with no option set, and watch forever.
  checkOptions("options", options, [
    "trials",
    "seconds",
    "intervalSeconds",
    "label",
    "figures",
    "signal",
    "onProgress",
  ]);
  const target =
    options.trials === undefined ? undefined : checkNumber("options.trials", options.trials, { integer: true, min: 1 });
  const limit =
    options.seconds === undefined ? Infinity : checkNumber("options.seconds", options.seconds, { above: 0 }) * 1000;
  const every = checkNumber("options.intervalSeconds", options.intervalSeconds ?? 2, { above: 0, max: 3600 }) * 1000;
  if (options.label !== undefined) checkString("options.label", options.label);
  if (options.figures !== undefined) checkBoolean("options.figures", options.figures);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal))
    fail("invalid-argument", {
      parameter: "options.signal",
      rule: "must be an AbortSignal",
      received: show(options.signal),
      fix: "pass an AbortController's signal (or AbortSignal.timeout(ms)), or leave it out.",
    });
  if (options.onProgress !== undefined)
    checkFunction("options.onProgress", options.onProgress, "pass (progress) => { ... }, or leave it out.");
  const draw = liveDisplay(study, options.label ?? study.name, options.figures ?? true, 0);
  const started = Date.now();
  let interrupted = false;
  const onSigint = () => void (interrupted = true);
  process.on("SIGINT", onSigint);
  let quiet = 0;
  let last: OptimizeProgress | undefined;
  let before = new Map(study.trials().map((t) => [t.id, t]));
  try {
    for (let poll = 0; ; poll++) {
      const trials = await study.refresh(undefined, { histories: false });
      const event = changeEvent(before, trials) ?? (poll === 0 ? "watching" : undefined);
      before = new Map(trials.map((t) => [t.id, t]));
      const n = { running: 0, complete: 0, pruned: 0, failed: 0 };
      for (const t of trials) n[t.state]++;
      const ended = n.complete + n.pruned + n.failed;
      const best = study.best();
      const done = target !== undefined ? ended >= target : n.running === 0 && quiet >= 2;
      const stop = done || interrupted || options.signal?.aborted || Date.now() - started >= limit;
      if (event || stop) {
        last = {
          event: stop ? (done ? "done" : "stopped watching") : event!,
          ...n,
          total: target ?? trials.length,
          ...(best ? { best: { id: best.id, value: peakValAcc(best.curves) } } : {}),
          seconds: (Date.now() - started) / 1000,
        };
        draw(last);
        options.onProgress?.(last);
      }
      quiet = event ? 0 : quiet + 1;
      if (stop) return last!;
      // Sleep until the next poll, waking early for an abort or the deadline.
      const wait = Math.max(0, Math.min(every, started + limit - Date.now()));
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          options.signal?.removeEventListener("abort", done);
          resolve();
        };
        const timer = setTimeout(done, wait);
        options.signal?.addEventListener("abort", done, { once: true });
      });
    }
  } finally {
    process.off("SIGINT", onSigint);
  }
}
