import { fail, show } from "../core/errors.js";
import { checkKeys, checkNumber, checkOneOf, checkRecords, checkShape, checkString } from "../core/validate.js";
import { axisStyle, baseLayout, fitLegend, colour, type PlotlyFigure, type PlotlyTrace } from "./theme.js";

/**
 * One point of a rank-vs-budget line: a summary row (summaryRows) or a comparison row
 * (comparisonTable(...).objects(), which adds `<metric>_lo` / `<metric>_hi`, the bootstrap range).
 */
export interface RankBudgetRow {
  readonly estimator: string;
  readonly t: number;
}

/** One estimator's rank agreement at every budget t, with its bootstrap range. */
export interface RankBudgetSeries {
  readonly estimator: string;
  readonly t: readonly number[];
  /** The metric on all candidates (the table's value). */
  readonly value: readonly number[];
  /** The bootstrap range over candidates, where the rows carry one. */
  readonly low?: readonly (number | null)[];
  readonly high?: readonly (number | null)[];
}

/** The data behind the rank-vs-budget figure: each estimator's series, the bands and the noise ceiling. */
export interface RankBudgetInfo {
  readonly T: number;
  readonly metric: "spearman" | "kendall";
  readonly series: readonly RankBudgetSeries[];
  /** What the bands are, for the legend and hover, e.g. "90 % bootstrap range over 96 candidates". */
  readonly band?: string;
  /** The seed-to-seed rank correlation of the truth: no estimator can rank better. */
  readonly ceiling?: { readonly value: number; readonly lo?: number | null; readonly hi?: number | null };
}

/** Options of the rank-vs-budget figure: the full budget T, the metric, the band and the noise ceiling. */
export interface RankBudgetOptions {
  readonly T: number;
  readonly metric?: "spearman" | "kendall";
  /** Label of the bands (the rows' `<metric>_lo` / `_hi`). Default "bootstrap range over candidates". */
  readonly band?: string;
  readonly ceiling?: { readonly value: number | null; readonly lo?: number | null; readonly hi?: number | null };
}

/**
 * Rank correlation vs budget t/T, one line per estimator at its value on all candidates, with the
 * bootstrap range over candidates as a band where the rows carry one, and the noise ceiling.
 * Undefined correlations are left out.
 */
export function rankBudgetInfo(rows: readonly RankBudgetRow[], options: RankBudgetOptions): RankBudgetInfo {
  checkShape("options", options, "options with the full budget T", { T: "number" }, "pass { T: 12 }.");
  checkKeys("options", options, ["T", "metric", "band", "ceiling"]);
  const T = checkNumber("options.T", options.T, { integer: true, min: 1 });
  const metric = checkOneOf("options.metric", options.metric ?? "spearman", ["spearman", "kendall"]);
  if (!Array.isArray(rows))
    fail("invalid-argument", {
      parameter: "rows",
      rule: "must be an array of summary or comparison rows",
      received: show(rows),
      fix: "pass fh.table.summaryRows(estimates) or fh.table.comparisonTable(...).objects().",
    });
  checkRecords("rows", rows, {
    what: "a summary or comparison row",
    fields: { estimator: "string", t: "number" },
    fix: "pass fh.table.summaryRows(estimates) or fh.table.comparisonTable(...).objects().",
  });
  if (options.band !== undefined) checkString("options.band", options.band);
  if (options.ceiling !== undefined) {
    checkShape(
      "options.ceiling",
      options.ceiling,
      "a noise ceiling { value, lo?, hi? }",
      {},
      "pass fh.table.noiseCeiling(pairs).",
    );
    for (const key of ["value", "lo", "hi"] as const) {
      const v = options.ceiling[key] as unknown;
      if (v != null && typeof v !== "number")
        fail("invalid-argument", {
          parameter: `options.ceiling.${key}`,
          rule: "must be a number or null",
          received: show(v),
          fix: "pass fh.table.noiseCeiling(pairs).",
        });
    }
  }
  const names = [...new Set(rows.map((r) => r.estimator))];
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const get = (r: RankBudgetRow, key: string) => (r as unknown as Record<string, unknown>)[key];
  let anyBand = false;
  const series = names.map((estimator) => {
    const mine = rows
      .filter((r) => r.estimator === estimator && num(get(r, metric)) !== null)
      .sort((a, b) => a.t - b.t);
    const low = mine.map((r) => num(get(r, `${metric}_lo`)));
    const high = mine.map((r) => num(get(r, `${metric}_hi`)));
    const band = low.some((v) => v !== null) && high.some((v) => v !== null);
    anyBand ||= band;
    return {
      estimator,
      t: mine.map((r) => r.t),
      value: mine.map((r) => num(get(r, metric))!),
      ...(band ? { low, high } : {}),
    };
  });
  const c = options.ceiling;
  return {
    T,
    metric,
    series,
    ...(anyBand ? { band: options.band ?? "bootstrap range over candidates" } : {}),
    ...(c && num(c.value) !== null ? { ceiling: { value: c.value!, lo: c.lo ?? null, hi: c.hi ?? null } } : {}),
  };
}

/** The rank-correlation-vs-budget figure (figure 2). */
export function rankBudgetFigure(info: RankBudgetInfo): PlotlyFigure {
  checkShape(
    "info",
    info,
    "a rank-vs-budget info",
    { T: "number", series: "array" },
    "pass fh.plot.rankBudgetInfo(...).",
  );
  checkOneOf("info.metric", info.metric, ["spearman", "kendall"]);
  if (info.band !== undefined) checkString("info.band", info.band);
  checkRecords("info.series", info.series, {
    what: "a series",
    fields: { estimator: "string", t: "array", value: "array" },
    fix: "pass fh.plot.rankBudgetInfo(...).",
  });
  info.series.forEach((s, i) => {
    for (const key of ["t", "value", "low", "high"] as const) {
      const values = s[key] as unknown;
      if (values === undefined && (key === "low" || key === "high")) continue;
      const ok =
        Array.isArray(values) &&
        values.length === s.t.length &&
        values.every((v: unknown) => typeof v === "number" || (v === null && key !== "t" && key !== "value"));
      if (!ok)
        fail("invalid-argument", {
          parameter: `info.series[${i}].${key}`,
          rule: `must be an array of ${s.t.length} numbers${key === "low" || key === "high" ? " or nulls (the band), or undefined" : ""}`,
          received: Array.isArray(values) ? `${values.length} values` : show(values),
          fix: "pass fh.plot.rankBudgetInfo(...).",
        });
    }
  });
  if (info.ceiling !== undefined)
    checkShape(
      "info.ceiling",
      info.ceiling,
      "a noise ceiling",
      { value: "number" },
      "pass fh.plot.rankBudgetInfo(...).",
    );
  for (const key of ["lo", "hi"] as const) {
    const v = info.ceiling?.[key] as unknown;
    if (v != null && typeof v !== "number")
      fail("invalid-argument", {
        parameter: `info.ceiling.${key}`,
        rule: "must be a number or null",
        received: show(v),
        fix: "pass fh.plot.rankBudgetInfo(...).",
      });
  }
  const data: PlotlyTrace[] = [];
  info.series.forEach((s, i) => {
    const x = s.t.map((t) => t / info.T);
    if (s.low && s.high) {
      const keep = s.t.map((_, k) => k).filter((k) => s.low![k] !== null && s.high![k] !== null);
      const bx = keep.map((k) => x[k]!);
      data.push({
        type: "scatter",
        mode: "lines",
        x: [...bx, ...[...bx].reverse()],
        y: [...keep.map((k) => s.high![k]!), ...keep.map((k) => s.low![k]!).reverse()],
        fill: "toself",
        fillcolor: colour(i),
        opacity: 0.15,
        line: { width: 0 },
        legendgroup: s.estimator,
        showlegend: false,
        hoverinfo: "skip",
        name: `${s.estimator}: ${info.band ?? "range"}`,
      });
    }
    data.push({
      type: "scatter",
      mode: "lines+markers",
      name: s.estimator,
      legendgroup: s.estimator,
      x,
      y: s.value,
      customdata: s.t.map((t, k) => [t, s.low?.[k] ?? null, s.high?.[k] ?? null]),
      hovertemplate:
        `t = %{customdata[0]} (t/T %{x:.2f})<br>${info.metric} %{y:.3f} (all candidates)` +
        (s.low ? `<br>${info.band ?? "range"}: %{customdata[1]:.3f} .. %{customdata[2]:.3f}` : "") +
        "<extra>" +
        s.estimator +
        "</extra>",
      line: { color: colour(i), width: 2 },
      marker: { color: colour(i), size: 6 },
    });
  });
  // Axes fit the data (and the noise ceiling), not the whole -1..1 x 0..1 square.
  const xs = info.series.flatMap((s) => s.t.map((t) => t / info.T));
  const ys = [
    ...info.series.flatMap((s) => [...s.value, ...(s.low ?? []), ...(s.high ?? [])]),
    ...(info.ceiling ? [info.ceiling.value, info.ceiling.lo, info.ceiling.hi] : []),
  ].filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  const xLo = xs.length ? Math.min(...xs) : 0;
  const xHi = xs.length ? Math.max(...xs) : 1;
  const xPad = (xHi - xLo) * 0.04 || 0.02;
  const yLo = ys.length ? Math.min(...ys) : -1;
  const yHi = ys.length ? Math.max(...ys) : 1;
  const yPad = (yHi - yLo) * 0.06 || 0.02;
  const c = info.ceiling;
  if (c) {
    const range = c.lo != null && c.hi != null ? ` (${c.lo.toFixed(2)} .. ${c.hi.toFixed(2)})` : "";
    data.push({
      type: "scatter",
      mode: "lines",
      name: `noise ceiling ${c.value.toFixed(3)}${range}`,
      x: [xLo, xHi],
      y: [c.value, c.value],
      line: { color: "#444", width: 1.5, dash: "dash" },
      hovertemplate: `seed-to-seed ${info.metric} of the truth ${c.value.toFixed(3)}${range}<extra></extra>`,
    });
  }
  const label = info.metric === "spearman" ? "Spearman ρ with the truth" : "Kendall τ-b with the truth";
  const title = `Rank correlation vs budget (T = ${info.T} epochs)${info.band ? `; bands: ${info.band}` : ""}`;
  return fitLegend({
    data,
    layout: baseLayout(title, "budget t / T (fraction of the full training)", label, {
      xaxis: axisStyle("budget t / T (fraction of the full training)", {
        range: [Math.max(0, xLo - xPad), xHi + xPad],
      }),
      yaxis: {
        title: { text: label },
        range: [Math.max(-1.02, yLo - yPad), Math.min(1.02, yHi + yPad)],
        gridcolor: "#e5e5e5",
        automargin: true,
        zeroline: true,
        zerolinecolor: "#bbb",
      },
    }),
  });
}
