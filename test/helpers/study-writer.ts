// A child process for test/study/study.test.ts: creates (or reopens) a directory study and keeps
// asking, reporting and telling trials as fast as it can, until it is killed.
import { createStudy } from "../../src/study/study-open.js";
import { jointSpace } from "../../src/space/presets.js";
import { syntheticCandidate } from "./synthetic-histories.js";

const dir = process.argv[2]!;
const study = await createStudy({ name: "kill-me", storage: dir, space: jointSpace(), budget: 4, seed: 5 });
process.send?.("ready");
for (let i = 0; ; i++) {
  const t = await study.ask();
  const c = syntheticCandidate(0.3 + (i % 7) * 0.1, 4, i, 60, 8, 5);
  await study.report(t, { ...c, seconds: 1 });
  await study.tell(t, "complete");
  if (i % 50 === 0) await new Promise((r) => setImmediate(r));
}
