// The small live search the optimize tests share: a user model (imported by module), a space of
// its widths and learning rates, synthetic data, and early stopping at epoch 1 as the pruner.
import { fileURLToPath } from "node:url";
import { defineSpace } from "../../src/space/space.js";
import { float, int } from "../../src/space/params.js";
import { syntheticDataset } from "../../src/data/synthetic.js";
import { makeSplits } from "../../src/data/splits.js";
import { estimatorPruner } from "../../src/search/pruners.js";
import { earlyStopping } from "../../src/proxy/baselines.js";

export function liveSearchFixture(exportName = "smallNet") {
  const space = defineSpace([int("filters", 2, 8), float("lr", 0.01, 0.2, { log: true })]);
  const ds = syntheticDataset({ train: 260, test: 40, size: 8, seed: 3 });
  const splits = makeSplits(ds, { train: 200, validation: 60, probeTrain: 20, probeValidation: 20, test: 40, seed: 0 });
  const pruner = estimatorPruner({ estimator: earlyStopping(), t: 1, keep: 0.5, warmup: 2 });
  const model = { module: fileURLToPath(new URL("./user-models.js", import.meta.url)), exportName };
  return { space, splits, pruner, model };
}

/** The fixture's splits, for workers that import their data by module (shared studies). */
export function liveSplits() {
  return liveSearchFixture().splits;
}
