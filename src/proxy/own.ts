/**
 * Estimators from the network's own signals, next to the feature-history proxy: the consensus of
 * its own recent checkpoints' predictions on P_val (the paper's motivation read literally: early
 * checkpoints disagree on single images, their consensus tends to match the converged network),
 * its size (ZiCo's reminder that zero-cost proxies rarely beat the parameter count) and its
 * validation accuracy after one epoch ("Is one epoch all you need?", Egele et al. 2023).
 */
import { fail, show } from "../core/errors.js";
import { checkKeys, checkNumber, checkString } from "../core/validate.js";
import { epochOutputs } from "../history/feature-history.js";
import { checkEstimateArgs } from "./evaluate.js";
import { checkHistoryData } from "./fh.js";
import type { Estimator, TrialView } from "./types.js";

/** Options of consensusEstimator: the window K of checkpoints and the estimator's name. */
export interface ConsensusOptions {
  /** Checkpoints whose probabilities are averaged: epochs t-K+1..t. Default 3. */
  readonly window?: number;
  readonly name?: string;
}

/**
 * Consensus of the network's own head: the accuracy on P_val of the mean of its softmax over the
 * last K epochs (t-K+1..t; fewer at t < K). K = 1 is the head's own accuracy on P_val. Reads the
 * outputs that training records with P_val's feature history.
 */
export function consensusEstimator(options: ConsensusOptions = {}): Estimator {
  checkKeys("options", options, ["window", "name"]);
  const K = checkNumber("options.window", options.window ?? 3, { integer: true, min: 1, max: 1000 });
  const name = options.name === undefined ? `consensus (K=${K})` : checkString("options.name", options.name);
  return {
    name,
    needs: ["histories"],
    estimate: (c, t, T) => {
      checkEstimateArgs(name, c, t, T);
      const h = c.probeValidation;
      if (h === undefined || h.outputs === undefined)
        fail("invalid-argument", {
          parameter: "candidate.probeValidation",
          rule: `must record the network's outputs on P_val for ${name}`,
          received: h === undefined ? "no P_val history" : "a history of features only (an earlier release's trial)",
          fix: "pass a trial loaded with its histories (histories: true), trained by this release.",
        });
      checkHistoryData("candidate.probeValidation", h);
      const available = h.outputs.blocks.length;
      if (!Number.isInteger(t) || t < 1 || t > available)
        fail("invalid-argument", {
          parameter: "t",
          rule: `must be an integer in 1..${available} (the epochs whose outputs were recorded) for ${name}`,
          received: show(t),
          fix: "estimate at a budget the candidate has reached.",
        });
      const k = h.outputs.classes;
      const mean = new Float32Array(h.samples * k);
      for (let e = Math.max(1, t - K + 1); e <= t; e++) {
        const p = epochOutputs(h, e);
        for (let i = 0; i < mean.length; i++) mean[i]! += p[i]!;
      }
      let correct = 0;
      for (let s = 0; s < h.samples; s++) {
        let best = 0;
        for (let j = 1; j < k; j++) if (mean[s * k + j]! > mean[s * k + best]!) best = j;
        if (best === h.labels[s]) correct++;
      }
      return correct / h.samples;
    },
  };
}

/** The number of trainable parameters (log10), the same at every t: the size baseline. */
export function parameterCount(): Estimator {
  const name = "parameters";
  return {
    name,
    needs: ["curves"],
    estimate: (c: TrialView, t, T) => {
      checkEstimateArgs(name, c, t, T);
      const p = c.parameters;
      if (typeof p !== "number" || !Number.isFinite(p) || p < 1)
        fail("invalid-argument", {
          parameter: "candidate.parameters",
          rule: `must be the network's parameter count (a positive number) for ${name}`,
          received: show(p),
          fix: "pass a trial trained by optimize (it records trial.parameters).",
        });
      return Math.log10(p);
    },
  };
}

/** Validation accuracy after the first epoch, whatever t (top-k after one epoch). */
export function oneEpoch(): Estimator {
  const name = "one epoch";
  return {
    name,
    needs: ["curves"],
    estimate: (c, t, T) => {
      checkEstimateArgs(name, c, t, T, ["valAcc"]);
      const v = c.curves.valAcc[0];
      if (typeof v !== "number" || !Number.isInteger(t) || t < 1)
        fail("invalid-argument", {
          parameter: v === undefined ? "candidate.curves.valAcc" : "t",
          rule: `${name} needs the first epoch's validation accuracy and t >= 1`,
          received: v === undefined ? "no epoch" : show(t),
          fix: "estimate at a budget the candidate has reached.",
        });
      return v;
    },
  };
}
