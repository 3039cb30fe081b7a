// The data of bench/queue.mjs's real study, as a module every worker imports (a shared study's
// workers load their data themselves): 2,000 Fashion-MNIST training images, 1,000 for
// validation, 500 + 500 probes, 1,000 test images.
import * as fh from "../dist/index.js";

export async function splits() {
  const ds = await fh.data.loadFashionMnist({ dir: process.env.FH_DATA_DIR || fh.data.DEFAULT_DATA_DIR });
  return fh.data.makeSplits(ds, {
    train: 2000,
    validation: 1000,
    probeTrain: 500,
    probeValidation: 500,
    test: 1000,
    seed: 0,
  });
}
