/**
 * A throw-away PostgreSQL cluster for tests: Debian's server binaries, initdb in a temporary
 * directory, a free port on 127.0.0.1 only, password (scram) authentication for a superuser
 * "fh". PostgreSQL refuses to run as root, so under root the server runs as the `postgres`
 * system user (Debian's package creates it). Stop and start it again to test reconnection.
 * `listen` adds addresses besides 127.0.0.1 (e.g. the host side of a network namespace's veth,
 * test/helpers/netns.ts) and `allow` the networks pg_hba.conf lets in from them (scram).
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

export const PG_PASSWORD = "s3cret-test-pw";

function binDir(): string {
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, "bin", "initdb")))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], "bin");
  }
  const which = spawnSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" });
  if (which.status === 0) return join(which.stdout.trim(), "..");
  throw new Error(
    "PostgreSQL's server binaries (initdb, pg_ctl) are missing: apt-get install postgresql (scripts/setup.sh does)",
  );
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface PgCluster {
  readonly port: number;
  readonly dir: string;
  /** postgres://fh:PASSWORD@HOST:PORT/DATABASE (HOST default 127.0.0.1; "" leaves the password out). */
  url(database?: string, password?: string, host?: string): string;
  createDatabase(name: string): Promise<string>;
  stop(): void;
  start(): void;
  /** stop / start without blocking this process's event loop (pg_ctl in a child process). */
  stopAsync(): Promise<void>;
  startAsync(): Promise<void>;
  /** Stop the server, wait `seconds`, start it again, from another process; resolves when it is back. */
  outage(seconds: number): Promise<void>;
  /** Stop the server and delete its directory. */
  destroy(): void;
}

export interface StartPostgresOptions {
  /** The addresses the server listens on; 127.0.0.1 always among them (the tests' own connections). */
  readonly listen?: readonly string[];
  /** Networks (CIDR, e.g. "10.213.0.0/16") let in with a password, besides 127.0.0.1. */
  readonly allow?: readonly string[];
}

export async function startPostgres(options: StartPostgresOptions = {}): Promise<PgCluster> {
  const listen = [...new Set(["127.0.0.1", ...(options.listen ?? [])])];
  for (const a of [...listen, ...(options.allow ?? [])])
    if (!/^[0-9a-fA-F.:]+(\/\d+)?$/.test(a)) throw new Error(`startPostgres: not an address or network: ${a}`);
  const bin = binDir();
  const root = process.getuid?.() === 0;
  const user = root ? execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim() : undefined;
  const dir = mkdtempSync(join(tmpdir(), "fh-pg-"));
  if (root) {
    chownSync(dir, Number(user), Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim()));
    chmodSync(dir, 0o700);
  }
  const argv = (cmd: string, args: string[]): [string, string[]] =>
    root ? ["runuser", ["-u", "postgres", "--", join(bin, cmd), ...args]] : [join(bin, cmd), args];
  const run = (cmd: string, args: string[]) => {
    const [file, full] = argv(cmd, args);
    const r = spawnSync(file, full, { encoding: "utf8", cwd: dir });
    if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr}${r.stdout}`);
  };
  const runAsync = (cmd: string, args: string[]) => {
    const [file, full] = argv(cmd, args);
    const child = spawn(file, full, { cwd: dir, stdio: "ignore" });
    return new Promise<void>((resolve, reject) =>
      child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}`)))),
    );
  };
  const pw = join(dir, "pw");
  writeFileSync(pw, PG_PASSWORD);
  if (root) chownSync(pw, Number(user), 0);
  run("initdb", [
    "-D",
    join(dir, "data"),
    "-U",
    "fh",
    "--pwfile",
    pw,
    "--auth=scram-sha-256",
    "-E",
    "UTF8",
    "--no-sync",
  ]);
  for (const net of options.allow ?? [])
    appendFileSync(join(dir, "data", "pg_hba.conf"), `host all all ${net} scram-sha-256\n`);
  const port = await freePort();
  const opts = `-h ${listen.join(",")} -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=64MB -c max_connections=200`;
  const startArgs = ["-D", join(dir, "data"), "-l", join(dir, "log"), "-o", opts, "-w", "-t", "60", "start"];
  const stopArgs = ["-D", join(dir, "data"), "-m", "fast", "-w", "stop"];
  const start = () => run("pg_ctl", startArgs);
  const stop = () => run("pg_ctl", stopArgs);
  start();
  const url = (database = "postgres", password = PG_PASSWORD, host = "127.0.0.1") =>
    `postgres://fh${password ? `:${encodeURIComponent(password)}` : ""}@${host}:${port}/${database}`;
  return {
    port,
    dir,
    url,
    async createDatabase(name) {
      const c = new pg.Client({ connectionString: url() });
      await c.connect();
      await c.query(`CREATE DATABASE ${name}`);
      await c.end();
      return url(name);
    },
    stop,
    start,
    stopAsync: () => runAsync("pg_ctl", stopArgs),
    startAsync: () => runAsync("pg_ctl", startArgs),
    outage(seconds) {
      // Another process stops and restarts the server, as an operator would: a scheduler in this
      // process waits for the database (its storage calls block its thread), so this one cannot.
      const q = (a: string[]) => a.map((x) => `'${x.replace(/'/g, `'\\''`)}'`).join(" ");
      const [f1, a1] = argv("pg_ctl", stopArgs);
      const [f2, a2] = argv("pg_ctl", startArgs);
      const child = spawn("sh", ["-c", `${q([f1, ...a1])} && sleep ${seconds} && ${q([f2, ...a2])}`], {
        cwd: dir,
        stdio: "ignore",
      });
      return new Promise<void>((resolve, reject) =>
        child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`outage script exited ${code}`)))),
      );
    },
    destroy() {
      try {
        stop();
      } catch {
        /* already stopped */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
