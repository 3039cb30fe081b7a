/**
 * TensorFlow's thread pools on the native backend. TensorFlow sizes its intra-op pool (one op
 * split across threads) and its inter-op pool (independent ops at once) from
 * TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS when its first context is created, else uses
 * every core for each. N worker processes on C cores would then run N x C threads: each worker
 * gets floor(C / N) intra-op threads and one inter-op thread instead (an eager training step is a
 * chain of dependent ops). bench/train-throughput.mjs measures 1 vs 2 workers.
 */
import { availableParallelism } from "node:os";
import { checkNumber } from "../core/validate.js";

function envCount(name: string): number | "default" {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : "default";
}

/** The thread counts TensorFlow takes from this process's environment. */
export function tensorflowThreads(): { intraOp: number | "default"; interOp: number | "default" } {
  return { intraOp: envCount("TF_NUM_INTRAOP_THREADS"), interOp: envCount("TF_NUM_INTEROP_THREADS") };
}

/** Environment for one of `workers` processes sharing `cores` cores (default: this machine's). */
export function workerThreadEnv(workers: number, cores: number = availableParallelism()): Record<string, string> {
  checkNumber("workers", workers, { integer: true, min: 1, max: 4096 });
  checkNumber("cores", cores, { integer: true, min: 1, max: 4096 });
  const intra = String(Math.max(1, Math.floor(cores / Math.max(1, workers))));
  return { TF_NUM_INTRAOP_THREADS: intra, TF_NUM_INTEROP_THREADS: "1", OMP_NUM_THREADS: intra };
}
