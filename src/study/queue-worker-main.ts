/**
 * The entry of a worker process of a shared study (study/queue-processes.ts forks it; the CLI
 * runs the same function): its study and database from the environment, SIGTERM and SIGINT stop
 * it cleanly, a fatal error (a model module this machine lacks, a wrong password) ends it with
 * the error's message and exit code 1.
 */
import { worker } from "./queue-worker.js";

const env = process.env;
if (env.FH_WORKER_STORAGE && env.FH_WORKER_STUDY) {
  const stop = new AbortController();
  process.once("SIGTERM", () => stop.abort("SIGTERM"));
  process.once("SIGINT", () => stop.abort("SIGINT"));
  process.on("disconnect", () => stop.abort("the parent process is gone"));
  const num = (v: string | undefined) => (v ? Number(v) : undefined);
  const heartbeatSeconds = num(env.FH_WORKER_HEARTBEAT);
  const staleSeconds = num(env.FH_WORKER_STALE);
  const idleSeconds = num(env.FH_WORKER_IDLE);
  const tag = `[worker ${process.pid}]`;
  const code = env.FH_WORKER_CODE ? (JSON.parse(env.FH_WORKER_CODE) as string[]) : undefined;
  try {
    const r = await worker({
      storage: env.FH_WORKER_STORAGE,
      study: env.FH_WORKER_STUDY,
      signal: stop.signal,
      ...(code ? { code } : {}),
      ...(heartbeatSeconds ? { heartbeatSeconds } : {}),
      ...(staleSeconds ? { staleSeconds } : {}),
      ...(idleSeconds ? { idleSeconds } : {}),
      ...(env.FH_WORKER_VERBOSE ? { onEvent: (e) => console.log(`${tag} ${e.event}`) } : {}),
    });
    if (env.FH_WORKER_VERBOSE)
      console.log(
        `${tag} stopped: ${r.jobs} jobs (${r.failed} failed trials), ${r.interrupted} handed back, ${r.seconds.toFixed(1)} s`,
      );
    process.exit(0);
  } catch (err) {
    // FH_DEBUG=1: the stack too (where in the worker it ended).
    console.error(`${tag} ${env.FH_DEBUG ? ((err as Error).stack ?? (err as Error).message) : (err as Error).message}`);
    process.exit(1);
  }
}
