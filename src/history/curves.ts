/** Per-epoch metric curves of one candidate; index e-1 holds epoch e. */
export interface Curves {
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

export function emptyCurves(): Curves {
  return { trainLoss: [], trainAcc: [], valLoss: [], valAcc: [], seconds: [], captureSeconds: [], lr: [] };
}

/** The truth at full budget: the peak validation accuracy over all recorded epochs. */
export function peakValAcc(c: Curves): number {
  return c.valAcc.reduce((m, v) => Math.max(m, v), -Infinity);
}
