import { categorical, cell, fixed, float, int } from "./params.js";
import { defineSpace, type SearchSpace } from "./space.js";

/** Optimiser hyper-parameters shared by the presets. */
function optimiserParams() {
  return [
    categorical("optimizer", ["sgd", "adam"]),
    float("lr", 0.01, 0.3, { log: true, when: { parent: "optimizer", values: ["sgd"] } }),
    float("adamLr", 3e-4, 1e-2, { log: true, when: { parent: "optimizer", values: ["adam"] } }),
    float("weightDecay", 1e-5, 1e-3, { log: true }),
    categorical("batchSize", [64, 128, 256]),
  ];
}

/** The CNN family for HPO: depth, width, kernel, pooling, batch norm, dropout, optimiser. */
export function hpoCnnSpace(): SearchSpace {
  return defineSpace([
    categorical("family", ["cnn"]),
    int("depth", 2, 4),
    categorical("width", [8, 16, 32]),
    categorical("kernel", [3, 5]),
    categorical("pooling", ["max", "avg"]),
    categorical("batchNorm", [true, false]),
    float("dropout", 0, 0.5),
    ...optimiserParams(),
  ]);
}

/** NAS-Bench-201-style cell inside a macro skeleton (stages, cells per stage, channels). */
export function nasCellSpace(): SearchSpace {
  return defineSpace([
    categorical("family", ["nas-cell"]),
    cell("cell"),
    int("stages", 2, 3),
    int("cellsPerStage", 1, 2),
    categorical("channels", [8, 16]),
    fixed("stemStride", 2),
    ...optimiserParams(),
  ]);
}

/** A joint HPO + NAS space: the family is a parameter, each family's knobs are conditional on it. */
export function jointSpace(): SearchSpace {
  const cnn = { parent: "family", values: ["cnn"] };
  const nas = { parent: "family", values: ["nas-cell"] };
  return defineSpace([
    categorical("family", ["cnn", "nas-cell"]),
    int("depth", 2, 4, { when: cnn }),
    categorical("width", [8, 16, 32], { when: cnn }),
    categorical("kernel", [3, 5], { when: cnn }),
    categorical("pooling", ["max", "avg"], { when: cnn }),
    categorical("batchNorm", [true, false], { when: cnn }),
    float("dropout", 0, 0.5, { when: cnn }),
    cell("cell", { when: nas }),
    int("stages", 2, 3, { when: nas }),
    int("cellsPerStage", 1, 2, { when: nas }),
    categorical("channels", [8, 16], { when: nas }),
    // Cells run at 14x14 on 28x28 images: laptop scale (a NAS-Bench-201 stem keeps full resolution).
    fixed("stemStride", 2, { when: nas }),
    ...optimiserParams(),
  ]);
}
