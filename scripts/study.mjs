// `npm run study`: trains the estimator study's candidates into .cache/study (git-ignored) with 2
// worker processes; each finished trial is saved at once, so a killed run resumes where it was.
// FH_CI_SIZE=1 runs a reduced study (8 candidates, small subsets of Fashion-MNIST) into .cache/study-ci.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as fh from "../dist/index.js";
import { root } from "./jupyter-env.mjs";

const ci = fh.notebook.isCiSize();
const plan = ci
  ? { n: 8, T: 4, train: 600, validation: 300, probe: 200, dir: ".cache/study-ci" }
  : { n: 36, T: 8, train: 4000, validation: 1000, probe: 500, dir: ".cache/study" };
const dir = join(root, process.env.FH_STUDY_DIR ?? plan.dir);
const space = fh.space.jointSpace();
const configs = fh.space.sampleMany(space, plan.n, 2103);
const candidates = configs.map((config, i) => ({ id: `c${String(i).padStart(3, "0")}`, config }));
mkdirSync(dir, { recursive: true });
const meta = { T: plan.T, plan, space: JSON.parse(fh.space.spaceToJSON(space)), created: new Date().toISOString() };
writeFileSync(join(dir, "study.meta"), JSON.stringify(meta, null, 1));
const started = performance.now();
const out = await fh.notebook.runTrainingStudy({
  dir,
  candidates,
  data: {
    source: "fashion-mnist",
    splits: {
      train: plan.train,
      validation: plan.validation,
      probeTrain: plan.probe,
      probeValidation: plan.probe,
      seed: 0,
    },
  },
  train: { epochs: plan.T },
  workers: Number(process.env.FH_WORKERS ?? 2),
  seed: 7,
  historyDtype: "float16",
  progress: true,
});
const failed = out.trials.filter((t) => t.status === "failed").length;
console.log(
  `study ${dir}: ${out.trials.length} trials (${out.trained} trained now, ${out.skipped} reused, ${failed} failed) in ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
