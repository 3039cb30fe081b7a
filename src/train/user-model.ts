/**
 * Models the user writes: a function from a sampled configuration to a tf.LayersModel, instead
 * of a built-in family. The feature history is read from one layer of that model, by name
 * ("features" unless told otherwise): its output must be one vector per image (apply global
 * pooling or flatten before it). Everything that can be wrong with a returned model is reported
 * with the layer names it has and the fix; inside trainCandidate such an error makes a failed
 * trial, and the search goes on.
 */
import * as tf from "@tensorflow/tfjs";
import { fail, show } from "../core/errors.js";
import type { Scalar } from "../space/params.js";
import type { BuiltModel } from "./models.js";
import { checkShape } from "../core/validate.js";

/** What a model function gets besides the configuration. */
export interface ModelContext {
  /** [height, width, channels] of one image. */
  readonly inputShape: readonly [number, number, number];
  readonly numClasses: number;
  /** Seed for the model's initialisers (and dropout), derived from the trial's seed. */
  readonly seed: number;
  /**
   * The toolkit's TensorFlow.js: build the model with it. A module that imports its own
   * @tensorflow/tfjs (another copy, e.g. from another node_modules) would build models that the
   * toolkit's backend cannot train.
   */
  readonly tf: typeof tf;
}

/** A model function: `(config, { inputShape, numClasses, seed }) => tf.LayersModel`, logits out. */
export type ModelFunction = (
  config: Readonly<Record<string, Scalar | readonly number[]>>,
  context: ModelContext,
) => tf.LayersModel;

/** A user model as trainCandidate takes it: the function, the configuration it gets, the features layer. */
export interface UserModelConfig {
  readonly family: "user";
  readonly build: ModelFunction;
  /** The keys of the sampled configuration that are not training options. */
  readonly config: Readonly<Record<string, Scalar | readonly number[]>>;
  /** The layer whose output is the feature vector. Default "features". */
  readonly featuresLayer: string;
}

function bad(rule: string, received: string, fix: string): never {
  return fail("invalid-argument", { parameter: "model function", rule, received, fix });
}

/** Call the user's function and check what it returns: a model for these images, logits, a features layer. */
export function buildUserModel(
  spec: UserModelConfig,
  inputShape: readonly [number, number, number],
  numClasses: number,
  seed: number,
): BuiltModel {
  checkShape(
    "spec",
    spec,
    "a user model config",
    { build: "function", config: "object", featuresLayer: "string" },
    "pass candidateFromConfig(config, {}, { model }).model.",
  );
  const model = spec.build(spec.config, { inputShape, numClasses, seed, tf });
  const m = model as unknown as Partial<tf.LayersModel> | null | undefined;
  if (!m || typeof m !== "object" || !Array.isArray(m.layers) || !Array.isArray(m.inputs) || !Array.isArray(m.outputs))
    bad(
      "must return a tf.LayersModel (tf.model(...) or tf.sequential(...))",
      show(model),
      "return the model, built from the `tf` that the toolkit uses.",
    );
  try {
    return checked(spec, model, inputShape, numClasses);
  } catch (err) {
    model.dispose(); // a rejected model's weights are freed, not leaked per failed trial
    throw err;
  }
}

function checked(
  spec: UserModelConfig,
  model: tf.LayersModel,
  inputShape: readonly [number, number, number],
  numClasses: number,
): BuiltModel {
  const names = model.layers.map((l) => l.name);
  const features = model.layers.find((l) => l.name === spec.featuresLayer);
  if (!features)
    bad(
      `must have a layer named "${spec.featuresLayer}" whose output is the feature vector`,
      `layers ${names.join(", ")}`,
      `give the penultimate layer (after pooling or flatten) name: "${spec.featuresLayer}", or pass featuresLayer with one of these names.`,
    );
  const want = [null, ...inputShape].join(",");
  const got = (model.inputs[0]?.shape ?? []).join(",");
  if (model.inputs.length !== 1 || got !== want)
    bad(
      `must take one input of shape [null, ${inputShape.join(", ")}]`,
      `inputs [${model.inputs.map((i) => `[${i.shape.join(", ")}]`).join(", ")}]`,
      "build the input with tf.input({ shape: context.inputShape }).",
    );
  const out = model.outputs[0]!.shape;
  if (model.outputs.length !== 1 || out.length !== 2 || out[1] !== numClasses)
    bad(
      `must output logits of shape [null, ${numClasses}] (one per class, no softmax needed)`,
      `outputs [${model.outputs.map((o) => `[${o.shape.join(", ")}]`).join(", ")}]`,
      "end with tf.layers.dense({ units: context.numClasses }).",
    );
  const fOut = features.output as tf.SymbolicTensor | tf.SymbolicTensor[];
  if (Array.isArray(fOut) || fOut.shape.length !== 2 || !(fOut.shape[1]! > 0))
    bad(
      `layer "${spec.featuresLayer}" must output one vector per image ([null, dims])`,
      Array.isArray(fOut) ? `${fOut.length} outputs` : `[${fOut.shape.join(", ")}]`,
      "apply tf.layers.globalAveragePooling2d() or tf.layers.flatten() and name that layer.",
    );
  const featuresModel = tf.model({ inputs: model.inputs, outputs: fOut });
  return { model, features: featuresModel, featureDims: fOut.shape[1]! };
}
