#!/usr/bin/env node
/**
 * The feature-histories Jupyter kernel: tslab 1.0.22 with a prelude.
 *
 * tslab has no preload hook, so this replicates its startKernel (dist/main.js) from its dist/
 * internals (createConverter, createExecutor, ZmqServer, JupyterHandlerImpl): that is why
 * package.json pins tslab exactly. On top it
 *  - makes `feature-histories` resolvable from a notebook in any folder, at run time (a
 *    Module._resolveFilename hook) and for tslab's type checker (a ts.sys path mapping, the
 *    same trick tslab uses for `tslab` itself in converter.js forwardTslabPath);
 *  - runs the prelude `import * as fh from "feature-histories"` in tslab's execution queue before
 *    any cell, so every cell sees a fully typed global `fh`;
 *  - resolves the TensorFlow.js backend and puts its report in the kernel banner and the log;
 *  - speaks the Jupyter protocol where tslab does not (protocol.cjs: execute_result, error
 *    messages, history, execute_input, is_complete "invalid", no cell aborted unasked);
 *  - survives an interrupt during toolkit work (see armInterrupts).
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const Module = require("node:module");
const vm = require("node:vm");
const { serve, createCapture } = require("./protocol.cjs");

const pkgRoot = path.resolve(__dirname, "..");
const PKG = "feature-histories";
const PRELUDE = `import * as fh from "${PKG}";`;

function parseArgs(argv) {
  const i = argv.indexOf("--config-path");
  if (i >= 0 && argv[i + 1]) return argv[i + 1];
  const bare = argv.find((a) => !a.startsWith("-"));
  if (bare) return bare;
  process.stderr.write("usage: launcher.cjs --config-path <connection file>\n");
  process.exit(2);
}

/** Run-time resolution: `require("feature-histories")` from any folder loads this package. */
function hookRuntimeResolution() {
  const distEntry = path.join(pkgRoot, "dist", "index.js");
  const original = Module._resolveFilename;
  Module._resolveFilename = function (request, parent, isMain, options) {
    if (request === PKG) return distEntry;
    if (request === `${PKG}/package.json`) return path.join(pkgRoot, "package.json");
    return original.call(this, request, parent, isMain, options);
  };
}

/** Type resolution: tslab's TypeScript sees <cwd>/node_modules/feature-histories as this package. */
function hookTypeResolution(ts, cwd) {
  const virtualRoot = path.join(cwd, "node_modules", PKG);
  const sys = ts.sys;
  const orig = {
    fileExists: sys.fileExists.bind(sys),
    directoryExists: sys.directoryExists.bind(sys),
    readFile: sys.readFile.bind(sys),
    realpath: sys.realpath ? sys.realpath.bind(sys) : (p) => p,
    getDirectories: sys.getDirectories.bind(sys),
  };
  const map = (p) => {
    if (typeof p !== "string") return p;
    if (p !== virtualRoot && !p.startsWith(virtualRoot + path.sep)) return p;
    if (orig.fileExists(p) || orig.directoryExists(p)) return p; // a real local install wins
    return pkgRoot + p.slice(virtualRoot.length);
  };
  sys.fileExists = (p) => orig.fileExists(map(p));
  sys.directoryExists = (p) => orig.directoryExists(map(p)) || p === path.join(cwd, "node_modules");
  sys.readFile = (p, enc) => orig.readFile(map(p), enc);
  sys.realpath = (p) => orig.realpath(map(p));
  sys.getDirectories = (p) => orig.getDirectories(map(p));
}

/**
 * Interrupts that stop work cleanly instead of killing the kernel.
 *
 * Node's vm.runInThisContext({ breakOnSigint }) (tslab runs each cell with it) removes the SIGINT
 * listeners for the call and re-adds them after; if the cell's synchronous part adds the first
 * SIGINT listener itself (study.optimize, trainCandidate and liveOptimize do, to stop at an epoch
 * boundary), libuv installs its handler while the watchdog runs, and the watchdog's stop then puts
 * back Node's default one: the next interrupt kills the process (exit -2, every variable lost).
 * After each such call the listeners are removed and re-added, which re-installs libuv's handler.
 *
 * A SIGINT while the toolkit (or user code) listens for it is theirs: the work stops at the next
 * epoch boundary, keeps what it saved and the cell ends with its result. A second interrupt
 * abandons the cell at once (the work stops in the background). With no listener, the cell is
 * abandoned at once, as tslab does.
 */
function armInterrupts(executor) {
  const original = vm.runInThisContext;
  vm.runInThisContext = function (code, options) {
    try {
      return original.call(this, code, options);
    } finally {
      if (options && options.breakOnSigint) {
        const listeners = process.rawListeners("SIGINT");
        process.removeAllListeners("SIGINT");
        for (const l of listeners) process.on("SIGINT", l);
      }
    }
  };
  let pressed = 0;
  const onSigint = () => {
    const others = process.listenerCount("SIGINT") - 1;
    if (others > 0 && pressed++ === 0) {
      process.stderr.write(
        "[feature-histories] interrupt: stopping at the next epoch boundary, keeping every saved epoch; interrupt again to leave the cell now.\n",
      );
      return;
    }
    pressed = 0;
    executor.interrupt();
  };
  process.on("SIGINT", onSigint);
  return {
    interrupt: () => process.emit("SIGINT", "SIGINT"),
    cellEnded: () => void (pressed = 0),
  };
}

function main() {
  const started = Date.now();
  const configPath = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(path.join(pkgRoot, "dist", "index.js"))) {
    process.stderr.write(`[feature-histories] ${pkgRoot}/dist is missing: run \`npm run build\` in ${pkgRoot}.\n`);
    process.exit(1);
  }
  const cwd = process.cwd();
  hookRuntimeResolution();
  const tslabDir = path.dirname(require.resolve("tslab/package.json", { paths: [pkgRoot] }));
  const ts = require(require.resolve("@tslab/typescript-for-tslab", { paths: [tslabDir] }));
  hookTypeResolution(ts, cwd);
  const { createConverter, isCompleteCode } = require(path.join(tslabDir, "dist", "converter.js"));
  const { createExecutor } = require(path.join(tslabDir, "dist", "executor.js"));
  const jupyterModule = require(path.join(tslabDir, "dist", "jupyter.js"));
  const { ZmqServer, JupyterHandlerImpl } = jupyterModule;

  let nodeConv;
  let browserConv;
  const convs = {
    get node() {
      return (nodeConv ??= createConverter({ isJS: false, isBrowser: false }));
    },
    get browser() {
      return (browserConv ??= createConverter({ isJS: false, isBrowser: true }));
    },
    close() {
      nodeConv?.close();
      browserConv?.close();
    },
  };
  void convs.node; // warm the converter, as tslab does
  const capture = createCapture();
  const executor = createExecutor(cwd, convs, capture);
  const handler = new JupyterHandlerImpl(executor, false);
  let banner = "TypeScript (feature histories): the toolkit is the global `fh`; loading...";
  const handleKernel = handler.handleKernel.bind(handler);
  handler.handleKernel = () => ({ ...handleKernel(), banner, implementation: "feature-histories (tslab 1.0.22)" });

  // The prelude goes first: cells sent meanwhile wait behind it.
  // Where the start goes, in the log (and in `npm run bench:kernel`): loading the toolkit's
  // modules, tslab type-checking the prelude against the toolkit's declarations, the backend.
  const phases = [];
  const phase = (name, since) => phases.push(`${name} ${Date.now() - since} ms`);
  phase("tslab and TypeScript loaded", started);
  const prelude = async () => {
    let t = Date.now();
    try {
      require(PKG);
    } catch {
      // The prelude below reports the error as a cell error.
    }
    phase("toolkit modules", t);
    t = Date.now();
    const ok = await executor.execute(PRELUDE);
    phase("prelude type-checked and run", t);
    if (!ok) {
      console.error("[feature-histories] the prelude failed; `fh` is not defined. See the errors above.");
      return;
    }
    try {
      const fh = require(PKG);
      t = Date.now();
      const report = await fh.train.resolveBackend();
      phase("backend", t);
      banner = `TypeScript (feature histories) ${fh.VERSION}: the toolkit is the global \`fh\`.\n${fh.train.formatBackendReport(report)}`;
    } catch (err) {
      banner = `TypeScript (feature histories): the toolkit is the global \`fh\`; no TensorFlow.js backend: ${err && err.message}`;
    }
    console.error(`[feature-histories] ready in ${Date.now() - started} ms (${phases.join(", ")})\n${banner}`);
    // `npm run bench:kernel` collects the phases of each start from here.
    if (process.env.FH_KERNEL_PROFILE) fs.appendFileSync(process.env.FH_KERNEL_PROFILE, `${phases.join(", ")}\n`);
  };

  const server = new ZmqServer(handler, configPath);
  const interrupts = armInterrupts(executor);
  serve({
    server,
    handler,
    executor,
    capture,
    jupyterModule,
    ts,
    isCompleteCode,
    kernelInfo: () => handler.handleKernel(),
    onInterruptRequest: interrupts.interrupt,
    onCellEnd: interrupts.cellEnded,
    prelude,
  });
  process.on("uncaughtException", (err) => console.error("UncaughtException:", err));
  process.on("unhandledRejection", (reason) => console.error("UnhandledPromiseRejection:", reason));
  server.init();
}

main();
