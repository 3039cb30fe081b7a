/**
 * An estimator exported by a module, for shared studies that fit the pruner's estimator on the
 * workers: early stopping (validation accuracy at t) that appends the pid of the process that
 * fitted it to FH_ESTIMATOR_LOG.
 */
import { appendFileSync } from "node:fs";
import type { Estimator } from "../../src/proxy/types.js";

export const loggedEarlyStopping: Estimator = {
  name: "ES-logged",
  needs: ["curves"],
  estimate(trial, t) {
    if (process.env.FH_ESTIMATOR_LOG)
      appendFileSync(process.env.FH_ESTIMATOR_LOG, `${trial.id ?? "?"} ${process.pid}\n`);
    return trial.curves.valAcc[t - 1]!;
  },
};
