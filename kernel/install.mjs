// `npm run kernel:install`: registers the "TypeScript (feature histories)" kernel with the
// user's Jupyter. The installed kernel.json names this node and this checkout by absolute path,
// so it starts with nothing on PATH. Flags: --user (default), --sys-prefix, --prefix DIR, --name N.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const kernelDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(kernelDir, "..");
const args = process.argv.slice(2);
const flag = (f) => args.includes(f);
const value = (f) => (args.includes(f) ? args[args.indexOf(f) + 1] : undefined);

function findJupyter() {
  // FH_JUPYTER_SEARCH=path-only skips the checkout's .venv and Debian's path (used by the tests).
  const candidates =
    process.env.FH_JUPYTER_SEARCH === "path-only"
      ? ["jupyter"]
      : [join(root, ".venv", "bin", "jupyter"), "jupyter", "/usr/bin/jupyter"];
  for (const c of candidates) {
    const r = spawnSync(c, ["--version"], { encoding: "utf8" });
    if (r.status === 0) return c;
  }
  return undefined;
}

const jupyter = findJupyter();
if (!jupyter) {
  console.error(
    [
      "Jupyter was not found, so the kernel cannot be registered.",
      "Do one of these, then run `npm run kernel:install` again:",
      "  - in this checkout: `bash scripts/setup.sh` (creates .venv with JupyterLab from requirements-jupyter.txt);",
      "  - anywhere: `python3 -m pip install jupyterlab` (or `sudo apt-get install jupyter-notebook` on Debian).",
    ].join("\n"),
  );
  process.exit(1);
}
if (!existsSync(join(root, "dist", "index.js"))) {
  console.error(`The toolkit is not built: run \`npm run build\` in ${root} first.`);
  process.exit(1);
}

const name = value("--name") ?? "feature-histories";
const spec = JSON.parse(
  readFileSync(join(kernelDir, "jupyter", "kernels", "feature-histories", "kernel.json"), "utf8"),
);
spec.argv = [
  process.execPath,
  "--disable-warning=ExperimentalWarning",
  join(kernelDir, "launcher.cjs"),
  "--config-path",
  "{connection_file}",
];
const staging = mkdtempSync(join(tmpdir(), "fh-kernelspec-"));
const dir = join(staging, name);
cpSync(join(kernelDir, "jupyter", "kernels", "feature-histories"), dir, { recursive: true });
rmSync(join(dir, "start.sh"));
writeFileSync(join(dir, "kernel.json"), JSON.stringify(spec, null, 2) + "\n");

const where = flag("--sys-prefix")
  ? ["--sys-prefix"]
  : value("--prefix")
    ? ["--prefix", value("--prefix")]
    : ["--user"];
const r = spawnSync(jupyter, ["kernelspec", "install", "--replace", "--name", name, ...where, dir], {
  encoding: "utf8",
});
rmSync(staging, { recursive: true, force: true });
if (r.status !== 0) {
  console.error(`\`${jupyter} kernelspec install\` failed:\n${r.stderr || r.stdout}`);
  process.exit(1);
}
console.log(`${(r.stderr || r.stdout).trim()}`);
console.log(
  `Registered "${spec.display_name}" with ${jupyter}. Pick it in JupyterLab's launcher; \`fh\` is preloaded.`,
);
