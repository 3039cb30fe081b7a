/**
 * A regime study's verdict (notebook 05, scripts/regime-report.mjs): whether the regime's
 * mechanism is really present, every estimator's Spearman with the truth at t = T/8 and T/4 with
 * its bootstrap range and the noise ceiling, the paired differences of the feature-history
 * estimators against early stopping and SoTL-E with a plain word (wins / ties / loses: the range
 * excludes zero or not), and the weak-candidate diagnosis (how far each estimate of a candidate
 * whose truth is below 0.4 sits above that network's own validation accuracy).
 */
import { fail, show } from "../core/errors.js";
import { checkKeys, checkNumbers } from "../core/validate.js";
import { kendallTauB } from "../metrics/rank.js";
import { stackedScores } from "../study/analysis.js";
import { FH_DEFAULT, FH_K2 } from "../study/estimator-study.js";
import { checkSummary, summaryTrials, type StudySummary, type SummaryTrial } from "../study/summary.js";
import { bootstrapMetric, type BootstrapOptions } from "./compare.js";
import { studyOverview, type StudyOverview } from "./overview.js";

/** The estimators whose differences against the curve baselines a verdict states (those the summary has). */
export const REGIME_CONTENDERS = [FH_DEFAULT, FH_K2, "consensus (K=3)", "FH+"] as const;
/** The baselines every contender is compared with. */
export const REGIME_BASELINES = ["early stopping", "SoTL-E"] as const;
/** A truth below this is a weak candidate (the ones an estimator must not over-rate). */
export const WEAK_TRUTH = 0.4;

/** Options of regimeVerdict: FH+'s training study, the budgets, and the bootstrap. */
export interface RegimeVerdictOptions extends BootstrapOptions {
  /** The study FH+ is fitted on and applied frozen from (the main study); without it no FH+. */
  readonly fitOn?: StudySummary;
  /** The early budgets judged. Default T/8 and T/4 (rounded down, at least 1). */
  readonly budgets?: readonly number[];
}

/** One estimator's Spearman with the truth at t, with its bootstrap range. */
export interface RegimeSpearman {
  readonly t: number;
  readonly estimator: string;
  readonly spearman: number | null;
  readonly lo: number | null;
  readonly hi: number | null;
}

/** Spearman(estimator) - Spearman(versus) at t with its paired range, and what that says. */
export interface RegimeDifference {
  readonly t: number;
  readonly estimator: string;
  readonly versus: string;
  readonly difference: number | null;
  readonly lo: number | null;
  readonly hi: number | null;
  readonly verdict: "wins" | "ties" | "loses";
}

/** A measured sign of the regime's mechanism, the rule it is judged by, and whether it holds. */
export interface RegimeMechanism {
  readonly name: string;
  readonly value: number;
  readonly rule: string;
  readonly present: boolean;
}

/** What regimeVerdict returns; `text` says it in a few lines. */
export interface RegimeVerdict {
  readonly name: string;
  readonly overview: StudyOverview;
  readonly budgets: readonly number[];
  /** The signs measured for this study; `mechanism[0]` is the regime's own (see the module comment). */
  readonly mechanism: readonly RegimeMechanism[];
  readonly spearman: readonly RegimeSpearman[];
  readonly differences: readonly RegimeDifference[];
  /** Median over the weak candidates of (estimate - the network's own validation accuracy at t). */
  readonly weak: readonly { readonly t: number; readonly estimator: string; readonly medianOverRating: number }[];
  readonly text: string;
}

const median = (v: readonly number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : Number.NaN;
};

/** The regime a summary belongs to, from its plan's name (a CI copy ends in "-ci"). */
function regimeOf(summary: StudySummary): string {
  const name = String((summary.plan as { name?: unknown } | undefined)?.name ?? summary.name);
  return name.replace(/-ci$/, "");
}

/**
 * The signs of each regime's mechanism, the regime's own first. Rules: early signals mislead when
 * early stopping at T/8 ranks significantly below the noise ceiling (its range's top under the
 * ceiling's bottom); over-fitting when the median train-validation accuracy gap grows by at least
 * 0.05 from T/4 to T; memorisation when the median training accuracy on the noisy labels at T is
 * above the share of labels that are right (1 - noise x 9/10 with 10 classes); a weak share when
 * at least 10 % of the complete candidates have a truth below 0.4.
 */
function mechanisms(
  summary: StudySummary,
  trials: readonly SummaryTrial[],
  o: StudyOverview,
  early: RegimeSpearman | undefined,
): RegimeMechanism[] {
  const T = summary.budget;
  const q = Math.max(1, Math.floor(T / 4));
  const gap = (e: number) =>
    median(
      trials.map((t) => (t.curves.trainAcc[e - 1] ?? NaN) - (t.curves.valAcc[e - 1] ?? NaN)).filter(Number.isFinite),
    );
  const growth = gap(T) - gap(q);
  const out: Record<string, RegimeMechanism> = {};
  const t8 = Math.max(1, Math.floor(T / 8));
  const es = trials.map((t) => t.curves.valAcc[t8 - 1] ?? NaN);
  const tau = kendallTauB(
    es,
    trials.map((t) => t.testAcc!),
  );
  out.schedules = {
    name: `early stopping at t = ${t8} vs the noise ceiling (discordant pairs ${tau === undefined ? "-" : (((1 - tau) / 2) * 100).toFixed(0)} %)`,
    value: early?.spearman ?? Number.NaN,
    rule: `early stopping's range top (${early?.hi?.toFixed(3) ?? "-"}) below the ceiling's bottom (${o.ceiling.lo?.toFixed(3) ?? "-"})`,
    present: early?.hi != null && o.ceiling.lo != null && early.hi < o.ceiling.lo,
  };
  out["small-data"] = {
    name: `growth of the median train-validation accuracy gap from t = ${q} to T (${gap(q).toFixed(3)} -> ${gap(T).toFixed(3)})`,
    value: growth,
    rule: "at least 0.05",
    present: growth >= 0.05,
  };
  const noise = Number((summary.plan as { labelNoise?: unknown } | undefined)?.labelNoise ?? 0);
  if (noise > 0) {
    const clean = 1 - noise * 0.9;
    const train = median(trials.map((t) => t.curves.trainAcc[T - 1] ?? NaN).filter(Number.isFinite));
    out["label-noise"] = {
      name: "median training accuracy on the noisy labels at T",
      value: train,
      rule: `above the share of right labels, ${clean.toFixed(2)}`,
      present: train > clean,
    };
  }
  out.weak = {
    name: `share of candidates with truth below ${WEAK_TRUTH}`,
    value: o.complete ? o.weak / o.complete : 0,
    rule: "at least 0.10",
    present: o.complete > 0 && o.weak / o.complete >= 0.1,
  };
  const own = regimeOf(summary);
  return [
    ...(out[own] ? [out[own]!] : []),
    ...Object.entries(out)
      .filter(([k]) => k !== own)
      .map(([, m]) => m),
  ];
}

/** The verdict on one regime study (see the module comment). */
export function regimeVerdict(summary: StudySummary, options: RegimeVerdictOptions = {}): RegimeVerdict {
  checkSummary("summary", summary);
  checkKeys("options", options, ["fitOn", "budgets", "B", "level", "seed"]);
  if (options.fitOn !== undefined) checkSummary("options.fitOn", options.fitOn);
  const T = summary.budget;
  const budgets = options.budgets ?? [...new Set([Math.max(1, Math.floor(T / 8)), Math.max(1, Math.floor(T / 4))])];
  checkNumbers("options.budgets", budgets, 1);
  for (const t of budgets)
    if (!Number.isInteger(t) || t < 1 || t > T)
      fail("invalid-argument", {
        parameter: "options.budgets",
        rule: `must hold whole budgets in [1, ${T}] (the study's T)`,
        received: show(budgets),
        fix: `pass e.g. [${Math.max(1, Math.floor(T / 8))}, ${Math.max(1, Math.floor(T / 4))}], or leave it out.`,
      });
  const boot: BootstrapOptions = {
    ...(options.B !== undefined ? { B: options.B } : {}),
    ...(options.level !== undefined ? { level: options.level } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  };
  const overview = studyOverview(summary, boot);
  const trials = summaryTrials(summary);
  if (trials.length < 3)
    fail("invalid-argument", {
      parameter: "summary",
      rule: "must hold at least 3 complete trials with a truth",
      received: `${trials.length}`,
      fix: "summarise a study with more complete trials.",
    });
  const truth = trials.map((t) => t.testAcc!);
  const plus =
    options.fitOn && stackedScores(summary, { fh: FH_DEFAULT, upTo: Math.max(...budgets), fitOn: options.fitOn });
  const estimate = (name: string, t: number): number[] | undefined => {
    const v = trials.map((c) => (name === "FH+" ? plus?.[c.id]?.[t - 1] : c.estimates[name]?.[t - 1]));
    return v.every((x) => typeof x === "number" && Number.isFinite(x)) ? (v as number[]) : undefined;
  };
  const names = [...summary.estimators.map((e) => e.name), ...(plus ? ["FH+"] : [])];
  const spearman: RegimeSpearman[] = [];
  const differences: RegimeDifference[] = [];
  const weak: { t: number; estimator: string; medianOverRating: number }[] = [];
  const weakIdx = truth.flatMap((v, i) => (v < WEAK_TRUTH ? [i] : []));
  for (const t of budgets) {
    const rows: RegimeSpearman[] = [];
    for (const n of names) {
      const e = estimate(n, t);
      if (!e) continue;
      const r = bootstrapMetric("spearman", truth, e, undefined, boot);
      rows.push({ t, estimator: n, spearman: r.value, lo: r.lo, hi: r.hi });
    }
    spearman.push(...rows.sort((a, b) => (b.spearman ?? -9) - (a.spearman ?? -9)));
    for (const a of REGIME_CONTENDERS) {
      const ea = estimate(a, t);
      if (!ea) continue;
      for (const b of REGIME_BASELINES) {
        const eb = estimate(b, t);
        if (!eb) continue;
        const r = bootstrapMetric("spearman", truth, ea, eb, boot);
        const verdict = r.lo != null && r.lo > 0 ? "wins" : r.hi != null && r.hi < 0 ? "loses" : "ties";
        differences.push({ t, estimator: a, versus: b, difference: r.value, lo: r.lo, hi: r.hi, verdict });
      }
      // Estimates on the accuracy scale only: FH+ and the parameter count are scores, not accuracies.
      if (weakIdx.length && a !== "FH+")
        weak.push({
          t,
          estimator: a,
          medianOverRating: median(weakIdx.map((i) => ea[i]! - (trials[i]!.curves.valAcc[t - 1] ?? NaN))),
        });
    }
  }
  const early = spearman.find((r) => r.t === Math.max(1, Math.floor(T / 8)) && r.estimator === "early stopping");
  const mechanism = mechanisms(summary, trials, overview, early);
  const f = (v: number | null | undefined) => (typeof v === "number" ? v.toFixed(3) : "-");
  const lines = [
    overview.text,
    `  mechanism: ${mechanism[0]!.name} = ${f(mechanism[0]!.value)}; rule ${mechanism[0]!.rule}: ${mechanism[0]!.present ? "present" : "NOT present"}`,
    ...budgets.map((t) => {
      const top = spearman.filter((r) => r.t === t).slice(0, 6);
      return `  t = ${t}: ${top.map((r) => `${r.estimator} ${f(r.spearman)}`).join(", ")}`;
    }),
    ...differences.map(
      (d) =>
        `  t = ${d.t}: ${d.estimator} ${d.verdict} against ${d.versus} (${d.difference! >= 0 ? "+" : ""}${f(d.difference)} [${f(d.lo)}, ${f(d.hi)}])`,
    ),
    ...(weak.length
      ? [
          `  weak candidates (${weakIdx.length}): median estimate minus own validation accuracy: ${weak.map((w) => `${w.estimator} at t = ${w.t} ${f(w.medianOverRating)}`).join(", ")}`,
        ]
      : []),
  ];
  return { name: summary.name, overview, budgets, mechanism, spearman, differences, weak, text: lines.join("\n") };
}
