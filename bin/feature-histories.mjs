#!/usr/bin/env node
// `npx feature-histories <command>`: the toolkit's command line.
//   share NOTEBOOK... [--out FILE]   static PNG per figure, no plotly.js loader, numbered cells
//   worker --storage URL --study NAME [--concurrency N]   work on a study shared in PostgreSQL
//   kernel install [--user | --sys-prefix | --prefix DIR]   register the Jupyter kernel
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const [command, ...rest] = process.argv.slice(2);
if (command === "kernel") {
  if (rest[0] !== "install") {
    console.error("usage: feature-histories kernel install [--user | --sys-prefix | --prefix DIR] [--name NAME]");
    process.exit(2);
  }
  // kernel/install.mjs does its work at top level: it runs as its own process.
  const script = fileURLToPath(new URL("../kernel/install.mjs", import.meta.url));
  const r = spawnSync(process.execPath, [script, ...rest.slice(1)], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}
const commands = { share: "../scripts/share-notebook.mjs", worker: "../dist/study/worker-cli.js" };
if (!command || !(command in commands)) {
  console.error(`usage: feature-histories <${[...Object.keys(commands), "kernel"].join("|")}> ...`);
  console.error(
    "  share NOTEBOOK... [--out FILE]   make executed notebooks shareable (static figures, no 5 MB loader)",
  );
  console.error(
    "  worker --storage postgres://... --study NAME [--concurrency N]   train a shared study's trials here",
  );
  console.error("  kernel install [--user | --sys-prefix | --prefix DIR]   register the Jupyter kernel");
  process.exit(command ? 2 : 0);
}
process.argv = [process.argv[0], process.argv[1], ...rest];
const mod = await import(commands[command]);
await mod.main();
