import { fail, show } from "../core/errors.js";
import { checkKeys, checkNumber, checkOneOf } from "../core/validate.js";
import {
  epochCount,
  epochFeatures,
  windowEpochs,
  type FeatureHistory,
  checkHistory,
} from "../history/feature-history.js";
import { fitLogistic, fitRidge, scores, type LinearHead } from "./heads.js";
import { gram, matmul, symmetricEigen } from "./linalg.js";
import type { TrialView, Estimator } from "./types.js";
import { checkEstimateArgs } from "./evaluate.js";

/**
 * `value` must be a feature history whose parts agree: samples and dims positive integers, one
 * label per sample, every epoch's block samples x dims values (a history with a damaged count
 * would read out of bounds or loop over billions of features).
 */
export function checkHistoryData(name: string, value: unknown): FeatureHistory {
  const h = checkHistory(name, value);
  checkNumber(`${name}.samples`, h.samples, { integer: true, min: 1 });
  checkNumber(`${name}.dims`, h.dims, { integer: true, min: 1 });
  const fix = "pass a trial's probeTrain or probeValidation (or build one with createHistory and appendEpoch).";
  if (h.labels.length !== h.samples)
    fail("invalid-argument", {
      parameter: `${name}.labels`,
      rule: `must hold one label per sample (${h.samples})`,
      received: `${h.labels.length} labels`,
      fix,
    });
  h.blocks.forEach((b, i) => {
    if (!(b instanceof Float32Array || b instanceof Uint16Array) || b.length !== h.samples * h.dims)
      fail("invalid-argument", {
        parameter: `${name}.blocks[${i}]`,
        rule: `must hold samples x dims = ${h.samples} x ${h.dims} features (a Float32Array, or float16 bits in a Uint16Array)`,
        received: b instanceof Float32Array || b instanceof Uint16Array ? `${b.length} values` : show(b),
        fix,
      });
  });
  if (h.outputs !== undefined) {
    const o = h.outputs as { classes?: unknown; blocks?: unknown };
    if (!o || typeof o !== "object" || !Number.isInteger(o.classes) || !Array.isArray(o.blocks))
      fail("invalid-argument", {
        parameter: `${name}.outputs`,
        rule: "must be { classes, blocks } (the network's probabilities on the probe images, per epoch)",
        received: show(h.outputs),
        fix,
      });
    const classes = o.classes as number;
    (o.blocks as unknown[]).forEach((b, i) => {
      if (!(b instanceof Float32Array || b instanceof Uint16Array) || b.length !== h.samples * classes)
        fail("invalid-argument", {
          parameter: `${name}.outputs.blocks[${i}]`,
          rule: `must hold samples x classes = ${h.samples} x ${classes} probabilities (a Float32Array, or float16 bits in a Uint16Array)`,
          received: b instanceof Float32Array || b instanceof Uint16Array ? `${b.length} values` : show(b),
          fix,
        });
    });
  }
  return h;
}

/** How FH combines the epochs of its window: concatenated features, mean, a vote of per-epoch probes, or stacked. */
export type Combine = "concat" | "mean" | "vote" | "stack";
/** How FH normalises features before the proxy: per-sample l2, per-feature standardisation, or none. */
export type Normalize = "l2" | "standardize" | "none";
/** The proxy classifier FH fits on feature histories: ridge regression (default) or logistic regression. */
export type Head = "ridge" | "logistic";

/** Options of the FH estimator: window, combination, normalisation, head, PCA components, probes and floor (docs/estimators.md). */
export interface FeatureHistoryOptions {
  /**
   * Window K: the last K epochs up to the budget (fewer when t < K). Default 1: with PCA 16 the
   * option set chosen on the main study only (mean Spearman 0.900 over t = 1..3 against 0.845 for
   * K = 2, concat, no PCA; notebook 02), frozen before any held-out or regime study was read.
   */
  window?: number;
  /** How the window's epochs are combined. Default "concat". */
  combine?: Combine;
  /** Per-epoch normalisation of the features. Default "l2". */
  normalize?: Normalize;
  /** The proxy classifier. Default "ridge". */
  head?: Head;
  /** Ridge penalty, or "gcv" (default). For the logistic head, "gcv" uses ridge's GCV choice / n. */
  lambda?: number | "gcv";
  /**
   * Project every epoch's normalised features onto their top principal components (of P_train),
   * so candidates of different feature widths get a proxy of the same capacity. Default 16 (chosen
   * with the window on the main study); 0: all dims. A candidate with fewer dims keeps them all.
   */
  components?: number;
  /** Use only the first `probes` images of P_train and of P_val (both are class-balanced in order). Default: all. */
  probes?: number;
  /**
   * The calibration floor: a candidate whose own training accuracy at t is below `floor` has not
   * learned yet (random features are already 0.3-0.45 linearly separable), so its estimate is its
   * validation accuracy at t instead of the proxy's. Default: off.
   */
  floor?: number;
  /** Name in tables and plots. Default derived from the options, e.g. "FH (K=1, concat, l2, ridge, pca=16)" (the summaries' names). */
  name?: string;
}

/** Rows of both blocks projected onto the top `k` principal components of the training block. */
function principalComponents(tr: Block, va: Block, k: number): [Block, Block] {
  const { d } = tr;
  if (k >= d) return [tr, va];
  const mean = new Float64Array(d);
  for (let r = 0; r < tr.n; r++) for (let i = 0; i < d; i++) mean[i]! += tr.x[r * d + i]! / tr.n;
  const centre = (b: Block) => {
    const x = new Float64Array(b.x.length);
    for (let r = 0; r < b.n; r++) for (let i = 0; i < d; i++) x[r * d + i] = b.x[r * d + i]! - mean[i]!;
    return x;
  };
  const ct = centre(tr);
  const { vectors } = symmetricEigen(gram(ct, tr.n, d), d);
  // Eigenvalues ascend: the last k columns are the top components.
  const w = new Float64Array(d * k);
  for (let i = 0; i < d; i++) for (let j = 0; j < k; j++) w[i * k + j] = vectors[i * d + (d - 1 - j)]!;
  return [
    { x: matmul(ct, w, tr.n, d, k), n: tr.n, d: k },
    { x: matmul(centre(va), w, va.n, d, k), n: va.n, d: k },
  ];
}

type Block = { x: Float64Array; n: number; d: number };

function normalizeEpoch(
  train: Float32Array,
  val: Float32Array,
  nTr: number,
  nVa: number,
  d: number,
  how: Normalize,
  where: string,
): [Block, Block] {
  const tr = Float64Array.from(train);
  const va = Float64Array.from(val);
  for (const arr of [tr, va]) {
    for (let i = 0; i < arr.length; i++) {
      if (!Number.isFinite(arr[i]!)) {
        fail("invalid-argument", {
          parameter: where,
          rule: "must hold finite features",
          received: `${arr[i]} at value ${i}`,
          fix: "estimate only candidates whose training did not diverge before this epoch (see the trial's error).",
        });
      }
    }
  }
  if (how === "l2") {
    for (const [arr, n] of [
      [tr, nTr],
      [va, nVa],
    ] as const) {
      for (let r = 0; r < n; r++) {
        let s = 0;
        for (let i = 0; i < d; i++) s += arr[r * d + i]! ** 2;
        const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
        for (let i = 0; i < d; i++) arr[r * d + i]! *= inv;
      }
    }
  } else if (how === "standardize") {
    const mean = new Float64Array(d);
    const sq = new Float64Array(d);
    for (let r = 0; r < nTr; r++)
      for (let i = 0; i < d; i++) {
        const v = tr[r * d + i]!;
        mean[i]! += v;
        sq[i]! += v * v;
      }
    for (let i = 0; i < d; i++) {
      mean[i]! /= nTr;
      sq[i] = Math.sqrt(Math.max(0, sq[i]! / nTr - mean[i]! ** 2));
    }
    for (const [arr, n] of [
      [tr, nTr],
      [va, nVa],
    ] as const)
      for (let r = 0; r < n; r++)
        for (let i = 0; i < d; i++) arr[r * d + i] = sq[i]! > 1e-12 ? (arr[r * d + i]! - mean[i]!) / sq[i]! : 0;
  }
  return [
    { x: tr, n: nTr, d },
    { x: va, n: nVa, d },
  ];
}

function concatBlocks(blocks: Block[]): Block {
  const n = blocks[0]!.n;
  const d = blocks.reduce((s, b) => s + b.d, 0);
  const x = new Float64Array(n * d);
  for (let r = 0; r < n; r++) {
    let o = r * d;
    for (const b of blocks) {
      x.set(b.x.subarray(r * b.d, (r + 1) * b.d), o);
      o += b.d;
    }
  }
  return { x, n, d };
}

function meanBlocks(blocks: Block[]): Block {
  const { n, d } = blocks[0]!;
  const x = new Float64Array(n * d);
  for (const b of blocks) for (let i = 0; i < x.length; i++) x[i]! += b.x[i]! / blocks.length;
  return { x, n, d };
}

function stackBlocks(blocks: Block[]): Block {
  const { n, d } = blocks[0]!;
  const x = new Float64Array(n * d * blocks.length);
  blocks.forEach((b, k) => x.set(b.x, k * n * d));
  return { x, n: n * blocks.length, d };
}

function accuracy(s: Float64Array, labels: ArrayLike<number>, n: number, c: number): number {
  let correct = 0;
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let k = 1; k < c; k++) if (s[r * c + k]! > s[r * c + best]!) best = k;
    if (best === labels[r]) correct++;
  }
  return correct / n;
}

function softmaxRows(s: Float64Array, n: number, c: number): Float64Array {
  const out = new Float64Array(s.length);
  for (let r = 0; r < n; r++) {
    let mx = -Infinity;
    for (let k = 0; k < c; k++) mx = Math.max(mx, s[r * c + k]!);
    let sum = 0;
    for (let k = 0; k < c; k++) sum += out[r * c + k] = Math.exp(s[r * c + k]! - mx);
    for (let k = 0; k < c; k++) out[r * c + k]! /= sum;
  }
  return out;
}

/** A fitted proxy: its validation accuracy (the FH estimate), the penalties tried and the epochs it used. */
export interface ProxyFit {
  /** Accuracy of the proxy on P_val: the estimate. */
  readonly accuracy: number;
  /** Penalties of the fitted heads (one per head). */
  readonly lambdas: readonly number[];
  readonly epochs: readonly number[];
}

/** Fit the proxy at budget t and report its P_val accuracy and the chosen penalties. */
export function fitFeatureHistoryProxy(
  train: FeatureHistory,
  val: FeatureHistory,
  t: number,
  options: FeatureHistoryOptions = {},
): ProxyFit {
  checkHistoryData("train", train);
  checkHistoryData("val", val);
  checkNumber("t", t, { integer: true, min: 1 });
  const o = resolveOptions(options);
  if (train.dims !== val.dims)
    fail("invalid-argument", {
      parameter: "probeValidation.dims",
      rule: `must equal probeTrain.dims (${train.dims})`,
      received: String(val.dims),
      fix: "record both probe sets from the same network.",
    });
  const available = Math.min(epochCount(train), epochCount(val));
  if (t > available)
    fail("invalid-argument", {
      parameter: "t",
      rule: `must be at most the ${available} recorded epoch(s)`,
      received: String(t),
      fix: "train longer or estimate at a smaller budget.",
    });
  const epochs = windowEpochs(t, o.window, available);
  const c = Math.max(...train.labels, ...val.labels) + 1;
  const nTr = Math.min(o.probes, train.samples);
  const nVa = Math.min(o.probes, val.samples);
  const trLabels = train.labels.subarray(0, nTr);
  const vaLabels = val.labels.subarray(0, nVa);
  const pairs = epochs.map((e) => {
    const pair = normalizeEpoch(
      epochFeatures(train, e).subarray(0, nTr * train.dims),
      epochFeatures(val, e).subarray(0, nVa * val.dims),
      nTr,
      nVa,
      train.dims,
      o.normalize,
      `features of epoch ${e}`,
    );
    return o.components > 0 ? principalComponents(pair[0], pair[1], o.components) : pair;
  });
  const fit = (x: Block, labels: ArrayLike<number>): LinearHead => {
    if (o.head === "ridge") return fitRidge(x.x, labels, x.n, x.d, c, { lambda: o.lambda });
    const lam = o.lambda === "gcv" ? fitRidge(x.x, labels, x.n, x.d, c, { lambda: "gcv" }).lambda / x.n : o.lambda;
    return fitLogistic(x.x, labels, x.n, x.d, c, { lambda: lam });
  };
  const prob = (h: LinearHead, x: Block) =>
    o.head === "logistic" ? softmaxRows(scores(h, x.x, x.n), x.n, c) : scores(h, x.x, x.n);
  const trBlocks = pairs.map((p) => p[0]);
  const vaBlocks = pairs.map((p) => p[1]);
  if (o.combine === "concat" || o.combine === "mean") {
    const join = o.combine === "concat" ? concatBlocks : meanBlocks;
    const h = fit(join(trBlocks), trLabels);
    return {
      accuracy: accuracy(scores(h, join(vaBlocks).x, nVa), vaLabels, nVa, c),
      lambdas: [h.lambda],
      epochs,
    };
  }
  const avg = new Float64Array(nVa * c);
  const lambdas: number[] = [];
  if (o.combine === "vote") {
    trBlocks.forEach((b, k) => {
      const h = fit(b, trLabels);
      lambdas.push(h.lambda);
      const p = prob(h, vaBlocks[k]!);
      for (let i = 0; i < avg.length; i++) avg[i]! += p[i]! / trBlocks.length;
    });
  } else {
    const labels = new Uint8Array(nTr * trBlocks.length);
    for (let k = 0; k < trBlocks.length; k++) labels.set(trLabels, k * nTr);
    const h = fit(stackBlocks(trBlocks), labels);
    lambdas.push(h.lambda);
    for (const b of vaBlocks) {
      const p = prob(h, b);
      for (let i = 0; i < avg.length; i++) avg[i]! += p[i]! / vaBlocks.length;
    }
  }
  return { accuracy: accuracy(avg, vaLabels, nVa, c), lambdas, epochs };
}

function resolveOptions(options: FeatureHistoryOptions): Required<Omit<FeatureHistoryOptions, "name">> {
  checkKeys("options", options, [
    "window",
    "combine",
    "normalize",
    "head",
    "lambda",
    "components",
    "probes",
    "floor",
    "name",
  ]);
  const lambda = options.lambda ?? "gcv";
  if (lambda !== "gcv") checkNumber("options.lambda", lambda, { above: 0 });
  return {
    window: checkNumber("options.window", options.window ?? 1, { integer: true, min: 1 }),
    combine: checkOneOf("options.combine", options.combine ?? "concat", ["concat", "mean", "vote", "stack"]),
    normalize: checkOneOf("options.normalize", options.normalize ?? "l2", ["l2", "standardize", "none"]),
    head: checkOneOf("options.head", options.head ?? "ridge", ["ridge", "logistic"]),
    lambda,
    components: checkNumber("options.components", options.components ?? 16, { integer: true, min: 0 }),
    probes:
      options.probes === undefined
        ? Infinity
        : checkNumber("options.probes", options.probes, { integer: true, min: 10 }),
    floor: options.floor === undefined ? -Infinity : checkNumber("options.floor", options.floor, { min: 0, max: 1 }),
  };
}

/** The feature-history estimator: the proxy's P_val accuracy at budget t. */
export function featureHistoryProxy(options: FeatureHistoryOptions = {}): Estimator {
  const o = resolveOptions(options);
  const extras = [
    o.lambda === "gcv" ? "" : `, λ=${o.lambda}`,
    o.components > 0 ? `, pca=${o.components}` : "",
    Number.isFinite(o.probes) ? `, probes=${o.probes}` : "",
    Number.isFinite(o.floor) ? `, floor=${o.floor}` : "",
  ].join("");
  // One spelling with the study summaries (FH_DEFAULT), so a notebook can name the default either way.
  const name = options.name ?? `FH (K=${o.window}, ${o.combine}, ${o.normalize}, ${o.head}${extras})`;
  return {
    name,
    needs: ["histories"],
    estimate(candidate: TrialView, t: number, T?: number): number {
      checkEstimateArgs(name, candidate, t, T, Number.isFinite(o.floor) ? ["trainAcc", "valAcc"] : []);
      if (!candidate.probeTrain || !candidate.probeValidation) {
        fail("invalid-argument", {
          parameter: "candidate",
          rule: `must carry probeTrain and probeValidation histories for ${name}`,
          received: "a candidate without histories",
          fix: "train it with trainCandidate, which records them.",
        });
      }
      if (Number.isFinite(o.floor)) {
        const trainAcc = candidate.curves.trainAcc[t - 1];
        if (trainAcc !== undefined && trainAcc < o.floor) return candidate.curves.valAcc[t - 1]!;
      }
      return fitFeatureHistoryProxy(candidate.probeTrain, candidate.probeValidation, t, options).accuracy;
    },
  };
}

/** The last-checkpoint linear probe (K = 1): what a single epoch's features give, without history. */
export function lastCheckpointProbe(options: Omit<FeatureHistoryOptions, "window" | "combine"> = {}): Estimator {
  checkKeys("options", options, ["normalize", "head", "lambda", "components", "probes", "floor", "name"]);
  return featureHistoryProxy({
    ...options,
    window: 1,
    combine: "concat",
    // All dims: the probe as the paper's baseline has it (the FH default projects to 16).
    components: options.components ?? 0,
    name: options.name ?? "last-checkpoint probe",
  });
}
