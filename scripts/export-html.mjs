// `npm run export [-- FILE...]`: writes out/<name>.html for each executed notebook, one
// self-contained file that renders offline.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { jupyterEnv, jupyterPython, root } from "./jupyter-env.mjs";

const args = process.argv.slice(2);
const notebooks = args.length
  ? args
  : readdirSync(join(root, "notebooks"))
      .filter((f) => f.endsWith(".ipynb"))
      .sort()
      .map((f) => join("notebooks", f));
const py = jupyterPython(["nbconvert"]);
mkdirSync(join(root, "out"), { recursive: true });
for (const nb of notebooks) {
  const r = spawnSync(py, ["-m", "nbconvert", "--to", "html", "--output-dir", join(root, "out"), nb], {
    cwd: root,
    env: jupyterEnv(),
    stdio: "inherit",
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
