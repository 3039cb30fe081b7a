// Shared by the notebook scripts: which Python has Jupyter, and the environment that makes the
// project's kernelspec (kernel/jupyter/kernels/feature-histories) visible to it.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The project .venv's Python (PyPI Jupyter), else Debian's python3 with python3-nbclient. */
export function jupyterPython(modules = ["nbclient", "nbformat"]) {
  const candidates = [join(root, ".venv", "bin", "python"), "/usr/bin/python3", "python3"];
  for (const py of candidates) {
    if (py.startsWith("/") && !existsSync(py)) continue;
    const r = spawnSync(py, ["-c", modules.map((m) => `import ${m}`).join(";")], { encoding: "utf8" });
    if (r.status === 0) return py;
  }
  console.error(
    `No Python with ${modules.join(", ")} was found. Run \`bash scripts/setup.sh\` (creates .venv from requirements-jupyter.txt), ` +
      "or on Debian without PyPI: `sudo apt-get install -y python3-nbclient jupyter-nbconvert`.",
  );
  process.exit(1);
}

export function jupyterEnv(extra = {}) {
  const kernels = join(root, "kernel", "jupyter");
  const prev = process.env.JUPYTER_PATH;
  return { ...process.env, JUPYTER_PATH: prev ? `${kernels}:${prev}` : kernels, ...extra };
}

/** The notebooks named on the command line, else every notebooks/*.ipynb in order. */
export function notebookArgs(args = process.argv.slice(2)) {
  if (args.length) return args;
  return readdirSync(join(root, "notebooks"))
    .filter((f) => f.endsWith(".ipynb"))
    .sort()
    .map((f) => join("notebooks", f));
}
