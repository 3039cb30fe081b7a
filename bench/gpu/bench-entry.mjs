// Entry of the GPU check's benchmark (bundled by scripts/gpu-bundle.mjs into bench.mjs): trains
// the benchmark models with the toolkit's training loop on the webgpu backend, on the carried
// Fashion-MNIST subset, batch 128, and prints one JSON line per model (img/s after the first 3
// batches, as the PyTorch peer times it).  node bench.mjs DATA_DIR [models]
import * as train from "../../dist/train/index.js";
import * as data from "../../dist/data/index.js";
import { BENCH_MODELS, BENCH_TRAIN } from "../models.mjs";

const dir = process.argv[2];
const names = (process.argv[3] ?? Object.keys(BENCH_MODELS).join(",")).split(",");
const report = await train.resolveBackend({ backend: process.env.FH_BACKEND || "webgpu" });
console.error(train.formatBackendReport(report));
const ds = await data.loadFashionMnist({ dir });
const n = ds.train.shape[0];
const splits = data.makeSplits(ds, {
  train: n - 1024,
  validation: 1024,
  probeTrain: 512,
  probeValidation: 512,
  test: Math.min(1000, ds.test.shape[0]),
  seed: 0,
});
const prepared = train.prepareData(splits);
for (const name of names) {
  const { model, train: cfg } = train.candidateFromConfig(BENCH_MODELS[name], BENCH_TRAIN);
  const stamps = [];
  const deadline = performance.now() + Number(process.env.BENCH_BUDGET_S ?? 60) * 1000;
  const ctrl = new AbortController();
  const r = await train.trainCandidate(model, cfg, prepared, {
    seed: 0,
    signal: ctrl.signal,
    hooks: {
      onBatchEnd: () => {
        stamps.push(performance.now());
        // A slow (software) adapter: stop after the time budget; the img/s so far still count.
        if (performance.now() > deadline && stamps.length > 5) ctrl.abort("time budget");
      },
    },
  });
  const done = r.status === "complete" || r.error?.name === "Interrupted";
  const imgs = (stamps.length - 3) * 128;
  console.log(
    JSON.stringify({
      model: name,
      backend: report.chosen,
      adapter: report.gpu?.description ?? "",
      status: r.status === "complete" ? "complete" : done ? "stopped at the time budget" : "failed",
      error: done ? undefined : r.error?.message,
      batches: stamps.length,
      img_per_s: stamps.length > 4 ? imgs / ((stamps.at(-1) - stamps[2]) / 1000) : null,
      capture: r.curves.seconds.length ? r.curves.captureSeconds[0] / r.curves.seconds[0] : null,
    }),
  );
}
train.closeWebGpu();
