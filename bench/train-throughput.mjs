// Benchmark: training throughput of the tiny CNN and the small ResNet (ENVIRONMENT.md) on
// Fashion-MNIST, batch 128, with our training loop on the chosen tfjs backend and, in the same
// run, with PyTorch on CPU (2 threads). Prints img/s, the ratio ours / torch and the cost of
// feature capture as a fraction of the epoch. FH_WASM_KERNELS=minimal measures the "before"
// state (only the kernels wasm needs to train at all).
// Needs a Python with torch and numpy: BENCH_PYTHON, else .venv-bench/bin/python
// (python3 -m venv .venv-bench && .venv-bench/bin/pip install torch numpy).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as fh from "../dist/index.js";
import { root } from "../scripts/jupyter-env.mjs";

const dir = process.env.FH_DATA_DIR || fh.data.DEFAULT_DATA_DIR;
const N = Number(process.env.BENCH_IMAGES ?? 5120);
const report = await fh.train.resolveBackend();
console.log(fh.train.formatBackendReport(report));
console.log(
  `wasm kernels: ${process.env.FH_WASM_KERNELS === "minimal" ? "minimal (before)" : "all (after)"}; ${N} training images, batch 128\n`,
);

const ds = await fh.data.loadFashionMnist({ dir });
const splits = fh.data.makeSplits(ds, { train: N, validation: 1000, probeTrain: 1000, probeValidation: 1000, seed: 0 });
const data = fh.train.prepareData(splits);
const models = {
  "tiny-cnn": {
    family: "cnn",
    depth: 2,
    width: 16,
    kernel: 3,
    pooling: "max",
    batchNorm: false,
    dropout: 0,
    head: "flatten",
  },
  "small-resnet": { family: "resnet", stages: 3, blocksPerStage: 2, width: 16 },
};
const ours = {};
for (const [name, cfg] of Object.entries(models)) {
  const { model, train } = fh.train.candidateFromConfig(cfg, {
    epochs: 1,
    batchSize: 128,
    lr: 0.05,
    momentum: 0.9,
    weightDecay: 5e-4,
  });
  const stamps = [];
  const r = await fh.train.trainCandidate(model, train, data, {
    seed: 0,
    hooks: { onBatchEnd: () => stamps.push(performance.now()) },
  });
  if (r.status !== "complete") throw new Error(`${name}: ${r.error?.message}`);
  // Same warm-up as the peer: the first 3 batches are not timed.
  const imgs = (stamps.length - 3) * 128;
  const ips = imgs / ((stamps.at(-1) - stamps[2]) / 1000);
  ours[name] = { ips, capture: r.curves.captureSeconds[0] / r.curves.seconds[0] };
  console.log(
    `  ours ${name}: ${ips.toFixed(0)} img/s; feature capture ${(100 * ours[name].capture).toFixed(1)} % of the epoch`,
  );
}
const py = process.env.BENCH_PYTHON ?? join(root, ".venv-bench", "bin", "python");
if (!existsSync(py)) {
  console.log(`\nNo peer: ${py} is missing (see the header of this file).`);
  process.exit(0);
}
const res = spawnSync(py, [join(root, "bench", "train_torch.py"), dir, String(Math.max(N, 10240))], {
  encoding: "utf8",
  env: { ...process.env, OMP_NUM_THREADS: "2" },
});
if (res.status !== 0) throw new Error(res.stderr);
const peer = Object.fromEntries(
  res.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l))
    .map((o) => [o.model, o.img_per_s]),
);
console.log(
  `\n| model | ours (${report.chosen}) img/s | PyTorch CPU 2 threads img/s | ratio ours / torch | feature capture |`,
);
console.log("| --- | --- | --- | --- | --- |");
for (const name of Object.keys(models)) {
  console.log(
    `| ${name} | ${ours[name].ips.toFixed(0)} | ${peer[name].toFixed(0)} | ${(ours[name].ips / peer[name]).toFixed(3)} | ${(100 * ours[name].capture).toFixed(1)} % |`,
  );
}
