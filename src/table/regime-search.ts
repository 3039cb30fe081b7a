/**
 * The search at the paper's ratio over a regime study (notebook 05): the sampling-based search
 * (every candidate to t, the best `keep` share by the estimate on to T) and ASHA, with each
 * estimator, replayed over the recorded trials in many random orders, against full training.
 * Per method: how often it reached the best full-training truth within one standard error, the
 * wall-clock reduction to get there (median and 10-90 % range over the orders), and the paired
 * reduction of the FH default against the better curve baseline (a missed target counts as the
 * search's wall-clock lost on top of full training's). Replays pay the recorded epoch
 * seconds, feature capture where a score reads histories, and the recorded fit seconds of each
 * decision (study/analysis.ts).
 */
import { checkNumber, checkRequired } from "../core/validate.js";
import { fail, show } from "../core/errors.js";
import { timeToReach } from "../search/live-replay.js";
import { ashaRungs } from "../search/schedulers.js";
import { replaySearches, searchMethods, stackedScores, truthStandardError } from "../study/analysis.js";
import { FH_DEFAULT, FH_K2 } from "../study/estimator-study.js";
import { checkSummary, type StudySummary } from "../study/summary.js";

/** Options of regimeSearch: the early budget and keep share, replay orders, workers, and FH+'s training study. */
export interface RegimeSearchOptions {
  /** Early budget. Default T/8 (at least 1). */
  readonly t?: number;
  /** Share kept by the sampling-based search. Default 1/8. */
  readonly keep?: number;
  /** Replay orders. Default 20. */
  readonly orders?: number;
  readonly workers?: number;
  /** Test images behind each truth (its standard error). Default the plan's `test`. */
  readonly testImages?: number;
  /** FH+ fitted on this study, frozen (the main study); without it no FH+ search. */
  readonly fitOn?: StudySummary;
  /** Trials judged before the pruner starts to prune. Default 1 / keep. */
  readonly warmup?: number;
}

/** One method over the replay orders. */
export interface RegimeSearchRow {
  readonly method: string;
  /** Orders in which it reached the target (best full-training truth minus one standard error). */
  readonly reached: number;
  readonly orders: number;
  /**
   * 1 - its time to the target / full training's over the orders: median, 10 % and 90 %. An order
   * where it missed the target counts as -(its whole search's seconds) / full training's time to the
   * target (the search was spent, and full training must still be run).
   */
  readonly reduction: number | null;
  readonly lo: number | null;
  readonly hi: number | null;
  /** Mean best truth found. */
  readonly bestFound: number;
}

/** What regimeSearch returns: rows, the paired FH-vs-curve comparison, and the text. */
export interface RegimeSearchResult {
  readonly t: number;
  readonly keep: number;
  readonly rows: readonly RegimeSearchRow[];
  /** The FH default's reduction minus the better curve baseline's (by median reduction), per order. */
  readonly paired: {
    readonly versus: string;
    readonly median: number | null;
    readonly lo: number | null;
    readonly hi: number | null;
    readonly orders: number;
  };
  readonly text: string;
}

function quantile(v: readonly number[], p: number): number | null {
  if (!v.length) return null;
  const s = [...v].sort((a, b) => a - b);
  const x = p * (s.length - 1);
  const i = Math.floor(x);
  return s[i]! + (s[Math.min(i + 1, s.length - 1)]! - s[i]!) * (x - i);
}

/** The search at the paper's ratio over a regime summary (see the module comment). */
export function regimeSearch(summary: StudySummary, options: RegimeSearchOptions = {}): RegimeSearchResult {
  checkSummary("summary", summary);
  checkRequired("options", options, ["t", "keep", "orders", "workers", "testImages", "fitOn", "warmup"]);
  const T = summary.budget;
  const t = checkNumber("options.t", options.t ?? Math.max(1, Math.floor(T / 8)), {
    integer: true,
    min: 1,
    max: T - 1,
  });
  const keep = checkNumber("options.keep", options.keep ?? 1 / 8, { above: 0, max: 1 });
  const orders = checkNumber("options.orders", options.orders ?? 20, { integer: true, min: 1, max: 1000 });
  const workers = checkNumber("options.workers", options.workers ?? 2, { integer: true, min: 1, max: 256 });
  const planTest = (summary.plan as { test?: unknown } | undefined)?.test;
  const testImages = checkNumber("options.testImages", options.testImages ?? planTest, { integer: true, min: 1 });
  const warmup = checkNumber("options.warmup", options.warmup ?? Math.ceil(1 / keep), { integer: true, min: 0 });
  if (options.fitOn !== undefined) checkSummary("options.fitOn", options.fitOn);
  const has = (n: string) => summary.estimators.some((e) => e.name === n && e.upTo >= t);
  for (const n of [FH_DEFAULT, "early stopping", "SoTL-E"])
    if (!has(n))
      fail("invalid-argument", {
        parameter: "summary.estimators",
        rule: `must hold ${n} up to t = ${t}`,
        received: show(summary.estimators.map((e) => e.name)),
        fix: "summarise the study with fh.study.studyEstimators(T).",
      });
  const fhScores = [FH_DEFAULT, ...(has(FH_K2) ? [FH_K2] : [])];
  const plus = options.fitOn && {
    "FH+": { byId: stackedScores(summary, { fh: FH_DEFAULT, upTo: t, fitOn: options.fitOn }), costOf: FH_DEFAULT },
  };
  // ASHA reads its score at every rung below T; a summary that records an estimator only up to
  // T/2 (an older study's ablations) cannot rank ASHA's later rungs with it: left out, and said.
  const lastRung = Math.max(...ashaRungs(t, 3, T).filter((r) => r < T), t);
  const ashaWanted = [FH_DEFAULT, "early stopping"];
  const ashaScores = ashaWanted.filter((n) => summary.estimators.some((e) => e.name === n && e.upTo >= lastRung));
  const ashaLeftOut = ashaWanted.filter((n) => !ashaScores.includes(n));
  const methods = searchMethods(summary, {
    t,
    keep,
    warmup,
    scores: [...fhScores, ...(plus ? ["FH+"] : []), "early stopping", "SoTL-E"],
    historyScores: [...fhScores, "FH+"],
    ...(plus ? { extra: plus } : {}),
    asha: ashaScores,
    ashaMinEpochs: t,
  });
  const runs = replaySearches(summary, methods, { workers, seeds: Array.from({ length: orders }, (_, i) => i + 1) });
  const byMethod = new Map<string, Map<number, (typeof runs)[number]>>();
  for (const r of runs) {
    if (!byMethod.has(r.method)) byMethod.set(r.method, new Map());
    byMethod.get(r.method)!.set(r.seed, r);
  }
  const full = byMethod.get("full training")!;
  // Per order: the target and each method's reduction against full training (undefined: missed).
  const reductionOf = new Map<string, Map<number, number>>();
  const hits = new Map<string, number>();
  for (const [method, bySeed] of byMethod) {
    const m = new Map<number, number>();
    for (const [seed, r] of bySeed) {
      const f = full.get(seed)!;
      const best = Math.max(...f.events.map((e) => e.truth));
      const target = best - truthStandardError(best, testImages);
      const tf = timeToReach(f.events, target);
      const tm = timeToReach(r.events, target);
      // A search that misses the target has to be followed by full training to find it: its own
      // wall-clock is lost on top of full training's (a negative reduction), never left out.
      if (tf !== undefined && tf > 0) m.set(seed, tm !== undefined ? 1 - tm / tf : -r.seconds / tf);
      if (tm !== undefined) hits.set(method, (hits.get(method) ?? 0) + 1);
    }
    reductionOf.set(method, m);
  }
  const rows: RegimeSearchRow[] = [...byMethod.entries()].map(([method, bySeed]) => {
    const red = [...reductionOf.get(method)!.values()];
    const found = [...bySeed.values()].map((r) => Math.max(...r.events.map((e) => e.truth)));
    return {
      method,
      reached: hits.get(method) ?? 0,
      orders: bySeed.size,
      reduction: quantile(red, 0.5),
      lo: quantile(red, 0.1),
      hi: quantile(red, 0.9),
      bestFound: found.reduce((a, b) => a + b, 0) / found.length,
    };
  });
  const sampling = (score: string) => `sampling (t = ${t}, keep ${keep}) + ${score}`;
  const curve = ["early stopping", "SoTL-E"]
    .map((b) => rows.find((r) => r.method === sampling(b))!)
    .sort((a, b) => (b.reduction ?? -Infinity) - (a.reduction ?? -Infinity))[0]!;
  const fhRed = reductionOf.get(sampling(FH_DEFAULT))!;
  const curveRed = reductionOf.get(curve.method)!;
  const diffs = [...fhRed.entries()].filter(([s]) => curveRed.has(s)).map(([s, v]) => v - curveRed.get(s)!);
  const paired = {
    versus: curve.method,
    median: quantile(diffs, 0.5),
    lo: quantile(diffs, 0.1),
    hi: quantile(diffs, 0.9),
    orders: diffs.length,
  };
  const pc = (v: number | null) => (v === null ? "-" : `${(100 * v).toFixed(0)} %`);
  const text = [
    `${summary.name}: search at t = ${t} of T = ${T}, keep ${keep}, ${workers} workers, ${orders} replay orders; ` +
      `target: the order's best full-training truth minus one standard error (${testImages} test images)`,
    ...rows.map(
      (r) =>
        `  ${r.method.padEnd(44)} reached ${r.reached}/${r.orders}; wall-clock reduction ${pc(r.reduction)} [${pc(r.lo)}, ${pc(r.hi)}]; mean best found ${r.bestFound.toFixed(4)}`,
    ),
    ...(ashaLeftOut.length
      ? [
          `  ASHA + ${ashaLeftOut.join(", ")}: not replayed (the summary records it only below ASHA's rung t = ${lastRung})`,
        ]
      : []),
    `  FH default minus ${curve.method.replace(/^sampling \(.*\) \+ /, "")}: ${pc(paired.median)} [${pc(paired.lo)}, ${pc(paired.hi)}] over ${paired.orders} orders`,
  ];
  return { t, keep, rows, paired, text: text.join("\n") };
}
