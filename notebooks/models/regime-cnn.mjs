// A user-defined CNN family for the estimator regimes (fh.study.regimePlans: "weak"), written
// against the user-model API as a researcher's own module would be: workers import it by path.
// It builds with the toolkit's tfjs (context.tf).
//
// `depth` conv blocks of `width` channels (doubling after the second), an activation chosen by
// the space (relu, elu, tanh or sigmoid: deep sigmoid nets without batch norm learn slowly or not
// at all, which is the point of the space), optional batch norm, max pooling while the map is
// larger than 4x4, global average pooling named "features", dropout, the logits.
export function regimeCnn(config, { inputShape, numClasses, seed, tf }) {
  const input = tf.input({ shape: [...inputShape] });
  let x = input;
  let size = inputShape[0];
  for (let i = 0; i < config.depth; i++) {
    const filters = config.width * (i >= 2 ? 2 : 1);
    x = tf.layers
      .conv2d({
        filters,
        kernelSize: 3,
        padding: "same",
        useBias: !config.batchNorm,
        kernelInitializer: tf.initializers.heNormal({ seed: seed + i }),
      })
      .apply(x);
    if (config.batchNorm) x = tf.layers.batchNormalization({ momentum: 0.9 }).apply(x);
    x = tf.layers.activation({ activation: config.activation }).apply(x);
    if (size > 4) {
      x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(x);
      size = Math.floor(size / 2);
    }
  }
  x = tf.layers.globalAveragePooling2d({ name: "features" }).apply(x);
  if (config.dropout > 0) x = tf.layers.dropout({ rate: config.dropout, seed: seed + 97 }).apply(x);
  const logits = tf.layers
    .dense({ units: numClasses, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 99 }) })
    .apply(x);
  return tf.model({ inputs: input, outputs: logits });
}
