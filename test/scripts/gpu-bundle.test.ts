// npm run gpu:bundle: the folder stays under 60 MiB, and its run.sh works with nothing but what
// it carries (the carried node and Vulkan loader forced), here on the software adapter: the
// correctness check passes and the toolkit trains on webgpu. The PyTorch CUDA step needs a GPU.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { lavapipeEnv } from "../helpers/backends.js";
import { tempDir } from "../helpers/fixtures.js";

const root = resolve(import.meta.dirname, "..", "..", "..");
const vk = lavapipeEnv();

test(
  "the GPU check bundle is under 60 MiB and passes its checks on lavapipe with its carried node",
  vk.env ? { timeout: 900_000 } : { skip: vk.reason },
  () => {
    const { dir, cleanup } = tempDir("fh-gpu-bundle-");
    try {
      const out = join(dir, "gpu-check");
      const b = spawnSync(process.execPath, [join(root, "scripts", "gpu-bundle.mjs"), out], {
        encoding: "utf8",
        timeout: 600_000,
      });
      assert.equal(b.status, 0, `${b.stdout}\n${b.stderr}`);
      const mib = Number(/: ([\d.]+) MiB/.exec(b.stdout)?.[1]);
      assert.ok(mib > 10 && mib < 60, `bundle size ${mib} MiB`);
      const r = spawnSync("bash", [join(out, "run.sh")], {
        env: {
          ...process.env,
          ...vk.env,
          OUT: join(dir, "log"),
          SKIP_TORCH: "1",
          BENCH_MODELS: "tiny-cnn",
          BENCH_BUDGET_S: "3",
          FORCE_CARRIED_NODE: "1",
          FORCE_CARRIED_VULKAN: "1",
        },
        encoding: "utf8",
        timeout: 300_000,
      });
      assert.equal(r.status, 0, r.stdout.slice(-3000));
      assert.match(r.stdout, /unpacking the carried node/);
      assert.match(r.stdout, /using the carried Debian 12 loader/);
      assert.match(r.stdout, /failures: 0/, r.stdout.slice(-3000));
      assert.match(r.stdout, /SUMMARY check adapter=llvmpipe.* loop=complete/);
      assert.match(r.stdout, /SUMMARY tiny-cnn +webgpu \d+ img\/s/);
    } finally {
      cleanup();
    }
  },
);
