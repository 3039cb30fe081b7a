// Prints a regime summary's verdict (notebooks/data/regimes/NAME.json) with fh.table.regimeVerdict
// (mechanism, Spearman at T/8 and T/4 with ranges and the noise ceiling, paired differences, the
// weak-candidate diagnosis; FH+ fitted on the main study, frozen) and fh.table.regimeSearch (the
// search at the paper's ratio over 20 replay orders). Usage: node scripts/regime-report.mjs weak
import { join } from "node:path";
import * as fh from "../dist/index.js";
import { root } from "./jupyter-env.mjs";

const main = fh.study.readSummary(join(root, "notebooks/data/main.json"));
for (const name of process.argv.slice(2)) {
  const s = fh.study.readSummary(join(root, "notebooks/data/regimes", `${name}.json`));
  console.log(fh.table.regimeVerdict(s, { fitOn: main, seed: 1 }).text);
  console.log(fh.table.regimeSearch(s, { fitOn: main }).text);
}
