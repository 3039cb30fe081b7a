import { candidateFromConfig, type TrainConfig } from "../train/config.js";
import { trainCandidate, type PreparedData, type TrainResult } from "../train/loop.js";
import type { Config } from "../space/space.js";
import { progressBar } from "./progress.js";

export interface TrainedCandidate {
  readonly index: number;
  readonly config: Config;
  readonly result: TrainResult;
}

export interface TrainManyOptions {
  /** Overrides applied to every candidate's training config (e.g. epochs). */
  train?: Partial<TrainConfig>;
  /** Epochs to train now (default: the full budget). */
  epochs?: number;
  /** Base seed; candidate i uses seed + i. */
  seed: number;
  historyDtype?: "float32" | "float16";
  label?: string;
}

/**
 * Train candidates one after another with a progress bar that updates in place (epochs done over
 * epochs planned). A failing candidate is kept as a failed result; the loop goes on.
 */
export async function trainWithProgress(
  configs: readonly Config[],
  data: PreparedData,
  options: TrainManyOptions,
): Promise<TrainedCandidate[]> {
  const plans = configs.map((config) => candidateFromConfig(config, options.train ?? {}));
  const epochsOf = plans.map((p) => options.epochs ?? p.train.epochs);
  const total = epochsOf.reduce((s, e) => s + e, 0);
  const bar = progressBar(total, options.label ?? `training ${configs.length} candidates`);
  const out: TrainedCandidate[] = [];
  let done = 0;
  for (let i = 0; i < plans.length; i++) {
    const { model, train } = plans[i]!;
    const result = await trainCandidate(model, train, data, {
      seed: options.seed + i,
      epochs: epochsOf[i]!,
      ...(options.historyDtype ? { historyDtype: options.historyDtype } : {}),
      hooks: {
        onEpochEnd: (r) => {
          done += 1;
          bar.update(done, `candidate ${i + 1}: epoch ${r.epoch}, val acc ${r.valAcc.toFixed(3)}`);
        },
      },
    });
    done += epochsOf[i]! - result.curves.valAcc.length; // a failed candidate's remaining epochs
    out.push({ index: i, config: configs[i]!, result });
    if (result.status === "failed" && result.error?.name === "Interrupted") break;
  }
  const failed = out.filter((c) => c.result.status === "failed").length;
  bar.finish(`${out.length - failed} complete${failed ? `, ${failed} failed` : ""}`);
  return out;
}
