export {
  resolveBackend,
  backendReport,
  formatBackendReport,
  cudaVisible,
  BACKEND_ORDER,
  BACKEND_VARIABLE,
  NATIVE_KERNELS_VARIABLE,
} from "./backend.js";
export { nativeKernelsActive } from "./native-kernels.js";
export { openWebGpu, closeWebGpu, vulkanDrivers } from "./webgpu.js";
export type { GpuAdapterSummary } from "./webgpu.js";
export { tensorflowThreads, workerThreadEnv } from "./threads.js";
export type { BackendChoice, BackendAttempt, BackendReport, ResolveBackendOptions } from "./backend.js";
export { candidateFromConfig, learningRateAt, TRAIN_DEFAULTS } from "./config.js";
export type { ModelConfig, CnnConfig, NasCellConfig, ResNetConfig, TrainConfig, UserModelOptions } from "./config.js";
export { buildUserModel } from "./user-model.js";
export type { ModelFunction, ModelContext, UserModelConfig } from "./user-model.js";
export { buildModel } from "./models.js";
export { encodeCheckpoint, decodeCheckpoint } from "./checkpoint.js";
export type { TrainCheckpoint, StoredTensor } from "./checkpoint.js";
export type { BuiltModel } from "./models.js";
export { trainCandidate, prepareData } from "./loop.js";
export type {
  PreparedData,
  TensorSet,
  EpochRecord,
  BatchInfo,
  TrainHooks,
  TrainSnapshot,
  TrainSoFar,
  TrainOptions,
  TrainResult,
  TrainError,
} from "./loop.js";
