import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/**
 * Whether scripts/setup-native.sh installed the native addon. When it did, the native tests must
 * pass (a broken build fails them); when it did not (a machine without a compiler, say), they are
 * skipped with this reason.
 */
export function nativeInstalled(): { installed: boolean; reason: string } {
  let pkg: string;
  try {
    pkg = dirname(require.resolve("@tensorflow/tfjs-node/package.json"));
  } catch {
    return {
      installed: false,
      reason: "@tensorflow/tfjs-node is not in node_modules (run bash scripts/setup-native.sh)",
    };
  }
  const lib = join(pkg, "lib");
  const built = existsSync(lib) && readdirSync(lib).some((d) => existsSync(join(lib, d, "tfjs_binding.node")));
  return built
    ? { installed: true, reason: "" }
    : { installed: false, reason: "tfjs-node's addon is not built (run bash scripts/setup-native.sh)" };
}

/** The software Vulkan adapter scripts/setup-vulkan.sh unpacks, as environment for a child process. */
export function lavapipeEnv(): { env?: Record<string, string>; reason: string } {
  const cache =
    process.env.FH_NATIVE_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "feature-histories");
  const dir = join(cache, "lavapipe");
  const icd = join(dir, "icd.json");
  if (!existsSync(icd)) return { reason: `no lavapipe in ${dir} (run bash scripts/setup-vulkan.sh)` };
  const lib = join(dir, "root", "usr", "lib", "x86_64-linux-gnu");
  return {
    env: {
      VK_DRIVER_FILES: icd,
      LD_LIBRARY_PATH: [lib, process.env.LD_LIBRARY_PATH].filter(Boolean).join(":"),
    },
    reason: "",
  };
}
