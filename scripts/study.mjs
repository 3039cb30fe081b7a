// `npm run study`: trains the estimator study (fh.notebook.studyPlan) into .cache/study
// (git-ignored) with 2 worker processes; each finished trial is saved at once, so a killed run
// resumes where it was. FH_CI_SIZE=1 runs the reduced plan into .cache/study-ci.
import { join } from "node:path";
import * as fh from "../dist/index.js";
import { root } from "./jupyter-env.mjs";

const ci = fh.notebook.isCiSize();
const dir = join(root, process.env.FH_STUDY_DIR ?? (ci ? ".cache/study-ci" : ".cache/study"));
const started = performance.now();
const out = await fh.notebook.runStudyPlan(dir, fh.notebook.studyPlan(ci), {
  workers: Number(process.env.FH_WORKERS ?? 2),
});
const failed = out.trials.filter((t) => t.status === "failed").length;
console.log(
  `study ${dir}: ${out.trials.length} trials (${out.trained} trained now, ${out.skipped} reused, ${failed} failed) in ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
