import { fail } from "../core/errors.js";
import { checkArray, checkNumber, checkOptions, checkStrings } from "../core/validate.js";
import { checkFigure, pinnedTitle, MENU_ABOVE_PLOT, type PlotlyFigure, type PlotlyTrace } from "./theme.js";

/**
 * Several figures of one kind in one, with a dropdown menu choosing which is shown (Plotly's own
 * control: it works offline in JupyterLab, VS Code and exported HTML; a static export shows the
 * `active` one, default the first): e.g. rank vs budget over studies or regimes. Each menu entry
 * brings its figure's traces, title and axis ranges.
 */
export function menuFigure(
  figures: readonly PlotlyFigure[],
  labels: readonly string[],
  options: { active?: number } = {},
): PlotlyFigure {
  checkArray("figures", figures, {
    what: "a Plotly figure",
    item: (n, v) => checkFigure(n, v),
    fix: "pass [fh.plot.rankBudgetFigure(a), fh.plot.rankBudgetFigure(b)].",
  });
  checkStrings("labels", labels, "pass one label per figure, e.g. the studies' names.", 1);
  if (figures.length === 0 || labels.length !== figures.length)
    fail("invalid-argument", {
      parameter: "labels",
      rule: "must hold one label per figure (and there must be at least one figure)",
      received: `${labels.length} labels for ${figures.length} figures`,
      fix: "pass as many labels as figures.",
    });
  checkOptions("options", options, ["active"]);
  const active =
    options.active === undefined
      ? 0
      : checkNumber("options.active", options.active, { integer: true, min: 0, max: figures.length - 1 });
  const owner: number[] = [];
  const shown: boolean[] = []; // the trace's own visibility within its figure
  const data: PlotlyTrace[] = [];
  figures.forEach((f, k) =>
    f.data.forEach((trace) => {
      owner.push(k);
      shown.push(trace.visible !== false);
      data.push({
        ...trace,
        visible: k === active && trace.visible !== false,
        ...(trace.legendgroup ? { legendgroup: `${String(trace.legendgroup)} @ ${labels[k]}` } : {}),
      });
    }),
  );
  const layoutOf = (k: number) => figures[k]!.layout as Record<string, Record<string, unknown> | undefined>;
  const base = layoutOf(active);
  const height = Math.max(...figures.map((f) => (typeof f.layout.height === "number" ? f.layout.height : 460)));
  return {
    data,
    layout: {
      ...base,
      title: pinnedTitle(base.title, height),
      height,
      margin: { ...(base.margin ?? {}), t: Math.max(Number(base.margin?.t ?? 72), 96) },
      updatemenus: [
        {
          type: "dropdown",
          active,
          ...MENU_ABOVE_PLOT,
          buttons: figures.map((_, k) => ({
            label: labels[k],
            method: "update",
            args: [
              { visible: owner.map((o, i) => o === k && shown[i]!) },
              {
                title: pinnedTitle(layoutOf(k).title, height),
                "xaxis.range": layoutOf(k).xaxis?.range,
                "yaxis.range": layoutOf(k).yaxis?.range,
              },
            ],
          })),
        },
      ],
    },
  };
}
