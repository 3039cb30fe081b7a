import { fail, show } from "../core/errors.js";
import { checkNumber, checkShape } from "../core/validate.js";
import { fromHalf, toHalf } from "./float16.js";

/** How a feature history stores its values: float32, or float16 (half the size, the default on disk). */
export type HistoryDtype = "float32" | "float16";

/**
 * The penultimate features of a fixed probe set after every epoch: epochs x samples x dims.
 * float16 halves the memory of a study (features are activations after pooling, well inside
 * half precision's range); reads always return float32.
 */
export interface FeatureHistory {
  readonly samples: number;
  readonly dims: number;
  readonly dtype: HistoryDtype;
  /** Labels of the probe samples, one per sample. */
  readonly labels: Uint8Array;
  /** Per-epoch feature blocks (samples x dims), epoch 1 first. */
  readonly blocks: readonly (Float32Array | Uint16Array)[];
}

/** An empty feature history for `samples` probe images of `dims` features (float32 or float16). */
export function createHistory(
  samples: number,
  dims: number,
  labels: Uint8Array,
  dtype: HistoryDtype = "float32",
): FeatureHistory {
  checkNumber("samples", samples, { integer: true, min: 1 });
  checkNumber("dims", dims, { integer: true, min: 1 });
  if (labels.length !== samples) {
    fail("invalid-argument", {
      parameter: "labels",
      rule: `must hold one label per sample (${samples})`,
      received: `${labels.length} labels`,
      fix: "pass the probe set's labels.",
    });
  }
  if (dtype !== "float32" && dtype !== "float16")
    fail("invalid-argument", {
      parameter: "dtype",
      rule: 'must be "float32" or "float16"',
      received: show(dtype),
      fix: "pick one.",
    });
  return { samples, dims, dtype, labels, blocks: [] };
}

/** `value` must be a feature history (createHistory, a trial's probeTrain / probeValidation). */
export function checkHistory(name: string, value: unknown): FeatureHistory {
  checkShape(
    name,
    value,
    "a feature history",
    { samples: "number", dims: "number", labels: "bytes", blocks: "array" },
    "pass a trial's probeTrain or probeValidation (or build one with createHistory and appendEpoch).",
  );
  return value as FeatureHistory;
}

/** How many epochs a feature history holds. */
export function epochCount(h: FeatureHistory): number {
  checkHistory("history", h);
  return h.blocks.length;
}

/** A new history with one more epoch (the block is copied, converted to the history's dtype). */
export function appendEpoch(h: FeatureHistory, features: Float32Array): FeatureHistory {
  checkHistory("history", h);
  if (!(features instanceof Float32Array))
    fail("invalid-argument", {
      parameter: "features",
      rule: "must be a Float32Array (samples x dims)",
      received: show(features),
      fix: "pass the epoch's features as a Float32Array.",
    });
  if (features.length !== h.samples * h.dims) {
    fail("invalid-argument", {
      parameter: "features",
      rule: `must hold samples x dims = ${h.samples} x ${h.dims} values`,
      received: `${features.length} values`,
      fix: "pass the features of every probe sample.",
    });
  }
  let block: Float32Array | Uint16Array;
  if (h.dtype === "float16") {
    block = new Uint16Array(features.length);
    for (let i = 0; i < features.length; i++) block[i] = toHalf(features[i]!);
  } else block = Float32Array.from(features);
  return { ...h, blocks: [...h.blocks, block] };
}

/** Features of epoch `e` (1-based) as float32, samples x dims. */
export function epochFeatures(h: FeatureHistory, e: number): Float32Array {
  checkHistory("history", h);
  checkNumber("epoch", e, { integer: true, min: 1, max: Math.max(1, h.blocks.length) });
  if (h.blocks.length === 0)
    fail("invalid-argument", {
      parameter: "history",
      rule: "must hold at least one epoch",
      received: "an empty history",
      fix: "record an epoch first.",
    });
  const b = h.blocks[e - 1]!;
  if (b instanceof Float32Array) return b;
  const out = new Float32Array(b.length);
  for (let i = 0; i < b.length; i++) out[i] = fromHalf(b[i]!);
  return out;
}

/** Epoch numbers (1-based) of the window of K epochs ending at budget t: t-K+1..t. */
export function windowEpochs(t: number, k: number, available: number): number[] {
  checkNumber("available", available, { integer: true, min: 1 });
  checkNumber("t", t, { integer: true, min: 1, max: available });
  checkNumber("K", k, { integer: true, min: 1 });
  const start = Math.max(1, t - k + 1);
  return Array.from({ length: t - start + 1 }, (_, i) => start + i);
}

/** The history truncated to its first t epochs (what is known at budget t). */
export function truncate(h: FeatureHistory, t: number): FeatureHistory {
  checkHistory("history", h);
  checkNumber("t", t, { integer: true, min: 0, max: h.blocks.length });
  return { ...h, blocks: h.blocks.slice(0, t) };
}
