// The model of notebooks/04-live-search.ipynb, in a module so that worker processes can import it
// (a model travels to workers as { module, exportName }). It builds with the toolkit's tfjs
// (context.tf), so it needs no import of its own.
//
// A small VGG-style CNN: two conv blocks (widths `width1`, `width2`, kernel `kernel`, optional
// batch norm), global average pooling named "features" (what the feature history records),
// optional dropout, the logits.
export function liveCnn(config, { inputShape, numClasses, seed, tf }) {
  const init = (k) => tf.initializers.heNormal({ seed: seed + k });
  const input = tf.input({ shape: [...inputShape] });
  let x = input;
  [config.width1, config.width2].forEach((width, i) => {
    x = tf.layers
      .conv2d({ filters: width, kernelSize: config.kernel, padding: "same", useBias: !config.batchNorm, kernelInitializer: init(i) })
      .apply(x);
    if (config.batchNorm) x = tf.layers.batchNormalization({ momentum: 0.9 }).apply(x);
    x = tf.layers.activation({ activation: "relu" }).apply(x);
    x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(x);
  });
  x = tf.layers.globalAveragePooling2d({ name: "features" }).apply(x);
  if (config.dropout > 0) x = tf.layers.dropout({ rate: config.dropout, seed: seed + 7 }).apply(x);
  const logits = tf.layers
    .dense({ units: numClasses, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 9 }) })
    .apply(x);
  return tf.model({ inputs: input, outputs: logits });
}
