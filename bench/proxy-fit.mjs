// Benchmark: fitting the feature-history proxy on 2k probe samples (P_train) x 4 epochs x 64 dims
// (window K = 4, concat -> 256 features, l2, ridge with GCV over 37 penalties), predicting 1k P_val
// samples. Peer in the same run: scikit-learn RidgeCV on the identical matrices.
// Target (issue 3): well under 1 s.
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as fh from "../dist/index.js";
import { root } from "../scripts/jupyter-env.mjs";

const nTr = 2000,
  nVa = 1000,
  dims = 64,
  epochs = 4,
  classes = 10,
  runs = 5;
const rng = fh.core.createRng(1);
const means = Array.from({ length: classes }, () => Array.from({ length: dims }, () => rng.normal()));
const make = (n) => {
  const labels = Uint8Array.from({ length: n }, (_, i) => i % classes);
  let h = fh.history.createHistory(n, dims, labels);
  for (let e = 1; e <= epochs; e++) {
    const f = new Float32Array(n * dims);
    for (let i = 0; i < n; i++)
      for (let k = 0; k < dims; k++) f[i * dims + k] = 0.3 * e * means[labels[i]][k] + rng.normal();
    h = fh.history.appendEpoch(h, f);
  }
  return h;
};
const tr = make(nTr);
const va = make(nVa);
const opts = { window: 4, combine: "concat", normalize: "l2", head: "ridge", lambda: "gcv" };
fh.proxy.fitFeatureHistoryProxy(tr, va, 4, opts); // warm-up (JIT)
const times = [];
let fit;
for (let r = 0; r < runs; r++) {
  const t0 = performance.now();
  fit = fh.proxy.fitFeatureHistoryProxy(tr, va, 4, opts);
  times.push((performance.now() - t0) / 1000);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ours = median(times);
console.log(
  `FH proxy fit, ${nTr} x ${epochs} epochs x ${dims} dims (concat ${epochs * dims}-d), ridge + GCV, median of ${runs}:`,
);
console.log(
  `  ours: ${ours.toFixed(3)} s, P_val accuracy ${fit.accuracy.toFixed(3)}, lambda ${fit.lambdas[0].toExponential(2)} (target well under 1 s: ${ours < 0.5 ? "met" : "NOT met"})`,
);

const py = process.env.BENCH_PYTHON ?? join(root, ".venv-bench", "bin", "python");
if (!existsSync(py)) {
  console.log(`No peer: ${py} is missing (python3 -m venv .venv-bench && .venv-bench/bin/pip install scikit-learn).`);
  process.exit(0);
}
// The exact matrices our proxy fitted: l2-normalised epochs, concatenated.
const l2 = (h, n) => {
  const out = new Float64Array(n * dims * epochs);
  for (let e = 1; e <= epochs; e++) {
    const f = fh.history.epochFeatures(h, e);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < dims; k++) s += f[i * dims + k] ** 2;
      for (let k = 0; k < dims; k++) out[i * dims * epochs + (e - 1) * dims + k] = f[i * dims + k] / Math.sqrt(s);
    }
  }
  return out;
};
const file = join(mkdtempSync(join(tmpdir(), "fh-proxy-")), "m.f64");
const all = new Float64Array(nTr * dims * epochs + nVa * dims * epochs + nTr + nVa);
all.set(l2(tr, nTr), 0);
all.set(l2(va, nVa), nTr * dims * epochs);
all.set(Float64Array.from(tr.labels), nTr * dims * epochs + nVa * dims * epochs);
all.set(Float64Array.from(va.labels), nTr * dims * epochs + nVa * dims * epochs + nTr);
writeFileSync(file, new Uint8Array(all.buffer));
const r = spawnSync(
  py,
  [join(root, "bench", "proxy_sklearn.py"), file, String(nTr), String(nVa), String(dims * epochs), String(runs)],
  { encoding: "utf8", env: { ...process.env, OMP_NUM_THREADS: "2" } },
);
if (r.status !== 0) throw new Error(r.stderr);
const peer = JSON.parse(r.stdout);
console.log(
  `  peer, scikit-learn RidgeCV (numpy/BLAS, 2 threads): ${peer.seconds.toFixed(3)} s, P_val accuracy ${peer.accuracy.toFixed(3)}`,
);
console.log(`  ratio ours / peer: ${(ours / peer.seconds).toFixed(2)}`);
