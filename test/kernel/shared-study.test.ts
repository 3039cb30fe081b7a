// Two terminals and a notebook: a scheduler process and two worker processes run a study in a
// throw-away PostgreSQL while a real tslab kernel attaches to it read-only by URL and name,
// watches it live (progress line and figures updated in place) and reads its table from the
// database.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fork, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "../helpers/fixtures.js";
import { startPostgres } from "../helpers/postgres.js";
import { startQueueWorkers } from "../../src/study/queue-processes.js";

const root = resolve(import.meta.dirname, "..", "..", "..");
const python = existsSync(join(root, ".venv", "bin", "python"))
  ? join(root, ".venv", "bin", "python")
  : "/usr/bin/python3";

test(
  "a notebook attaches to a running PostgreSQL study by URL and name, watches it live, reads its table",
  { timeout: 300_000 },
  async () => {
    const cluster = await startPostgres();
    const { dir, cleanup } = tempDir("fh-watch-");
    try {
      const url = await cluster.createDatabase("fh_watch");
      const env = { FH_OBJECTIVE_SLEEP_MS: "250" };
      const scheduler = fork(fileURLToPath(new URL("../helpers/pg-scheduler.js", import.meta.url)), [], {
        env: {
          ...process.env,
          FH_TEST_URL: url,
          FH_TEST_STUDY: "watched",
          FH_TEST_TRIALS: "12",
          FH_TEST_CONCURRENCY: "2",
        },
        stdio: "ignore",
      });
      const schedulerDone = new Promise((r) => scheduler.once("exit", r));
      const workers = startQueueWorkers({ workers: 2, url, study: "watched", env });
      const path = join(dir, "watch.ipynb");
      const cells = [
        // The study may not exist for a moment: the scheduler process creates it.
        "let study: fh.study.Study | undefined;\nfor (let i = 0; i < 100 && !study; i++) { try { study = await fh.study.load({ storage: process.env.FH_TEST_URL!, name: 'watched', readOnly: true }); } catch { await new Promise((r) => setTimeout(r, 200)); } }",
        "const p = await fh.notebook.watchStudy(study!, { trials: 12, intervalSeconds: 0.5 });\nconsole.log(`watched ${p.complete + p.pruned + p.failed} ended, event ${p.event}`)",
        "await study!.refresh();\nconst table = fh.table.trialsTable(study!.trials());\nconsole.log(`rows ${table.numRows()} complete ${study!.trials(['complete']).length}`)",
      ];
      writeFileSync(
        path,
        JSON.stringify({
          cells: cells.map((source) => ({
            cell_type: "code",
            metadata: {},
            source,
            outputs: [],
            execution_count: null,
          })),
          metadata: {
            kernelspec: {
              name: "feature-histories",
              display_name: "TypeScript (feature histories)",
              language: "typescript",
            },
          },
          nbformat: 4,
          nbformat_minor: 5,
        }),
      );
      const r = spawnSync(python, [join(root, "scripts", "run_notebook.py"), "--timeout", "200", path], {
        cwd: dir,
        env: { ...process.env, JUPYTER_PATH: join(root, "kernel", "jupyter"), FH_TEST_URL: url },
        encoding: "utf8",
      });
      await schedulerDone;
      await workers.close();
      assert.equal(r.status, 0, r.stdout + r.stderr);
      const nb = JSON.parse(readFileSync(path, "utf8")) as {
        cells: {
          outputs: {
            output_type: string;
            text?: string[] | string;
            data?: Record<string, unknown>;
            transient?: unknown;
          }[];
        }[];
      };
      const text = (i: number) =>
        nb.cells[i]!.outputs.map((o) => (Array.isArray(o.text) ? o.text.join("") : (o.text ?? ""))).join("");
      assert.match(text(1), /watched 12 ended, event done/);
      assert.match(text(2), /rows 12 complete 12/);
      // The watch cell shows the progress line and both figures (updated in place: one output each).
      const watch = nb.cells[1]!.outputs.filter((o) => o.output_type === "display_data");
      assert.equal(watch.length, 3, JSON.stringify(watch.map((o) => Object.keys(o.data ?? {}))));
      assert.match(
        String((watch[0]!.data as Record<string, string>)["text/plain"]),
        /12 complete, 0 pruned, 0 failed, 0 running of 12/,
      );
      assert.ok(watch.slice(1).every((o) => "application/vnd.plotly.v1+json" in (o.data ?? {})));
    } finally {
      cluster.destroy();
      cleanup();
    }
  },
);
