import { fail, show } from "../core/errors.js";
import { checkBoolean, checkKeys, checkNumber, checkOneOf, checkShape } from "../core/validate.js";
import { parseCell, type CellOp } from "../space/cell.js";
import type { Scalar } from "../space/params.js";
import type { ModelFunction, UserModelConfig } from "./user-model.js";

/** The CNN family for HPO: `depth` conv blocks, channels width, 2*width, 4*width, 4*width... */
export interface CnnConfig {
  readonly family: "cnn";
  readonly depth: number;
  readonly width: number;
  readonly kernel: number;
  readonly pooling: "max" | "avg";
  readonly batchNorm: boolean;
  readonly dropout: number;
  /** How features reach the classifier: global average pooling (default) or flatten. */
  readonly head: "gap" | "flatten";
}

/** A NAS-Bench-201-style cell network: stem, `stages` of `cellsPerStage` cells, reductions between. */
export interface NasCellConfig {
  readonly family: "nas-cell";
  readonly cell: readonly CellOp[];
  readonly stages: number;
  readonly cellsPerStage: number;
  readonly channels: number;
  /** Stride of the stem convolution: 2 halves the resolution the cells run at (4x less compute). */
  readonly stemStride: number;
}

/** A pre-activation-free basic-block ResNet (He et al.), the benchmark's "small ResNet". */
export interface ResNetConfig {
  readonly family: "resnet";
  readonly stages: number;
  readonly blocksPerStage: number;
  readonly width: number;
}

/** A built-in family, or the user's model function (user-model.ts). */
export type ModelConfig = CnnConfig | NasCellConfig | ResNetConfig | UserModelConfig;

/** How a candidate trains: optimizer, learning-rate schedule, batch size, weight decay, augmentation, epochs. */
export interface TrainConfig {
  readonly optimizer: "sgd" | "adam";
  /** Peak learning rate. */
  readonly lr: number;
  /** SGD momentum (ignored by Adam). */
  readonly momentum: number;
  /** L2 penalty on conv and dense kernels, added to the loss. */
  readonly weightDecay: number;
  readonly schedule: "cosine" | "step" | "constant";
  /** Step schedule: multiply lr by 0.1 at these fractions of the budget. */
  readonly stepAt: readonly number[];
  readonly batchSize: number;
  /** Epochs of the full budget T (the schedule spans them). */
  readonly epochs: number;
  /** Batch-norm moving-average momentum; 0.9 so early-epoch inference statistics are not stale. */
  readonly bnMomentum: number;
  /**
   * Linear warm-up over the first `warmup` epochs (fractions allowed), from lr/100 to lr; the
   * schedule then spans the remaining epochs of the budget. Must be shorter than the budget. Default 0.
   */
  readonly warmup: number;
}

/** The training configuration every candidate starts from (optimizer, schedule, batch size, epochs ...). */
export const TRAIN_DEFAULTS: TrainConfig = {
  optimizer: "sgd",
  lr: 0.05,
  momentum: 0.9,
  weightDecay: 5e-4,
  schedule: "cosine",
  stepAt: [0.5, 0.75],
  batchSize: 128,
  epochs: 10,
  bnMomentum: 0.9,
  warmup: 0,
};

const MODEL_KEYS = [
  "family",
  "depth",
  "width",
  "kernel",
  "pooling",
  "batchNorm",
  "dropout",
  "head",
  "cell",
  "stages",
  "cellsPerStage",
  "channels",
  "stemStride",
  "blocksPerStage",
];
const TRAIN_KEYS = [
  "optimizer",
  "lr",
  "adamLr",
  // The presets' name for the Adam rate before it followed the camelCase of every other key: the
  // committed study summaries and older study folders carry it, so it is still read.
  "adam_lr",
  "momentum",
  "weightDecay",
  "schedule",
  "stepAt",
  "batchSize",
  "epochs",
  "bnMomentum",
  "warmup",
];

/** How candidateFromConfig builds a model the user wrote. */
export interface UserModelOptions {
  /** The model function; every config key that is not a training option is passed to it. */
  readonly model: ModelFunction;
  /** The layer whose output is the feature vector. Default "features". */
  readonly featuresLayer?: string;
}

/**
 * Split a flat configuration (as sampled from a space) into a model and a training config,
 * validating every field; unknown keys are rejected. `adamLr` (the presets' Adam rate; `adam_lr` in
 * studies made before the rename) maps to lr.
 * With `user.model`, the model is the user's function: it receives the keys that are not training
 * options (the space it was sampled from validated them).
 */
export function candidateFromConfig(
  config: Readonly<Record<string, Scalar | readonly number[]>>,
  overrides: Partial<TrainConfig> = {},
  user?: UserModelOptions,
): { model: ModelConfig; train: TrainConfig } {
  checkShape(
    "config",
    config,
    "a configuration (an object of parameter values)",
    {},
    "pass a configuration from fh.space.sample(space, seed).",
  );
  checkKeys("overrides", overrides, Object.keys(TRAIN_DEFAULTS));
  if (user !== undefined) {
    checkKeys("user", user, ["model", "featuresLayer"]);
    if (typeof user.model !== "function")
      fail("invalid-argument", {
        parameter: "user.model",
        rule: "must be a function (config, { inputShape, numClasses, seed }) => tf.LayersModel",
        received: show(user.model),
        fix: "pass the function itself, not its result.",
      });
  }
  checkKeys("config", config, user ? [...Object.keys(config)] : [...MODEL_KEYS, ...TRAIN_KEYS]);
  const c = config as Record<string, unknown>;
  let model: ModelConfig;
  if (user) {
    const own = Object.fromEntries(Object.entries(config).filter(([k]) => !TRAIN_KEYS.includes(k)));
    model = { family: "user", build: user.model, config: own, featuresLayer: user.featuresLayer ?? "features" };
    return { model, train: trainConfigFrom(c, overrides) };
  }
  const family = checkOneOf("config.family", c.family, ["cnn", "nas-cell", "resnet"]);
  if (family === "cnn") {
    model = {
      family,
      depth: checkNumber("config.depth", c.depth ?? 2, { integer: true, min: 1, max: 8 }),
      width: checkNumber("config.width", c.width ?? 16, { integer: true, min: 1, max: 1024 }),
      kernel: checkNumber("config.kernel", c.kernel ?? 3, { integer: true, min: 1, max: 11 }),
      pooling: checkOneOf("config.pooling", c.pooling ?? "max", ["max", "avg"]),
      batchNorm: checkBoolean("config.batchNorm", c.batchNorm ?? true),
      dropout: checkNumber("config.dropout", c.dropout ?? 0, { min: 0, max: 0.95 }),
      head: checkOneOf("config.head", c.head ?? "gap", ["gap", "flatten"]),
    };
  } else if (family === "nas-cell") {
    model = {
      family,
      cell: parseCell(c.cell, "config.cell"),
      stages: checkNumber("config.stages", c.stages ?? 2, { integer: true, min: 1, max: 5 }),
      cellsPerStage: checkNumber("config.cellsPerStage", c.cellsPerStage ?? 1, { integer: true, min: 1, max: 8 }),
      channels: checkNumber("config.channels", c.channels ?? 16, { integer: true, min: 1, max: 512 }),
      stemStride: checkNumber("config.stemStride", c.stemStride ?? 1, { integer: true, min: 1, max: 4 }),
    };
  } else {
    model = {
      family,
      stages: checkNumber("config.stages", c.stages ?? 3, { integer: true, min: 1, max: 5 }),
      blocksPerStage: checkNumber("config.blocksPerStage", c.blocksPerStage ?? 2, { integer: true, min: 1, max: 8 }),
      width: checkNumber("config.width", c.width ?? 16, { integer: true, min: 1, max: 512 }),
    };
  }
  return { model, train: trainConfigFrom(c, overrides) };
}

function trainConfigFrom(c: Record<string, unknown>, overrides: Partial<TrainConfig>): TrainConfig {
  const optimizer = checkOneOf("config.optimizer", overrides.optimizer ?? c.optimizer ?? TRAIN_DEFAULTS.optimizer, [
    "sgd",
    "adam",
  ]);
  const lrRaw =
    overrides.lr ?? (optimizer === "adam" ? (c.adamLr ?? c.adam_lr ?? c.lr ?? 1e-3) : (c.lr ?? TRAIN_DEFAULTS.lr));
  const stepAt = overrides.stepAt ?? (c.stepAt as number[] | undefined) ?? TRAIN_DEFAULTS.stepAt;
  if (!Array.isArray(stepAt) || stepAt.some((x) => typeof x !== "number" || !(x > 0 && x < 1))) {
    fail("invalid-argument", {
      parameter: "config.stepAt",
      rule: "must be fractions in (0, 1)",
      received: show(stepAt),
      fix: "pass e.g. [0.5, 0.75].",
    });
  }
  const train: TrainConfig = {
    optimizer,
    lr: checkNumber("config.lr", lrRaw, { above: 0, max: 10 }),
    momentum: checkNumber("config.momentum", overrides.momentum ?? c.momentum ?? TRAIN_DEFAULTS.momentum, {
      min: 0,
      max: 0.999,
    }),
    weightDecay: checkNumber(
      "config.weightDecay",
      overrides.weightDecay ?? c.weightDecay ?? TRAIN_DEFAULTS.weightDecay,
      { min: 0, max: 1 },
    ),
    schedule: checkOneOf("config.schedule", overrides.schedule ?? c.schedule ?? TRAIN_DEFAULTS.schedule, [
      "cosine",
      "step",
      "constant",
    ]),
    stepAt,
    batchSize: checkNumber("config.batchSize", overrides.batchSize ?? c.batchSize ?? TRAIN_DEFAULTS.batchSize, {
      integer: true,
      min: 1,
      max: 65536,
    }),
    epochs: checkNumber("config.epochs", overrides.epochs ?? c.epochs ?? TRAIN_DEFAULTS.epochs, {
      integer: true,
      min: 1,
      max: 10000,
    }),
    bnMomentum: checkNumber("config.bnMomentum", overrides.bnMomentum ?? c.bnMomentum ?? TRAIN_DEFAULTS.bnMomentum, {
      min: 0,
      max: 0.9999,
    }),
    warmup: 0,
  };
  const warmup = checkNumber("config.warmup", overrides.warmup ?? c.warmup ?? TRAIN_DEFAULTS.warmup, { min: 0 });
  if (warmup >= train.epochs)
    fail("invalid-argument", {
      parameter: "config.warmup",
      rule: `must be shorter than the budget (${train.epochs} epochs): the schedule needs epochs after it`,
      received: show(warmup),
      fix: `pass a warm-up of a few epochs, e.g. ${Math.max(0, Math.min(5, Math.floor(train.epochs / 10)))}, or 0.`,
    });
  return { ...train, warmup };
}

/** Learning rate at a fractional position `progress` in [0, 1) of the full budget. */
export function learningRateAt(train: TrainConfig, progress: number): number {
  checkShape(
    "train",
    train,
    "a training config",
    { lr: "number", epochs: "number", schedule: "string" },
    "pass candidateFromConfig(config).train.",
  );
  checkNumber("progress", progress, { min: 0, max: 1 });
  const w = (train.warmup ?? 0) / train.epochs;
  if (w > 0) {
    if (progress < w) return train.lr * (0.01 + 0.99 * (progress / w));
    progress = (progress - w) / (1 - w);
  }
  switch (train.schedule) {
    case "constant":
      return train.lr;
    case "cosine":
      return 0.5 * train.lr * (1 + Math.cos(Math.PI * Math.min(1, Math.max(0, progress))));
    case "step":
      return train.lr * 0.1 ** train.stepAt.filter((s) => progress >= s).length;
  }
}
