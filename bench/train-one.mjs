// One measurement for bench/train-throughput.mjs, in its own process (a process has one tfjs
// backend, and the fused kernels are registered per process): trains `model` for one epoch of
// BENCH_IMAGES Fashion-MNIST images, batch 128, with the toolkit's training loop, and prints one
// JSON line: img/s over the batches after the first 3 (the peer's warm-up), the feature-capture
// share of the epoch and the backend report.
//   node bench/train-one.mjs MODEL      (FH_BACKEND, FH_NATIVE_KERNELS, TF_NUM_*_THREADS apply)
import * as fh from "../dist/index.js";
import { BENCH_MODELS, BENCH_TRAIN } from "./models.mjs";

const name = process.argv[2];
const dir = process.env.FH_DATA_DIR || fh.data.DEFAULT_DATA_DIR;
const N = Number(process.env.BENCH_IMAGES ?? 5120);
const report = await fh.train.resolveBackend();
const ds = await fh.data.loadFashionMnist({ dir });
const splits = fh.data.makeSplits(ds, { train: N, validation: 1000, probeTrain: 1000, probeValidation: 1000, seed: 0 });
const data = fh.train.prepareData(splits);
const { model, train } = fh.train.candidateFromConfig(BENCH_MODELS[name], BENCH_TRAIN);
const stamps = [];
const r = await fh.train.trainCandidate(model, train, data, {
  seed: 0,
  hooks: { onBatchEnd: () => stamps.push(performance.now()) },
});
if (r.status !== "complete") throw new Error(`${name}: ${r.error?.message}`);
const imgs = (stamps.length - 3) * 128;
console.log(
  JSON.stringify({
    model: name,
    ips: imgs / ((stamps.at(-1) - stamps[2]) / 1000),
    capture: r.curves.captureSeconds[0] / r.curves.seconds[0],
    backend: report.chosen,
    kernels: report.nativeKernels ?? "",
  }),
);
fh.train.closeWebGpu();
