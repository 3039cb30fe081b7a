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
      'const study = await fh.study.create({ name: "outside", storage: "study", space: space, budget: 3, seed: 3, pruner: pruner });',
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

// Every cell below stores a public function's result in a variable: tslab emits declarations
// for cells, so a return type that can only be named through the toolkit's own node_modules
// (e.g. arquero's ColumnTable) fails with TS2742 outside this repository.
const STORED = [
  "const space = fh.space.jointSpace();",
  "const configs = fh.space.sampleMany(space, 4, 1);",
  "const one = fh.space.sample(space, 3);",
  "const rng = fh.core.createRng(1);",
  "const ds = fh.data.syntheticDataset({ train: 200, test: 60, size: 12, seed: 1 });",
  "const splits = fh.data.makeSplits(ds, { train: 150, validation: 50, probeTrain: 40, probeValidation: 40, test: 40, seed: 0 });",
  "const prepared = fh.train.prepareData(splits, { includeTest: true });",
  'const cand = fh.train.candidateFromConfig({ family: "cnn", depth: 2, width: 8, kernel: 3, pooling: "max", batchNorm: true, dropout: 0 }, { epochs: 2, batchSize: 50 });',
  "const built = fh.train.buildModel(cand.model, [12, 12, 1], 10, 1);",
  "const result = await fh.train.trainCandidate(cand.model, cand.train, prepared, { seed: 1 });",
  "const trained = await fh.notebook.trainWithProgress(configs.slice(0, 3).map((c) => ({ ...c })), prepared, { train: { epochs: 2 }, seed: 3 });",
  "const estimators = fh.proxy.standardEstimators();",
  "const rows = fh.proxy.estimateAll(trained, { estimators: estimators, budgets: [1, 2] });",
  "const fit = fh.proxy.fitFeatureHistoryProxy(result.probeTrain, result.probeValidation, 2);",
  "const est = fh.table.estimatesTable(rows, trained.map((t) => t.testAcc ?? 0));",
  "const summary = fh.table.summaryTable(est);",
  "const srows = fh.table.summaryRows(est);",
  "const trialsT = fh.table.trialsTable(trained);",
  'const cmp = fh.table.comparisonTable(rows, trained.map((t) => t.testAcc ?? 0), { estimators: ["SoTL-E"], budgets: [1], B: 10 });',
  'const diff = fh.table.differenceTable(rows, trained.map((t) => t.testAcc ?? 0), { estimators: ["SoTL-E"], versus: ["early stopping"], budgets: [1], B: 10 });',
  "const danfo = fh.table.toDanfo(summary);",
  "const back = fh.table.fromDanfo(danfo);",
  "const scatter = fh.plot.scatterInfo(est, { t: 2 });",
  "const fig = fh.plot.scatterFigure(scatter);",
  "const rb = fh.plot.rankBudgetInfo(srows, { T: 2 });",
  'const study = await fh.study.create({ name: "s", storage: "study-dir", space: space, budget: 2, seed: 1 });',
  "const trial = await study.ask();",
  "const pruner = fh.search.estimatorPruner({ estimator: fh.proxy.earlyStopping(), t: 1, keep: 0.5 });",
  "const sched = fh.search.ashaScheduler({ estimator: fh.proxy.earlyStopping(), minEpochs: 1 });",
  'const bar = fh.notebook.progressBar(3, "x");',
  "const report = fh.train.backendReport();",
  "const ceiling = fh.table.noiseCeiling([[0.1, 0.2], [0.3, 0.5], [0.4, 0.3]], { B: 10 });",
  "const plans = fh.study.estimatorStudyPlans(true);",
  "const history = result.probeTrain;",
  "const curves = result.curves;",
];

test("outside the repo: the result of every kind of public function can be stored in a variable", () => {
  const { dir, cleanup } = tempDir("fh-outside-types-");
  try {
    const path = join(dir, "stored.ipynb");
    writeFileSync(path, notebook([...STORED, 'console.log("all stored")']));
    const r = spawnSync(python, [join(root, "scripts", "run_notebook.py"), "--timeout", "300", path], {
      cwd: dir,
      env,
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(outputs(path).at(-1)!.join(""), /stdout:all stored/);
  } finally {
    cleanup();
  }
});
