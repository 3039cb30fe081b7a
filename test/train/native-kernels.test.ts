// The fused kernels of the native backend against tfjs's own math: values, gradients, moving
// statistics, several shapes, training and inference mode; the gradient guard on other backends;
// a few SGD steps of built models against the cpu backend.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { resolveBackend } from "../../src/train/backend.js";
import { batchNormalization } from "../../src/train/batch-norm.js";
import { conv2d } from "../../src/train/conv.js";
import { fusedBatchNormTrain, nativeKernelsActive } from "../../src/train/native-kernels.js";
import type { ModelConfig } from "../../src/train/config.js";
import { nativeInstalled } from "../helpers/backends.js";
import { relError, sgdLosses, values } from "../helpers/numeric.js";

const native = nativeInstalled();
const opts = native.installed ? {} : { skip: native.reason };

async function useNative(): Promise<void> {
  const report = await resolveBackend({ backend: "tensorflow" });
  assert.equal(report.chosen, "tensorflow");
  assert.equal(report.nativeKernels, "fused");
  assert.ok(nativeKernelsActive());
}

async function useCpu(): Promise<void> {
  await tf.setBackend("cpu");
  // The cpu backend prints an "install tfjs-node" banner on first use; these tests use it on purpose.
  (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
}

const SHAPES: [number, number, number, number][] = [
  [2, 5, 5, 3],
  [8, 7, 7, 16],
  [3, 4, 6, 1],
  [16, 2, 2, 8],
];

test("fused batch norm: output, moving statistics and gradients match tfjs's own math", opts, async () => {
  await useNative();
  const eps = 1e-3;
  const momentum = 0.9;
  for (const [si, shape] of SHAPES.entries()) {
    const [b, h, w, c] = shape;
    const n = b * h * w;
    const x = tf.tensor4d(values(n * c, si, 2, 0.5), shape);
    const scale = tf.tensor1d(values(c, si + 10, 0.5, 1));
    const offset = tf.tensor1d(values(c, si + 20, 0.3));
    const mm = tf.tensor1d(values(c, si + 30, 0.1));
    const mv = tf.tensor1d(values(c, si + 40, 0.2, 1));
    const probe = tf.tensor4d(values(n * c, si + 50), shape); // loss = sum(y * probe)
    const before = tf.memory().numTensors;

    const fused = tf.tidy(() => {
      const out = fusedBatchNormTrain(x, scale, offset, mm, mv, eps, momentum);
      const g = tf.grads((xx: tf.Tensor, s: tf.Tensor, o: tf.Tensor) =>
        tf.sum(
          tf.mul(
            fusedBatchNormTrain(xx as tf.Tensor4D, s as tf.Tensor1D, o as tf.Tensor1D, mm, mv, eps, momentum).y,
            probe,
          ),
        ),
      )([x, scale, offset]);
      return [out.y, out.mean, out.variance, ...g].map((t) => t.dataSync());
    });
    assert.equal(tf.memory().numTensors, before, `no tensor leaks ${shape}`);

    const ref = tf.tidy(() => {
      const f = (xx: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
        const { mean, variance } = tf.moments(xx, [0, 1, 2]);
        return tf.batchNorm(xx as tf.Tensor4D, mean, variance, o as tf.Tensor1D, s as tf.Tensor1D, eps);
      };
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      // TensorFlow's convention (stated in native-kernels.ts): the unbiased batch variance.
      const unbiased = tf.mul(variance, n / (n - 1));
      const newMean = tf.add(tf.mul(mm, momentum), tf.mul(mean, 1 - momentum));
      const newVar = tf.add(tf.mul(mv, momentum), tf.mul(unbiased, 1 - momentum));
      const g = tf.grads((xx: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => tf.sum(tf.mul(f(xx, s, o), probe)))([
        x,
        scale,
        offset,
      ]);
      return [f(x, scale, offset), newMean, newVar, ...g].map((t) => t.dataSync());
    });
    const names = ["y", "moving mean", "moving variance", "dx", "dscale", "doffset"];
    names.forEach((name, i) => {
      const e = relError(fused[i]!, ref[i]!);
      assert.ok(e <= 2e-5, `${name} ${shape}: relative error ${e}`);
    });
    tf.dispose([x, scale, offset, mm, mv, probe]);
  }
});

test("the fused layer equals tfjs-layers' batch norm in training and inference mode", opts, async () => {
  await useNative();
  const shape: [number, number, number, number] = [6, 5, 5, 4];
  const n = 6 * 5 * 5;
  const make = (fused: boolean) => {
    const layer = fused
      ? batchNormalization({ momentum: 0.9, name: "bn_fused" })
      : tf.layers.batchNormalization({ momentum: 0.9, name: "bn_stock" });
    layer.build(shape);
    layer.setWeights([
      tf.tensor1d(values(4, 1, 0.3, 1)),
      tf.tensor1d(values(4, 2, 0.2)),
      tf.tensor1d(values(4, 3, 0.1)),
      tf.tensor1d(values(4, 4, 0.1, 1)),
    ]);
    return layer;
  };
  const fused = make(true);
  const stock = make(false);
  assert.equal(fused.getClassName(), "FhBatchNormalization");
  for (let step = 0; step < 3; step++) {
    const x = tf.tensor4d(values(n * 4, 7 + step, 1.5, 0.2), shape);
    const yf = tf.tidy(() => (fused.apply(x, { training: true }) as tf.Tensor).dataSync());
    const ys = tf.tidy(() => (stock.apply(x, { training: true }) as tf.Tensor).dataSync());
    assert.ok(relError(yf, ys) <= 2e-5, `training output, step ${step}`);
    x.dispose();
  }
  const [, , mf, vf] = fused.getWeights().map((w) => w.dataSync());
  const [, , ms, vs] = stock.getWeights().map((w) => w.dataSync());
  assert.ok(relError(mf!, ms!) <= 2e-5, "moving mean");
  // Moving variance: the unbiased batch variance on this backend vs tfjs-layers' biased one, a
  // factor of at most n / (n - 1) = 150 / 149 here.
  const maxRatio = Math.max(...Array.from(vf!, (v, i) => v / vs![i]!));
  assert.ok(maxRatio >= 1 && maxRatio <= n / (n - 1) + 1e-6, `moving variance ratio ${maxRatio}`);
  // Inference mode reads the moving statistics: with equal weights the outputs are equal.
  stock.setWeights(fused.getWeights());
  const x = tf.tensor4d(values(n * 4, 99), shape);
  const inf = [fused, stock].map((l) => tf.tidy(() => (l.apply(x, { training: false }) as tf.Tensor).dataSync()));
  assert.ok(relError(inf[0]!, inf[1]!) <= 1e-6, "inference output");
  x.dispose();
});

test("ReluGrad on the native backend; tfjs's Relu gradient on every other backend", opts, async () => {
  const xs = Float32Array.from({ length: 60 }, (_, i) => (i % 5 === 0 ? 0 : Math.sin(i)));
  const dys = values(60, 3);
  const expected = Array.from(xs, (v, i) => (v > 0 ? dys[i]! : 0));
  for (const backend of ["tensorflow", "cpu"]) {
    if (backend === "cpu") await useCpu();
    else await useNative();
    const g = tf.tidy(() => {
      const x = tf.tensor1d(xs);
      const dy = tf.tensor1d(dys);
      return tf
        .grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), dy)))(x)
        .dataSync();
    });
    assert.ok(relError(g, expected) <= 1e-6, `${backend}: ${relError(g, expected)}`);
  }
});

test("SGD on built ResNet and NAS-cell models follows the cpu backend's trajectory", opts, async () => {
  const configs: ModelConfig[] = [
    { family: "resnet", stages: 2, blocksPerStage: 1, width: 8 },
    {
      family: "nas-cell",
      cell: ["conv3x3", "skip", "conv1x1", "avgpool3x3", "conv3x3", "skip"],
      channels: 8,
      stages: 2,
      cellsPerStage: 1,
      stemStride: 1,
    } as ModelConfig,
  ];
  for (const config of configs) {
    await useNative();
    const before = tf.memory().numTensors;
    const fused = await sgdLosses(config, { steps: 5, batch: 8, momentum: true });
    assert.equal(tf.memory().numTensors, before, `no tensor leaks (${config.family})`);
    await useCpu();
    const ref = await sgdLosses(config, { steps: 5, batch: 8, momentum: true });
    // oneDNN's summation order differs from the cpu backend's: ~1e-4 drift by step 5 is expected.
    const e = relError(fused, ref);
    assert.ok(e <= 5e-3, `${config.family}: losses ${fused} vs ${ref} (rel. error ${e})`);
    assert.ok(fused[4]! < fused[0]!, `${config.family}: the loss falls (${fused})`);
  }
});

test("the conv layer equals tfjs-layers' conv2d and skips the unused image gradient", opts, async () => {
  await useNative();
  const shape: [number, number, number, number] = [4, 9, 9, 3];
  for (const [strides, useBias] of [
    [1, true],
    [2, false],
    [2, true],
  ] as const) {
    const args = { filters: 5, kernelSize: 3, strides, padding: "same" as const, useBias };
    const ours = conv2d({ ...args, name: `fh_conv_${strides}_${useBias}` });
    const stock = tf.layers.conv2d({ ...args, name: `stock_conv_${strides}_${useBias}` });
    ours.build(shape);
    stock.build(shape);
    stock.setWeights(ours.getWeights());
    const x = tf.tensor4d(values(4 * 81 * 3, strides), shape);
    const probe = (l: typeof ours) => () => tf.sum(tf.sin(l.apply(x) as tf.Tensor)) as tf.Scalar;
    const [a, b] = [ours, stock].map((l) =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(
          probe(l),
          l.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val),
        );
        return [value, ...Object.values(grads)].map((t) => t.dataSync());
      }),
    );
    a!.forEach((v, i) => assert.ok(relError(v, b![i]!) <= 1e-5, `strides ${strides}, bias ${useBias}, output ${i}`));
    // Gradients with respect to the weights only: no Conv2DBackpropInput for the images.
    const prof = await tf.profile(() => {
      tf.dispose(
        tf.variableGrads(
          probe(ours),
          ours.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val),
        ).grads,
      );
    });
    assert.ok(!prof.kernels.some((k) => k.name === "Conv2DBackpropInput"), prof.kernelNames.join(","));
    x.dispose();
  }
});
