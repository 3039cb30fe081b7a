/**
 * A scheduler process for the shared-study tests (forked, so a test can kill -9 it): opens or
 * creates the study named in FH_TEST_STUDY on FH_TEST_URL and runs optimize with the synthetic
 * objective, no local workers, printing "ended N" after each trial that ends.
 */
import { createStudy } from "../../src/study/study-open.js";
import { defineSpace } from "../../src/space/space.js";
import { float } from "../../src/space/params.js";
import { estimatorPruner } from "../../src/search/pruners.js";
import { earlyStopping } from "../../src/proxy/baselines.js";

export const objectiveModule = new URL("./objectives.js", import.meta.url).pathname;
export const syntheticSpace = () => defineSpace([float("x", 0, 1)]);

const env = process.env;
if (env.FH_TEST_URL && env.FH_TEST_STUDY && process.argv[1] === new URL(import.meta.url).pathname) {
  const study = await createStudy({
    name: env.FH_TEST_STUDY,
    storage: env.FH_TEST_URL,
    space: syntheticSpace(),
    budget: Number(env.FH_TEST_BUDGET ?? 3),
    seed: 5,
    ...(env.FH_TEST_PRUNE
      ? { pruner: estimatorPruner({ estimator: earlyStopping(), t: 1, keep: 0.5, warmup: 2 }) }
      : {}),
  });
  const r = await study.optimize({
    objective: { module: objectiveModule, exportName: "synthetic" },
    trials: Number(env.FH_TEST_TRIALS ?? 10),
    workers: 0,
    concurrency: Number(env.FH_TEST_CONCURRENCY ?? 4),
    stopOnSigint: false,
    onProgress: (p) => {
      if (/ (complete|pruned|failed)/.test(p.event)) console.log(`ended ${p.complete + p.pruned + p.failed}`);
    },
  });
  console.log(`result ${JSON.stringify(r)}`);
  await study.close();
}
