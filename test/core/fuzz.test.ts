// A seeded fuzz of the whole public API: every function exported from the package's namespaces
// gets invalid calls (wrong types, null / undefined, NaN, Infinity, empty and junk arrays and
// objects, unknown option keys) and must answer with the toolkit's own error (parameter, rule,
// value, fix), never a bare TypeError from deep inside. Calls run in a temporary directory, with
// displays captured, so nothing they might create lands in the repository.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as fh from "../../src/index.js";
import { createRng } from "../../src/core/random.js";
import { setDisplaySink } from "../../src/notebook/display.js";
import { setWarningSink } from "../../src/core/warn.js";

// A factory: every call gets fresh values, so one function that mutates its input cannot
// change what the next one receives.
const junk = (): unknown[] => [
  undefined,
  null,
  NaN,
  Infinity,
  -Infinity,
  -1,
  0,
  2.5,
  1e308,
  "",
  "x",
  [],
  [NaN],
  [null],
  [1, 2],
  ["a"],
  {},
  { junk: 1 },
  { params: 3 },
  { data: null },
  { estimator: 1 },
  true,
  () => 1,
  new Date(0),
  new Uint8Array(3),
  Symbol("s"),
];
const JUNK_COUNT = junk().length;
const traceFd = process.env.FUZZ_TRACE ? openSync(process.env.FUZZ_TRACE, "w") : -1;

// These take no input to validate and start a headless Chromium per call (thousands here);
// their errors are tested in test/browser/figures.browser.ts.
const OPENS_A_BROWSER = new Set(["plot.openRenderer", "plot.withRenderer"]);

function publicFunctions(): [string, (...args: unknown[]) => unknown][] {
  const out: [string, (...args: unknown[]) => unknown][] = [];
  for (const [ns, mod] of Object.entries(fh)) {
    if (!mod || typeof mod !== "object") continue;
    for (const [name, value] of Object.entries(mod as Record<string, unknown>))
      if (typeof value === "function" && !/^[A-Z]/.test(name) && !OPENS_A_BROWSER.has(`${ns}.${name}`))
        out.push([`${ns}.${name}`, value as () => unknown]);
  }
  return out;
}

test("fuzz: >= 20,000 invalid calls (4 seeds) to every exported function give only the toolkit's errors", async () => {
  const fns = publicFunctions();
  assert.ok(fns.length > 150, `${fns.length} public functions`);
  const perFunction = Math.ceil(5000 / fns.length);
  const seeds = process.env.FUZZ_SEED ? [Number(process.env.FUZZ_SEED)] : [2021, 1, 2, 3];
  const cwd = process.cwd();
  const dir = mkdtempSync(join(tmpdir(), "fh-fuzz-"));
  const restoreDisplay = setDisplaySink(() => {});
  const restoreWarnings = setWarningSink(() => {});
  const log = console.log;
  console.log = () => {};
  const bad = new Map<string, number>();
  let calls = 0;
  let toolkit = 0;
  try {
    process.chdir(dir);
    for (const seed of seeds) {
      const rng = createRng(seed);
      for (const [name, f] of fns) {
        for (let k = 0; k < perFunction; k++) {
          const n = Math.max(1, f.length) + rng.int(2);
          const args = Array.from({ length: n }, () => junk()[rng.int(JUNK_COUNT)]);
          calls++;
          if (process.env.FUZZ_TRACE)
            writeSync(
              traceFd,
              `${Date.now()} ${name} ${k}
`,
            );
          try {
            const r = f(...args);
            if (r && typeof (r as Promise<unknown>).then === "function")
              await Promise.race([r, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
          } catch (err) {
            if (err instanceof fh.FeatureHistoriesError) {
              toolkit++;
              if (!err.parameter || !err.rule) {
                const key = `${name}: a toolkit error without parameter or rule: ${err.message.slice(0, 80)}`;
                bad.set(key, (bad.get(key) ?? 0) + 1);
              }
            } else {
              const key = `${name}: ${String((err as Error)?.message ?? err)
                .split("\n")[0]!
                .slice(0, 120)}`;
              bad.set(key, (bad.get(key) ?? 0) + 1);
            }
          }
        }
      }
    }
  } finally {
    process.chdir(cwd);
    console.log = log;
    restoreDisplay();
    restoreWarnings();
    rmSync(dir, { recursive: true, force: true });
  }
  assert.ok(calls >= 5000 * seeds.length, `${calls} calls`);
  assert.ok(toolkit > calls / 2, `${toolkit} of ${calls} calls gave the toolkit's error`);
  assert.deepEqual([...bad.entries()], [], `non-toolkit errors (function: message -> count)`);
});

test("option typos are rejected with the nearest key, and swallowed failures stay visible as data and a warning", async () => {
  const { candidateFromConfig } = await import("../../src/train/config.js");
  const { estimateAll } = await import("../../src/proxy/evaluate.js");
  const { featureHistoryProxy } = await import("../../src/proxy/fh.js");
  const { captureWarnings } = await import("../../src/core/warn.js");
  const { emptyCurves } = await import("../../src/history/curves.js");
  const cnn = { family: "cnn", depth: 2, width: 8, kernel: 3, pooling: "max", batchNorm: true, dropout: 0 };
  assert.throws(
    () => candidateFromConfig(cnn, { epoch: 8 } as never),
    (e: unknown) =>
      e instanceof fh.FeatureHistoriesError && e.code === "unknown-option" && /did you mean "epochs"/.test(e.message),
  );
  // The Adam rate is adamLr (camelCase like every key); studies made before the rename say adam_lr.
  const adam = { ...cnn, optimizer: "adam" };
  assert.equal(candidateFromConfig({ ...adam, adamLr: 0.004 }).train.lr, 0.004);
  assert.equal(candidateFromConfig({ ...adam, adam_lr: 0.003 }).train.lr, 0.003);
  const curves = { ...emptyCurves(), valAcc: [0.5, 0.6], trainLoss: [1, 0.8] };
  const { result, warnings } = captureWarnings(() =>
    estimateAll([{ curves }], { estimators: [featureHistoryProxy()], budgets: [1], budget: 2 }),
  );
  assert.equal(result[0]!.estimate, undefined);
  assert.match(result[0]!.error!, /probeTrain/);
  assert.ok(
    warnings.some((w) => /estimateAll: 1 of 1 estimates could not be made/.test(w)),
    warnings.join("\n"),
  );
});
