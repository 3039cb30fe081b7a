/**
 * The partition tests' objective and scheduler process (test/study/partition.test.ts).
 *
 * `taggedSynthetic`: the synthetic objective (test/helpers/objectives.ts) with its worker's pid as
 * the epoch's valLoss, so the study's final curves tell which worker's write of each epoch landed.
 *
 * Run as a script (inside a network namespace): creates or reopens the study FH_TEST_STUDY on
 * FH_TEST_URL (the password from PGPASSWORD) and runs optimize with taggedSynthetic on workers
 * elsewhere (workers: 0), code from this folder, FH_TEST_TRIALS trials of FH_TEST_BUDGET epochs,
 * FH_TEST_CONCURRENCY jobs at a time; a pruner at epoch 1 that keeps every trial, so each trial
 * gets two jobs (to epoch 1, then to the budget). Prints "event MS TEXT" for every progress
 * event (MS: Date.now()) and "result JSON" at the end.
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createStudy } from "../../src/study/study-open.js";
import { estimatorPruner } from "../../src/search/pruners.js";
import { earlyStopping } from "../../src/proxy/baselines.js";
import { synthetic } from "./objectives.js";
import { syntheticSpace } from "./pg-scheduler.js";

export const taggedModule = fileURLToPath(import.meta.url);
export const helpersDir = dirname(taggedModule);

export async function taggedSynthetic(
  config: Readonly<Record<string, unknown>>,
  context: { epoch: number; trialId: string },
): Promise<{ valAcc: number; trainLoss: number; testAcc: number; valLoss: number }> {
  return { ...(await synthetic(config, context)), valLoss: process.pid };
}

const env = process.env;
if (env.FH_TEST_URL && env.FH_TEST_STUDY && process.argv[1] === taggedModule) {
  const study = await createStudy({
    name: env.FH_TEST_STUDY,
    storage: env.FH_TEST_URL,
    space: syntheticSpace(),
    budget: Number(env.FH_TEST_BUDGET ?? 3),
    seed: 12,
    pruner: estimatorPruner({ estimator: earlyStopping(), t: 1, keep: 1, warmup: 1 }),
  });
  const r = await study.optimize({
    objective: { module: taggedModule, exportName: "taggedSynthetic" },
    code: [helpersDir],
    trials: Number(env.FH_TEST_TRIALS ?? 10),
    workers: 0,
    concurrency: Number(env.FH_TEST_CONCURRENCY ?? 3),
    stopOnSigint: false,
    onProgress: (p) => console.log(`event ${Date.now()} ${p.event}`),
  });
  console.log(`result ${JSON.stringify(r)}`);
  await study.close();
}
