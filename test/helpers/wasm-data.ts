// The small synthetic data the training tests share: the wasm backend (deterministic run to
// run, so a resumed run can be compared with an uninterrupted one), a synthetic data set, its
// splits, prepared once.
import { resolveBackend } from "../../src/train/backend.js";
import { prepareData, type PreparedData } from "../../src/train/loop.js";
import { syntheticDataset, type SyntheticOptions } from "../../src/data/synthetic.js";
import { makeSplits, type SplitOptions } from "../../src/data/splits.js";

export async function wasmData(
  dataset: SyntheticOptions,
  splits: SplitOptions,
  options: { includeTest?: boolean } = { includeTest: true },
): Promise<PreparedData> {
  await resolveBackend({ backend: "wasm" });
  return prepareData(makeSplits(syntheticDataset(dataset), splits), options);
}
