/**
 * `npx feature-histories worker --storage postgres://... --study NAME [--concurrency N]`: work on
 * a shared study from this machine until stopped (Ctrl-C / SIGTERM: each worker stops cleanly,
 * its job goes back to the queue). N > 1 starts N worker processes (one per core suits CPU
 * training). The password comes from PGPASSWORD or ~/.pgpass (a password in --storage shows in
 * `ps` to every user of the machine: refused unless --allow-password-in-argv); it is never printed.
 * The worker imports the study's code only from the folders given with --code (default: the
 * working directory), by the names and hashes its jobs carry (study/code.ts).
 */
import { parseArgs } from "node:util";
import { worker } from "./queue-worker.js";
import { startQueueWorkers } from "./queue-processes.js";
import { redact } from "../storage/postgres/url.js";

const USAGE = `usage: feature-histories worker --storage postgres://USER@HOST[:PORT]/DB --study NAME [options]
  --code DIR          a folder this worker may import the study's code from (repeatable;
                      default: the working directory). Jobs name modules relative to it.
  --connect SECONDS   wait this long for a server that is starting up (default 300)
  --allow-password-in-argv  accept a password inside --storage (visible in ps; prefer PGPASSWORD)
  --concurrency N     worker processes on this machine (default 1; one per core for CPU training)
  --idle SECONDS      stop after this long without a job (default: never)
  --heartbeat SECONDS heartbeat while training (default 5)
  --stale SECONDS     hand back jobs whose worker is silent this long (default 30)
  --quiet             no line per epoch
The storage may also come from FH_STORAGE; the password from PGPASSWORD or ~/.pgpass.`;

export async function main(argv = process.argv.slice(2)): Promise<void> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        storage: { type: "string" },
        study: { type: "string" },
        concurrency: { type: "string" },
        idle: { type: "string" },
        heartbeat: { type: "string" },
        stale: { type: "string" },
        quiet: { type: "boolean" },
        code: { type: "string", multiple: true },
        connect: { type: "string" },
        "allow-password-in-argv": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const storage = args.storage ?? process.env.FH_STORAGE;
  if (!storage || !args.study) {
    console.error(`${!storage ? "--storage" : "--study"} is required\n${USAGE}`);
    process.exit(2);
  }
  if (args.storage !== undefined && hasPassword(args.storage) && !args["allow-password-in-argv"]) {
    console.error(
      `--storage carries a password (${redact(args.storage)}): every user of this machine can read it in ps.\n` +
        "Leave it out of the URL and set PGPASSWORD, or a line host:port:db:user:password in ~/.pgpass (chmod 600);\n" +
        "or pass --allow-password-in-argv to accept it anyway.",
    );
    process.exit(2);
  }
  const num = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) {
      console.error(`--${name} must be a positive number; received ${JSON.stringify(v)}`);
      process.exit(2);
    }
    return n;
  };
  const concurrency = num("concurrency", args.concurrency) ?? 1;
  const idleSeconds = num("idle", args.idle);
  const heartbeatSeconds = num("heartbeat", args.heartbeat);
  const staleSeconds = num("stale", args.stale);
  const connectSeconds = num("connect", args.connect);
  const code = args.code?.length ? args.code : [process.cwd()];
  console.log(
    `feature-histories worker: study "${args.study}" on ${redact(storage)}, ${concurrency} process(es), code from ${code.join(", ")}`,
  );
  if (concurrency > 1) {
    const workers = startQueueWorkers({
      workers: Math.round(concurrency),
      url: storage,
      study: args.study,
      code,
      verbose: !args.quiet,
      ...(idleSeconds ? { idleSeconds } : {}),
      ...(heartbeatSeconds ? { heartbeatSeconds } : {}),
      ...(staleSeconds ? { staleSeconds } : {}),
    });
    const stop = () => void workers.close();
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
    await workers.exited;
    return;
  }
  const stop = new AbortController();
  process.once("SIGTERM", () => stop.abort("SIGTERM"));
  process.once("SIGINT", () => stop.abort("SIGINT"));
  try {
    const r = await worker({
      storage,
      study: args.study,
      signal: stop.signal,
      code,
      ...(connectSeconds ? { connectSeconds } : {}),
      ...(idleSeconds ? { idleSeconds } : {}),
      ...(heartbeatSeconds ? { heartbeatSeconds } : {}),
      ...(staleSeconds ? { staleSeconds } : {}),
      ...(args.quiet ? {} : { onEvent: (e) => console.log(e.event) }),
    });
    console.log(
      `stopped: ${r.jobs} jobs (${r.failed} failed trials), ${r.interrupted} handed back, ${r.seconds.toFixed(1)} s`,
    );
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}

/** True when a PostgreSQL URL carries a password (user-info with a colon, or a password= parameter). */
function hasPassword(url: string): boolean {
  return redact(url) !== url;
}
