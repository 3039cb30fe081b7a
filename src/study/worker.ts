/**
 * A worker process of a live search (study/pool.ts starts it): one TensorFlow.js backend, the
 * study's data prepared once, one trial job at a time, a snapshot message after every epoch.
 * TensorFlow's thread counts come from the environment the pool sets (train/threads.ts).
 */
import { resolveBackend } from "../train/backend.js";
import { prepareData, type PreparedData } from "../train/loop.js";
import type { Splits } from "../data/splits.js";
import { runTrialJob, type ModelSource, type TrialJob } from "./jobs.js";
import { sendToParent } from "../core/ipc.js";

type Message =
  { type: "init"; splits?: Splits; source: ModelSource } | { type: "job"; job: TrialJob } | { type: "stop" };

if (process.send) {
  let data: PreparedData | undefined;
  let initialised = false;
  let source: ModelSource = { kind: "builtin" };
  let stopping = false;
  const abort = new AbortController();
  process.on("disconnect", () => process.exit(0)); // the search is gone: do not orphan work
  // SIGTERM (the search stops): finish nothing more; the last epoch's checkpoint is already saved.
  process.on("SIGTERM", () => {
    stopping = true;
    abort.abort("the search stopped");
    setTimeout(() => process.exit(0), 50);
  });
  process.on("message", async (m: Message) => {
    if (m.type === "init") {
      // An objective trains outside TensorFlow.js: no backend to load.
      if (m.source.kind !== "objective") await resolveBackend();
      data = m.splits ? prepareData(m.splits, { includeTest: true }) : undefined;
      source = m.source;
      initialised = true;
      sendToParent({ type: "ready" });
    } else if (m.type === "job" && initialised && !stopping) {
      void runTrialJob(
        m.job,
        data,
        source,
        (snapshot) => void sendToParent({ type: "snapshot", snapshot }),
        abort.signal,
      ).then((result) => sendToParent({ type: "result", result }));
    } else if (m.type === "stop") process.exit(0);
  });
  sendToParent({ type: "started" });
}
