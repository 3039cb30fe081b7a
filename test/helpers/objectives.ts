/**
 * Objectives without TensorFlow for the shared-study tests and benchmark: a deterministic
 * learning curve per config; FH_OBJECTIVE_WORK runs that many iterations of arithmetic per epoch
 * (a fixed amount of CPU work, so workers sharing a core take longer), FH_OBJECTIVE_MS spins
 * that many milliseconds,
 * FH_OBJECTIVE_SLEEP_MS waits that long (a trial that can be killed in the middle). Each call
 * appends "trialId epoch pid" to FH_OBJECTIVE_LOG when set (to count epochs trained twice).
 */
import { appendFileSync } from "node:fs";

export function curveValue(x: number, epoch: number): number {
  const peak = 0.5 + 0.45 * Math.sin(3 * x) ** 2;
  return peak * (1 - Math.exp(-epoch / 2));
}

export async function synthetic(
  config: Readonly<Record<string, unknown>>,
  context: { epoch: number; trialId: string },
): Promise<{ valAcc: number; trainLoss: number; testAcc: number }> {
  const work = Number(process.env.FH_OBJECTIVE_WORK ?? 0);
  if (work > 0) spin(work);
  const burn = Number(process.env.FH_OBJECTIVE_MS ?? 0);
  if (burn > 0) {
    const end = performance.now() + burn;
    let s = 0;
    while (performance.now() < end) s += Math.sqrt(s + 1);
  }
  const wait = Number(process.env.FH_OBJECTIVE_SLEEP_MS ?? 0);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  if (process.env.FH_OBJECTIVE_LOG)
    appendFileSync(process.env.FH_OBJECTIVE_LOG, `${context.trialId} ${context.epoch} ${process.pid}\n`);
  const valAcc = curveValue(Number(config.x), context.epoch);
  return { valAcc, trainLoss: 1 - valAcc, testAcc: valAcc - 0.01 };
}

/** A fixed amount of CPU work; returns its result so it cannot be optimised away. */
export function spin(iterations: number): number {
  let s = 0;
  for (let i = 0; i < iterations; i++) s += Math.sqrt(s + i);
  return s;
}
