/**
 * Checkpoints of a candidate in training: every model weight (trainable and not, so batch-norm
 * statistics too) and the optimiser's state (iteration count, momentum or Adam moments), after a
 * whole epoch. A promoted candidate resumes from its epoch-t checkpoint and trains on to T
 * without repeating an epoch; the learning-rate schedule spans T either way (trainCandidate).
 *
 * Binary format (version 1, little-endian): "FHCK", u32 version, u32 header length, a JSON header
 * { epoch, budget, seed, tensors: [{ group, name, shape, dtype }] }, zero padding to 4 bytes, then
 * each tensor's values in order. Decoding checks every length and names the source on failure.
 */
import * as tf from "@tensorflow/tfjs";
import { fail, show } from "../core/errors.js";
import { checkShape } from "../core/validate.js";

/** One weight or optimiser tensor inside a training checkpoint. */
export interface StoredTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: "float32" | "int32";
  readonly data: Float32Array | Int32Array;
}

/** Everything to continue a training run exactly: epoch, budget, seed, weights and optimiser state. */
export interface TrainCheckpoint {
  /** Epochs completed (t). */
  readonly epoch: number;
  /** The full budget T the learning-rate schedule spans. */
  readonly budget: number;
  /** The seed of the training run (initialisation, shuffling, dropout). */
  readonly seed: number;
  /** model.weights, in order. */
  readonly weights: readonly StoredTensor[];
  /** optimizer.getWeights(), in order. */
  readonly optimizer: readonly StoredTensor[];
}

async function store(name: string, t: tf.Tensor): Promise<StoredTensor> {
  const dtype = t.dtype === "int32" ? "int32" : "float32";
  const values = await t.data();
  return {
    name,
    shape: [...t.shape],
    dtype,
    data: dtype === "int32" ? Int32Array.from(values) : Float32Array.from(values),
  };
}

/** Read a model's weights and its optimiser's state (asynchronously: GPU backends allow nothing else). */
export async function captureCheckpoint(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  at: { epoch: number; budget: number; seed: number },
): Promise<TrainCheckpoint> {
  const weights = await Promise.all(model.weights.map((w) => store(w.name, w.read())));
  const named = await optimizer.getWeights();
  const state = await Promise.all(named.map((n) => store(n.name, n.tensor)));
  return { epoch: at.epoch, budget: at.budget, seed: at.seed, weights, optimizer: state };
}

function mismatch(what: string, received: string, expected: string): never {
  return fail("invalid-argument", {
    parameter: "options.resume.checkpoint",
    rule: `must come from the same model configuration (${what}: ${expected})`,
    received,
    fix: "resume a trial only with the checkpoint it wrote, with the same config and data shape.",
  });
}

/** Put a checkpoint's weights into `model` and its state into `optimizer`; shapes are checked first. */
export async function restoreCheckpoint(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  checkpoint: TrainCheckpoint,
): Promise<void> {
  const weights = model.weights;
  if (weights.length !== checkpoint.weights.length)
    mismatch("weight count", String(checkpoint.weights.length), String(weights.length));
  weights.forEach((w, i) => {
    const s = checkpoint.weights[i]!;
    if (s.shape.join("x") !== w.shape.join("x"))
      mismatch(`shape of weight ${i} (${w.name})`, s.shape.join("x"), w.shape.join("x"));
  });
  model.setWeights(checkpoint.weights.map((s) => tf.tensor(s.data, [...s.shape], s.dtype)));
  await optimizer.setWeights(
    checkpoint.optimizer.map((s) => ({ name: s.name, tensor: tf.tensor(s.data, [...s.shape], s.dtype) })),
  );
}

const MAGIC = 0x4b434846; // "FHCK" read as a little-endian u32
const VERSION = 1;

/** The checkpoint as bytes (format above). */
export function encodeCheckpoint(c: TrainCheckpoint): Uint8Array {
  checkShape(
    "checkpoint",
    c,
    "a training checkpoint",
    { epoch: "number", budget: "number", seed: "number", weights: "array" },
    "pass the checkpoint of a run with options.checkpoint: true.",
  );
  const tensors = [...c.weights.map((t) => ({ group: "w", t })), ...c.optimizer.map((t) => ({ group: "o", t }))];
  const header = new TextEncoder().encode(
    JSON.stringify({
      epoch: c.epoch,
      budget: c.budget,
      seed: c.seed,
      tensors: tensors.map(({ group, t }) => ({ group, name: t.name, shape: t.shape, dtype: t.dtype })),
    }),
  );
  const headerEnd = 12 + header.length;
  const start = Math.ceil(headerEnd / 4) * 4;
  const total = start + tensors.reduce((s, { t }) => s + t.data.length * 4, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, header.length, true);
  out.set(header, 12);
  let at = start;
  for (const { t } of tensors) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.length * 4), at);
    at += t.data.length * 4;
  }
  return out;
}

function corrupt(source: string, rule: string, received: string): never {
  return fail("data-corrupt", {
    parameter: source,
    rule,
    received,
    fix: "the checkpoint file is damaged or not a checkpoint: delete it to retrain that trial from its start.",
  });
}

interface Layout {
  readonly header: {
    epoch: number;
    budget: number;
    seed: number;
    tensors: { group: string; name: string; shape: number[]; dtype: "float32" | "int32" }[];
  };
  /** Byte offset of each tensor's values. */
  readonly offsets: readonly number[];
}

/** Parse the header and check every length, without copying any values. */
function layout(bytes: Uint8Array, source: string): Layout {
  if (bytes.length < 12) corrupt(source, "must be at least 12 bytes", `${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) corrupt(source, 'must start with "FHCK"', show(bytes.subarray(0, 4)));
  const version = view.getUint32(4, true);
  if (version !== VERSION) corrupt(source, `must be format version ${VERSION}`, String(version));
  const length = view.getUint32(8, true);
  if (12 + length > bytes.length) corrupt(source, "must hold its whole header", `${bytes.length} bytes`);
  let header: Layout["header"];
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length)));
  } catch (err) {
    return corrupt(source, "must have a JSON header", (err as Error).message);
  }
  let at = Math.ceil((12 + length) / 4) * 4;
  const offsets: number[] = [];
  for (const t of header.tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (at + n * 4 > bytes.length) corrupt(source, `must hold the values of ${t.name}`, `${bytes.length} bytes`);
    offsets.push(at);
    at += n * 4;
  }
  if (at !== bytes.length) corrupt(source, "must end after its last tensor", `${bytes.length - at} extra bytes`);
  return { header, offsets };
}

/** Check that bytes are a whole checkpoint (data-corrupt error naming `source` if not); returns its epoch. */
export function checkCheckpoint(bytes: Uint8Array, source = "checkpoint"): number {
  return layout(bytes, source).header.epoch;
}

/** Bytes written by encodeCheckpoint back to a checkpoint; `source` names the file in errors. */
export function decodeCheckpoint(bytes: Uint8Array, source = "checkpoint"): TrainCheckpoint {
  if (!(bytes instanceof Uint8Array))
    fail("invalid-argument", {
      parameter: "bytes",
      rule: "must be checkpoint bytes (a Uint8Array)",
      received: show(bytes),
      fix: "pass what encodeCheckpoint wrote (study.loadCheckpoint(trial)).",
    });
  if (typeof source !== "string" || source === "") source = "checkpoint";
  const { header, offsets } = layout(bytes, source);
  const weights: StoredTensor[] = [];
  const optimizer: StoredTensor[] = [];
  header.tensors.forEach((t, k) => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const raw = bytes.slice(offsets[k]!, offsets[k]! + n * 4);
    const data = t.dtype === "int32" ? new Int32Array(raw.buffer) : new Float32Array(raw.buffer);
    (t.group === "w" ? weights : optimizer).push({ name: t.name, shape: t.shape, dtype: t.dtype, data });
  });
  return { epoch: header.epoch, budget: header.budget, seed: header.seed, weights, optimizer };
}
