/**
 * The weak-candidate diagnosis (notebook 05): estimate at t against the truth, one panel per
 * estimator, each candidate coloured by its network's own validation accuracy at t. A probe that
 * over-rates weak networks shows as dark points (the network's own head near chance) far right of
 * the diagonal at the bottom: it reads out more than the network will ever reach.
 */
import { fail, show } from "../core/errors.js";
import { checkNumber, checkRequired, checkStrings } from "../core/validate.js";
import { checkSummary, summaryTrials, type StudySummary } from "../study/summary.js";
import { axisStyle, baseLayout, type PlotlyFigure, type PlotlyTrace } from "./theme.js";

/** One panel of the diagnosis: an estimator's estimate, the truth and the own validation accuracy per candidate. */
export interface DiagnosisPanel {
  readonly estimator: string;
  readonly ids: readonly string[];
  readonly estimate: readonly number[];
  readonly truth: readonly number[];
  /** The network's own validation accuracy at t (the colour). */
  readonly own: readonly number[];
}

/** The data behind diagnosisFigure. */
export interface DiagnosisInfo {
  readonly study: string;
  readonly t: number;
  readonly budget: number;
  readonly panels: readonly DiagnosisPanel[];
}

/** The diagnosis data of a summary at t for the named estimators (their estimates on the accuracy scale). */
export function diagnosisInfo(
  summary: StudySummary,
  options: { readonly t: number; readonly estimators: readonly string[] },
): DiagnosisInfo {
  checkSummary("summary", summary);
  checkRequired("options", options, ["t", "estimators"]);
  const t = checkNumber("options.t", options.t, { integer: true, min: 1, max: summary.budget });
  checkStrings("options.estimators", options.estimators, "name 1-4 estimators of the summary.");
  if (options.estimators.length < 1 || options.estimators.length > 4)
    fail("invalid-argument", {
      parameter: "options.estimators",
      rule: "must name 1 to 4 estimators (one panel each)",
      received: show(options.estimators),
      fix: 'pass e.g. ["FH (K=1, concat, l2, ridge, pca=16)", "early stopping"].',
    });
  const trials = summaryTrials(summary);
  const panels = options.estimators.map((name): DiagnosisPanel => {
    if (!summary.estimators.some((e) => e.name === name && e.upTo >= t))
      fail("invalid-argument", {
        parameter: "options.estimators",
        rule: `must name estimators the summary records up to t = ${t}`,
        received: show(name),
        fix: `use one of ${summary.estimators
          .filter((e) => e.upTo >= t)
          .map((e) => e.name)
          .join(", ")}.`,
      });
    const ok = trials.filter(
      (c) => Number.isFinite(c.estimates[name]?.[t - 1] ?? NaN) && Number.isFinite(c.curves.valAcc[t - 1] ?? NaN),
    );
    return {
      estimator: name,
      ids: ok.map((c) => c.id),
      estimate: ok.map((c) => c.estimates[name]![t - 1]!),
      truth: ok.map((c) => c.testAcc!),
      own: ok.map((c) => c.curves.valAcc[t - 1]!),
    };
  });
  return { study: summary.name, t, budget: summary.budget, panels };
}

/** Panels side by side with one shared colour scale (the own validation accuracy) and the diagonal y = x. */
export function diagnosisFigure(info: DiagnosisInfo): PlotlyFigure {
  const fix = "pass fh.plot.diagnosisInfo(summary, { t, estimators }).";
  if (
    !info ||
    typeof info !== "object" ||
    !Array.isArray((info as DiagnosisInfo).panels) ||
    !(info as DiagnosisInfo).panels.length
  )
    fail("invalid-argument", {
      parameter: "info",
      rule: "must be a diagnosis info with panels",
      received: show(info),
      fix,
    });
  const n = info.panels.length;
  const all = info.panels.flatMap((p) => [...p.estimate, ...p.truth]);
  // Both axes on one accuracy range that hugs the points, so y = x is the diagonal of every panel.
  const lo = Math.max(0, Math.min(...all) - 0.03);
  const hi = Math.min(1, Math.max(...all) + 0.03);
  const data: PlotlyTrace[] = [];
  const axes: Record<string, unknown> = {};
  info.panels.forEach((p, j) => {
    const ax = j === 0 ? "" : String(j + 1);
    data.push({
      type: "scatter",
      mode: "markers",
      name: p.estimator,
      showlegend: false,
      x: p.estimate,
      y: p.truth,
      text: p.ids,
      xaxis: `x${ax}`,
      yaxis: `y${ax}`,
      marker: {
        size: 7,
        color: p.own,
        coloraxis: "coloraxis",
        line: { width: 0.5, color: "#333" },
      },
      hovertemplate: `%{text}<br>estimate %{x:.3f}<br>truth %{y:.3f}<br>own val. acc. %{marker.color:.3f}<extra>${p.estimator}</extra>`,
    });
    data.push({
      type: "scatter",
      mode: "lines",
      name: "y = x",
      showlegend: false,
      x: [lo, hi],
      y: [lo, hi],
      xaxis: `x${ax}`,
      yaxis: `y${ax}`,
      line: { color: "#999", dash: "dash", width: 1 },
      hoverinfo: "skip",
    });
    const gap = 0.06;
    axes[`xaxis${ax}`] = axisStyle(`${p.estimator}<br>estimate at t = ${info.t}`, {
      domain: [j / n + (j ? gap / 2 : 0), (j + 1) / n - (j < n - 1 ? gap / 2 : 0)],
      anchor: `y${ax}`,
      range: [lo, hi],
    });
    axes[`yaxis${ax}`] = axisStyle(j === 0 ? `test accuracy at T = ${info.budget}` : "", {
      anchor: `x${ax}`,
      range: [lo, hi],
    });
  });
  return {
    data,
    layout: {
      ...baseLayout(
        `${info.study}: estimate vs truth, coloured by the network's own validation accuracy at t = ${info.t}`,
        "",
        "",
      ),
      ...axes,
      coloraxis: {
        colorscale: "Viridis",
        cmin: 0,
        cmax: 1,
        colorbar: { title: { text: "own val.<br>accuracy", side: "top" }, thickness: 12, len: 0.9 },
      },
      margin: { l: 64, r: 24, t: 72, b: 84 },
      height: 420,
    },
  };
}
