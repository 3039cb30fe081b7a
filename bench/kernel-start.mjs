// Benchmark: Jupyter kernel start to first cell result, for our kernel (prelude: the toolkit and
// the backend resolution) and, in the same run, for the peer: stock tslab 1.0.22 with no prelude.
// Target (issue 2): under 3 s for ours.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jupyterEnv, jupyterPython, root } from "../scripts/jupyter-env.mjs";

const runs = process.env.RUNS ?? "5";
const py = jupyterPython(["jupyter_client"]);
const peerDir = mkdtempSync(join(tmpdir(), "fh-peer-kernel-"));
mkdirSync(join(peerDir, "kernels", "stock-tslab"), { recursive: true });
writeFileSync(
  join(peerDir, "kernels", "stock-tslab", "kernel.json"),
  JSON.stringify({
    argv: [
      process.execPath,
      join(root, "node_modules", "tslab", "bin", "tslab"),
      "kernel",
      "--config-path",
      "{connection_file}",
    ],
    display_name: "stock tslab",
    language: "typescript",
  }),
);
const profile = join(peerDir, "phases.txt");
const env = jupyterEnv({ JUPYTER_PATH: `${join(root, "kernel", "jupyter")}:${peerDir}`, FH_KERNEL_PROFILE: profile });
const measure = (name, code) => {
  const r = spawnSync(py, [join(root, "bench", "kernel-start.py"), name, runs, code], {
    env,
    encoding: "utf8",
    cwd: tmpdir(),
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(r.stdout.trim());
};
const ours = measure("feature-histories", "console.log(fh.core.createRng(1).int(10))");
const peer = measure("stock-tslab", "console.log(1 + 1)");
console.log(`Kernel start to first cell result, median of ${runs}:`);
console.log(
  `  feature-histories (prelude + backend): ${ours.toFixed(2)} s  (target < 3 s: ${ours < 3 ? "met" : "NOT met"})`,
);
console.log(`  peer, stock tslab 1.0.22:             ${peer.toFixed(2)} s`);
console.log(`  ratio ours / peer: ${(ours / peer).toFixed(2)}`);

// Where our start goes (the launcher's phases, median over the runs): what lazy loading could save.
if (existsSync(profile)) {
  const runsOf = readFileSync(profile, "utf8")
    .trim()
    .split("\n")
    .map((line) =>
      Object.fromEntries(line.split(", ").map((p) => [p.replace(/ \d+ ms$/, ""), Number(/(\d+) ms$/.exec(p)?.[1])])),
    );
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  console.log("  where our start goes (median ms; the first phase is what stock tslab does too):");
  for (const name of Object.keys(runsOf[0] ?? {}))
    console.log(`    ${name.padEnd(30)} ${String(median(runsOf.map((r) => r[name]))).padStart(6)}`);
}
