import { candidateFromConfig, type TrainConfig } from "../train/config.js";
import { trainCandidate, type PreparedData } from "../train/loop.js";
import type { Config } from "../space/space.js";
import type { Trial } from "../history/trial.js";
import { progressBar } from "./progress.js";
import { checkNumber, checkRequired, checkShape, checkRecords } from "../core/validate.js";

/** Options of fh.notebook.trainWithProgress: training options, epochs, seed, history dtype and the progress label. */
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
 * Train candidates one after another in this process with a progress bar that updates in place
 * (epochs done over epochs planned), each as a Trial (ids c000, c001, ...; number i; seed + i). A
 * failing candidate is a failed trial with its error; the loop goes on. For parallel, resumable
 * searches use fh.study.
 */
export async function trainWithProgress(
  configs: readonly Config[],
  data: PreparedData,
  options: TrainManyOptions,
): Promise<Trial[]> {
  checkRecords(
    "configs",
    configs,
    { what: "a configuration", fields: {}, fix: "pass configurations from fh.space.sampleMany." },
    { what: "configurations", fix: "pass fh.space.sampleMany(space, n, seed)." },
  );
  checkShape(
    "data",
    data,
    "prepared data",
    { train: "object", validation: "object", probeTrain: "object", probeValidation: "object" },
    "pass fh.train.prepareData(splits).",
  );
  checkRequired("options", options, ["train", "epochs", "seed", "historyDtype", "label"]);
  checkNumber("options.seed", options.seed, { integer: true });
  const plans = configs.map((config) => candidateFromConfig(config, options.train ?? {}));
  const epochsOf = plans.map((p) => options.epochs ?? p.train.epochs);
  const total = epochsOf.reduce((s, e) => s + e, 0);
  const bar = progressBar(total, options.label ?? `training ${configs.length} candidates`);
  const out: Trial[] = [];
  let done = 0;
  for (let i = 0; i < plans.length; i++) {
    const { model, train } = plans[i]!;
    const startedAt = Date.now();
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
    out.push({
      id: `c${String(i).padStart(3, "0")}`,
      number: i,
      config: configs[i]!,
      state: result.status === "failed" ? "failed" : epochsOf[i]! < train.epochs ? "pruned" : "complete",
      ...(result.error ? { error: result.error } : {}),
      budget: train.epochs,
      epochs: result.curves.valAcc.length,
      curves: result.curves,
      probeTrain: result.probeTrain,
      probeValidation: result.probeValidation,
      ...(result.testAcc !== undefined ? { testAcc: result.testAcc } : {}),
      parameters: result.parameters,
      seed: options.seed + i,
      seconds: result.seconds,
      scores: {},
      startedAt,
      endedAt: Date.now(),
      attempts: 1,
    });
    if (result.status === "failed" && result.error?.name === "Interrupted") break;
  }
  const failed = out.filter((c) => c.state === "failed").length;
  bar.finish(`${out.length - failed} complete${failed ? `, ${failed} failed` : ""}`);
  return out;
}
