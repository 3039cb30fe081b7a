// A child process for test/study/optimize.test.ts: runs (or resumes) a live search on a study
// directory and appends "trialId epoch" to a log after every saved epoch, until it ends or is
// killed. argv: study dir, log file, trials, workers.
import { appendFileSync } from "node:fs";
import { createStudy } from "../../src/study/study-open.js";
import { liveSearchFixture } from "./live-search.js";

const [dir, log, trials, workers] = process.argv.slice(2);
const { space, splits, pruner, model } = liveSearchFixture();
const study = await createStudy({ name: "live", storage: dir!, space, budget: 3, seed: 11, pruner });
process.send?.("started");
await study.optimize({
  data: splits,
  trials: Number(trials),
  workers: Number(workers),
  model,
  onProgress: (p) => {
    if (p.epoch !== undefined) appendFileSync(log!, `${p.trialId} ${p.epoch}\n`);
  },
});
await study.close();
