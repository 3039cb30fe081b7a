/**
 * The Jupyter messaging protocol (5.3) on top of tslab's sockets and executor.
 *
 * tslab 1.0.22 (no release since 2024-06) answers a subset of the protocol, and some of it wrongly:
 * no `status` in kernel_info_reply, error replies without ename/evalue/traceback and no `error` on
 * iopub, no history_reply, no execute_input, a comm_info request answered as complete_reply, the
 * last expression printed to stdout instead of an execute_result, is_complete never "invalid", and
 * every cell sent within 200 ms after an error aborted. Jupyter's own jupyter_kernel_test, papermill,
 * nbclient and `jupyter console` rely on all of these. This module replaces tslab's message
 * dispatch (ZmqServer#handleShellMessage) with one that speaks the protocol as ipykernel does, and
 * keeps using tslab for everything TypeScript: its sockets, converter, executor, completion and
 * inspection. It is written here (not copied): the wire format is the published spec
 * (https://jupyter-client.readthedocs.io/en/latest/messaging.html).
 */
"use strict";
const { Buffer } = require("node:buffer");
const crypto = require("node:crypto");
const { setImmediate } = require("node:timers");
const util = require("node:util");

const DELIM = Buffer.from("<IDS|MSG>");
const PROTOCOL_VERSION = "5.3";
/** How tslab's executor prints a TypeScript diagnostic: (format, file, line, column, message). */
const DIAGNOSTIC = "%s%d:%d - %s";

/** One message of the wire protocol: parse, verify, reply, sign and send. */
class Message {
  static parse(key, frames) {
    const at = frames.findIndex((f) => f.equals(DELIM));
    if (at < 0) throw new Error("a message without the <IDS|MSG> delimiter");
    const [signature, header, parent, metadata, content, ...buffers] = frames.slice(at + 1);
    const parts = [header, parent, metadata, content];
    if (key) {
      const hmac = crypto.createHmac("sha256", key);
      for (const p of parts) hmac.update(p);
      const expected = hmac.digest("hex");
      const got = signature.toString();
      if (got.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(got), Buffer.from(expected)))
        throw new Error("a message with an invalid signature");
    }
    const m = new Message();
    m.identities = frames.slice(0, at);
    m.header = JSON.parse(header.toString());
    m.parent = JSON.parse(parent.toString());
    m.metadata = JSON.parse(metadata.toString());
    m.content = JSON.parse(content.toString());
    m.buffers = buffers;
    return m;
  }

  /** A new message whose parent is this one (replies keep the routing identities). */
  child(msgType, content, identities = this.identities) {
    const m = new Message();
    m.identities = identities;
    m.header = {
      msg_id: crypto.randomUUID(),
      session: this.header.session,
      username: this.header.username ?? "kernel",
      date: new Date().toISOString(),
      msg_type: msgType,
      version: PROTOCOL_VERSION,
    };
    m.parent = this.header;
    m.metadata = {};
    m.content = content;
    m.buffers = [];
    return m;
  }

  send(key, socket) {
    const parts = [this.header, this.parent, this.metadata, this.content].map((p) => JSON.stringify(p));
    let signature = "";
    if (key) {
      const hmac = crypto.createHmac("sha256", key);
      for (const p of parts) hmac.update(p);
      signature = hmac.digest("hex");
    }
    socket.send([...this.identities, DELIM, signature, ...parts]);
  }
}

/**
 * What a failed cell reports: the executor hands its errors to console.error (an exception, or
 * TypeScript's diagnostics as printf-style arguments); this turns them into ename/evalue/traceback.
 * A toolkit error (FeatureHistoriesError: parameter, rule, value, fix) shows as its message only;
 * its stack (and every other error's) stays available with FH_DEBUG=1.
 */
function describeErrors(calls, { debug }) {
  const errors = calls.flatMap((args) => args.filter((a) => a instanceof Error || isErrorLike(a)));
  if (errors.length > 0) {
    const err = errors[0];
    const ename = String(err.name || err.constructor?.name || "Error");
    const evalue = String(err.message ?? "");
    if (err.message === "Interrupted asynchronously")
      return {
        ename: "KeyboardInterrupt",
        evalue: "the cell was interrupted",
        traceback: ["KeyboardInterrupt: the cell was interrupted; the kernel and its variables are kept."],
      };
    const toolkit = ename === "FeatureHistoriesError";
    const head = `${ename}: ${evalue}`;
    const stack = typeof err.stack === "string" ? err.stack.split("\n").slice(1).filter(userFrame) : [];
    const cause = err.cause instanceof Error ? [`Caused by ${err.cause.name}: ${err.cause.message}`] : [];
    const traceback = [red(head), ...cause, ...(toolkit && !debug ? [] : stack)];
    return { ename, evalue, traceback };
  }
  const diagnostics = calls.filter((args) => args[0] === DIAGNOSTIC);
  if (diagnostics.length === 0 && calls.length > 0) {
    // A thrown value that is not an Error (`throw "x"`, `throw { code: 1 }`).
    const evalue = calls.map((args) => args.map((a) => (typeof a === "string" ? a : util.inspect(a))).join(" "))[0];
    return { ename: "Error", evalue, traceback: [red(`Uncaught ${evalue}`)] };
  }
  const lines = diagnostics.map((args) => util.format(...args)).filter((l) => l.trim());
  return {
    ename: "TypeScriptError",
    evalue: lines[0] ?? "the cell failed",
    traceback: lines.length ? lines.map((l, i) => (i === 0 ? red(l) : l)) : ["the cell failed"],
  };
}

function isErrorLike(a) {
  return a !== null && typeof a === "object" && typeof a.message === "string" && typeof a.stack === "string";
}

/** Stack frames a notebook user can act on: not Node's internals, not tslab's or the launcher's. */
function userFrame(line) {
  return /^\s+at /.test(line) && !/node:internal|node:vm|\/tslab\/dist\/|kernel\/(launcher|protocol)\.cjs/.test(line);
}

function red(s) {
  return `\u001b[0;31m${s}\u001b[0m`;
}

/** The value of a cell's last expression as `Out[n]`: what Node's REPL shows. */
function textPlain(value) {
  return util.inspect(value, { depth: 4, maxArrayLength: 20, maxStringLength: 2000, breakLength: 100 });
}

/** glob (`*`, `?`) as IPython's history search understands it, anchored at both ends. */
function globToRegExp(pattern) {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`, "s");
}

/**
 * Serve the protocol on a tslab ZmqServer (sockets bound by its init()).
 * - executor: tslab's executor; capture: the console object it was created with (see createCapture);
 * - handler: tslab's JupyterHandlerImpl (completion, inspection, kernel info, stream writers);
 * - jupyterModule: tslab's dist/jupyter.js (its lastWriteDisplayData drives tslab.display);
 * - ts, isCompleteCode: tslab's TypeScript and its is-complete check (is_complete adds "invalid");
 * - onInterruptRequest: what an interrupt_request on the control channel does (as SIGINT);
 * - onCellEnd: called after each execute reply; prelude: run before the first cell.
 */
function serve({
  server,
  handler,
  executor,
  capture,
  jupyterModule,
  ts,
  isCompleteCode,
  kernelInfo,
  onInterruptRequest,
  onCellEnd,
  prelude,
}) {
  const ready = Promise.resolve()
    .then(prelude)
    .catch((err) => console.error("[feature-histories] the prelude failed:", err));
  const session = crypto.randomUUID();
  const history = []; // [input, output | null] per stored cell
  let count = 0;
  /** Execute requests waiting for the one running; aborted as a block after an error with stop_on_error. */
  const pending = [];
  let running = false;
  const key = () => server.connInfo.key;
  const publish = (parent, type, content) => parent.child(type, content, []).send(key(), server.iopub);
  const status = (parent, state) => publish(parent, "status", { execution_state: state });

  const streamTo = (msg) => (name, text) => publish(msg, "stream", { name, text });

  async function runExecute(sock, msg) {
    const {
      code = "",
      silent = false,
      store_history: store = !silent,
      stop_on_error: stopOnError = true,
    } = msg.content;
    status(msg, "busy");
    const n = silent || !store ? count : ++count;
    if (!silent) publish(msg, "execute_input", { code, execution_count: n });
    // tslab's convention (as Python kernels): output written after the cell ends goes to it too.
    process.stdout.write = handler.createWriteToIopub("stdout", streamTo(msg));
    process.stderr.write = handler.createWriteToIopub("stderr", streamTo(msg));
    jupyterModule.lastWriteDisplayData = (data, update) =>
      publish(msg, update ? "update_display_data" : "display_data", data);
    globalThis[Symbol.for("feature-histories.kernel")] = {
      clearOutput: (wait) => publish(msg, "clear_output", { wait: Boolean(wait) }),
    };
    const cell = capture.begin();
    let ok = false;
    try {
      ok = await executor.execute(code);
    } catch (err) {
      cell.errors.push([err]);
    } finally {
      capture.end();
    }
    let reply;
    let output = null;
    if (ok) {
      if (cell.hasResult && !silent) {
        output = textPlain(cell.result);
        publish(msg, "execute_result", { execution_count: n, data: { "text/plain": output }, metadata: {} });
      }
      reply = { status: "ok", execution_count: n, payload: [], user_expressions: {} };
    } else {
      const e = describeErrors(cell.errors, { debug: process.env.FH_DEBUG === "1" });
      if (!silent) publish(msg, "error", e);
      reply = { status: "error", execution_count: n, ...e, payload: [], user_expressions: {} };
    }
    if (store && !silent) history.push([code, output]);
    msg.child("execute_reply", reply).send(key(), sock);
    status(msg, "idle");
    onCellEnd?.();
    if (!ok && stopOnError) {
      // As ipykernel: the cells already queued behind a failed one are answered "aborted".
      for (const [s, m] of pending.splice(0)) {
        status(m, "busy");
        m.child("execute_reply", { status: "aborted", execution_count: count }).send(key(), s);
        status(m, "idle");
      }
    }
  }

  async function drain() {
    if (running) return;
    running = true;
    try {
      await ready;
      while (pending.length) {
        const [sock, msg] = pending.shift();
        await runExecute(sock, msg);
      }
    } finally {
      running = false;
    }
  }

  function isComplete(code) {
    const r = isCompleteCode(code);
    if (!r.completed) return { status: "incomplete", indent: r.indent ?? "" };
    const src = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    return src.parseDiagnostics && src.parseDiagnostics.length ? { status: "invalid" } : { status: "complete" };
  }

  function historyReply(c) {
    const entries = history.map(([input, output], i) => [session, i + 1, c.output ? [input, output] : input]);
    const type = c.hist_access_type ?? "tail";
    let list = entries;
    if (type === "tail") list = c.n ? entries.slice(-c.n) : entries;
    else if (type === "range") {
      const start = c.start ?? 0;
      const stop = c.stop ?? entries.length + 1;
      list = entries.filter(([, line]) => line >= start && line < stop);
    } else if (type === "search") {
      const re = globToRegExp(c.pattern ?? "*");
      list = entries.filter(([, , v]) => re.test(Array.isArray(v) ? v[0] : v));
      if (c.unique) {
        const seen = new Set();
        list = list
          .reverse()
          .filter(([, , v]) => {
            const k = Array.isArray(v) ? v[0] : v;
            return seen.has(k) ? false : (seen.add(k), true);
          })
          .reverse();
      }
      if (c.n) list = list.slice(-c.n);
    } else list = [];
    return { status: "ok", history: list };
  }

  function answer(sock, msg, type, content) {
    status(msg, "busy");
    try {
      msg.child(type, content).send(key(), sock);
    } finally {
      status(msg, "idle");
    }
  }

  server.handleShellMessage = function (sock, ...frames) {
    let msg;
    try {
      msg = Message.parse(key(), frames);
    } catch (err) {
      console.error(`[feature-histories] dropped a message: ${err.message}`);
      return;
    }
    const type = msg.header.msg_type;
    try {
      switch (type) {
        case "execute_request":
          pending.push([sock, msg]);
          void drain();
          return;
        case "kernel_info_request":
          return answer(sock, msg, "kernel_info_reply", { status: "ok", ...kernelInfo() });
        case "is_complete_request":
          return answer(sock, msg, "is_complete_reply", isComplete(String(msg.content.code ?? "")));
        case "inspect_request":
          return answer(sock, msg, "inspect_reply", handler.handleInspect(msg.content));
        case "complete_request":
          return answer(sock, msg, "complete_reply", handler.handleComplete(msg.content));
        case "history_request":
          return answer(sock, msg, "history_reply", historyReply(msg.content));
        case "comm_info_request":
          return answer(sock, msg, "comm_info_reply", { status: "ok", comms: {} });
        case "connect_request": {
          const c = server.connInfo;
          return answer(sock, msg, "connect_reply", {
            status: "ok",
            shell_port: c.shell_port,
            iopub_port: c.iopub_port,
            stdin_port: c.stdin_port,
            hb_port: c.hb_port,
            control_port: c.control_port,
          });
        }
        case "interrupt_request":
          onInterruptRequest();
          return answer(sock, msg, "interrupt_reply", { status: "ok" });
        case "shutdown_request": {
          answer(sock, msg, "shutdown_reply", { status: "ok", restart: Boolean(msg.content.restart) });
          setImmediate(() => {
            server.close();
            process.exit(0);
          });
          return;
        }
        case "comm_open":
        case "comm_msg":
        case "comm_close":
          // No comm targets are registered: the spec says to ignore messages for unknown comms.
          return;
        default:
          console.error(`[feature-histories] unknown message type ${type}: not answered`);
      }
    } catch (err) {
      console.error(`[feature-histories] failed to answer ${type}:`, err);
    }
  };
}

/**
 * The console object tslab's executor is created with: during a cell its log() is the last
 * expression's value (the executor's only use of log) and its error() the cell's errors;
 * outside a cell (the prelude) both go to the kernel's log.
 */
function createCapture() {
  let cell = null;
  return {
    log: (...args) => (cell ? ((cell.result = args[0]), (cell.hasResult = true)) : console.log(...args)),
    error: (...args) => (cell ? cell.errors.push(args) : console.error(...args)),
    begin() {
      cell = { result: undefined, hasResult: false, errors: [] };
      return cell;
    },
    end() {
      cell = null;
    },
  };
}

module.exports = { serve, createCapture, describeErrors, Message };
