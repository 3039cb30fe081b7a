// `npm run study`: trains both estimator studies (fh.study.estimatorStudyPlans: the main study and
// the held-out one, each with its second-seed repeat) into .cache/studies (git-ignored), then
// writes their compact summaries to notebooks/data/. Every finished epoch is saved as it ends, so
// a killed run resumes where it was. FH_CI_SIZE=1 runs the reduced plans into .cache/studies-ci
// and writes no summary. Progress: one line per ended trial.
import { resolve } from "node:path";
import * as fh from "../dist/index.js";
import { root } from "./jupyter-env.mjs";

const ci = fh.notebook.isCiSize();
const dir = resolve(root, process.env.FH_STUDY_DIR ?? (ci ? ".cache/studies-ci" : ".cache/studies"));
const plans = fh.study.estimatorStudyPlans(ci);
const only = process.argv.slice(2);
for (const plan of [plans.main, plans.heldOut]) {
  if (only.length && !only.includes(plan.name)) continue;
  const started = performance.now();
  await fh.study.runEstimatorStudy(dir, plan, {
    workers: Number(process.env.FH_WORKERS ?? 2),
    onProgress: (name, p) => {
      if (/ (complete|failed|pruned)|^done|^stopped/.test(p.event))
        console.log(
          `${new Date().toISOString().slice(11, 19)} ${name}: ${p.event} (${p.complete + p.failed + p.pruned}/${p.total}, ${p.seconds.toFixed(0)} s${p.eta !== undefined ? `, eta ${p.eta.toFixed(0)} s` : ""})`,
        );
    },
  });
  console.log(`${plan.name}: trained in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}
