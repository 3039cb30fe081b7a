// `npm run notebooks [-- FILE...]`: executes every notebook in notebooks/ (or the given ones)
// headless with the project kernel, writes the outputs back, stops at the first failing cell
// with its source and stderr, and exits non-zero. FH_CI_SIZE=1 asks notebooks for CI size and
// writes the executed copies to test-output/notebooks/. Every executed notebook is then made
// shareable (scripts/share-notebook.mjs): a static PNG per figure, no plotly.js loader, numbered cells.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { shareNotebook } from "./share-notebook.mjs";
import { jupyterEnv, jupyterPython, notebookArgs, root } from "./jupyter-env.mjs";

// At CI size the committed (full-size) notebooks stay untouched: outputs go to test-output/.
const ciSize = !!process.env.FH_CI_SIZE && process.env.FH_CI_SIZE !== "0";

const notebooks = notebookArgs();
const py = jupyterPython();
const r = spawnSync(
  py,
  [
    join(root, "scripts", "run_notebook.py"),
    ...(ciSize ? ["--output-dir", join(root, "test-output", "notebooks")] : []),
    ...notebooks,
  ],
  {
    cwd: root,
    env: jupyterEnv(),
    stdio: "inherit",
  },
);
if (r.status !== 0) process.exit(r.status ?? 1);
for (const nb of notebooks) {
  const file = ciSize ? join(root, "test-output", "notebooks", basename(nb)) : nb;
  const parsed = JSON.parse(readFileSync(file, "utf8"));
  const shared = await shareNotebook(parsed);
  writeFileSync(file, JSON.stringify(parsed, null, 1) + "\n");
  console.log(`  ${file}: ${shared.figures} figure(s) with a static PNG`);
}
