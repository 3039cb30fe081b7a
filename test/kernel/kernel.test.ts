import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { tempDir } from "../helpers/fixtures.js";

const root = resolve(import.meta.dirname, "..", "..", "..");
const python = existsSync(join(root, ".venv", "bin", "python"))
  ? join(root, ".venv", "bin", "python")
  : "/usr/bin/python3";
const env = { ...process.env, JUPYTER_PATH: join(root, "kernel", "jupyter") };

function notebook(cells: string[]): string {
  return JSON.stringify({
    cells: cells.map((source) => ({ cell_type: "code", metadata: {}, source, outputs: [], execution_count: null })),
    metadata: {
      kernelspec: { name: "feature-histories", display_name: "TypeScript (feature histories)", language: "typescript" },
    },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

function outputs(path: string): string[][] {
  const nb = JSON.parse(readFileSync(path, "utf8")) as {
    cells: { outputs: { text?: string[] | string; name?: string }[] }[];
  };
  return nb.cells.map((c) =>
    c.outputs.map((o) => `${o.name ?? ""}:${Array.isArray(o.text) ? o.text.join("") : (o.text ?? "")}`),
  );
}

test("a notebook outside the repo has the typed global fh and can import the package", () => {
  const { dir, cleanup } = tempDir("fh-outside-");
  try {
    const path = join(dir, "outside.ipynb");
    writeFileSync(
      path,
      notebook([
        "const n: number = fh.core.createRng(3).int(1000); console.log(`rng ${n}`)",
        'import { data } from "feature-histories";\nconsole.log(`classes ${data.FASHION_MNIST_CLASSES.length}`)',
        "console.log(`backend ${fh.train.backendReport()?.chosen}`)",
        "const s: string = fh.core.createRng(3).int(1000);", // must be a type error: fh is typed
      ]),
    );
    const r = spawnSync(python, [join(root, "scripts", "run_notebook.py"), "--timeout", "120", path], {
      cwd: dir,
      env,
      encoding: "utf8",
    });
    const out = outputs(path);
    assert.match(out[0]!.join(""), /stdout:rng \d+/);
    assert.match(out[1]!.join(""), /stdout:classes 10/);
    assert.match(out[2]!.join(""), /stdout:backend (wasm|tensorflow|tensorflow-gpu|cpu)/);
    // The typed global catches the wrong type; the runner stops there with source and stderr.
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /FAILED: .*outside\.ipynb, code cell 4 of 4/);
    assert.match(r.stderr, /---- source ----\nconst s: string = fh\.core\.createRng\(3\)\.int\(1000\);/);
    assert.match(r.stderr, /---- stderr ----\n.*Type 'number' is not assignable to type 'string'/);
  } finally {
    cleanup();
  }
});

test("a run-time exception fails the runner with the cell's stderr", () => {
  const { dir, cleanup } = tempDir("fh-fail-");
  try {
    const path = join(dir, "fail.ipynb");
    writeFileSync(
      path,
      notebook(['await fh.data.loadFashionMnist({ dir: "/nonexistent/data" });', "console.log('never')"]),
    );
    const r = spawnSync(python, [join(root, "scripts", "run_notebook.py"), "--timeout", "120", path], {
      cwd: dir,
      env,
      encoding: "utf8",
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /code cell 1 of 2/);
    assert.match(r.stderr, /dataset-fashion-mnist/);
    assert.deepEqual(outputs(path)[1], []);
  } finally {
    cleanup();
  }
});

test("kernel:install writes a kernelspec with absolute node and launcher paths", () => {
  const { dir, cleanup } = tempDir("fh-prefix-");
  try {
    const r = spawnSync(process.execPath, [join(root, "kernel", "install.mjs"), "--prefix", dir], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, PATH: `${join(root, ".venv", "bin")}:${process.env.PATH}` },
    });
    assert.equal(r.status, 0, r.stderr);
    const spec = JSON.parse(
      readFileSync(join(dir, "share", "jupyter", "kernels", "feature-histories", "kernel.json"), "utf8"),
    ) as {
      argv: string[];
      display_name: string;
    };
    assert.equal(spec.display_name, "TypeScript (feature histories)");
    assert.equal(spec.argv[0], process.execPath);
    assert.ok(spec.argv.includes(join(root, "kernel", "launcher.cjs")));
    assert.ok(existsSync(join(dir, "share", "jupyter", "kernels", "feature-histories", "logo-64x64.png")));
  } finally {
    cleanup();
  }
});

test("kernel:install says what to do when Jupyter is missing", () => {
  const r = spawnSync(process.execPath, [join(root, "kernel", "install.mjs"), "--prefix", "/tmp/never"], {
    cwd: "/",
    encoding: "utf8",
    env: { ...process.env, PATH: "/nonexistent", FH_JUPYTER_SEARCH: "path-only" },
  });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /Jupyter was not found/);
  assert.match(r.stderr, /pip install jupyterlab/);
});

test("outside the repo: a live search on the user's model module, stopped halfway, resumed by a new kernel", () => {
  const { dir, cleanup } = tempDir("fh-live-outside-");
  try {
    // The user's model, in their own folder; it builds with the toolkit's tfjs (context.tf).
    writeFileSync(
      join(dir, "mymodel.mjs"),
      `export function net(config, { inputShape, numClasses, seed, tf }) {
  const input = tf.input({ shape: [...inputShape] });
  let x = tf.layers.conv2d({ filters: config.width, kernelSize: 3, padding: "same", activation: "relu",
    kernelInitializer: tf.initializers.heNormal({ seed }) }).apply(input);
  x = tf.layers.globalAveragePooling2d({ name: "features" }).apply(x);
  return tf.model({ inputs: input, outputs: tf.layers.dense({ units: numClasses }).apply(x) });
}
`,
    );
    const setup = [
      "const ds = fh.data.syntheticDataset({ train: 300, test: 60, size: 8, seed: 1 });",
      "const splits = fh.data.makeSplits(ds, { train: 240, validation: 60, probeTrain: 30, probeValidation: 30, test: 60, seed: 0 });",
      'const space = fh.space.defineSpace([fh.space.categorical("width", [4, 8, 12, 16])]);',
      "const pruner = fh.search.estimatorPruner({ estimator: fh.proxy.featureHistoryProxy(), t: 1, keep: 0.5, warmup: 2 });",
      'const study = fh.study.create({ name: "outside", storage: "study", space: space, budget: 3, seed: 3, pruner: pruner });',
      'const model = { module: `${process.cwd()}/mymodel.mjs`, exportName: "net" };',
    ].join("\n");
    const run = (stopAfter: number | null) => {
      const path = join(dir, "live.ipynb");
      writeFileSync(
        path,
        notebook([
          setup,
          [
            "const ctrl = new AbortController();",
            "let epochs = 0;",
            "const result = await fh.notebook.liveOptimize(study, { data: splits, trials: 5, workers: 2, model: model, signal: ctrl.signal,",
            `  onProgress: (p) => { if (p.epoch !== undefined && ++epochs === ${stopAfter ?? -1}) ctrl.abort(); } });`,
            "console.log(`result ${result.complete} ${result.pruned} ${result.failed} ${result.interrupted}`);",
          ].join("\n"),
          // Results stored in variables outside the repo: their types must be nameable (no TS2742).
          "const trials = study.trials();\nconst best = study.best();\nstudy.close();\nconsole.log(`trials ${trials.length} best ${best?.id ?? 'none'}`);",
        ]),
      );
      const r = spawnSync(python, [join(root, "scripts", "run_notebook.py"), "--timeout", "300", path], {
        cwd: dir,
        env,
        encoding: "utf8",
      });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      return outputs(path).flat().join("\n");
    };
    const first = run(3);
    const [, c1, p1, f1, i1] = /result (\d+) (\d+) (\d+) (\d+)/.exec(first)!.map(Number);
    assert.ok(i1! >= 1, `stopped halfway: ${first}`);
    assert.ok(c1! + p1! + f1! < 5);
    const second = run(null);
    const [, c2, p2, f2, i2] = /result (\d+) (\d+) (\d+) (\d+)/.exec(second)!.map(Number);
    assert.equal(c2! + p2! + f2!, 5, second);
    assert.equal(i2, 0);
    assert.match(second, /trials 5 best t\d{4}/);
  } finally {
    cleanup();
  }
});
