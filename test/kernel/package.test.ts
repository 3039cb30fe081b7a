// Installable as a package: `npm pack` gives a tarball that `npm install` in an empty folder
// outside the checkout turns into a working kernel (`npx feature-histories kernel install`, then a
// cell through jupyter_client), a working `share` command and the worker CLI. Packed with
// --ignore-scripts: the test pipeline has built dist/ already (prepack builds it otherwise).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { tempDir } from "../helpers/fixtures.js";

const root = resolve(import.meta.dirname, "..", "..", "..");
const venvBin = join(root, ".venv", "bin");
const python = existsSync(join(venvBin, "python")) ? join(venvBin, "python") : "/usr/bin/python3";

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", timeout: 600_000 });
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")}:\n${r.stdout}\n${r.stderr}`.slice(-4000));
  return r.stdout + r.stderr;
}

test("the npm tarball installs in an empty folder into a kernel, the share command and the worker CLI", () => {
  const { dir, cleanup } = tempDir("fh-package-");
  try {
    const packed = run("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", dir], root)
      .trim()
      .split("\n")
      .at(-1)!;
    const tarball = join(dir, packed);
    assert.ok(existsSync(tarball), `npm pack wrote ${packed}`);
    const app = join(dir, "app");
    run("mkdir", ["-p", app], dir);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", private: true }));
    run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], app);
    const installed = join(app, "node_modules", "feature-histories");
    assert.ok(existsSync(join(installed, "dist", "index.js")));
    assert.ok(!existsSync(join(installed, "src")), "sources stay out of the tarball");

    const env = { ...process.env, PATH: `${venvBin}:${process.env.PATH}`, FH_JUPYTER_SEARCH: "path-only" };
    run("npx", ["feature-histories", "kernel", "install", "--prefix", join(dir, "jupyter")], app, env);
    const spec = JSON.parse(
      readFileSync(join(dir, "jupyter", "share", "jupyter", "kernels", "feature-histories", "kernel.json"), "utf8"),
    ) as { argv: string[] };
    assert.ok(spec.argv[2]!.startsWith(installed), "the kernelspec runs the installed package's launcher");

    const out = run(
      python,
      [
        join(root, "test", "kernel", "run_cell.py"),
        "console.log(fh.VERSION, fh.train.backendReport()?.chosen); fh.core.createRng(1).int(10)",
      ],
      app,
      {
        ...env,
        JUPYTER_PATH: join(dir, "jupyter", "share", "jupyter"),
      },
    );
    const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
    assert.match(out, new RegExp(`stream ${version.replace(/\./g, "\\.")} (tensorflow|wasm|cpu)`), out);
    assert.match(out, /execute_result 3/);
    assert.match(out, /status ok/);

    const fig = {
      data: [{ type: "scatter", x: [1, 2, 3], y: [0.5, 0.7, 0.8], name: "a" }],
      layout: { title: { text: "t" } },
    };
    const nb = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        {
          id: "a1",
          cell_type: "code",
          metadata: {},
          execution_count: null,
          source: "x",
          outputs: [
            {
              output_type: "display_data",
              metadata: {},
              data: { "application/vnd.plotly.v1+json": fig, "text/plain": "fig" },
            },
          ],
        },
      ],
    };
    writeFileSync(join(app, "nb.ipynb"), JSON.stringify(nb));
    assert.match(run("npx", ["feature-histories", "share", "nb.ipynb"], app), /1 figure\(s\) with a static PNG/);
    const shared = JSON.parse(readFileSync(join(app, "nb.ipynb"), "utf8")) as typeof nb;
    assert.ok((shared.cells[0]!.outputs[0]!.data as Record<string, unknown>)["image/png"], "a PNG next to the figure");
    assert.match(run("npx", ["feature-histories", "worker", "--help"], app), /--storage/);
    assert.ok(readdirSync(dir).length > 0);
  } finally {
    cleanup();
  }
});
