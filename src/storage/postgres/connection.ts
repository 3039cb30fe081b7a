/**
 * Connections to PostgreSQL: a client's error listener, and a LISTEN connection that comes back
 * after a restart. URLs and errors live in url.ts, the study tables in db.ts.
 */
import pg from "pg";
import { sleep, type PgTarget } from "./url.js";

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
