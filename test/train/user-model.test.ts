// User-defined models: a model function trains like a built-in family and its named features
// layer is recorded; a function that throws, or returns a model without features, wrong logits or
// a non-vector features layer, becomes a failed trial whose error says what to change.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { candidateFromConfig } from "../../src/train/config.js";
import { trainCandidate, type PreparedData } from "../../src/train/loop.js";
import type { ModelFunction } from "../../src/train/user-model.js";
import { assertFails } from "../helpers/fixtures.js";
import { wasmData } from "../helpers/wasm-data.js";
import { smallNet } from "../helpers/user-models.js";

let data: PreparedData;
before(async () => {
  data = await wasmData(
    { train: 240, test: 40, size: 10, seed: 6 },
    { train: 200, validation: 40, probeTrain: 20, probeValidation: 20, seed: 0 },
    {},
  );
});

const seen: { config: unknown; seed: number }[] = [];
const myNet: ModelFunction = (config, context) => {
  seen.push({ config, seed: context.seed });
  return smallNet(config, context);
};

test("a model function trains, gets only its own keys and a seed, and its features layer is recorded", async () => {
  const { model, train } = candidateFromConfig(
    { filters: 6, lr: 0.05, batchSize: 40, epochs: 2 },
    {},
    { model: myNet },
  );
  assert.equal(model.family, "user");
  assert.equal(train.lr, 0.05);
  assert.equal(train.epochs, 2);
  const r = await trainCandidate(model, train, data, { seed: 1 });
  assert.equal(r.status, "complete", r.error?.message);
  assert.equal(r.featureDims, 6); // smallNet's features: global pooling over `filters` channels
  assert.equal(r.probeTrain.blocks.length, 2);
  assert.deepEqual(seen.at(-1)!.config, { filters: 6 });
  assert.ok(Number.isInteger(seen.at(-1)!.seed));
});

const broken: Record<string, [ModelFunction, RegExp[]]> = {
  throws: [
    () => {
      throw new Error("my layer code is wrong");
    },
    [/my layer code is wrong/],
  ],
  "no features layer": [
    (c, ctx) => {
      const input = tf.input({ shape: [...ctx.inputShape] });
      const x = tf.layers.flatten({ name: "flat" }).apply(input) as tf.SymbolicTensor;
      return tf.model({
        inputs: input,
        outputs: tf.layers.dense({ units: ctx.numClasses }).apply(x) as tf.SymbolicTensor,
      });
    },
    [/layer named "features"/, /flat/, /featuresLayer/],
  ],
  "wrong logits": [
    (c, ctx) => {
      const input = tf.input({ shape: [...ctx.inputShape] });
      const x = tf.layers.flatten({ name: "features" }).apply(input) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 3 }).apply(x) as tf.SymbolicTensor });
    },
    [/logits of shape \[null, 10\]/, /units: context\.numClasses/],
  ],
  "features not a vector": [
    (c, ctx) => {
      const input = tf.input({ shape: [...ctx.inputShape] });
      const f = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: "features" }).apply(input) as tf.SymbolicTensor;
      const x = tf.layers.flatten().apply(f) as tf.SymbolicTensor;
      return tf.model({
        inputs: input,
        outputs: tf.layers.dense({ units: ctx.numClasses }).apply(x) as tf.SymbolicTensor,
      });
    },
    [/one vector per image/, /globalAveragePooling2d/],
  ],
  "not a model": [() => ({}) as tf.LayersModel, [/must return a tf\.LayersModel/]],
};

for (const [name, [fn, patterns]] of Object.entries(broken)) {
  test(`a model function that ${name === "throws" ? "throws" : `returns ${name}`} is a failed trial with a clear error`, async () => {
    const { model, train } = candidateFromConfig({ epochs: 1 }, {}, { model: fn });
    const before = tf.memory().numTensors;
    const r = await trainCandidate(model, train, data, { seed: 0 });
    assert.equal(r.status, "failed");
    for (const p of patterns) assert.match(r.error!.message, p);
    assert.equal(tf.memory().numTensors, before, "a rejected model's weights are freed");
  });
}

test("user-model options are checked", async () => {
  await assertFails(
    () => candidateFromConfig({}, {}, { model: 3 as unknown as ModelFunction }),
    "invalid-argument",
    /user\.model/,
    /function/,
  );
  await assertFails(
    () => candidateFromConfig({}, {}, { model: myNet, featureLayer: "x" } as never),
    "unknown-option",
    /featureLayer/,
  );
  const { model } = candidateFromConfig({ filters: 4 }, {}, { model: myNet, featuresLayer: "gap" });
  assert.equal(model.family === "user" && model.featuresLayer, "gap");
});
