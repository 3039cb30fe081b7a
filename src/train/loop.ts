import * as tf from "@tensorflow/tfjs";
import { createRng, permutation } from "../core/random.js";
import { checkKeys, checkNumber, checkRequired, checkShape } from "../core/validate.js";
import { fail, show } from "../core/errors.js";
import { appendEpoch, createHistory, type FeatureHistory, type HistoryDtype } from "../history/feature-history.js";
import { copyCurves, emptyCurves, type Curves } from "../history/curves.js";
import { learningRateAt, type ModelConfig, type TrainConfig } from "./config.js";
import { buildModel } from "./models.js";
import { captureCheckpoint, restoreCheckpoint, type TrainCheckpoint } from "./checkpoint.js";
import {
  captureBoth,
  captureFeatures,
  evaluate,
  gather,
  labelsOf,
  probeRowsInValidation,
  tick,
  type PreparedData,
} from "./passes.js";

export { prepareData, type PreparedData, type TensorSet } from "./passes.js";

/** One trained epoch's numbers: losses, accuracies, learning rate, seconds and capture seconds. */
export interface EpochRecord {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly trainAcc: number;
  readonly valLoss: number;
  readonly valAcc: number;
  readonly lr: number;
  readonly seconds: number;
  readonly captureSeconds: number;
}

/** A minibatch just trained (its epoch, index, count and loss), for progress hooks. */
export interface BatchInfo {
  readonly epoch: number;
  readonly batch: number;
  readonly batches: number;
  readonly loss: number;
}

/** Callbacks of a training run: after every batch, epoch and snapshot. */
export interface TrainHooks {
  onEpochEnd?: (record: EpochRecord) => void | Promise<void>;
  /**
   * After every epoch (and its checkpoint, with options.checkpoint): the run so far, to persist
   * as it goes. Curves and histories cover every epoch trained (the previous run's too on resume).
   */
  onSnapshot?: (snapshot: TrainSnapshot) => void | Promise<void>;
  /** Called after every batch; keep it cheap. */
  onBatchEnd?: (info: BatchInfo) => void;
}

/** The run so far after an epoch (curves, histories, checkpoint): what a study saves as it goes. */
export interface TrainSnapshot {
  /** The epoch just finished. */
  readonly epoch: number;
  readonly curves: Curves;
  readonly probeTrain: FeatureHistory;
  readonly probeValidation: FeatureHistory;
  /** Training seconds so far (the previous run's included on resume). */
  readonly seconds: number;
  readonly parameters: number;
  readonly checkpoint?: TrainCheckpoint;
}

/** Options of fh.train.trainCandidate: seed, epochs now, checkpoints, resume, hooks and stop signals. */
export interface TrainOptions {
  /** Epochs to train now (t <= T); the schedule still spans train.epochs (T). Default T. */
  epochs?: number;
  /** Seed for initialisation, shuffling and dropout. */
  seed: number;
  /** Storage of the feature histories. Default "float32". */
  historyDtype?: HistoryDtype;
  hooks?: TrainHooks;
  /** Stops training after the current batch; the result is failed with an "Interrupted" error. */
  signal?: AbortSignal;
  /** Also stop on SIGINT (a Jupyter kernel interrupt). Default true. */
  stopOnSigint?: boolean;
  /** Batch size for evaluation and feature capture. Default 500. */
  evalBatchSize?: number;
  /** Evaluate test accuracy after the last epoch, when data.test is present. Default true. */
  evaluateTest?: boolean;
  /** Read a checkpoint (weights and optimiser state) after every epoch: hooks.onSnapshot gets each, the result the last. Default false. */
  checkpoint?: boolean;
  /**
   * Continue a run from its checkpoint after epoch t (same model config, train config, data shape
   * and seed): epochs t+1.. are trained with the schedule of the full budget, none repeated. With
   * `previous` (the result that wrote the checkpoint) the curves and histories continue it.
   */
  resume?: { checkpoint: TrainCheckpoint; previous?: TrainSoFar };
}

/** What a resumed run continues: the record of the epochs before its checkpoint (a TrainResult fits). */
export type TrainSoFar = Pick<TrainResult, "curves" | "probeTrain" | "probeValidation" | "seconds">;

/** Why a training run failed (a NaN loss, a throwing model) and at which epoch. */
export interface TrainError {
  readonly name: string;
  readonly message: string;
  /** The epoch during which it happened. */
  readonly epoch: number;
}

/** What a training run returns: status, curves, feature histories, seconds, parameters and test accuracy. */
export interface TrainResult {
  readonly status: "complete" | "failed";
  readonly error?: TrainError;
  readonly curves: Curves;
  readonly probeTrain: FeatureHistory;
  readonly probeValidation: FeatureHistory;
  readonly featureDims: number;
  readonly parameters: number;
  readonly testAcc?: number;
  readonly seconds: number;
  /** The first epoch this call trained (1, or t + 1 when resumed). */
  readonly firstEpoch: number;
  /** With options.checkpoint: the checkpoint after the last completed epoch. */
  readonly checkpoint?: TrainCheckpoint;
}

class StopTraining extends Error {}

/**
 * The sum of many scalars as a tree of addN over at most 7 inputs: one addN over every kernel of a
 * ResNet needs more storage buffers than WebGPU allows per shader stage (8 by default), and
 * tfjs-backend-webgpu then produces an invalid pipeline (the sum silently stays zero).
 */
function sumScalars(xs: tf.Tensor[]): tf.Tensor {
  let level = xs;
  while (level.length > 1) {
    const next: tf.Tensor[] = [];
    for (let i = 0; i < level.length; i += 7) {
      const group = level.slice(i, i + 7);
      next.push(group.length === 1 ? group[0]! : tf.addN(group));
    }
    level = next;
  }
  return level[0]!;
}

/**
 * Train one candidate for `options.epochs` epochs (default the full budget T) and record, after
 * every epoch, its curves and the penultimate features of both probe sets in inference mode.
 * Never throws for a failing candidate: a NaN/Inf loss, an exception or an interrupt returns a
 * failed result carrying its error and everything recorded before it. No tensor outlives the call.
 */
export async function trainCandidate(
  model: ModelConfig,
  train: TrainConfig,
  data: PreparedData,
  options: TrainOptions,
): Promise<TrainResult> {
  checkShape("model", model, "a model config", { family: "string" }, "pass candidateFromConfig(config).model.");
  checkShape(
    "train",
    train,
    "a training config",
    { epochs: "number", lr: "number", batchSize: "number" },
    "pass candidateFromConfig(config).train.",
  );
  checkShape(
    "data",
    data,
    "prepared data",
    { train: "object", validation: "object", probeTrain: "object", probeValidation: "object", numClasses: "number" },
    "pass fh.train.prepareData(splits).",
  );
  checkRequired("options", options, [
    "epochs",
    "seed",
    "historyDtype",
    "hooks",
    "signal",
    "stopOnSigint",
    "evalBatchSize",
    "evaluateTest",
    "checkpoint",
    "resume",
  ]);
  const seed = checkNumber("options.seed", options.seed, { integer: true });
  const epochs = checkNumber("options.epochs", options.epochs ?? train.epochs, {
    integer: true,
    min: 1,
    max: train.epochs,
  });
  const evalBatch = checkNumber("options.evalBatchSize", options.evalBatchSize ?? 500, { integer: true, min: 1 });
  const dtype = options.historyDtype ?? "float32";
  const resume = options.resume ? checkResume(options.resume, train, seed, epochs) : undefined;
  const firstEpoch = resume ? resume.checkpoint.epoch + 1 : 1;
  const started = performance.now();
  const rng = createRng(seed);
  const curves = copyCurves(resume?.previous?.curves ?? emptyCurves());
  let stopReason: string | undefined;
  const onSigint = () => {
    stopReason = "interrupted by SIGINT (kernel interrupt)";
  };
  const onAbort = () => {
    stopReason = `aborted: ${String(options.signal?.reason ?? "signal")}`;
  };
  if (options.stopOnSigint ?? true) process.on("SIGINT", onSigint);
  options.signal?.addEventListener("abort", onAbort);

  let built: ReturnType<typeof buildModel> | undefined;
  let optimizer: tf.Optimizer | undefined;
  let setLearningRate: (lr: number) => void = () => {};
  let probeTrain = createHistory(data.probeTrain.n, 1, data.probeTrain.y, dtype);
  let probeValidation = createHistory(data.probeValidation.n, 1, data.probeValidation.y, dtype);
  let epoch = 0;
  let parameters = 0;
  let testAcc: number | undefined;
  let error: TrainError | undefined;
  let checkpoint: TrainCheckpoint | undefined;
  try {
    const net = buildModel(model, data.train.shape, data.numClasses, rng.int(2 ** 31), train.bnMomentum);
    built = net;
    parameters = net.model.countParams();
    if (resume?.previous) {
      if (resume.previous.probeTrain.dims !== built.featureDims)
        fail("invalid-argument", {
          parameter: "options.resume.previous",
          rule: `must come from the same model (features of ${built.featureDims} dimensions)`,
          received: `${resume.previous.probeTrain.dims} dimensions`,
          fix: "pass the result that wrote the checkpoint, or leave `previous` out.",
        });
      probeTrain = resume.previous.probeTrain;
      probeValidation = resume.previous.probeValidation;
    } else {
      probeTrain = createHistory(data.probeTrain.n, built.featureDims, data.probeTrain.y, dtype);
      // P_val's history also records the network's own probabilities (its head's view of the same images).
      probeValidation = createHistory(
        data.probeValidation.n,
        built.featureDims,
        data.probeValidation.y,
        dtype,
        data.numClasses,
      );
    }
    if (train.optimizer === "adam") {
      const adam = tf.train.adam(train.lr);
      // Adam reads its learningRate field on every step; it is protected only in the typings.
      setLearningRate = (lr) => {
        (adam as unknown as { learningRate: number }).learningRate = lr;
      };
      optimizer = adam;
    } else {
      const momentum = tf.train.momentum(train.lr, train.momentum);
      setLearningRate = (lr) => momentum.setLearningRate(lr);
      optimizer = momentum;
    }
    const opt = optimizer;
    const valRows = probeRowsInValidation(data);
    // One pass gives logits and features (shares the model's layers): over the validation images
    // when P_val is inside them, else over P_val.
    const both = tf.model({ inputs: net.model.inputs, outputs: [net.model.outputs[0]!, net.features.outputs[0]!] });
    const kernels = net.model.trainableWeights.filter((w) => w.name.includes("kernel")).map((w) => w.read());
    const batches = Math.ceil(data.train.n / train.batchSize);
    const shuffleRng = rng.fork();
    const variables = net.model.trainableWeights.map((w) => w.read() as tf.Variable);
    if (resume) {
      await restoreCheckpoint(net.model, opt, resume.checkpoint);
      // The same shuffles as an uninterrupted run: draw the orders of the epochs already trained.
      for (let e = 1; e < firstEpoch; e++) permutation(data.train.n, shuffleRng);
    }
    for (epoch = firstEpoch; epoch <= epochs; epoch++) {
      const t0 = performance.now();
      const lr0 = learningRateAt(train, (epoch - 1) / train.epochs);
      const order = permutation(data.train.n, shuffleRng);
      let lossSum = 0;
      let correct = 0;
      for (let b = 0; b < batches; b++) {
        if (stopReason) throw new StopTraining(stopReason);
        const lr = learningRateAt(train, (epoch - 1 + b / batches) / train.epochs);
        setLearningRate(lr);
        const from = b * train.batchSize;
        const to = Math.min(data.train.n, from + train.batchSize);
        let correctT: tf.Tensor | undefined;
        let ceT: tf.Tensor | undefined;
        // One read per batch: the objective (for the divergence check), the cross-entropy (the
        // curve) and the correct count come back together instead of as three backend syncs.
        const statsT = tf.tidy(() => {
          const x = gather(data.train, order, from, to);
          const y = labelsOf(data.train, order, from, to);
          const cost = opt.minimize(
            () => {
              const logits = net.model.apply(x, { training: true }) as tf.Tensor2D;
              correctT = tf.keep(tf.equal(tf.argMax(logits, 1), y).sum());
              const ce = tf.losses.softmaxCrossEntropy(tf.oneHot(y, data.numClasses), logits);
              ceT = tf.keep(ce);
              if (train.weightDecay === 0 || kernels.length === 0) return ce as tf.Scalar;
              const l2 = sumScalars(kernels.map((k) => tf.sum(tf.square(k))));
              return tf.add(ce, tf.mul(0.5 * train.weightDecay, l2)) as tf.Scalar;
            },
            true,
            variables,
          )!;
          const stats = tf.stack([cost, ceT!, tf.cast(correctT!, "float32")]);
          ceT!.dispose();
          correctT!.dispose();
          return stats;
        });
        const stats = await statsT.data();
        statsT.dispose();
        const loss = stats[0]!;
        const crossEntropy = stats[1]!;
        correct += stats[2]!;
        if (!Number.isFinite(loss))
          throw new Error(
            `training loss became ${loss} at epoch ${epoch}, batch ${b + 1} (lr ${lr.toPrecision(3)}): the candidate diverged`,
          );
        // The curve (and SoTL) is the cross-entropy alone: the weight-decay penalty varies 100x
        // across a space and would rank the penalty, not the fit.
        lossSum += crossEntropy * (to - from);
        options.hooks?.onBatchEnd?.({ epoch, batch: b + 1, batches, loss });
        await tick();
      }
      // P_val inside the validation split: its features come out of the validation pass. Only
      // the copy counts as capture time; the pass itself was needed for the curves anyway.
      const shared = valRows
        ? {
            model: both,
            dims: net.featureDims,
            rows: valRows,
            out: new Float32Array(data.probeValidation.n * net.featureDims),
            classes: data.numClasses,
            probs: new Float32Array(data.probeValidation.n * data.numClasses),
          }
        : undefined;
      const val = await evaluate(net.model, data.validation, data.numClasses, evalBatch, shared);
      const c0 = performance.now();
      probeTrain = appendEpoch(
        probeTrain,
        await captureFeatures(net.features, data.probeTrain, net.featureDims, evalBatch),
      );
      const pval = shared
        ? { features: shared.out, probs: shared.probs }
        : await captureBoth(both, data.probeValidation, net.featureDims, data.numClasses, evalBatch);
      // A history resumed from an earlier release records features only.
      probeValidation = appendEpoch(probeValidation, pval.features, probeValidation.outputs ? pval.probs : undefined);
      const captureSeconds = (performance.now() - c0) / 1000 + val.captureSeconds;
      const record: EpochRecord = {
        epoch,
        trainLoss: lossSum / data.train.n,
        trainAcc: correct / data.train.n,
        valLoss: val.loss,
        valAcc: val.acc,
        lr: lr0,
        seconds: (performance.now() - t0) / 1000,
        captureSeconds,
      };
      curves.trainLoss.push(record.trainLoss);
      curves.trainAcc.push(record.trainAcc);
      curves.valLoss.push(record.valLoss);
      curves.valAcc.push(record.valAcc);
      curves.lr.push(record.lr);
      curves.seconds.push(record.seconds);
      curves.captureSeconds.push(record.captureSeconds);
      await options.hooks?.onEpochEnd?.(record);
      if (options.checkpoint)
        checkpoint = await captureCheckpoint(net.model, opt, { epoch, budget: train.epochs, seed });
      if (options.hooks?.onSnapshot)
        await options.hooks.onSnapshot({
          epoch,
          curves: copyCurves(curves),
          probeTrain,
          probeValidation,
          seconds: (performance.now() - started) / 1000 + (resume?.previous?.seconds ?? 0),
          parameters,
          ...(checkpoint ? { checkpoint } : {}),
        });
    }
    epoch = epochs;
    if (data.test && (options.evaluateTest ?? true))
      testAcc = (await evaluate(net.model, data.test, data.numClasses, evalBatch)).acc;
  } catch (err) {
    const e = err as Error;
    error = {
      name: err instanceof StopTraining ? "Interrupted" : (e?.name ?? "Error"),
      message: e?.message ?? String(err),
      epoch,
    };
  } finally {
    process.off("SIGINT", onSigint);
    options.signal?.removeEventListener("abort", onAbort);
    optimizer?.dispose();
    // tfjs 4.22 MomentumOptimizer.dispose() forgets its parent's learning-rate scalar: free it.
    // (instanceof cannot tell optimizers apart: tfjs duck-types them with Symbol.hasInstance.)
    if (optimizer && train.optimizer === "sgd") tf.SGDOptimizer.prototype.dispose.call(optimizer);
    built?.model.dispose();
  }
  return {
    status: error ? "failed" : "complete",
    ...(error ? { error } : {}),
    curves,
    probeTrain,
    probeValidation,
    featureDims: probeTrain.dims,
    parameters,
    ...(testAcc !== undefined ? { testAcc } : {}),
    seconds: (performance.now() - started) / 1000 + (resume?.previous?.seconds ?? 0),
    firstEpoch,
    ...(checkpoint ? { checkpoint } : {}),
  };
}

function checkResume(
  resume: NonNullable<TrainOptions["resume"]>,
  train: TrainConfig,
  seed: number,
  epochs: number,
): NonNullable<TrainOptions["resume"]> {
  checkKeys("options.resume", resume, ["checkpoint", "previous"]);
  const c = resume.checkpoint as TrainCheckpoint | undefined;
  const bad = (rule: string, received: string, fix: string): never =>
    fail("invalid-argument", { parameter: "options.resume.checkpoint", rule, received, fix });
  if (!c || typeof c !== "object" || !Array.isArray(c.weights))
    return bad(
      "must be a checkpoint (options.checkpoint: true writes one)",
      show(c),
      "pass result.checkpoint of an earlier run.",
    );
  if (c.budget !== train.epochs)
    bad(
      `must come from a run whose schedule spans the same budget T = ${train.epochs}`,
      `T = ${c.budget}`,
      "resume with the train config that wrote the checkpoint.",
    );
  if (c.seed !== seed)
    bad(`must come from a run with the same seed (${seed})`, `seed ${c.seed}`, "resume with the seed that wrote it.");
  if (!(c.epoch >= 1 && c.epoch < epochs))
    bad(
      `must be after an epoch before the one to train to (1..${epochs - 1})`,
      `epoch ${c.epoch}`,
      "ask for more epochs than the checkpoint has, up to T.",
    );
  const p = resume.previous;
  if (p && p.curves.valAcc.length !== c.epoch)
    fail("invalid-argument", {
      parameter: "options.resume.previous",
      rule: `must have the checkpoint's ${c.epoch} epochs`,
      received: `${p.curves.valAcc.length} epochs`,
      fix: "pass the result that wrote the checkpoint, or leave `previous` out.",
    });
  return resume;
}
