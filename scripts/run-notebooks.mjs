// `npm run notebooks [-- FILE...]`: executes every notebook in notebooks/ (or the given ones)
// headless with the project kernel, writes the outputs back, stops at the first failing cell
// with its source and stderr, and exits non-zero. FH_CI_SIZE=1 asks notebooks for CI size.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { jupyterEnv, jupyterPython, root } from "./jupyter-env.mjs";

const args = process.argv.slice(2);
const notebooks = args.length
  ? args
  : readdirSync(join(root, "notebooks"))
      .filter((f) => f.endsWith(".ipynb"))
      .sort()
      .map((f) => join("notebooks", f));
const py = jupyterPython();
const r = spawnSync(py, [join(root, "scripts", "run_notebook.py"), ...notebooks], {
  cwd: root,
  env: jupyterEnv(),
  stdio: "inherit",
});
process.exit(r.status ?? 1);
