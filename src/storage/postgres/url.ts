/**
 * PostgreSQL URLs (recognised, parsed, redacted), which errors are a lost connection, and how the
 * others are explained. No import of pg here: a directory study never loads it.
 */
import { fail, FeatureHistoriesError, show } from "../../core/errors.js";
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
