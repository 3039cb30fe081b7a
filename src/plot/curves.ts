import { baseLayout, fitLegend, colour, epochAxis, type PlotlyFigure, type PlotlyTrace } from "./theme.js";
import {
  checkArray,
  checkNumber,
  checkOptions,
  checkRecords,
  checkShape,
  checkString,
  checkStrings,
} from "../core/validate.js";
import { fail, show } from "../core/errors.js";

/** The data behind fh.plot.curvesFigure: every curve in one null-separated array, and the highlighted ones. */
export interface CurvesInfo {
  /** All curves in one array, separated by nulls (one WebGL trace scales to thousands of curves). */
  readonly x: readonly (number | null)[];
  readonly y: readonly (number | null)[];
  readonly count: number;
  /** Indices of highlighted curves (the best by final value), drawn on top. */
  readonly highlighted: readonly { index: number; x: number[]; y: number[]; label: string }[];
  readonly metric: string;
}

/** Learning curves of many candidates (valAcc per epoch), the `highlight` best by peak value on top. */
export function curvesInfo(
  curves: readonly (readonly number[])[],
  options: { highlight?: number; labels?: readonly string[]; metric?: string } = {},
): CurvesInfo {
  checkArray("curves", curves, {
    what: "curves (arrays of numbers)",
    item: (n, v) =>
      checkArray(n, v, {
        what: "numbers",
        item: (m, x) => {
          if (typeof x !== "number" && x !== null)
            fail("invalid-argument", {
              parameter: m,
              rule: "must be a number",
              received: show(x),
              fix: "pass one value per epoch.",
            });
        },
      }),
    fix: "pass e.g. trials.map((t) => t.curves.valAcc).",
  });
  checkOptions("options", options, ["highlight", "labels", "metric"]);
  if (options.highlight !== undefined) checkNumber("options.highlight", options.highlight, { integer: true, min: 0 });
  if (options.labels !== undefined)
    checkStrings("options.labels", options.labels, "pass one label per curve, or leave it out.");
  if (options.metric !== undefined) checkString("options.metric", options.metric);
  const x: (number | null)[] = [];
  const y: (number | null)[] = [];
  curves.forEach((c) => {
    c.forEach((v, e) => {
      x.push(e + 1);
      y.push(v);
    });
    x.push(null);
    y.push(null);
  });
  const k = Math.min(options.highlight ?? 3, curves.length);
  const best = curves
    .map((c, i) => [Math.max(...c), i] as const)
    .sort((a, b) => b[0] - a[0])
    .slice(0, k)
    .map(([, i]) => ({
      index: i,
      x: curves[i]!.map((_, e) => e + 1),
      y: [...curves[i]!],
      label: options.labels?.[i] ?? `candidate ${i}`,
    }));
  return { x, y, count: curves.length, highlighted: best, metric: options.metric ?? "validation accuracy" };
}

/** The learning-curves figure (one WebGL trace for all curves, the best highlighted). */
export function curvesFigure(info: CurvesInfo): PlotlyFigure {
  checkShape(
    "info",
    info,
    "a curves info",
    { x: "array", y: "array", highlighted: "array" },
    "pass fh.plot.curvesInfo(...).",
  );
  checkShape("info", info, "a curves info", { count: "number", metric: "string" }, "pass fh.plot.curvesInfo(...).");
  checkRecords("info.highlighted", info.highlighted, {
    what: "a highlighted curve",
    fields: { x: "array", y: "array", label: "string" },
    fix: "pass fh.plot.curvesInfo(...).",
  });
  const data: PlotlyTrace[] = [
    {
      type: "scattergl",
      mode: "lines",
      x: info.x,
      y: info.y,
      name: `${info.count} candidates`,
      line: { color: "rgba(80,80,80,0.25)", width: 1 },
      hoverinfo: "skip",
      connectgaps: false,
    },
    ...info.highlighted.map((h, i) => ({
      type: "scattergl" as const,
      mode: "lines+markers",
      x: h.x,
      y: h.y,
      name: h.label,
      line: { color: colour(i), width: 2 },
      marker: { size: 4, color: colour(i) },
    })),
  ];
  const maxEpoch = Math.max(1, ...info.x.filter((v): v is number => v !== null));
  return fitLegend({
    data,
    layout: baseLayout(`Learning curves of ${info.count} candidates`, "epoch", info.metric, {
      xaxis: epochAxis("epoch", maxEpoch > 20 ? { dtick: Math.ceil(maxEpoch / 10) } : {}),
    }),
  });
}
