// Run by test/train/webgpu.test.ts in a child process (the Vulkan driver is chosen by
// environment variables read at process start): gradients of the training ops, SGD trajectories
// of built models and one epoch of the toolkit's training loop, on the webgpu backend against the
// cpu backend. Every tensor read is asynchronous (dataSync fails on GPU tensors in Node).
// Prints one JSON line.
import * as tf from "@tensorflow/tfjs";
import { resolveBackend } from "../../src/train/backend.js";
import { closeWebGpu } from "../../src/train/webgpu.js";
import { candidateFromConfig } from "../../src/train/config.js";
import { prepareData, trainCandidate } from "../../src/train/loop.js";
import { syntheticDataset } from "../../src/data/synthetic.js";
import { makeSplits } from "../../src/data/splits.js";
import type { ModelConfig } from "../../src/train/config.js";
import { epochCount } from "../../src/history/feature-history.js";
import { relError, sgdLosses, values } from "./numeric.js";

async function read(ts: tf.Tensor[]): Promise<Float32Array[]> {
  const out = await Promise.all(ts.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(ts);
  return out;
}

type OpCase = { name: string; shapes: number[][]; f: (...xs: tf.Tensor[]) => tf.Tensor };
const OPS: OpCase[] = [
  {
    name: "conv2d s1",
    shapes: [
      [2, 9, 9, 3],
      [3, 3, 3, 4],
    ],
    f: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same"),
  },
  {
    name: "conv2d s2",
    shapes: [
      [2, 9, 9, 3],
      [3, 3, 3, 4],
    ],
    f: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, "same"),
  },
  { name: "maxPool", shapes: [[2, 8, 8, 3]], f: (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, "valid") },
  { name: "avgPool 3x3 same", shapes: [[2, 7, 7, 3]], f: (x) => tf.avgPool(x as tf.Tensor4D, 3, 1, "same") },
  { name: "relu", shapes: [[4, 33]], f: (x) => tf.relu(x) },
  {
    name: "matMul",
    shapes: [
      [4, 12],
      [12, 5],
    ],
    f: (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
  },
  {
    name: "batch norm (training)",
    shapes: [[4, 5, 5, 3], [3], [3]],
    f: (x, g, b) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      return tf.batchNorm(x as tf.Tensor4D, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, 1e-3);
    },
  },
];

async function opGrads(c: OpCase): Promise<Float32Array[]> {
  const xs = c.shapes.map((s, i) =>
    tf.tensor(
      values(
        s.reduce((a, b) => a * b, 1),
        i + 1,
      ),
      s,
    ),
  );
  const out = tf.tidy(() => {
    const probe = (y: tf.Tensor) => tf.sum(tf.mul(y, tf.sin(tf.range(0, y.size).reshape(y.shape))));
    return [c.f(...xs), ...tf.grads((...args: tf.Tensor[]) => probe(c.f(...args)))(xs)];
  });
  tf.dispose(xs);
  return read(out);
}

const MODELS: ModelConfig[] = [
  { family: "cnn", depth: 2, width: 8, kernel: 3, pooling: "max", batchNorm: false, dropout: 0, head: "flatten" },
  { family: "resnet", stages: 2, blocksPerStage: 1, width: 8 },
];

async function onBoth<T>(f: () => Promise<T>): Promise<{ webgpu: T; cpu: T }> {
  await tf.setBackend("webgpu");
  const webgpu = await f();
  await tf.setBackend("cpu");
  (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
  const cpu = await f();
  await tf.setBackend("webgpu");
  return { webgpu, cpu };
}

const report = await resolveBackend({ backend: "webgpu" });
const result: Record<string, unknown> = { backend: report.chosen, adapter: report.gpu?.description, ops: {}, sgd: {} };
for (const c of OPS) {
  const r = await onBoth(() => opGrads(c));
  (result.ops as Record<string, number>)[c.name] = Math.max(...r.webgpu.map((w, i) => relError(w, r.cpu[i]!)));
}
for (const m of MODELS) {
  const r = await onBoth(() => sgdLosses(m, { steps: 5, batch: 4 }));
  (result.sgd as Record<string, unknown>)[m.family] = {
    webgpu: r.webgpu,
    cpu: r.cpu,
    error: relError(r.webgpu, r.cpu),
  };
}
// The toolkit's whole loop (batches, evaluation, feature capture, test accuracy) on webgpu.
const ds = syntheticDataset({ seed: 1, train: 96, test: 32, size: 8 });
const data = prepareData(makeSplits(ds, { train: 64, validation: 32, probeTrain: 16, probeValidation: 16, seed: 0 }), {
  includeTest: true,
});
const { model, train } = candidateFromConfig(
  { family: "cnn", depth: 2, width: 8, kernel: 3, pooling: "max", batchNorm: true, dropout: 0, head: "gap" },
  { epochs: 2, batchSize: 16 },
);
await tf.setBackend("webgpu");
const loop = await trainCandidate(model, train, data, { seed: 0 });
// A ResNet has more kernels than WebGPU's 8 storage buffers per stage: the weight-decay sum must
// still be computed. The loss curve is the cross-entropy alone, so with the same seed the two runs
// differ only through the decay's gradient: a sum that silently stays zero gives equal curves.
const resnet = candidateFromConfig(
  { family: "resnet", stages: 3, blocksPerStage: 2, width: 4 },
  { epochs: 1, batchSize: 32 },
);
const firstLoss = async (weightDecay: number) =>
  (await trainCandidate(resnet.model, { ...resnet.train, weightDecay }, data, { seed: 0 })).curves.trainLoss[0];
const withDecay = await firstLoss(1);
const withoutDecay = await firstLoss(0);
result.weightDecay = { withDecay, withoutDecay };
result.loop = {
  status: loop.status,
  error: loop.error?.message,
  epochs: loop.curves.valAcc.length,
  finite: loop.curves.trainLoss.every(Number.isFinite),
  featureEpochs: epochCount(loop.probeTrain),
  testAcc: loop.testAcc,
};
result.tensorsLeft = tf.memory().numTensors;
console.log(JSON.stringify(result));
closeWebGpu();
