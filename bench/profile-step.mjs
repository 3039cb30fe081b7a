// Where the time of one training step goes: tf.profile over one SGD step (batch 128, 28x28x1)
// of each benchmark model, kernels grouped by name, on the chosen backend. Prints the wall time,
// the sum of kernel times and the top kernels. Used for docs/native-kernels.md; compare
// FH_NATIVE_KERNELS=off (tfjs's own kernels) with the default (fused).
//   npm run build && node bench/profile-step.mjs [tiny-cnn|small-resnet|nas-cell ...]
import * as tf from "@tensorflow/tfjs";
import * as fh from "../dist/index.js";
import { BENCH_MODELS } from "./models.mjs";

const report = await fh.train.resolveBackend();
console.log(fh.train.formatBackendReport(report).split("\n").slice(0, 2).join("\n"));
const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(BENCH_MODELS);
const B = 128;
for (const name of names) {
  const { model } = fh.train.candidateFromConfig(BENCH_MODELS[name], { epochs: 1 });
  const built = fh.train.buildModel(model, [28, 28, 1], 10, 0, 0.9);
  const opt = tf.train.momentum(0.05, 0.9);
  const kernels = built.model.trainableWeights.filter((w) => w.name.includes("kernel")).map((w) => w.read());
  const x = tf.randomNormal([B, 28, 28, 1]);
  const y = tf.tidy(() => tf.oneHot(tf.randomUniformInt([B], 0, 10), 10));
  const step = () =>
    tf.tidy(() =>
      opt.minimize(() => {
        const ce = tf.losses.softmaxCrossEntropy(y, built.model.apply(x, { training: true }));
        const l2 = tf.addN(kernels.map((k) => tf.sum(tf.square(k))));
        return tf.add(ce, tf.mul(0.5 * 5e-4, l2));
      }, true),
    );
  for (let i = 0; i < 5; i++) (await step()).dispose?.();
  const times = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    const l = step();
    await l.data();
    l.dispose();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const wall = times[5];
  const prof = await tf.profile(async () => {
    const l = step();
    await l.data();
    l.dispose();
  });
  const by = new Map();
  let total = 0;
  // "<op>__op" entries wrap the kernels they run (tf.fused.conv2d): count only the kernels.
  for (const k of prof.kernels.filter((x) => !x.name.endsWith("__op"))) {
    const ms = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
    total += ms;
    const e = by.get(k.name) ?? { n: 0, ms: 0 };
    e.n++;
    e.ms += ms;
    by.set(k.name, e);
  }
  console.log(
    `\n${name}: step ${wall.toFixed(1)} ms median of 10 (${((B / wall) * 1000).toFixed(0)} img/s); ` +
      `${prof.kernels.length} kernels, ${total.toFixed(1)} ms inside kernels (profiled step), ` +
      `${(wall - total).toFixed(1)} ms outside`,
  );
  for (const [k, e] of [...by.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12))
    console.log(`  ${k.padEnd(28)} x${String(e.n).padStart(4)}  ${e.ms.toFixed(1).padStart(7)} ms`);
  tf.dispose([x, y]);
  opt.dispose();
  built.model.dispose();
}
