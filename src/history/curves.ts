import { checkNumber, checkShape } from "../core/validate.js";
/** Per-epoch metric curves of one candidate; index e-1 holds epoch e. */
export interface Curves {
  /**
   * Mean training cross-entropy per image over the epoch's minibatches (each batch weighted by
   * its size), as measured while training; the weight-decay penalty is not included.
   */
  readonly trainLoss: readonly number[];
  readonly trainAcc: readonly number[];
  readonly valLoss: readonly number[];
  readonly valAcc: readonly number[];
  /** Wall-clock seconds of each epoch (training + evaluation + feature capture). */
  readonly seconds: readonly number[];
  /** Seconds of each epoch spent capturing probe features. */
  readonly captureSeconds: readonly number[];
  /** Learning rate at the start of each epoch. */
  readonly lr: readonly number[];
}

/** Curves with no epoch yet. */
export function emptyCurves(): Curves {
  return { trainLoss: [], trainAcc: [], valLoss: [], valAcc: [], seconds: [], captureSeconds: [], lr: [] };
}

/** `value` must be a trial's curves (every per-epoch array present). */
export function checkCurves(name: string, value: unknown): Curves {
  checkShape(
    name,
    value,
    "a trial's curves",
    {
      trainLoss: "array",
      trainAcc: "array",
      valLoss: "array",
      valAcc: "array",
      seconds: "array",
      captureSeconds: "array",
      lr: "array",
    },
    "pass trial.curves (or fh.history.emptyCurves() filled epoch by epoch).",
  );
  return value as Curves;
}

/** A copy of the curves with fresh arrays, cut to the first `epochs` epochs when given. */
export function copyCurves(c: Curves, epochs?: number): { -readonly [K in keyof Curves]: number[] } {
  checkCurves("curves", c);
  if (epochs !== undefined) checkNumber("epochs", epochs, { integer: true, min: 0 });
  const cut = (v: readonly number[]) => v.slice(0, epochs ?? v.length);
  return {
    trainLoss: cut(c.trainLoss),
    trainAcc: cut(c.trainAcc),
    valLoss: cut(c.valLoss),
    valAcc: cut(c.valAcc),
    seconds: cut(c.seconds),
    captureSeconds: cut(c.captureSeconds),
    lr: cut(c.lr),
  };
}

/** The truth at full budget: the peak validation accuracy over all recorded epochs. */
export function peakValAcc(c: Curves): number {
  checkShape("curves", c, "a trial's curves", { valAcc: "array" }, "pass trial.curves.");
  return c.valAcc.reduce((m, v) => Math.max(m, v), -Infinity);
}
