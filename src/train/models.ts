import { fail, show } from "../core/errors.js";
import * as tf from "@tensorflow/tfjs";
import { createRng, type Rng } from "../core/random.js";
import { CELL_EDGES } from "../space/cell.js";
import { batchNormalization } from "./batch-norm.js";
import { buildUserModel } from "./user-model.js";
import { conv2d as conv2dLayer } from "./conv.js";
import type { CnnConfig, ModelConfig, NasCellConfig, ResNetConfig } from "./config.js";
import { checkNumber, checkShape } from "../core/validate.js";

/** The trainable model and, sharing its weights, the model that outputs the penultimate features. */
export interface BuiltModel {
  readonly model: tf.LayersModel;
  readonly features: tf.LayersModel;
  readonly featureDims: number;
}

/** A cell whose output node receives nothing computes zeros (as in NAS-Bench-201). */
class ZeroLike extends tf.layers.Layer {
  static className = "FhZeroLike";
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.zerosLike(Array.isArray(inputs) ? inputs[0]! : inputs);
  }
}
tf.serialization.registerClass(ZeroLike);

interface Ctx {
  rng: Rng;
  bnMomentum: number;
  n: number;
}

const init = (ctx: Ctx) => tf.initializers.heNormal({ seed: ctx.rng.int(2 ** 31) });
const name = (ctx: Ctx, base: string) => `${base}_${ctx.n++}`;

function conv(
  ctx: Ctx,
  x: tf.SymbolicTensor,
  filters: number,
  kernel: number,
  strides = 1,
  bias = false,
): tf.SymbolicTensor {
  return conv2dLayer({
    filters,
    kernelSize: kernel,
    strides,
    padding: "same",
    useBias: bias,
    kernelInitializer: init(ctx),
    name: name(ctx, "conv"),
  }).apply(x) as tf.SymbolicTensor;
}
function bn(ctx: Ctx, x: tf.SymbolicTensor): tf.SymbolicTensor {
  return batchNormalization({ momentum: ctx.bnMomentum, name: name(ctx, "bn") }).apply(x) as tf.SymbolicTensor;
}
function relu(ctx: Ctx, x: tf.SymbolicTensor): tf.SymbolicTensor {
  return tf.layers.activation({ activation: "relu", name: name(ctx, "relu") }).apply(x) as tf.SymbolicTensor;
}
function add(ctx: Ctx, xs: tf.SymbolicTensor[]): tf.SymbolicTensor {
  return xs.length === 1 ? xs[0]! : (tf.layers.add({ name: name(ctx, "add") }).apply(xs) as tf.SymbolicTensor);
}

function cnnBody(ctx: Ctx, x: tf.SymbolicTensor, c: CnnConfig): tf.SymbolicTensor {
  let size = x.shape[1] ?? 28;
  for (let i = 0; i < c.depth; i++) {
    x = conv(ctx, x, c.width * 2 ** Math.min(i, 2), c.kernel, 1, !c.batchNorm);
    if (c.batchNorm) x = bn(ctx, x);
    x = relu(ctx, x);
    if (size >= 2) {
      const pool = c.pooling === "max" ? tf.layers.maxPooling2d : tf.layers.averagePooling2d;
      x = pool({ poolSize: 2, strides: 2, name: name(ctx, "pool") }).apply(x) as tf.SymbolicTensor;
      size = Math.floor(size / 2);
    }
  }
  return x;
}

/** ReLU-Conv-BN as NAS-Bench-201 defines its conv ops. */
function cellOp(ctx: Ctx, x: tf.SymbolicTensor, op: string, channels: number): tf.SymbolicTensor {
  switch (op) {
    case "skip":
      return x;
    case "conv1x1":
      return bn(ctx, conv(ctx, relu(ctx, x), channels, 1));
    case "conv3x3":
      return bn(ctx, conv(ctx, relu(ctx, x), channels, 3));
    case "avgpool3x3":
      return tf.layers
        .averagePooling2d({ poolSize: 3, strides: 1, padding: "same", name: name(ctx, "avgpool") })
        .apply(x) as tf.SymbolicTensor;
    default:
      throw new Error(`unknown cell op ${op}`);
  }
}

/** Nodes whose value reaches the output node 3 through non-none edges. */
function liveNodes(cell: NasCellConfig["cell"]): boolean[] {
  const live = [false, false, false, true];
  for (let j = 2; j >= 0; j--)
    live[j] = CELL_EDGES.some(([to, from], e) => from === j && cell[e] !== "none" && live[to]);
  return live;
}

function nasCell(ctx: Ctx, x: tf.SymbolicTensor, c: NasCellConfig, channels: number): tf.SymbolicTensor {
  // Only the part of the DAG that reaches the output is built: a layer outside the model would
  // own weights that model.dispose() never frees.
  const live = liveNodes(c.cell);
  const nodes: (tf.SymbolicTensor | undefined)[] = [x];
  for (let j = 1; j <= 3; j++) {
    const terms: tf.SymbolicTensor[] = [];
    CELL_EDGES.forEach(([to, from], e) => {
      const input = nodes[from];
      if (to !== j || !live[j] || c.cell[e] === "none" || input === undefined) return;
      terms.push(cellOp(ctx, input, c.cell[e]!, channels));
    });
    nodes.push(terms.length ? add(ctx, terms) : undefined);
  }
  return nodes[3] ?? (new ZeroLike({ name: name(ctx, "zero") }).apply(x) as tf.SymbolicTensor);
}

function nasBody(ctx: Ctx, x: tf.SymbolicTensor, c: NasCellConfig): tf.SymbolicTensor {
  x = bn(ctx, conv(ctx, x, c.channels, 3, c.stemStride));
  for (let s = 0; s < c.stages; s++) {
    const ch = c.channels * 2 ** s;
    if (s > 0) x = relu(ctx, bn(ctx, conv(ctx, x, ch, 3, 2))); // reduction
    for (let k = 0; k < c.cellsPerStage; k++) x = nasCell(ctx, x, c, ch);
  }
  return relu(ctx, bn(ctx, x));
}

function resnetBody(ctx: Ctx, x: tf.SymbolicTensor, c: ResNetConfig): tf.SymbolicTensor {
  x = relu(ctx, bn(ctx, conv(ctx, x, c.width, 3)));
  for (let s = 0; s < c.stages; s++) {
    const ch = c.width * 2 ** s;
    for (let b = 0; b < c.blocksPerStage; b++) {
      const stride = s > 0 && b === 0 ? 2 : 1;
      let y = relu(ctx, bn(ctx, conv(ctx, x, ch, 3, stride)));
      y = bn(ctx, conv(ctx, y, ch, 3));
      const shortcut = stride !== 1 || (x.shape[3] ?? ch) !== ch ? bn(ctx, conv(ctx, x, ch, 1, stride)) : x;
      x = relu(ctx, add(ctx, [y, shortcut]));
    }
  }
  return x;
}

/**
 * Build a model for `inputShape` [h, w, c] and `numClasses`. The features model outputs the
 * penultimate activations (after global pooling or flatten, before dropout and the classifier).
 * Weights are initialised from `seed`.
 */
export function buildModel(
  config: ModelConfig,
  inputShape: readonly [number, number, number],
  numClasses: number,
  seed: number,
  bnMomentum = 0.9,
): BuiltModel {
  checkShape("config", config, "a model config", { family: "string" }, "pass candidateFromConfig(config).model.");
  if (!Array.isArray(inputShape) || inputShape.length !== 3 || inputShape.some((d) => !Number.isInteger(d) || d < 1))
    fail("invalid-argument", {
      parameter: "inputShape",
      rule: "must be [height, width, channels] of positive integers",
      received: show(inputShape),
      fix: "pass e.g. [28, 28, 1].",
    });
  checkNumber("numClasses", numClasses, { integer: true, min: 2 });
  checkNumber("seed", seed, { integer: true });
  if (config.family === "user") return buildUserModel(config, inputShape, numClasses, seed);
  const ctx: Ctx = { rng: createRng(seed), bnMomentum, n: 0 };
  const input = tf.input({ shape: [...inputShape], name: "images" });
  let x: tf.SymbolicTensor;
  let head: "gap" | "flatten" = "gap";
  let dropout = 0;
  if (config.family === "cnn") {
    x = cnnBody(ctx, input, config);
    head = config.head;
    dropout = config.dropout;
  } else if (config.family === "nas-cell") {
    x = nasBody(ctx, input, config);
  } else {
    x = resnetBody(ctx, input, config);
  }
  const feats = (
    head === "gap" ? tf.layers.globalAveragePooling2d({ name: "features" }) : tf.layers.flatten({ name: "features" })
  ).apply(x) as tf.SymbolicTensor;
  let y = feats;
  if (dropout > 0)
    y = tf.layers.dropout({ rate: dropout, seed: ctx.rng.int(2 ** 31), name: "dropout" }).apply(y) as tf.SymbolicTensor;
  const logits = tf.layers
    .dense({
      units: numClasses,
      kernelInitializer: tf.initializers.glorotUniform({ seed: ctx.rng.int(2 ** 31) }),
      name: "logits",
    })
    .apply(y) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: logits });
  const features = tf.model({ inputs: input, outputs: feats });
  return { model, features, featureDims: feats.shape[feats.shape.length - 1] ?? 0 };
}
