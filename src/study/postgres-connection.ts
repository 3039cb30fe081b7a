/**
 * Reaching PostgreSQL: URLs (parsed, recognised, redacted), which errors are a lost connection and
 * how the others are explained, a client's error listener, and a LISTEN connection that comes
 * back after a restart. The study tables themselves live in postgres-db.ts.
 */
import pg from "pg";
import { fail, FeatureHistoriesError, show } from "../core/errors.js";
/** True for a postgres:// or postgresql:// URL. */
export function isPostgresUrl(value: unknown): value is string {
  return typeof value === "string" && /^postgres(ql)?:\/\//i.test(value);
}

/**
 * True for a string that starts like a URL (a scheme of two or more letters and "://", or
 * "postgres:" / "postgresql:" followed by anything, with or without leading spaces): such a string
 * is never a directory path, so a mistyped URL is an error instead of a folder named after the
 * password.
 */
export function looksLikeUrl(value: unknown): value is string {
  return typeof value === "string" && (/^\s*[a-z][a-z0-9+.-]+:\/\//i.test(value) || /^\s*postgres(ql)?:/i.test(value));
}

/**
 * Every URL user-info (postgres://user:PASSWORD@..., whatever characters the password holds: the
 * user-info ends at the last @ of the URL's first token) and every password=... parameter in a
 * text replaced by ***: the only form a message, a log or a printed object may show.
 */
export function redact(text: string): string {
  return String(text)
    .replace(/([a-z][a-z0-9+.-]*:\/\/)([^\s"'`]*)/gi, (_m, scheme: string, rest: string) => {
      const at = rest.lastIndexOf("@");
      if (at < 0) return scheme + rest;
      const info = rest.slice(0, at);
      const colon = info.indexOf(":");
      return colon < 0 ? scheme + rest : `${scheme}${info.slice(0, colon)}:***${rest.slice(at)}`;
    })
    .replace(/((?:^|[?&\s;])(?:ssl)?password\s*=\s*)('[^']*'|"[^"]*"|[^&\s;#]*)/gi, "$1***");
}

export interface PgTarget {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
}

/** Check and take apart a PostgreSQL URL (options.storage); never echoes the password. */
export function parsePostgresUrl(url: unknown, parameter = "options.storage"): PgTarget {
  const rule = "must be a PostgreSQL URL postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE";
  if (!isPostgresUrl(url))
    fail("invalid-argument", {
      parameter,
      rule,
      received: typeof url === "string" ? show(redact(url)) : show(url),
      fix: "e.g. postgres://fh@db.lab:5432/studies (the password from PGPASSWORD or ~/.pgpass).",
    });
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return fail("invalid-argument", {
      parameter,
      rule,
      received: show(redact(url)),
      fix: "percent-encode special characters in the password (encodeURIComponent).",
    });
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, ""));
  if (!database || !u.hostname)
    fail("invalid-argument", {
      parameter,
      rule,
      received: show(redact(url)),
      fix: `name the ${u.hostname ? "database" : "host"}, e.g. postgres://fh@127.0.0.1:5432/studies.`,
    });
  return {
    url,
    host: u.hostname,
    port: u.port ? Number(u.port) : 5432,
    database,
    user: decodeURIComponent(u.username) || process.env.PGUSER || process.env.USER || "postgres",
  };
}

const TRANSIENT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up / shutting down)
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
]);

/** A connection problem that a restart of the server or the network explains: retry it. */
export function isTransient(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  if (!e) return false;
  if (e.code && TRANSIENT_CODES.has(e.code)) return true;
  return /Connection terminated|terminating connection|connection (is )?(closed|ended)|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
    e.message ?? "",
  );
}

/** A PostgreSQL error as the toolkit's error: names the fix, never the password. */
export function explainPgError(err: unknown, target: PgTarget, parameter = "options.storage"): never {
  if (err instanceof FeatureHistoriesError) throw err;
  const e = err as { code?: string; message?: string };
  const where = `${target.host}:${target.port}`;
  const received = show(redact(target.url));
  switch (e?.code) {
    case "28P01":
      return fail(
        "invalid-argument",
        {
          parameter,
          rule: `must carry the right password: password authentication failed for user "${target.user}"`,
          received,
          fix: "check the password in the URL, or leave it out and set PGPASSWORD or ~/.pgpass on this machine (docs/scale-out.md).",
        },
        redactError(e),
      );
    case "28000":
      return fail(
        "invalid-argument",
        {
          parameter,
          rule: `must be a role and host the server lets in (${e.message ?? "no pg_hba.conf entry"})`,
          received,
          fix: 'create the role (CREATE ROLE fh LOGIN PASSWORD ...) and allow this host in pg_hba.conf ("host all fh 10.0.0.0/8 scram-sha-256").',
        },
        redactError(e),
      );
    case "3D000":
      return fail(
        "data-missing",
        {
          parameter,
          rule: `must name an existing database: "${target.database}" does not exist on ${where}`,
          received,
          fix: `create it once: createdb -h ${target.host} -p ${target.port} -O ${target.user} ${target.database}`,
        },
        redactError(e),
      );
    case "42501":
      return fail(
        "state",
        {
          parameter,
          rule: `must name a database where "${target.user}" may create the toolkit's schema (${e.message ?? "permission denied"})`,
          received,
          fix: `as its owner: GRANT CREATE ON DATABASE ${target.database} TO ${target.user};`,
        },
        redactError(e),
      );
    case "ECONNREFUSED":
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EHOSTUNREACH":
    case "ETIMEDOUT":
      return fail(
        "state",
        {
          parameter,
          rule: `must reach a PostgreSQL server: nothing answers at ${where} (${e.code})`,
          received,
          fix: "start PostgreSQL there (systemctl start postgresql, or pg_ctl -D DIR start) or correct the host and port; a remote server needs listen_addresses and pg_hba.conf (docs/scale-out.md).",
        },
        redactError(e),
      );
    default:
      throw redactError(e);
  }
}

/** An error with every URL's password and password=... redacted from its message and stack. */
export function redactError(e: { message?: string }): Error {
  const out = e instanceof Error ? e : new Error(String(e?.message ?? e));
  if (out.message) out.message = redact(out.message);
  if (out.stack) out.stack = redact(out.stack);
  return out;
}

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });

/**
 * Listen for 'error' on a client for as long as the caller holds it: node-postgres emits the
 * connection's error (a server restart, a reset socket) on the client, and a pooled client that is
 * checked out has no listener of the pool's, so an unheard error would end the process. The
 * operation in progress fails with the same error and is retried by the caller.
 */
export function guardClient(c: pg.ClientBase, onError?: (err: Error) => void): () => void {
  const listener = (err: Error) => onError?.(err);
  c.on("error", listener);
  return () => void c.removeListener("error", listener);
}

/**
 * LISTEN on `channel` over its own connection, reconnecting with back-off after the server
 * restarts; `onNotify(payload)` for every notification, `onReconnect` after each reconnection
 * (notifications sent meanwhile were missed: poll once).
 */
export function listenTo(
  target: PgTarget,
  channel: string,
  onNotify: (payload: string) => void,
  onReconnect?: () => void,
): { close(): Promise<void> } {
  let client: pg.Client | undefined;
  let closed = false;
  let delay = 100;
  const connect = async (): Promise<void> => {
    while (!closed) {
      const c = new pg.Client({ connectionString: target.url, application_name: "feature-histories listener" });
      try {
        c.on("notification", (m) => onNotify(m.payload ?? ""));
        c.on("error", () => {});
        await c.connect();
        await c.query(`LISTEN ${channel}`);
        if (closed) {
          await c.end().catch(() => {});
          return;
        }
        client = c;
        delay = 100;
        c.once("end", () => {
          client = undefined;
          if (!closed) void connect();
        });
        onReconnect?.();
        return;
      } catch {
        await c.end().catch(() => {});
        await sleep(delay);
        delay = Math.min(5000, delay * 2);
      }
    }
  };
  void connect();
  return {
    async close() {
      closed = true;
      await client?.end().catch(() => {});
    },
  };
}

/**
 * The client every pool of the toolkit (its own and pg-boss's) creates: it always has an 'error'
 * listener. node-postgres emits a connection's error on the client, and a pooled client between
 * two queries has no listener of the pool's: an unheard error ends the process (seen in 1 of 3
 * CI storms of server restarts). Here the error is heard and dropped; the client is no longer
 * queryable, so the next query on it fails as a lost connection and is retried.
 */
export class ListenedClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on("error", () => {});
  }
}
