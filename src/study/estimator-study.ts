/**
 * The estimator studies behind notebooks 02 and 03: a fixed sample of candidates trained to the
 * full budget as an ordinary study (directory storage, worker processes, resumable epoch by
 * epoch), plus a subset trained again with a second seed for the noise ceiling. The truth is the
 * test accuracy at T, on a test subset that no estimator reads (probes and early stopping read the
 * training and validation splits only).
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkKeys, checkNumber, checkShape, checkString } from "../core/validate.js";
import { fail, show } from "../core/errors.js";
import { loadFashionMnist } from "../data/mnist.js";
import { makeSplits, type Splits } from "../data/splits.js";
import { hpoCnnSpace, jointSpace, nasCellSpace } from "../space/presets.js";
import { categorical, float, int } from "../space/params.js";
import { defineSpace } from "../space/space.js";
import type { TrainConfig } from "../train/config.js";
import { sampleMany, type Config, type SearchSpace } from "../space/space.js";
import { listSampler } from "../search/samplers.js";
import { bestSoFar, earlyStopping, lce, sotl, sotlE } from "../proxy/baselines.js";
import { featureHistoryProxy, lastCheckpointProbe } from "../proxy/fh.js";
import { consensusEstimator, oneEpoch, parameterCount } from "../proxy/own.js";
import type { SummaryEstimator } from "./summary.js";
import { createStudy } from "./study-open.js";
import type { Study } from "./study.js";
import type { OptimizeProgress } from "./optimize.js";

/**
 * The search spaces the estimator study samples from: the presets joint, hpo-cnn and nas-cell;
 * for the regimes, hpo-cnn with the schedule as a parameter ("hpo-cnn-schedules"), wide CNNs with
 * regularisation varied widely ("wide-cnn") and the user-defined regime CNN with a real share of
 * weak candidates ("weak-cnn": high learning rates, deep sigmoid / tanh nets without batch norm).
 */
export type PlanSpace = "joint" | "hpo-cnn" | "nas-cell" | "hpo-cnn-schedules" | "wide-cnn" | "weak-cnn";

/** The user-defined model of the "weak-cnn" space (notebooks/models/regime-cnn.mjs), by module. */
export const REGIME_MODEL = {
  module: fileURLToPath(new URL("../../notebooks/models/regime-cnn.mjs", import.meta.url)),
  exportName: "regimeCnn",
} as const;

/** One estimator study: which candidates, how long, on which images. */
export interface EstimatorStudyPlan {
  /** Folder name of the study under the studies directory; also the summary's name. */
  readonly name: string;
  readonly space: PlanSpace;
  /** Candidates sampled from the space (sampleSeed). */
  readonly n: number;
  /** Full budget T (epochs). */
  readonly T: number;
  /** Training images. */
  readonly train: number;
  /** Validation images (what early stopping, best-so-far and LCE read). */
  readonly validation: number;
  /** P_train and P_val sizes (P_val is drawn inside the validation split). */
  readonly probe: number;
  /** Test images: the truth, read by no estimator. */
  readonly test: number;
  readonly sampleSeed: number;
  /** Seed of every split (train / validation / test / probes). */
  readonly splitSeed: number;
  /** The study's seed (each trial's training seed derives from it and the trial's number). */
  readonly seed: number;
  /** How many of the candidates (the first ones) are trained again with `repeatSeed`. */
  readonly repeat: number;
  readonly repeatSeed: number;
  /** Label noise: the fraction of training labels replaced at random (makeSplits' labelNoise). */
  readonly labelNoise?: number;
  /** Training options every candidate shares (e.g. { warmup: 2 }), as optimize's `train`. */
  readonly training?: Partial<Pick<TrainConfig, "warmup" | "schedule" | "stepAt">>;
  /** The regime this plan studies and the mechanism it must show before its numbers count. */
  readonly regime?: string;
}

/**
 * The two studies: `main` (the joint HPO + NAS-cell space; every default is chosen on it) and
 * `heldOut` (a different space, sample, split and seed; judged with the defaults frozen).
 * Full size: 96 + 64 candidates, T = 12, 5k training images, probes 2k + 2k, 5k test images,
 * 16 candidates of each trained with a second seed. CI: a few candidates on small splits.
 */
export function estimatorStudyPlans(ci: boolean): { main: EstimatorStudyPlan; heldOut: EstimatorStudyPlan } {
  if (ci)
    return {
      main: {
        name: "main-ci",
        space: "joint",
        n: 8,
        T: 4,
        train: 600,
        validation: 300,
        probe: 300,
        test: 500,
        sampleSeed: 2103,
        splitSeed: 0,
        seed: 7,
        repeat: 4,
        repeatSeed: 8,
      },
      heldOut: {
        name: "held-out-ci",
        space: "hpo-cnn",
        n: 6,
        T: 4,
        train: 600,
        validation: 300,
        probe: 300,
        test: 500,
        sampleSeed: 4150,
        splitSeed: 11,
        seed: 21,
        repeat: 3,
        repeatSeed: 22,
      },
    };
  const sizes = { T: 12, train: 5000, validation: 2000, probe: 2000, test: 5000 };
  return {
    main: {
      name: "main",
      space: "joint",
      n: 96,
      ...sizes,
      sampleSeed: 2103,
      splitSeed: 0,
      seed: 7,
      repeat: 16,
      repeatSeed: 8,
    },
    heldOut: {
      name: "held-out",
      space: "hpo-cnn",
      n: 64,
      ...sizes,
      sampleSeed: 4150,
      splitSeed: 11,
      seed: 21,
      repeat: 16,
      repeatSeed: 22,
    },
  };
}

/**
 * The regimes where early signals are known to mislead (issue 22), each an estimator study of its
 * own with a second-seed repeat for the noise ceiling. Every regime names the mechanism it must
 * show before its numbers count (regimeMechanism measures it on the trained study):
 * - `schedules`: cosine or step decay over T = 24 with a 2-epoch warm-up, judged at t <= T/8,
 *   where curves cross late (the ranking at t and at T differ);
 * - `small-data`: 1,500 training images, wide CNNs, weight decay and dropout varied widely, where
 *   training loss rewards memorisation (a train/test gap that grows);
 * - `label-noise`: 40 % of 2,000 training labels replaced at random (validation, probes and test
 *   clean), wide CNNs trained to T = 24 (training accuracy on the noisy labels above the clean
 *   fraction: memorisation);
 * - `weak`: the user-defined regime CNN (notebooks/models/regime-cnn.mjs) with high learning rates
 *   and deep sigmoid / tanh nets without batch norm (a real share of candidates below 0.4).
 * CI: the same regimes at a few candidates and epochs.
 */
export function regimePlans(
  ci: boolean,
): Record<"schedules" | "small-data" | "label-noise" | "weak", EstimatorStudyPlan> {
  const base = ci
    ? { n: 6, repeat: 3, validation: 300, probe: 200, test: 500 }
    : { n: 96, repeat: 16, validation: 2000, probe: 500, test: 5000 };
  const T = (full: number) => (ci ? Math.min(full, 8) : full);
  const suffix = ci ? "-ci" : "";
  return {
    schedules: {
      name: `schedules${suffix}`,
      regime: "schedules to T: cosine or step decay over the full budget with warm-up; curves cross late",
      space: "hpo-cnn-schedules",
      ...base,
      T: T(24),
      train: ci ? 600 : 3000,
      training: { warmup: ci ? 1 : 2 },
      sampleSeed: 5101,
      splitSeed: 31,
      seed: 41,
      repeatSeed: 42,
    },
    "small-data": {
      name: `small-data${suffix}`,
      regime: "small data and over-fitting: 1,500 training images, wide networks, regularisation varied widely",
      space: "wide-cnn",
      ...base,
      T: T(24),
      train: ci ? 400 : 1500,
      sampleSeed: 5202,
      splitSeed: 32,
      seed: 51,
      repeatSeed: 52,
    },
    "label-noise": {
      name: `label-noise${suffix}`,
      regime: "label noise: 40 % of training labels replaced at random; validation, probes and test clean",
      space: "wide-cnn",
      ...base,
      T: T(24),
      train: ci ? 600 : 2000,
      labelNoise: 0.4,
      sampleSeed: 5303,
      splitSeed: 33,
      seed: 61,
      repeatSeed: 62,
    },
    weak: {
      name: `weak${suffix}`,
      regime: "a real share of weak candidates: high learning rates, deep sigmoid/tanh nets without batch norm",
      space: "weak-cnn",
      ...base,
      T: T(12),
      train: ci ? 600 : 4000,
      sampleSeed: 5404,
      splitSeed: 34,
      seed: 71,
      repeatSeed: 72,
    },
  };
}

/** The search space of a plan ("joint", "hpo-cnn" or "nas-cell"). */
export function planSpace(space: PlanSpace): SearchSpace {
  if (space === "joint") return jointSpace();
  if (space === "hpo-cnn") return hpoCnnSpace();
  if (space === "nas-cell") return nasCellSpace();
  if (space === "hpo-cnn-schedules")
    return defineSpace([...hpoCnnSpace().params, categorical("schedule", ["cosine", "step"])]);
  if (space === "wide-cnn")
    return defineSpace([
      categorical("family", ["cnn"]),
      int("depth", 2, 3),
      categorical("width", [32, 64]),
      categorical("kernel", [3, 5]),
      categorical("pooling", ["max", "avg"]),
      categorical("batchNorm", [true, false]),
      float("dropout", 0, 0.7),
      categorical("optimizer", ["sgd", "adam"]),
      float("lr", 0.01, 0.3, { log: true, when: { parent: "optimizer", values: ["sgd"] } }),
      float("adamLr", 3e-4, 1e-2, { log: true, when: { parent: "optimizer", values: ["adam"] } }),
      float("weightDecay", 1e-6, 3e-2, { log: true }),
      categorical("batchSize", [32, 64, 128]),
    ]);
  if (space === "weak-cnn")
    return defineSpace([
      int("depth", 2, 6),
      categorical("width", [16, 32]),
      categorical("activation", ["relu", "elu", "tanh", "sigmoid"]),
      categorical("batchNorm", [true, false]),
      float("dropout", 0, 0.5),
      categorical("optimizer", ["sgd", "adam"]),
      float("lr", 0.003, 1, { log: true, when: { parent: "optimizer", values: ["sgd"] } }),
      float("adamLr", 1e-4, 3e-2, { log: true, when: { parent: "optimizer", values: ["adam"] } }),
      float("weightDecay", 1e-5, 1e-2, { log: true }),
      categorical("batchSize", [64, 128, 256]),
    ]);
  return fail("invalid-argument", {
    parameter: "plan.space",
    rule: 'must be "joint", "hpo-cnn", "nas-cell", "hpo-cnn-schedules", "wide-cnn" or "weak-cnn"',
    received: show(space),
    fix: "use one of the preset spaces.",
  });
}

function checkPlan(name: string, value: unknown): EstimatorStudyPlan {
  checkShape(
    name,
    value,
    "an estimator study plan",
    {
      name: "string",
      space: "string",
      n: "number",
      T: "number",
      train: "number",
      validation: "number",
      probe: "number",
      test: "number",
      sampleSeed: "number",
      splitSeed: "number",
      seed: "number",
      repeat: "number",
      repeatSeed: "number",
    },
    "pass fh.study.estimatorStudyPlans(ci).main (or a copy with other sizes).",
  );
  const plan = value as EstimatorStudyPlan;
  checkKeys(name, plan, [
    "name",
    "space",
    "n",
    "T",
    "train",
    "validation",
    "probe",
    "test",
    "sampleSeed",
    "splitSeed",
    "seed",
    "repeat",
    "repeatSeed",
    "labelNoise",
    "training",
    "regime",
  ]);
  if (plan.labelNoise !== undefined) checkNumber(`${name}.labelNoise`, plan.labelNoise, { min: 0, max: 0.99 });
  if (plan.training !== undefined) {
    checkKeys(`${name}.training`, plan.training, ["warmup", "schedule", "stepAt"]);
    if (plan.training.warmup !== undefined && !(plan.training.warmup >= 0 && plan.training.warmup < plan.T))
      fail("invalid-argument", {
        parameter: `${name}.training.warmup`,
        rule: `must be at least 0 and shorter than the budget T = ${plan.T}`,
        received: show(plan.training.warmup),
        fix: "pass a warm-up of a few epochs, or leave it out.",
      });
  }
  return plan;
}

/** The plan's candidates, in trial order. */
export function planCandidates(plan: EstimatorStudyPlan): Config[] {
  checkPlan("plan", plan);
  return sampleMany(planSpace(plan.space), plan.n, plan.sampleSeed);
}

/** The plan's splits of Fashion-MNIST (P_val inside validation; the test subset is the truth). */
export async function planSplits(plan: EstimatorStudyPlan, options: { dataDir?: string } = {}): Promise<Splits> {
  checkPlan("plan", plan);
  checkKeys("options", options, ["dataDir"]);
  const ds = await loadFashionMnist(options.dataDir ? { dir: options.dataDir } : {});
  return makeSplits(ds, {
    train: plan.train,
    validation: plan.validation,
    test: plan.test,
    probeTrain: plan.probe,
    probeValidation: plan.probe,
    seed: plan.splitSeed,
    ...(plan.labelNoise ? { labelNoise: plan.labelNoise } : {}),
  });
}

/** Options of fh.study.runEstimatorStudy: workers, progress, a stop signal, the data folder and the workers' environment. */
export interface RunEstimatorStudyOptions {
  /** Worker processes. Default 2. */
  readonly workers?: number;
  readonly onProgress?: (study: string, progress: OptimizeProgress) => void;
  readonly signal?: AbortSignal;
  readonly dataDir?: string;
  /** Extra environment for the worker processes (e.g. { FH_BACKEND: "wasm" }). */
  readonly env?: Record<string, string>;
}

/**
 * Train (or resume) a plan into `dir/<name>` and its repeat into `dir/<name>-repeat`. Each is an
 * ordinary directory study: a killed run resumes from the last finished epoch when called again.
 */
export async function runEstimatorStudy(
  dir: string,
  plan: EstimatorStudyPlan,
  options: RunEstimatorStudyOptions = {},
): Promise<{ study: Study; repeat: Study }> {
  checkString("dir", dir);
  checkPlan("plan", plan);
  checkKeys("options", options, ["workers", "onProgress", "signal", "dataDir", "env"]);
  const workers = checkNumber("options.workers", options.workers ?? 2, { integer: true, min: 0, max: 64 });
  const candidates = planCandidates(plan);
  const data = await planSplits(plan, options.dataDir ? { dataDir: options.dataDir } : {});
  const run = async (name: string, seed: number, configs: Config[]): Promise<Study> => {
    const study = await createStudy({
      name,
      storage: join(dir, name),
      space: planSpace(plan.space),
      budget: plan.T,
      seed,
      sampler: listSampler(configs),
    });
    try {
      await study.optimize({
        data,
        trials: configs.length,
        workers,
        ...(plan.space === "weak-cnn" ? { model: REGIME_MODEL } : {}),
        ...(plan.training ? { train: plan.training } : {}),
        historyDtype: "float16",
        stopOnSigint: true,
        ...(options.onProgress ? { onProgress: (p: OptimizeProgress) => options.onProgress!(name, p) } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.env ? { env: options.env } : {}),
      });
    } finally {
      await study.close();
    }
    return study;
  };
  const study = await run(plan.name, plan.seed, candidates);
  const repeat = await run(`${plan.name}-repeat`, plan.repeatSeed, candidates.slice(0, plan.repeat));
  return { study, repeat };
}

/** The default feature-history estimator's name in the summaries: featureHistoryProxy().name. */
export const FH_DEFAULT = "FH (K=1, concat, l2, ridge, pca=16)";
/** The earlier default (K = 2, concat, all dims), the base of the ablation. */
export const FH_K2 = "FH (K=2, concat, l2, ridge)";

/**
 * What a study summary holds: the FH default (K = 1, PCA 16), the earlier default (K = 2, concat),
 * the last-checkpoint probe and every baseline at
 * every budget; the FH options of the ablation (window, combine, normalisation, a common width by
 * PCA, probe size, the calibration floor) up to T/2. The logistic head is left out here: at 2k
 * probe images it costs ~4.5 s a fit, 30x the ridge head (measured on the main study). With
 * `probes` (the plan's probe-set size), probe-size variants at or above it are left out.
 */
export function studyEstimators(T: number, probes?: number): SummaryEstimator[] {
  checkNumber("T", T, { integer: true, min: 1, max: 10000 });
  if (probes !== undefined) checkNumber("probes", probes, { integer: true, min: 1 });
  const half = Math.max(1, Math.floor(T / 2));
  // The ablation varies one option of the earlier default (K = 2, concat, all dims) at a time.
  const fh = (name: string, o: Parameters<typeof featureHistoryProxy>[0]) => ({
    estimator: featureHistoryProxy({ window: 2, components: 0, ...o, name }),
    upTo: half,
  });
  return [
    { estimator: featureHistoryProxy({ name: FH_DEFAULT }), upTo: T },
    { estimator: featureHistoryProxy({ window: 2, components: 0, name: FH_K2 }), upTo: T },
    { estimator: lastCheckpointProbe(), upTo: T },
    { estimator: earlyStopping(), upTo: T },
    { estimator: bestSoFar(), upTo: T },
    { estimator: sotl(), upTo: T },
    { estimator: sotlE(), upTo: T },
    { estimator: lce(), upTo: T },
    // The network's own signals: the consensus of its head's last K checkpoints on P_val (a
    // trial trained before this release has no outputs: its rows say so), its size, one epoch.
    { estimator: consensusEstimator({ window: 1 }), upTo: T },
    { estimator: consensusEstimator({ window: 2 }), upTo: T },
    { estimator: consensusEstimator({ window: 3 }), upTo: T },
    { estimator: parameterCount(), upTo: T },
    { estimator: oneEpoch(), upTo: T },
    fh("FH (K=3, concat)", { window: 3 }),
    fh("FH (K=4, concat)", { window: 4 }),
    fh("FH (K=2, mean)", { combine: "mean" }),
    fh("FH (K=2, vote)", { combine: "vote" }),
    fh("FH (K=2, stack)", { combine: "stack" }),
    fh("FH (K=2, standardize)", { normalize: "standardize" }),
    fh("FH (K=2, no normalisation)", { normalize: "none" }),
    fh("FH (K=2, PCA 16)", { components: 16 }),
    ...(probes === undefined || 250 < probes ? [fh("FH (K=2, 250 probes)", { probes: 250 })] : []),
    ...(probes === undefined || 500 < probes ? [fh("FH (K=2, 500 probes)", { probes: 500 })] : []),
    ...(probes === undefined || 1000 < probes ? [fh("FH (K=2, 1000 probes)", { probes: 1000 })] : []),
    fh("FH (K=2, floor 0.2)", { floor: 0.2 }),
  ];
}
