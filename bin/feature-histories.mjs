#!/usr/bin/env node
// `npx feature-histories <command>`: the toolkit's command line.
//   share NOTEBOOK... [--out FILE]   static PNG per figure, no plotly.js loader, numbered cells
//   worker --storage URL --study NAME [--concurrency N]   work on a study shared in PostgreSQL
const [command, ...rest] = process.argv.slice(2);
const commands = { share: "../scripts/share-notebook.mjs", worker: "../dist/study/worker-cli.js" };
if (!command || !(command in commands)) {
  console.error(`usage: feature-histories <${Object.keys(commands).join("|")}> ...`);
  console.error(
    "  share NOTEBOOK... [--out FILE]   make executed notebooks shareable (static figures, no 5 MB loader)",
  );
  console.error(
    "  worker --storage postgres://... --study NAME [--concurrency N]   train a shared study's trials here",
  );
  process.exit(command ? 2 : 0);
}
process.argv = [process.argv[0], process.argv[1], ...rest];
const mod = await import(commands[command]);
await mod.main();
