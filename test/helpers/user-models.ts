// Model functions that worker processes import by module path in the live-search tests (a model
// travels as { module, exportName }, never as source).
import * as tf from "@tensorflow/tfjs";
import type { ModelFunction } from "../../src/train/user-model.js";

/** A small CNN whose width is the config's `filters`; its features layer is "features". */
export const smallNet: ModelFunction = (config, { inputShape, numClasses, seed }) => {
  const input = tf.input({ shape: [...inputShape] });
  let x = tf.layers
    .conv2d({
      filters: Number(config.filters),
      kernelSize: 3,
      padding: "same",
      activation: "relu",
      kernelInitializer: tf.initializers.heNormal({ seed }),
    })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: "features" }).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers
    .dense({ units: numClasses, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits });
};

/** Throws for wide configurations: those trials fail, the search goes on. */
export const sometimesBroken: ModelFunction = (config, context) => {
  if (Number(config.filters) > 5) throw new Error(`no room for ${config.filters} filters`);
  return smallNet(config, context);
};

/** A model whose logits are NaN from the start: its training loss is NaN, a failed trial. */
export const nanNet: ModelFunction = (config, context) => {
  const { tf } = context;
  const input = tf.input({ shape: [...context.inputShape] });
  const x = tf.layers.globalAveragePooling2d({ name: "features" }).apply(input) as tf.SymbolicTensor;
  const logits = tf.layers
    .dense({ units: context.numClasses, kernelInitializer: tf.initializers.constant({ value: Number.NaN }) })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits });
};
