import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import * as tf from "@tensorflow/tfjs";
import { fail, show } from "../core/errors.js";
import { checkKeys, checkShape } from "../core/validate.js";
import { warn } from "../core/warn.js";
import { registerNativeTrainingKernels } from "./native-kernels.js";
import { closeWebGpu, openWebGpu, type GpuAdapterSummary } from "./webgpu.js";
import { tensorflowThreads } from "./threads.js";

const require = createRequire(import.meta.url);

/** Our names for the five ways to run: the package that provides each is in BACKENDS. */
export type BackendChoice = "tensorflow-gpu" | "webgpu" | "tensorflow" | "wasm" | "cpu";
/** The order in which resolveBackend tries TensorFlow.js backends when none is requested: GPU first, wasm and cpu last. */
export const BACKEND_ORDER: readonly BackendChoice[] = ["tensorflow-gpu", "webgpu", "tensorflow", "wasm", "cpu"];
/** The environment variable that names the backend to use (FH_BACKEND). */
export const BACKEND_VARIABLE = "FH_BACKEND";
/** FH_NATIVE_KERNELS=off keeps tfjs's own kernels on the native backend (benchmarks' "before"). */
export const NATIVE_KERNELS_VARIABLE = "FH_NATIVE_KERNELS";

const BACKENDS: Record<BackendChoice, { pkg: string; tfName: string }> = {
  "tensorflow-gpu": { pkg: "@tensorflow/tfjs-node-gpu", tfName: "tensorflow" },
  webgpu: { pkg: "@tensorflow/tfjs-backend-webgpu + webgpu (Dawn)", tfName: "webgpu" },
  tensorflow: { pkg: "@tensorflow/tfjs-node", tfName: "tensorflow" },
  wasm: { pkg: "@tensorflow/tfjs-backend-wasm", tfName: "wasm" },
  cpu: { pkg: "@tensorflow/tfjs-backend-cpu (in @tensorflow/tfjs)", tfName: "cpu" },
};

/** One backend resolveBackend tried: its name, whether it worked, and why not. */
export interface BackendAttempt {
  readonly backend: BackendChoice;
  readonly package: string;
  /** chosen; skipped (a precondition is missing, not tried); failed (tried, did not load); not-needed (a better one was chosen). */
  readonly status: "chosen" | "skipped" | "failed" | "not-needed";
  readonly reason: string;
}

/** What resolveBackend chose and every attempt before it (fh.train.backendReport()). */
export interface BackendReport {
  readonly chosen: BackendChoice;
  /** The name tf.getBackend() returns. */
  readonly tfjsBackend: string;
  /** How the choice was made: "auto", "option" or "FH_BACKEND". */
  readonly requestedBy: "auto" | "option" | typeof BACKEND_VARIABLE;
  readonly attempts: readonly BackendAttempt[];
  /** wasm only: SIMD and threads as the backend detected them. */
  readonly wasm?: { simd: boolean; threads: boolean };
  /** webgpu only: the adapter in use. */
  readonly gpu?: GpuAdapterSummary;
  /** Native backends only: whether the toolkit's fused training kernels are registered. */
  readonly nativeKernels?: "fused" | "off";
  /** Native backends only: TensorFlow's thread pools (from TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS; "default" = all cores). */
  readonly threads?: { intraOp: number | "default"; interOp: number | "default" };
}

/** Options of fh.train.resolveBackend: the backend to use (else FH_BACKEND, else the best that works). */
export interface ResolveBackendOptions {
  /** Force one backend (no fallback: it loads or this throws). Default: $FH_BACKEND, else "auto". */
  backend?: BackendChoice | "auto";
}

/** Where CUDA could be visible to libtensorflow: an NVIDIA driver and not hidden by CUDA_VISIBLE_DEVICES. */
export function cudaVisible(): { visible: boolean; reason: string } {
  const cvd = process.env.CUDA_VISIBLE_DEVICES;
  if (cvd !== undefined && (cvd.trim() === "" || cvd.trim() === "-1")) {
    return { visible: false, reason: `CUDA_VISIBLE_DEVICES=${JSON.stringify(cvd)} hides every GPU` };
  }
  if (!existsSync("/proc/driver/nvidia/version") && !existsSync("/dev/nvidia0")) {
    return { visible: false, reason: "no NVIDIA driver (/proc/driver/nvidia/version and /dev/nvidia0 are missing)" };
  }
  return { visible: true, reason: "an NVIDIA driver is present" };
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split("\n")[0]!.slice(0, 200);
}

async function tryLoad(
  choice: BackendChoice,
  forced: boolean,
): Promise<{ ok: true; gpu?: GpuAdapterSummary } | { ok: false; reason: string; skipped?: boolean }> {
  let gpu: GpuAdapterSummary | undefined;
  try {
    if (choice === "webgpu") {
      const found = await openWebGpu();
      if (!found.ok) return { ok: false, reason: found.reason, skipped: true };
      gpu = found.adapter;
      if (gpu.software && !forced) {
        closeWebGpu();
        return {
          ok: false,
          skipped: true,
          reason: `only a software adapter (${gpu.description}): slower than the CPU backends; FH_BACKEND=webgpu forces it`,
        };
      }
      await import("@tensorflow/tfjs-backend-webgpu");
    } else if (choice === "tensorflow-gpu" || choice === "tensorflow") {
      // Loading the package registers the native "tensorflow" backend on the shared tfjs-core.
      require(BACKENDS[choice].pkg);
    } else if (choice === "wasm") {
      await import("@tensorflow/tfjs-backend-wasm");
      const { registerWasmTrainingKernels } = await import("./wasm-kernels.js");
      registerWasmTrainingKernels();
    }
    const ok = await tf.setBackend(BACKENDS[choice].tfName);
    if (!ok) return { ok: false, reason: `tf.setBackend("${BACKENDS[choice].tfName}") returned false` };
    await tf.ready();
    return gpu ? { ok: true, gpu } : { ok: true };
  } catch (err) {
    if (choice === "webgpu") closeWebGpu();
    const reason = firstLine(err);
    if (/Cannot find module/.test(reason) && reason.includes(BACKENDS[choice].pkg.split(" ")[0]!)) {
      return {
        ok: false,
        reason: `${BACKENDS[choice].pkg} is not installed (it is optional; its install downloads libtensorflow)`,
      };
    }
    return { ok: false, reason };
  }
}

let current: BackendReport | undefined;

/** The report of the last resolveBackend call, if any. */
export function backendReport(): BackendReport | undefined {
  return current;
}

/**
 * Choose the TensorFlow.js backend: tfjs-node-gpu (when CUDA is visible) -> webgpu (a hardware
 * adapter only; a software one only when forced) -> tfjs-node -> wasm -> cpu, trying each only if
 * it loads. On the native backends the toolkit's fused training kernels are registered. `options.backend` or FH_BACKEND forces one, with no fallback.
 * The pure-JS cpu backend is ~100x slower than wasm for conv training: choosing it warns.
 */
export async function resolveBackend(options: ResolveBackendOptions = {}): Promise<BackendReport> {
  checkKeys("options", options, ["backend"]);
  const env = process.env[BACKEND_VARIABLE];
  const requested = options.backend ?? (env && env.length > 0 ? env : "auto");
  const requestedBy: BackendReport["requestedBy"] =
    options.backend !== undefined ? "option" : env && env.length > 0 ? BACKEND_VARIABLE : "auto";
  const allowed = ["auto", ...BACKEND_ORDER];
  if (!allowed.includes(requested)) {
    fail("invalid-argument", {
      parameter: requestedBy === BACKEND_VARIABLE ? BACKEND_VARIABLE : "options.backend",
      rule: `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}`,
      received: show(requested),
      fix: `use one of ${allowed.join(", ")} (or unset ${BACKEND_VARIABLE}).`,
    });
  }
  const attempts: BackendAttempt[] = [];
  let chosen: BackendChoice | undefined;
  let gpu: GpuAdapterSummary | undefined;
  if (requested !== "auto") {
    const choice = requested as BackendChoice;
    const res = await tryLoad(choice, true);
    if (!res.ok) {
      fail("backend-unavailable", {
        parameter: requestedBy === BACKEND_VARIABLE ? BACKEND_VARIABLE : "options.backend",
        rule: `asks for "${choice}" (${BACKENDS[choice].pkg}), which must load`,
        received: res.reason,
        fix: `install it, or choose another backend (${BACKEND_ORDER.join(", ")}), or "auto".`,
      });
    }
    chosen = choice;
    if (res.gpu) gpu = res.gpu;
    for (const b of BACKEND_ORDER) {
      attempts.push({
        backend: b,
        package: BACKENDS[b].pkg,
        status: b === choice ? "chosen" : "not-needed",
        reason:
          b === choice
            ? `forced by ${requestedBy === "option" ? "options.backend" : BACKEND_VARIABLE}`
            : "not tried: a backend was forced",
      });
    }
  } else {
    for (const b of BACKEND_ORDER) {
      if (chosen) {
        attempts.push({
          backend: b,
          package: BACKENDS[b].pkg,
          status: "not-needed",
          reason: `${chosen} was chosen first`,
        });
        continue;
      }
      if (b === "tensorflow-gpu") {
        const cuda = cudaVisible();
        if (!cuda.visible) {
          attempts.push({ backend: b, package: BACKENDS[b].pkg, status: "skipped", reason: cuda.reason });
          continue;
        }
      }
      const res = await tryLoad(b, false);
      if (res.ok) {
        chosen = b;
        if (res.gpu) gpu = res.gpu;
        attempts.push({
          backend: b,
          package: BACKENDS[b].pkg,
          status: "chosen",
          reason: res.gpu ? `loaded on ${res.gpu.description}` : "loaded",
        });
      } else {
        attempts.push({
          backend: b,
          package: BACKENDS[b].pkg,
          status: res.skipped ? "skipped" : "failed",
          reason: res.reason,
        });
      }
    }
    if (!chosen) {
      fail("backend-unavailable", {
        parameter: "resolveBackend",
        rule: "needs one TensorFlow.js backend that loads",
        received: attempts.map((a) => `${a.backend}: ${a.reason}`).join("; "),
        fix: "reinstall the project's dependencies (npm ci).",
      });
    }
  }
  if (chosen === "cpu") {
    warn(
      "TensorFlow.js runs on the pure-JS cpu backend: conv-net training is ~100x slower than on wasm. " +
        "Install @tensorflow/tfjs-node, or check why wasm failed in the backend report.",
    );
  }
  const native = chosen === "tensorflow" || chosen === "tensorflow-gpu";
  let nativeKernels: "fused" | "off" | undefined;
  if (native) {
    nativeKernels = process.env[NATIVE_KERNELS_VARIABLE] === "off" ? "off" : "fused";
    if (nativeKernels === "fused") registerNativeTrainingKernels();
  }
  current = {
    chosen,
    tfjsBackend: tf.getBackend(),
    requestedBy,
    attempts,
    ...(gpu ? { gpu } : {}),
    ...(nativeKernels ? { nativeKernels, threads: tensorflowThreads() } : {}),
    ...(chosen === "wasm"
      ? {
          wasm: {
            simd: tf.env().getBool("WASM_HAS_SIMD_SUPPORT"),
            threads: tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT"),
          },
        }
      : {}),
  };
  return current;
}

/** A few lines for a notebook or a log. */
export function formatBackendReport(report: BackendReport): string {
  checkShape(
    "report",
    report,
    "a backend report",
    { chosen: "string", attempts: "array" },
    "pass fh.train.backendReport().",
  );
  const lines = [
    `TensorFlow.js backend: ${report.chosen} (tf.getBackend() = "${report.tfjsBackend}", ${report.requestedBy === "auto" ? "chosen automatically" : `forced by ${report.requestedBy}`})`,
  ];
  if (report.gpu)
    lines.push(
      `  adapter: ${report.gpu.description} (${report.gpu.software ? "software" : "hardware"}, vendor ${report.gpu.vendor || "?"})`,
    );
  if (report.nativeKernels)
    lines.push(
      `  fused training kernels: ${report.nativeKernels}; TensorFlow threads intra-op ${report.threads?.intraOp}, inter-op ${report.threads?.interOp}`,
    );
  if (report.wasm)
    lines.push(
      `  wasm: SIMD ${report.wasm.simd ? "on" : "off"}, threads ${report.wasm.threads ? "on" : "off"} (1 core per process)`,
    );
  for (const a of report.attempts) lines.push(`  ${a.status.padEnd(10)} ${a.backend.padEnd(15)} ${a.reason}`);
  return lines.join("\n");
}
