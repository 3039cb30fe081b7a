// `npm run notebooks [-- FILE...]`: executes every notebook in notebooks/ (or the given ones)
// headless with the project kernel, writes the outputs back, stops at the first failing cell
// with its source and stderr, and exits non-zero. FH_CI_SIZE=1 asks notebooks for CI size and
// writes the executed copies to test-output/notebooks/.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
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
process.exit(r.status ?? 1);
