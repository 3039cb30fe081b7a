// `npm run study`: trains both estimator studies (fh.study.estimatorStudyPlans: the main study and
// the held-out one, each with its second-seed repeat) into .cache/studies (git-ignored), then
// writes their compact summaries to notebooks/data/. Every finished epoch is saved as it ends, so
// a killed run resumes where it was; each trial's estimates are cached next to its study, so a
// summary is computed once. FH_CI_SIZE=1 runs the reduced plans into .cache/studies-ci and writes
// their summaries there. Progress: one line per ended trial.
// `--regimes` runs the regime studies instead (fh.study.regimePlans: schedules, small-data,
// label-noise, weak) and writes their summaries to notebooks/data/regimes/.
// Usage: node scripts/estimator-study.mjs [--train-only | --summarize-only] [--regimes] [NAME ...]
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import * as fh from "../dist/index.js";
import { root } from "./jupyter-env.mjs";

const ci = fh.notebook.isCiSize();
const dir = resolve(root, process.env.FH_STUDY_DIR ?? (ci ? ".cache/studies-ci" : ".cache/studies"));
const args = process.argv.slice(2);
const regimes = args.includes("--regimes");
const plans = regimes ? fh.study.regimePlans(ci) : fh.study.estimatorStudyPlans(ci);
const train = !args.includes("--summarize-only");
const summarize = !args.includes("--train-only");
const only = args.filter((a) => !a.startsWith("--"));
for (const [key, plan] of Object.entries(plans)) {
  if (only.length && !only.includes(plan.name) && !only.includes(key)) continue;
  const started = performance.now();
  if (train)
    await fh.study.runEstimatorStudy(dir, plan, {
      workers: Number(process.env.FH_WORKERS ?? 2),
      onProgress: (name, p) => {
        if (/ (complete|failed|pruned)|^done|^stopped/.test(p.event))
          console.log(
            `${new Date().toISOString().slice(11, 19)} ${name}: ${p.event} (${p.complete + p.failed + p.pruned}/${p.total}, ${p.seconds.toFixed(0)} s${p.eta !== undefined ? `, eta ${p.eta.toFixed(0)} s` : ""})`,
          );
      },
    });
  if (train) console.log(`${plan.name}: trained in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (!summarize) continue;
  const t0 = performance.now();
  const study = await fh.study.load({ storage: join(dir, plan.name), readOnly: true, histories: false });
  const repeat = await fh.study.load({ storage: join(dir, `${plan.name}-repeat`), readOnly: true, histories: false });
  const summary = await fh.study.summarizeStudy(
    study,
    fh.study.studyEstimators(plan.T, regimes ? plan.probe : undefined),
    {
      repeat,
      plan,
      cacheDir: join(dir, `${plan.name}.estimates`),
      onProgress: (done, total, id) => {
        if (done % 16 === 0 || done === total) console.log(`${plan.name}: estimates ${done}/${total} (${id})`);
      },
    },
  );
  await study.close();
  await repeat.close();
  const out = ci
    ? join(dir, `${plan.name}.summary.json`)
    : join(root, regimes ? "notebooks/data/regimes" : "notebooks/data", `${plan.name}.json`);
  mkdirSync(dirname(out), { recursive: true });
  fh.study.writeSummary(out, summary);
  console.log(`${plan.name}: summary ${out} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
