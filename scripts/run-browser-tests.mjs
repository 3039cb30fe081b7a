// Runs the browser tests (build/test/browser/*.browser.js) with node's test runner. They need the
// CI-size notebooks executed first (test-output/notebooks), Debian's chromium and the .venv.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { root } from "./jupyter-env.mjs";

const dir = join(root, "build", "test", "browser");
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".browser.js"))
  .map((f) => join(dir, f));
const r = spawnSync(process.execPath, ["--test", "--test-concurrency=1", ...files], { cwd: root, stdio: "inherit" });
process.exit(r.status ?? 1);
