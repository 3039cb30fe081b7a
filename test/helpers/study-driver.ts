// Runs a small study for test/search/executor.test.ts: node study-driver.js DIR
import { runTrainingStudy } from "../../src/notebook/study.js";

const dir = process.argv[2]!;
const candidates = Array.from({ length: 6 }, (_, i) => ({
  id: `c${i}`,
  config: { family: "cnn", depth: 1, width: 4 + i, kernel: 3, pooling: "max", batchNorm: false, dropout: 0 },
}));
const out = await runTrainingStudy({
  dir,
  candidates,
  data: {
    source: "synthetic",
    options: { train: 900, test: 50, size: 12, seed: 1 },
    splits: { train: 800, validation: 100, probeTrain: 50, probeValidation: 50, seed: 0 },
  },
  train: { epochs: 3, batchSize: 32 },
  workers: 2,
  progress: false,
  onWorkerStart: (slot, pid) => console.log(JSON.stringify({ worker: slot, pid })),
});
console.log(JSON.stringify({ trained: out.trained, skipped: out.skipped, trials: out.trials.length }));
