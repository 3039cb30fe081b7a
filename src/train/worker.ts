/**
 * A training worker process (run by search/pool's runPool through notebook/study): one tfjs
 * backend per process, data prepared once per data spec, one candidate at a time.
 */
import { loadIdxDataset } from "../data/mnist.js";
import { syntheticDataset, type SyntheticOptions } from "../data/synthetic.js";
import { makeSplits, type SplitOptions } from "../data/splits.js";
import { resolveBackend } from "./backend.js";
import { candidateFromConfig, type TrainConfig } from "./config.js";
import { prepareData, trainCandidate, type PreparedData, type TrainResult } from "./loop.js";
import { sendToParent } from "../core/ipc.js";

export type DataSpec =
  | { readonly source: "fashion-mnist" | "mnist"; readonly dir?: string; readonly splits: SplitOptions }
  | { readonly source: "synthetic"; readonly options: SyntheticOptions; readonly splits: SplitOptions };

export interface TrainTask {
  readonly config: Readonly<Record<string, string | number | boolean>>;
  readonly train?: Partial<TrainConfig>;
  readonly epochs?: number;
  readonly seed: number;
  readonly data: DataSpec;
  readonly historyDtype?: "float32" | "float16";
}

const cache = new Map<string, PreparedData>();

async function dataFor(spec: DataSpec): Promise<PreparedData> {
  const key = JSON.stringify(spec);
  let data = cache.get(key);
  if (!data) {
    const ds =
      spec.source === "synthetic"
        ? syntheticDataset(spec.options)
        : await loadIdxDataset({ kind: spec.source, ...(spec.dir ? { dir: spec.dir } : {}) });
    data = prepareData(makeSplits(ds, spec.splits));
    cache.set(key, data);
  }
  return data;
}

export async function runTask(task: TrainTask): Promise<TrainResult> {
  const { model, train } = candidateFromConfig(task.config, task.train ?? {});
  const data = await dataFor(task.data);
  return trainCandidate(model, train, data, {
    seed: task.seed,
    ...(task.epochs ? { epochs: task.epochs } : {}),
    ...(task.historyDtype ? { historyDtype: task.historyDtype } : {}),
    stopOnSigint: false,
  });
}

if (process.send) {
  process.on("disconnect", () => process.exit(0)); // the parent is gone: stop, do not orphan work
  await resolveBackend();
  process.on("message", (m: { type: string; id: string; payload: TrainTask }) => {
    if (m.type !== "task") return;
    runTask(m.payload).then(
      (result) => sendToParent({ type: "result", id: m.id, result }),
      (err: Error) => sendToParent({ type: "error", id: m.id, message: err?.message ?? String(err) }),
    );
  });
  sendToParent({ type: "ready" });
}
