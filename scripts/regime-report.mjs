// Prints a regime summary's verdict (notebooks/data/regimes/NAME.json): Spearman with the truth at
// t = T/8 and T/4 for every estimator with its bootstrap range, the noise ceiling, paired
// differences of FH / FH+ inputs against early stopping and SoTL-E, and the weak-candidate
// diagnosis (how far estimates of the candidates whose truth is below 0.4 sit above their own
// validation accuracy). Usage: node scripts/regime-report.mjs weak
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as fh from "../dist/index.js";
import { root } from "./jupyter-env.mjs";

for (const name of process.argv.slice(2)) {
  const s = JSON.parse(readFileSync(join(root, "notebooks/data/regimes", `${name}.json`), "utf8"));
  const T = s.budget;
  const ok = s.trials.filter((t) => t.state === "complete" && typeof t.testAcc === "number");
  const truth = ok.map((t) => t.testAcc);
  const weak = ok.filter((t) => t.testAcc < 0.4);
  console.log(fh.table.studyOverview(s, { seed: 1 }).text);
  const f = (r) => `${r.value === null ? "  -  " : r.value.toFixed(3)} [${r.lo?.toFixed(3)}, ${r.hi?.toFixed(3)}]`;
  const ts = [...new Set([Math.max(1, Math.floor(T / 8)), Math.max(1, Math.floor(T / 4))])];
  const est = (n, t) => ok.map((c) => c.estimates[n]?.[t - 1] ?? NaN);
  for (const t of ts) {
    console.log(`t = ${t}:`);
    const rows = Object.keys(ok[0].estimates)
      .filter((n) => ok.every((c) => Number.isFinite(est(n, t)[ok.indexOf(c)])))
      .map((n) => [n, fh.table.bootstrapMetric("spearman", truth, est(n, t), undefined, { seed: 1 })])
      .sort((a, b) => (b[1].value ?? -9) - (a[1].value ?? -9));
    for (const [n, r] of rows) console.log(`  ${n.padEnd(30)} ${f(r)}`);
    for (const a of ["FH (K=2, concat, l2, ridge)", "probe (K=1, PCA 16)", "consensus (K=3)"])
      for (const b of ["early stopping", "SoTL-E"])
        if (rows.some((r) => r[0] === a))
          console.log(
            `  ${a} minus ${b}: ${f(fh.table.bootstrapMetric("spearman", truth, est(a, t), est(b, t), { seed: 1 }))}`,
          );
    const over = (n) => weak.map((c) => c.estimates[n][t - 1] - c.curves.valAcc[t - 1]);
    const med = (x) => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)];
    if (weak.length)
      console.log(
        `  weak candidates (truth < 0.4): median estimate minus own validation accuracy: FH ${med(over("FH (K=2, concat, l2, ridge)")).toFixed(3)}, probe K=1 ${med(over("probe (K=1, PCA 16)")).toFixed(3)}, consensus K=3 ${med(over("consensus (K=3)")).toFixed(3)}`,
      );
  }
}
