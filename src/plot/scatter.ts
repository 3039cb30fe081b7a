import type { Table } from "../table/tables.js";
import { kendallTauB, spearman } from "../metrics/rank.js";
import { fail, show } from "../core/errors.js";
import {
  axisStyle,
  baseLayout,
  fitLegend,
  colour,
  pinnedTitle,
  MENU_ABOVE_PLOT,
  type PlotlyFigure,
  type PlotlyTrace,
} from "./theme.js";
import { checkTable } from "../table/tables.js";
import { checkNumber, checkOptions, checkRecords, checkShape, checkString, checkStrings } from "../core/validate.js";

/** One point of an estimate-versus-truth scatter: the candidate, its estimate and its truth. */
export interface ScatterPoint {
  readonly candidate: number;
  readonly estimate: number;
  /** Leave-one-out calibrated estimate, on the truth's scale. */
  readonly calibrated: number;
  readonly truth: number;
  readonly label: string;
}

/** One estimator's points with its Spearman, Kendall and calibration fit. */
export interface ScatterSeries {
  readonly estimator: string;
  readonly points: readonly ScatterPoint[];
  readonly rho: number | undefined;
  readonly tau: number | undefined;
  /** Least-squares line of truth on the calibrated estimate. */
  readonly fit: { slope: number; intercept: number } | undefined;
}

/** The data behind the estimate-versus-truth scatter: the budget t and one series per estimator. */
export interface ScatterInfo {
  readonly t: number;
  /** What the truth is (the y axis), e.g. "test accuracy at T"; "truth" when not given. */
  readonly truth?: string;
  readonly series: readonly ScatterSeries[];
}

/**
 * Estimate vs truth at budget t, one series per estimator, from an estimates table. Estimates on
 * other scales (SoTL is minus a loss) are shown calibrated to the truth, leave-one-out, so y = x
 * means "right". `labels[candidate]` is the hover text (e.g. its configuration).
 */
export function scatterInfo(
  estimates: Table,
  options: { t: number; labels?: readonly string[]; estimators?: readonly string[]; truth?: string },
): ScatterInfo {
  checkTable("estimates", estimates);
  checkShape("options", options, "options with a budget t", { t: "number" }, "pass { t: 2 } (a budget of the table).");
  checkOptions("options", options, ["t", "labels", "estimators", "truth"]);
  if (options.truth !== undefined) checkString("options.truth", options.truth);
  if (options.labels !== undefined)
    checkStrings("options.labels", options.labels, "pass one hover label per candidate (by index), or leave it out.");
  if (options.estimators !== undefined)
    checkStrings("options.estimators", options.estimators, "name estimators of the table, or leave it out for all.");
  const rows = (estimates.objects() as Record<string, unknown>[]).filter(
    (r) => r.t === options.t && r.calibrated != null,
  );
  if (rows.length === 0) {
    fail("invalid-argument", {
      parameter: "options.t",
      rule: "must be a budget present in the estimates table (with calibrated estimates)",
      received: show(options.t),
      fix: "pick one of the table's t values; calibration needs 3+ candidates.",
    });
  }
  const names = options.estimators ?? [...new Set(rows.map((r) => r.estimator as string))];
  const series = names.map((estimator) => {
    const pts = rows
      .filter((r) => r.estimator === estimator)
      .map((r) => ({
        candidate: r.candidate as number,
        estimate: r.estimate as number,
        calibrated: r.calibrated as number,
        truth: r.truth as number,
        label: options.labels?.[r.candidate as number] ?? `candidate ${r.candidate}`,
      }));
    const x = pts.map((p) => p.calibrated);
    const y = pts.map((p) => p.truth);
    let fit: ScatterSeries["fit"];
    if (pts.length >= 2) {
      const mx = x.reduce((s, v) => s + v, 0) / x.length;
      const my = y.reduce((s, v) => s + v, 0) / y.length;
      const sxx = x.reduce((s, v) => s + (v - mx) ** 2, 0);
      if (sxx > 0) {
        const slope = x.reduce((s, v, i) => s + (v - mx) * (y[i]! - my), 0) / sxx;
        fit = { slope, intercept: my - slope * mx };
      }
    }
    const ok = pts.length >= 2;
    return {
      estimator,
      points: pts,
      rho: ok
        ? spearman(
            pts.map((p) => p.estimate),
            y,
          )
        : undefined,
      tau: ok
        ? kendallTauB(
            pts.map((p) => p.estimate),
            y,
          )
        : undefined,
      fit,
    };
  });
  return { t: options.t, ...(options.truth !== undefined ? { truth: options.truth } : {}), series };
}

const fmt = (v: number | undefined) => (v === undefined ? "n/a" : v.toFixed(2));

/** The estimate-vs-truth figure (figure 1). */
export function scatterFigure(info: ScatterInfo): PlotlyFigure {
  checkShape("info", info, "a scatter info", { t: "number", series: "array" }, "pass fh.plot.scatterInfo(...).");
  checkRecords("info.series", info.series, {
    what: "a scatter series",
    fields: { estimator: "string", points: "array" },
    fix: "pass fh.plot.scatterInfo(...).",
  });
  info.series.forEach((s, i) => {
    checkRecords(`info.series[${i}].points`, s.points, {
      what: "a scatter point",
      fields: { estimate: "number", calibrated: "number", truth: "number", label: "string" },
      fix: "pass fh.plot.scatterInfo(...).",
    });
    for (const key of ["rho", "tau"] as const)
      if (s[key] !== undefined && typeof s[key] !== "number")
        fail("invalid-argument", {
          parameter: `info.series[${i}].${key}`,
          rule: "must be a number or undefined",
          received: show(s[key]),
          fix: "pass fh.plot.scatterInfo(...).",
        });
    if (s.fit !== undefined)
      checkShape(
        `info.series[${i}].fit`,
        s.fit,
        "a line fit",
        { slope: "number", intercept: "number" },
        "pass fh.plot.scatterInfo(...).",
      );
  });
  const all = info.series.flatMap((s) => s.points.flatMap((p) => [p.calibrated, p.truth]));
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const pad = (hi - lo) * 0.05 || 0.01;
  // The axes hug the points (the lines are clipped by them): x the calibrated estimates, y the truth.
  const span = (values: number[]): [number, number] => {
    const a = Math.min(...values);
    const b = Math.max(...values);
    const p = (b - a) * 0.05 || 0.01;
    return [a - p, b + p];
  };
  const xRange = span(info.series.flatMap((s) => s.points.map((p) => p.calibrated)));
  const yRange = span(info.series.flatMap((s) => s.points.map((p) => p.truth)));
  const data: PlotlyTrace[] = [
    {
      type: "scatter",
      mode: "lines",
      x: [lo - pad, hi + pad],
      y: [lo - pad, hi + pad],
      name: "y = x",
      line: { color: "#999", dash: "dot", width: 1 },
      hoverinfo: "skip",
    },
  ];
  info.series.forEach((s, i) => {
    data.push({
      type: "scatter",
      mode: "markers",
      name: `${s.estimator} (ρ ${fmt(s.rho)}, τ ${fmt(s.tau)})`,
      legendgroup: s.estimator,
      x: s.points.map((p) => p.calibrated),
      y: s.points.map((p) => p.truth),
      text: s.points.map((p) => p.label),
      customdata: s.points.map((p) => p.estimate),
      hovertemplate:
        "%{text}<br>estimate %{customdata:.4f} (calibrated %{x:.3f})<br>truth %{y:.3f}<extra>" +
        s.estimator +
        "</extra>",
      marker: { color: colour(i), size: 8, opacity: 0.85, line: { width: 0.5, color: "#fff" } },
    });
    if (s.fit) {
      data.push({
        type: "scatter",
        mode: "lines",
        name: `${s.estimator} fit`,
        legendgroup: s.estimator,
        showlegend: false,
        x: [lo - pad, hi + pad],
        y: [lo - pad, hi + pad].map((x) => s.fit!.intercept + s.fit!.slope * x),
        line: { color: colour(i), width: 1.5 },
        hoverinfo: "skip",
      });
    }
  });
  const title = `Estimate vs truth at budget t = ${info.t}<br><sup>${info.series.map((s) => `${s.estimator}: ρ ${fmt(s.rho)}, τ ${fmt(s.tau)}`).join(" · ")}</sup>`;
  return fitLegend({
    data,
    layout: baseLayout(
      title,
      "estimate, calibrated to accuracy (leave-one-out)",
      info.truth ? `truth: ${info.truth}` : "truth",
      {
        xaxis: axisStyle("estimate, calibrated to accuracy (leave-one-out)", { range: xRange }),
        yaxis: axisStyle(info.truth ? `truth: ${info.truth}` : "truth", { range: yRange }),
      },
    ),
  });
}

/**
 * Estimate vs truth with a slider over the budget t and a menu over the estimators, inside the
 * figure (Plotly's own controls), so they work offline in JupyterLab, VS Code and exported HTML
 * with no kernel behind them; a static export shows the `active` budget (default the last) with
 * every estimator. The two controls compose: the slider moves the points (restyle of x / y, never
 * of visibility), the menu chooses which estimators are visible. One info per budget, from
 * scatterInfo.
 */
export function scatterSliderFigure(infos: readonly ScatterInfo[], options: { active?: number } = {}): PlotlyFigure {
  checkRecords("infos", infos, {
    what: "a scatter info",
    fields: { t: "number", series: "array" },
    fix: "pass budgets.map((t) => fh.plot.scatterInfo(estimates, { t })).",
  });
  if (infos.length === 0)
    fail("invalid-argument", {
      parameter: "infos",
      rule: "must hold at least one scatter info",
      received: "an empty array",
      fix: "pass budgets.map((t) => fh.plot.scatterInfo(estimates, { t })).",
    });
  checkOptions("options", options, ["active"]);
  const active =
    options.active === undefined
      ? infos.length - 1
      : checkNumber("options.active", options.active, { integer: true, min: 0, max: infos.length - 1 });
  const figures = infos.map((info) => scatterFigure(info));
  // Every budget gets the same traces in the same order: the diagonal, then per estimator (in the
  // order they first appear) its points and its fit line, empty where a budget lacks them.
  const estimators = [...new Set(infos.flatMap((i) => i.series.map((s) => s.estimator)))];
  const tracesAt = (k: number): PlotlyTrace[] => {
    const f = figures[k]!.data;
    return [
      f[0]!,
      ...estimators.flatMap((e, i): PlotlyTrace[] => {
        const points = f.find((d) => d.mode === "markers" && d.legendgroup === e);
        const fit = f.find((d) => d.mode === "lines" && d.legendgroup === e);
        const marker = { color: colour(i), size: 8, opacity: 0.85, line: { width: 0.5, color: "#fff" } };
        return [
          points
            ? { ...points, marker }
            : {
                type: "scatter",
                mode: "markers",
                name: `${e} (no estimate at t)`,
                legendgroup: e,
                x: [],
                y: [],
                marker,
              },
          fit
            ? { ...fit, line: { color: colour(i), width: 1.5 } }
            : { type: "scatter", mode: "lines", name: `${e} fit`, legendgroup: e, showlegend: false, x: [], y: [] },
        ];
      }),
    ];
  };
  const steps = infos.map((_, k) => tracesAt(k));
  const data = steps[active]!;
  const field = (k: number, key: "x" | "y" | "text" | "customdata" | "name") =>
    steps[k]!.map((d) => (key === "name" ? (d.name ?? "") : ((d[key] as unknown[] | undefined) ?? [])));
  const titleOf = (k: number) => (figures[k]!.layout.title as Record<string, unknown>).text as string;
  const base = figures[active]!.layout;
  const visibleFor = (e: string | undefined) => [
    true,
    ...estimators.flatMap((x) => [e === undefined || x === e, e === undefined || x === e]),
  ];
  // The slider (below) and the menu (above) take margin: the figure grows by it, so its plot
  // area stays the size of the one-budget figure's.
  const baseMargin = (base.margin ?? {}) as Record<string, number>;
  const top = Math.max(Number(baseMargin.t ?? 72), 96);
  const grown = top - Number(baseMargin.t ?? 72) + (110 - Number(baseMargin.b ?? 56));
  const height = Number(base.height ?? 460) + grown;
  return {
    data,
    layout: {
      ...base,
      ...(estimators.length > 1 ? { title: pinnedTitle(base.title, height) } : {}),
      height,
      margin: { ...baseMargin, t: top, b: 110 },
      sliders: [
        {
          active,
          currentvalue: { prefix: "budget ", font: { size: 12 } },
          pad: { t: 48 },
          steps: infos.map((info, k) => ({
            label: `t = ${info.t}`,
            method: "update",
            args: [
              {
                x: field(k, "x"),
                y: field(k, "y"),
                text: field(k, "text"),
                customdata: field(k, "customdata"),
                name: field(k, "name"),
              },
              {
                title: pinnedTitle({ ...(base.title as Record<string, unknown>), text: titleOf(k) }, height),
                "xaxis.range": (figures[k]!.layout.xaxis as { range: number[] }).range,
                "yaxis.range": (figures[k]!.layout.yaxis as { range: number[] }).range,
              },
            ],
          })),
        },
      ],
      ...(estimators.length > 1
        ? {
            updatemenus: [
              {
                type: "dropdown",
                active: 0,
                ...MENU_ABOVE_PLOT,
                buttons: [undefined, ...estimators].map((e) => ({
                  label: e ?? "all estimators",
                  method: "restyle",
                  args: [{ visible: visibleFor(e) }],
                })),
              },
            ],
          }
        : {}),
    },
  };
}
