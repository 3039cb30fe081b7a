// The webgpu backend on a software Vulkan adapter (Mesa 25 lavapipe, unpacked by
// scripts/setup-vulkan.sh) against the cpu backend: op gradients, SGD trajectories of built
// models, and one run of the toolkit's training loop. Runs in a child process because the Vulkan
// driver is chosen by environment variables read at process start.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { lavapipeEnv } from "../helpers/backends.js";

const vk = lavapipeEnv();

test("webgpu (lavapipe) matches the cpu backend and runs the training loop", vk.env ? {} : { skip: vk.reason }, () => {
  const script = fileURLToPath(new URL("../helpers/webgpu-check.js", import.meta.url));
  const r = spawnSync(process.execPath, [script], {
    env: { ...process.env, ...vk.env, FH_BACKEND: "" },
    encoding: "utf8",
    timeout: 240_000,
  });
  const line = r.stdout.trim().split("\n").at(-1) ?? "";
  assert.equal(r.status, 0, `exit ${r.status}\n${r.stderr.split("\n").slice(-15).join("\n")}`);
  const out = JSON.parse(line) as {
    backend: string;
    adapter: string;
    ops: Record<string, number>;
    sgd: Record<string, { webgpu: number[]; cpu: number[]; error: number }>;
    loop: { status: string; error?: string; epochs: number; finite: boolean; featureEpochs: number; testAcc?: number };
    tensorsLeft: number;
    weightDecay: { withDecay: number; withoutDecay: number };
  };
  assert.equal(out.backend, "webgpu");
  assert.match(out.adapter, /llvmpipe/);
  for (const [op, e] of Object.entries(out.ops)) assert.ok(e <= 1e-4, `${op}: relative error ${e}`);
  for (const [family, s] of Object.entries(out.sgd)) {
    assert.ok(s.error <= 1e-4, `${family}: losses ${s.webgpu} vs ${s.cpu}`);
    assert.ok(s.webgpu[4]! < s.webgpu[0]!, `${family}: the loss falls`);
  }
  assert.equal(out.loop.status, "complete", out.loop.error);
  assert.equal(out.loop.epochs, 2);
  assert.equal(out.loop.featureEpochs, 2);
  assert.ok(out.loop.finite);
  assert.ok(out.loop.testAcc !== undefined && out.loop.testAcc >= 0 && out.loop.testAcc <= 1);
  assert.ok(
    Math.abs(out.weightDecay.withDecay - out.weightDecay.withoutDecay) > 1e-3,
    `the weight-decay term of a 20-kernel ResNet counts on webgpu: ${JSON.stringify(out.weightDecay)}`,
  );
  assert.equal(out.tensorsLeft, 0, "no tensor outlives the checks");
});
