// Benchmark: training throughput (img/s, Fashion-MNIST, batch 128) of the tiny CNN, the small
// ResNet and a NAS-cell candidate of the study's space (bench/models.mjs) with the toolkit's
// training loop on each CPU backend: native + fused kernels (the default), native with tfjs's own
// kernels (FH_NATIVE_KERNELS=off, the "before"), wasm; and, in the same run, PyTorch on CPU with 2
// threads (bench/train_torch.py, the same architectures). Prints ratios ours / torch, the feature-
// capture share of an epoch, and 1 vs 2 native worker processes sharing the cores.
// Each measurement runs in its own process (bench/train-one.mjs), one after another.
// Needs a Python with torch and numpy: BENCH_PYTHON, else .venv-bench/bin/python
// (python3 -m venv .venv-bench && .venv-bench/bin/pip install torch numpy).
// BENCH_BACKENDS=fused,native,wasm and BENCH_MODELS=tiny-cnn,... select what runs.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as fh from "../dist/index.js";
import { root } from "../scripts/jupyter-env.mjs";
import { BENCH_MODELS } from "./models.mjs";

const dir = process.env.FH_DATA_DIR || fh.data.DEFAULT_DATA_DIR;
const N = Number(process.env.BENCH_IMAGES ?? 5120);
const models = (process.env.BENCH_MODELS ?? Object.keys(BENCH_MODELS).join(",")).split(",");
const VARIANTS = {
  fused: { label: "native + fused", env: { FH_BACKEND: "tensorflow" } },
  native: { label: "native (tfjs kernels)", env: { FH_BACKEND: "tensorflow", FH_NATIVE_KERNELS: "off" } },
  wasm: { label: "wasm", env: { FH_BACKEND: "wasm" } },
};
const variants = (process.env.BENCH_BACKENDS ?? Object.keys(VARIANTS).join(",")).split(",");

function one(model, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, "bench", "train-one.mjs"), model], {
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "2", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => {
      const line = out.trim().split("\n").at(-1);
      if (code === 0 && line?.startsWith("{")) resolve(JSON.parse(line));
      else
        reject(new Error(`${model} (${JSON.stringify(env)}) exited ${code}: ${err.split("\n").slice(-5).join("\n")}`));
    });
  });
}

console.log(`${N} training images, batch 128, probes 1000 + 1000, validation 1000; one process per measurement\n`);
const ours = {};
for (const v of variants) {
  for (const m of models) {
    try {
      const r = await one(m, VARIANTS[v].env);
      ours[`${v}/${m}`] = r;
      console.log(
        `  ${VARIANTS[v].label.padEnd(22)} ${m.padEnd(13)} ${r.ips.toFixed(0).padStart(6)} img/s; capture ${(100 * r.capture).toFixed(1)} % of the epoch`,
      );
    } catch (e) {
      console.log(`  ${VARIANTS[v].label.padEnd(22)} ${m.padEnd(13)} unavailable: ${e.message.split("\n")[0]}`);
    }
  }
}

// 1 vs 2 native workers: two processes at once, each with half the cores' TensorFlow threads
// (fh.train.workerThreadEnv), against one process with TensorFlow's defaults.
const workers = {};
if (variants.includes("fused")) {
  for (const m of models.filter((x) => x !== "nas-cell")) {
    const shared = { FH_BACKEND: "tensorflow", ...fh.train.workerThreadEnv(2) };
    const oversubscribed = { FH_BACKEND: "tensorflow" };
    try {
      const pair = await Promise.all([one(m, shared), one(m, shared)]);
      const over = await Promise.all([one(m, oversubscribed), one(m, oversubscribed)]);
      workers[m] = { one: ours[`fused/${m}`]?.ips, two: pair[0].ips + pair[1].ips, over: over[0].ips + over[1].ips };
      console.log(
        `  2 native workers       ${m.padEnd(13)} ${workers[m].two.toFixed(0).padStart(6)} img/s together (${workers[m].over.toFixed(0)} with TensorFlow's default threads each)`,
      );
    } catch (e) {
      console.log(`  2 native workers       ${m}: ${e.message.split("\n")[0]}`);
    }
  }
}

const py = process.env.BENCH_PYTHON ?? join(root, ".venv-bench", "bin", "python");
let peer = {};
if (!existsSync(py)) console.log(`\nNo peer: ${py} is missing (see the header of this file).`);
else {
  const res = spawnSync(
    py,
    [join(root, "bench", "train_torch.py"), dir, String(Math.max(N, 10240)), models.join(",")],
    {
      encoding: "utf8",
      env: { ...process.env, OMP_NUM_THREADS: "2" },
    },
  );
  if (res.status !== 0) throw new Error(res.stderr);
  peer = Object.fromEntries(
    res.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .map((o) => [o.model, o.img_per_s]),
  );
}
const cell = (v, m) => {
  const r = ours[`${v}/${m}`];
  if (!r) return "n/a";
  return peer[m] ? `${r.ips.toFixed(0)} (${(r.ips / peer[m]).toFixed(2)})` : r.ips.toFixed(0);
};
console.log(
  `\n| model | ${variants.map((v) => `${VARIANTS[v].label} img/s (ratio)`).join(" | ")} | PyTorch CPU 2 threads img/s | capture, native + fused |`,
);
console.log(`| --- | ${variants.map(() => "---").join(" | ")} | --- | --- |`);
for (const m of models) {
  const cap = ours[`fused/${m}`]?.capture;
  console.log(
    `| ${m} | ${variants.map((v) => cell(v, m)).join(" | ")} | ${peer[m] ? peer[m].toFixed(0) : "n/a"} | ${cap === undefined ? "n/a" : `${(100 * cap).toFixed(1)} %`} |`,
  );
}
if (Object.keys(workers).length) {
  console.log(
    "\n| model | 1 native worker img/s | 2 workers, cores shared (workerThreadEnv) | speed-up | 2 workers, default threads each |",
  );
  console.log("| --- | --- | --- | --- | --- |");
  for (const [m, w] of Object.entries(workers))
    console.log(
      `| ${m} | ${w.one?.toFixed(0) ?? "n/a"} | ${w.two.toFixed(0)} | ${w.one ? (w.two / w.one).toFixed(2) : "n/a"} | ${w.over.toFixed(0)} |`,
    );
}
