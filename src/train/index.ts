export {
  resolveBackend,
  backendReport,
  formatBackendReport,
  cudaVisible,
  BACKEND_ORDER,
  BACKEND_VARIABLE,
} from "./backend.js";
export type { BackendChoice, BackendAttempt, BackendReport, ResolveBackendOptions } from "./backend.js";
export { registerWasmTrainingKernels } from "./wasm-kernels.js";
