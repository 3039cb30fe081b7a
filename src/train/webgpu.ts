/**
 * WebGPU in Node through Dawn (npm `webgpu`, an optional dependency): the adapter is opened
 * before @tensorflow/tfjs-backend-webgpu is imported, because that package registers its backend
 * only if navigator.gpu exists at import time. Dawn keeps the process alive while navigator.gpu
 * is referenced: closeWebGpu() lets a script exit.
 */
import { existsSync, readdirSync } from "node:fs";

/** The adapter WebGPU runs on, as Dawn describes it. */
export interface GpuAdapterSummary {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** A CPU implementation (lavapipe, SwiftShader): correct but slower than the CPU backends. */
  readonly software: boolean;
}

interface DawnModule {
  create(flags: string[]): DawnGpu;
  globals: Record<string, unknown>;
}
interface DawnGpu {
  requestAdapter(options?: { powerPreference?: string }): Promise<DawnAdapter | null>;
}
interface DawnAdapter {
  readonly info?: {
    vendor?: string;
    architecture?: string;
    device?: string;
    description?: string;
    isFallbackAdapter?: boolean;
  };
  readonly isFallbackAdapter?: boolean;
}

const ICD_DIRS = [
  "/usr/local/nvidia/share/vulkan/icd.d",
  "/etc/vulkan/icd.d",
  "/usr/local/share/vulkan/icd.d",
  "/usr/share/vulkan/icd.d",
];

/** Vulkan driver manifests the loader would read: VK_DRIVER_FILES / VK_ICD_FILENAMES, else the standard folders. */
export function vulkanDrivers(): string[] {
  const listed = process.env.VK_DRIVER_FILES ?? process.env.VK_ICD_FILENAMES;
  if (listed) return listed.split(":").filter((f) => f.length > 0 && existsSync(f));
  return ICD_DIRS.flatMap((d) => {
    try {
      return readdirSync(d)
        .filter((f) => f.endsWith(".json"))
        .map((f) => `${d}/${f}`);
    } catch {
      return [];
    }
  });
}

type Nav = { gpu?: unknown };
let opened = false;

function setNavigatorGpu(gpu: unknown): void {
  const g = globalThis as unknown as { navigator?: Nav };
  // Node 20 has no navigator; Node >= 21 has one, whose properties may be read-only.
  if (g.navigator === undefined) {
    Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true, writable: true });
    return;
  }
  try {
    Object.defineProperty(g.navigator, "gpu", { value: gpu, configurable: true, writable: true });
  } catch {
    Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true, writable: true });
  }
}

/** Open Dawn and request an adapter; never throws. */
export async function openWebGpu(): Promise<{ ok: true; adapter: GpuAdapterSummary } | { ok: false; reason: string }> {
  // Without a Vulkan driver Dawn finds nothing and prints four warnings: do not even load it.
  if (vulkanDrivers().length === 0)
    return {
      ok: false,
      reason:
        "no Vulkan driver manifest (ICD) found: set VK_DRIVER_FILES, or install the GPU's Vulkan driver (NVIDIA: nvidia_icd.json)",
    };
  let dawn: DawnModule;
  try {
    dawn = (await import("webgpu")) as unknown as DawnModule;
  } catch (err) {
    const msg = err instanceof Error ? err.message.split("\n")[0]! : String(err);
    return {
      ok: false,
      reason: /Cannot find (module|package) 'webgpu'/.test(msg)
        ? "webgpu (Dawn) is not installed (it is optional)"
        : `webgpu (Dawn) did not load: ${msg}`,
    };
  }
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  setNavigatorGpu(gpu);
  opened = true;
  const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) {
    closeWebGpu();
    return { ok: false, reason: "Dawn found no WebGPU adapter on the Vulkan drivers present" };
  }
  const info = adapter.info ?? {};
  const software =
    info.isFallbackAdapter === true || adapter.isFallbackAdapter === true || info.architecture === "software";
  return {
    ok: true,
    adapter: {
      vendor: info.vendor ?? "",
      architecture: info.architecture ?? "",
      device: info.device ?? "",
      description: info.description || info.device || "unnamed adapter",
      software,
    },
  };
}

/** Drop navigator.gpu so Dawn lets the process exit. Safe to call more than once. */
export function closeWebGpu(): void {
  if (!opened) return;
  opened = false;
  const g = globalThis as unknown as { navigator?: Nav };
  try {
    if (g.navigator) delete g.navigator.gpu;
  } catch {
    /* a read-only navigator: nothing else holds Dawn */
  }
}
