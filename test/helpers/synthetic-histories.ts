import { appendEpoch, createHistory, type FeatureHistory } from "../../src/history/feature-history.js";
import { createRng } from "../../src/core/random.js";
import type { TrialView } from "../../src/proxy/types.js";
import type { Trial } from "../../src/history/trial.js";

/**
 * Synthetic feature histories of a candidate whose class separation grows with epochs at rate
 * `quality` (0..1): class means at distance quality*epoch, isotropic noise. Better candidates give
 * more separable features, so the proxy's accuracy must rank them.
 */
export function syntheticCandidate(quality: number, epochs: number, seed: number, n = 300, d = 16, c = 5): TrialView {
  const rng = createRng(seed);
  const means = Array.from({ length: c }, () => Array.from({ length: d }, () => rng.normal()));
  const make = (labels: Uint8Array): FeatureHistory => {
    let h = createHistory(labels.length, d, labels);
    for (let e = 1; e <= epochs; e++) {
      const sep = quality * Math.min(e, 4) * 0.6;
      const f = new Float32Array(labels.length * d);
      for (let i = 0; i < labels.length; i++)
        for (let k = 0; k < d; k++) f[i * d + k] = sep * means[labels[i]!]![k]! + rng.normal();
      h = appendEpoch(h, f);
    }
    return h;
  };
  const labels = (m: number) => Uint8Array.from({ length: m }, (_, i) => i % c);
  const valAcc = Array.from({ length: epochs }, (_, e) =>
    Math.min(0.99, 0.2 + quality * 0.15 * (e + 1) + 0.01 * rng.normal()),
  );
  const trainLoss = Array.from({ length: epochs }, (_, e) => 2 / (1 + quality * (e + 1)));
  return {
    curves: {
      valAcc,
      trainLoss,
      trainAcc: valAcc,
      valLoss: trainLoss,
      seconds: valAcc.map(() => 1),
      captureSeconds: valAcc.map(() => 0.01),
      lr: valAcc.map(() => 0.1),
    },
    probeTrain: make(labels(n)),
    probeValidation: make(labels(n)),
  };
}

/** A complete trial recorded to `epochs` (default 4) from syntheticCandidate, each epoch taking `secondsPerEpoch` (default 1). */
export function recordedTrial(
  number: number,
  quality: number,
  options: { epochs?: number; secondsPerEpoch?: number } = {},
): Trial {
  const epochs = options.epochs ?? 4;
  const perEpoch = options.secondsPerEpoch ?? 1;
  const c = syntheticCandidate(quality, epochs, number);
  return {
    id: `t${number}`,
    number,
    config: {},
    state: "complete",
    budget: epochs,
    epochs,
    curves: { ...c.curves, seconds: c.curves.valAcc.map(() => perEpoch) },
    probeTrain: c.probeTrain!,
    probeValidation: c.probeValidation!,
    seed: 0,
    seconds: epochs * perEpoch,
    scores: {},
    attempts: 1,
  };
}
