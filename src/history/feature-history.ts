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
  /**
   * The network's own class probabilities (its softmax) on the same probe images after every
   * epoch, when recorded (training records them for P_val): one block of samples x classes per
   * epoch, aligned with `blocks`, in the history's dtype.
   */
  readonly outputs?: { readonly classes: number; readonly blocks: readonly (Float32Array | Uint16Array)[] };
}

/**
 * An empty feature history for `samples` probe images of `dims` features (float32 or float16);
 * with `outputs` (a number of classes) it also records the network's own class probabilities.
 */
export function createHistory(
  samples: number,
  dims: number,
  labels: Uint8Array,
  dtype: HistoryDtype = "float32",
  outputs?: number,
): FeatureHistory {
  checkNumber("samples", samples, { integer: true, min: 1 });
  checkNumber("dims", dims, { integer: true, min: 1 });
  if (outputs !== undefined) checkNumber("outputs", outputs, { integer: true, min: 2, max: 256 });
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
  return {
    samples,
    dims,
    dtype,
    labels,
    blocks: [],
    ...(outputs ? { outputs: { classes: outputs, blocks: [] } } : {}),
  };
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

/**
 * A new history with one more epoch (the block is copied, converted to the history's dtype).
 * A history that records outputs needs the epoch's class probabilities too (samples x classes).
 */
export function appendEpoch(h: FeatureHistory, features: Float32Array, outputs?: Float32Array): FeatureHistory {
  checkHistory("history", h);
  checkBlock("features", features, h.samples, h.dims, "dims", "pass the epoch's features as a Float32Array.");
  if (h.outputs) {
    if (outputs === undefined)
      fail("invalid-argument", {
        parameter: "outputs",
        rule: "is required by a history that records the network's outputs",
        received: "nothing",
        fix: "pass the epoch's class probabilities (samples x classes) as the third argument.",
      });
    checkBlock(
      "outputs",
      outputs,
      h.samples,
      h.outputs.classes,
      "classes",
      "pass the epoch's softmax as a Float32Array.",
    );
  } else if (outputs !== undefined)
    fail("invalid-argument", {
      parameter: "outputs",
      rule: "needs a history created with outputs (createHistory(samples, dims, labels, dtype, classes))",
      received: show(outputs),
      fix: "leave outputs out, or create the history with a number of classes.",
    });
  const block = toDtype(features, h.dtype);
  return {
    ...h,
    blocks: [...h.blocks, block],
    ...(h.outputs ? { outputs: { ...h.outputs, blocks: [...h.outputs.blocks, toDtype(outputs!, h.dtype)] } } : {}),
  };
}

function checkBlock(name: string, v: unknown, samples: number, width: number, what: string, fix: string): void {
  if (!(v instanceof Float32Array))
    fail("invalid-argument", {
      parameter: name,
      rule: `must be a Float32Array (samples x ${what})`,
      received: show(v),
      fix,
    });
  if (v.length !== samples * width)
    fail("invalid-argument", {
      parameter: name,
      rule: `must hold samples x ${what} = ${samples} x ${width} values`,
      received: `${v.length} values`,
      fix: `pass the values of every probe sample.`,
    });
}

function toDtype(values: Float32Array, dtype: HistoryDtype): Float32Array | Uint16Array {
  if (dtype !== "float16") return Float32Array.from(values);
  const block = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) block[i] = toHalf(values[i]!);
  return block;
}

function toFloat32(b: Float32Array | Uint16Array): Float32Array {
  if (b instanceof Float32Array) return b;
  const out = new Float32Array(b.length);
  for (let i = 0; i < b.length; i++) out[i] = fromHalf(b[i]!);
  return out;
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
  return toFloat32(h.blocks[e - 1]!);
}

/**
 * The network's own class probabilities on the probe images after epoch `e` (1-based), as
 * float32 samples x classes; the history must record outputs (training does for P_val).
 */
export function epochOutputs(h: FeatureHistory, e: number): Float32Array {
  checkHistory("history", h);
  if (!h.outputs)
    fail("invalid-argument", {
      parameter: "history",
      rule: "must record the network's outputs (probabilities on the probe images)",
      received: "a history of features only",
      fix: "use trial.probeValidation of a trial trained by this release (older studies recorded features only).",
    });
  checkNumber("epoch", e, { integer: true, min: 1, max: Math.max(1, h.outputs.blocks.length) });
  if (h.outputs.blocks.length < e)
    fail("invalid-argument", {
      parameter: "epoch",
      rule: `must be an epoch the history holds (1..${h.outputs.blocks.length})`,
      received: show(e),
      fix: "ask for an epoch already recorded.",
    });
  return toFloat32(h.outputs.blocks[e - 1]!);
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
  return {
    ...h,
    blocks: h.blocks.slice(0, t),
    ...(h.outputs ? { outputs: { ...h.outputs, blocks: h.outputs.blocks.slice(0, t) } } : {}),
  };
}
