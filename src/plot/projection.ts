import { epochFeatures, type FeatureHistory } from "../history/feature-history.js";
import { checkHistoryData } from "../proxy/fh.js";
import { createRng } from "../core/random.js";
import { baseLayout, fitLegend, colour, type PlotlyFigure, type PlotlyTrace } from "./theme.js";
import { checkArray, checkNumber, checkOptions, checkRecords, checkShape, checkStrings } from "../core/validate.js";
import { fail, show } from "../core/errors.js";

/** One epoch of a feature projection: 2-D coordinates of every probe and the variance explained. */
export interface ProjectionEpoch {
  readonly epoch: number;
  readonly x: readonly number[];
  readonly y: readonly number[];
  /** Fraction of the variance the two components explain. */
  readonly explained: number;
}

/** The data behind fh.plot.projectionFigure: per-epoch projections with labels and class names. */
export interface ProjectionInfo {
  readonly labels: readonly number[];
  readonly classNames: readonly string[];
  readonly epochs: readonly ProjectionEpoch[];
}

/** Top-2 principal components by power iteration with deflation (d is at most a few hundred). */
function pca2(f: Float32Array, n: number, d: number, seed: number): { x: number[]; y: number[]; explained: number } {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mean[k]! += f[i * d + k]! / n;
  const cov = new Float64Array(d * d);
  let total = 0;
  for (let i = 0; i < n; i++)
    for (let a = 0; a < d; a++) {
      const va = f[i * d + a]! - mean[a]!;
      total += va * va;
      for (let b = a; b < d; b++) cov[a * d + b]! += va * (f[i * d + b]! - mean[b]!);
    }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) cov[a * d + b] = cov[b * d + a]!;
  const rng = createRng(seed);
  const comps: Float64Array[] = [];
  let explained = 0;
  for (let c = 0; c < 2; c++) {
    let v = Float64Array.from({ length: d }, () => rng.normal());
    let lambda = 0;
    for (let it = 0; it < 100; it++) {
      const w = new Float64Array(d);
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) w[a]! += cov[a * d + b]! * v[b]!;
      for (const u of comps) {
        const dot = u.reduce((s, q, k) => s + q * w[k]!, 0);
        for (let k = 0; k < d; k++) w[k]! -= dot * u[k]!;
      }
      const norm = Math.sqrt(w.reduce((s, q) => s + q * q, 0)) || 1;
      lambda = norm;
      v = w.map((q) => q / norm);
    }
    comps.push(v);
    explained += total > 0 ? lambda / total : 0;
  }
  const proj = (u: Float64Array) =>
    Array.from({ length: n }, (_, i) => u.reduce((s, q, k) => s + q * (f[i * d + k]! - mean[k]!), 0));
  return { x: proj(comps[0]!), y: proj(comps[1]!), explained };
}

/** A 2-D PCA projection of the probe features at each chosen epoch (signs aligned epoch to epoch). */
export function projectionInfo(
  history: FeatureHistory,
  options: { epochs?: readonly number[]; classNames?: readonly string[]; seed?: number } = {},
): ProjectionInfo {
  checkHistoryData("history", history);
  checkOptions("options", options, ["epochs", "classNames", "seed"]);
  if (options.epochs !== undefined)
    checkArray("options.epochs", options.epochs, {
      what: "epochs of the history",
      item: (n, v) => checkNumber(n, v, { integer: true, min: 1, max: Math.max(1, history.blocks.length) }),
      fix: `pass epochs in 1..${history.blocks.length}, or leave it out for every epoch.`,
    });
  if (options.classNames !== undefined)
    checkStrings("options.classNames", options.classNames, "pass one name per class, or leave it out.");
  if (options.seed !== undefined) checkNumber("options.seed", options.seed, { integer: true });
  const epochs = options.epochs ?? history.blocks.map((_, e) => e + 1);
  const out: ProjectionEpoch[] = [];
  let prev: { x: number[]; y: number[] } | undefined;
  for (const e of epochs) {
    const p = pca2(epochFeatures(history, e), history.samples, history.dims, options.seed ?? 0);
    if (prev) {
      const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);
      if (dot(p.x, prev.x) < 0) p.x = p.x.map((v) => -v);
      if (dot(p.y, prev.y) < 0) p.y = p.y.map((v) => -v);
    }
    prev = p;
    out.push({ epoch: e, x: p.x, y: p.y, explained: p.explained });
  }
  const numClasses = Math.max(...history.labels) + 1;
  return {
    labels: Array.from(history.labels),
    classNames: options.classNames ?? Array.from({ length: numClasses }, (_, k) => `class ${k}`),
    epochs: out,
  };
}

/** The feature history figure: probe features on their top two principal components, one panel per epoch. */
export function projectionFigure(
  info: ProjectionInfo,
  title = "Feature history: probe features per epoch (PCA)",
): PlotlyFigure {
  checkShape(
    "info",
    info,
    "a projection info",
    { labels: "array", classNames: "array", epochs: "array" },
    "pass fh.plot.projectionInfo(...).",
  );
  checkRecords("info.epochs", info.epochs, {
    what: "a projected epoch",
    fields: { epoch: "number", x: "array", y: "array", explained: "number" },
    fix: "pass fh.plot.projectionInfo(...).",
  });
  checkStrings("info.classNames", info.classNames, "pass fh.plot.projectionInfo(...).");
  if (typeof title !== "string")
    fail("invalid-argument", {
      parameter: "title",
      rule: "must be a string",
      received: show(title),
      fix: "pass a title, or leave it out.",
    });
  const n = info.epochs.length;
  const data: PlotlyTrace[] = [];
  const layoutAxes: Record<string, unknown> = {};
  info.epochs.forEach((ep, j) => {
    const ax = j === 0 ? "" : String(j + 1);
    info.classNames.forEach((name, k) => {
      const idx = info.labels.map((l, i) => (l === k ? i : -1)).filter((i) => i >= 0);
      if (!idx.length) return;
      data.push({
        type: "scattergl",
        mode: "markers",
        name,
        legendgroup: name,
        showlegend: j === 0,
        x: idx.map((i) => ep.x[i]),
        y: idx.map((i) => ep.y[i]),
        xaxis: `x${ax}`,
        yaxis: `y${ax}`,
        marker: { color: colour(k), size: 5, opacity: 0.75 },
        hovertemplate: `${name}<extra>epoch ${ep.epoch}</extra>`,
      });
    });
    const dom = [j / n + 0.01, (j + 1) / n - 0.01];
    layoutAxes[`xaxis${ax}`] = {
      domain: dom,
      anchor: `y${ax}`,
      // Two short lines: a subplot is ~ 160 px wide at five epochs.
      title: { text: `PC1, epoch ${ep.epoch}<br>${(100 * ep.explained).toFixed(0)} % var. in PC1+2` },
      showticklabels: false,
      gridcolor: "#eee",
      zeroline: false,
    };
    layoutAxes[`yaxis${ax}`] = {
      anchor: `x${ax}`,
      title: { text: j === 0 ? "PC2" : "" },
      showticklabels: false,
      gridcolor: "#eee",
      zeroline: false,
    };
  });
  return fitLegend({ data, layout: { ...baseLayout(title, "", ""), ...layoutAxes } });
}
