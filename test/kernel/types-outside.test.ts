// Every public function's argument and return types can be named from outside this repository.
// tslab emits declarations for each cell, so a notebook in another folder that stores a result
// whose type is only reachable through feature-histories/node_modules/<dep> fails with TS2742.
// This checks all of them at once, the way tslab does: a project outside the repo that resolves
// `feature-histories` as a package, stores ReturnType and Parameters of every exported function in
// exported constants, and runs the declaration emitter.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { tempDir } from "../helpers/fixtures.js";

const root = resolve(import.meta.dirname, "..", "..", "..");

test("outside the repo: every public function's parameter and return types can be named (no TS2742)", async () => {
  const fh = (await import(pathToFileURL(join(root, "dist", "index.js")).href)) as Record<string, unknown>;
  const names: string[] = [];
  for (const [ns, mod] of Object.entries(fh)) {
    if (!mod || typeof mod !== "object") continue;
    for (const [name, value] of Object.entries(mod as Record<string, unknown>))
      if (typeof value === "function" && !/^[A-Z]/.test(name)) names.push(`${ns}.${name}`);
  }
  assert.ok(names.length > 150, `${names.length} public functions`);
  const { dir, cleanup } = tempDir("fh-types-outside-");
  try {
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(root, join(dir, "node_modules", "feature-histories"), "dir");
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          declaration: true,
          emitDeclarationOnly: true,
          module: "nodenext",
          moduleResolution: "nodenext",
          target: "es2022",
          strict: true,
          skipLibCheck: true,
          outDir: "out",
        },
        files: ["check.ts"],
      }),
    );
    const lines = [
      'import * as fh from "feature-histories";',
      "declare function ret<F extends (...a: never[]) => unknown>(f: F): ReturnType<F>;",
      "declare function args<F extends (...a: never[]) => unknown>(f: F): Parameters<F>;",
      ...names.flatMap((n, i) => [`export const r${i} = ret(fh.${n});`, `export const a${i} = args(fh.${n});`]),
    ];
    writeFileSync(join(dir, "check.ts"), lines.join("\n") + "\n");
    const r = spawnSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", dir], {
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const emitted = readFileSync(join(dir, "out", "check.d.ts"), "utf8");
    assert.doesNotMatch(emitted, /node_modules/, "a declaration reaches into the toolkit's own node_modules");
    assert.match(emitted, /fh\.table\.Table/, "tables are named as the toolkit's own type");
  } finally {
    cleanup();
  }
});
