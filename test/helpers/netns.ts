/**
 * A network namespace joined to the host by a veth pair, for partition tests: a process started
 * inside (`ns.command(...)`) reaches the host only through the pair, at the host side's address
 * (10.213.A.B/30: .1 on the host, .2 inside), and `down()` cuts that link while `up()` restores
 * it. Each namespace takes its own /30 of 10.213.0.0/16 under a lock file, so parallel test files
 * never share names or addresses; `cleanup()` (also run by `t.after`, at exit and on SIGTERM /
 * SIGINT) kills what still runs inside and deletes the pair and the namespace. A leftover of a
 * test process that died (kill -9) is deleted when its slot is taken again. Needs root and
 * iproute2: otherwise the test is skipped with the reason.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { TestContext } from "node:test";

/** The addresses of every namespace of these tests (for pg_hba.conf). */
export const NETNS_NETWORK = "10.213.0.0/16";
const LOCKS = "/run/fh-test-netns";
const SLOTS = 16384; // /30 networks in 10.213.0.0/16

export interface Netns {
  /** The namespace's name (ip netns exec NAME ...). */
  readonly name: string;
  /** The veth end on the host (HOSTDEV) and inside the namespace. */
  readonly hostDev: string;
  readonly innerDev: string;
  /** The host side's address: what a process inside connects to. */
  readonly hostIp: string;
  /** The address of the namespace's end. */
  readonly innerIp: string;
  /** The argv that runs `cmd args...` inside the namespace (for spawn). */
  command(cmd: string, args: readonly string[]): [string, string[]];
  /**
   * Cut the link. "host" (default): the host's end goes down, as a dead switch port or cable: the
   * namespace's end loses its carrier and what it sends is lost (new connections fail once ARP
   * gives up, EHOSTUNREACH; open ones hang). "inside": the namespace's own end goes down, as a
   * machine whose interface is taken down: its kernel answers "network is unreachable" at once.
   */
  down(side?: "host" | "inside"): void;
  /** Restore the link (both ends up, the namespace's route back). */
  up(): void;
  /** Pids of the processes running inside the namespace. */
  pids(): number[];
  /** Kill what runs inside, delete the veth pair and the namespace (idempotent). */
  cleanup(): void;
}

function sh(cmd: string, args: readonly string[]): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return { ok: r.status === 0, out: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}` };
}

function must(cmd: string, args: readonly string[]): string {
  const r = sh(cmd, args);
  if (!r.ok) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.out.trim()}`);
  return r.out;
}

/** Why namespaces cannot be made here (not root, no `ip`, no netns support), or undefined. */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== "linux") return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return "network namespaces need root (ip netns add); run the tests as root";
  const ip = sh("ip", ["-V"]);
  if (!ip.ok) return `the ip command (iproute2) is missing: ${ip.out.trim() || "not found"}; apt-get install iproute2`;
  return undefined;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
};

const live = new Set<Netns>();
let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once("exit", () => live.forEach((n) => n.cleanup()));
  for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"] as const)
    process.once(sig, () => {
      live.forEach((n) => n.cleanup());
      process.exit(128 + (sig === "SIGINT" ? 2 : sig === "SIGHUP" ? 1 : 15));
    });
}

function names(slot: number) {
  const a = 10;
  const b = 213;
  const c = slot >> 6;
  const d = (slot & 63) * 4;
  return {
    name: `fh-net-${slot}`,
    hostDev: `fhv${slot}h`,
    innerDev: `fhv${slot}i`,
    hostIp: `${a}.${b}.${c}.${d + 1}`,
    innerIp: `${a}.${b}.${c}.${d + 2}`,
  };
}

/** Delete a slot's namespace and veth pair if they exist, killing what runs inside. */
function removeSlot(n: { name: string; hostDev: string }): void {
  const pids = sh("ip", ["netns", "pids", n.name]);
  if (pids.ok)
    for (const p of pids.out.split(/\s+/).filter(Boolean).map(Number))
      try {
        process.kill(p, "SIGKILL");
      } catch {
        /* gone */
      }
  sh("ip", ["link", "del", n.hostDev]);
  sh("ip", ["netns", "del", n.name]);
}

/** Take a free slot: its lock file holds our pid; a dead owner's slot (and leftovers) is reclaimed. */
function takeSlot(): number {
  mkdirSync(LOCKS, { recursive: true });
  const start = (process.pid * 7 + Date.now()) % SLOTS;
  for (let k = 0; k < SLOTS; k++) {
    const slot = (start + k) % SLOTS;
    const dir = `${LOCKS}/${slot}`;
    try {
      mkdirSync(dir);
    } catch {
      let owner = 0;
      try {
        owner = Number(readFileSync(`${dir}/pid`, "utf8"));
      } catch {
        continue; // being taken right now
      }
      if (!owner || alive(owner)) continue;
      // The owner died without cleaning up: its leftovers go, then the slot is taken again.
      try {
        rmSync(`${dir}/pid`);
        rmSync(dir, { recursive: false });
        mkdirSync(dir);
      } catch {
        continue; // someone else reclaims it
      }
      removeSlot(names(slot));
    }
    writeFileSync(`${dir}/pid`, String(process.pid));
    return slot;
  }
  throw new Error(`no free network slot in ${NETNS_NETWORK} (${LOCKS} is full)`);
}

/**
 * A fresh namespace with its veth pair up, or undefined after `t.skip(reason)` when this machine
 * cannot make one. Cleaned up after the test whatever its outcome.
 */
export function createNetns(t: TestContext): Netns | undefined {
  const why = netnsUnavailable();
  if (why) {
    t.skip(why);
    return undefined;
  }
  hookExit();
  const slot = takeSlot();
  const n = names(slot);
  removeSlot(n);
  let cleaned = false;
  const ns: Netns = {
    ...n,
    command: (cmd, args) => ["ip", ["netns", "exec", n.name, cmd, ...args]],
    down(side = "host") {
      if (side === "host") must("ip", ["link", "set", n.hostDev, "down"]);
      else must("ip", ["-n", n.name, "link", "set", n.innerDev, "down"]);
    },
    up() {
      must("ip", ["link", "set", n.hostDev, "up"]);
      must("ip", ["-n", n.name, "link", "set", n.innerDev, "up"]);
    },
    pids() {
      const r = sh("ip", ["netns", "pids", n.name]);
      return r.ok ? r.out.split(/\s+/).filter(Boolean).map(Number) : [];
    },
    cleanup() {
      if (cleaned) return;
      cleaned = true;
      live.delete(ns);
      removeSlot(n);
      rmSync(`${LOCKS}/${slot}`, { recursive: true, force: true });
    },
  };
  live.add(ns);
  t.after(() => ns.cleanup());
  try {
    must("ip", ["netns", "add", n.name]);
    must("ip", ["link", "add", n.hostDev, "type", "veth", "peer", "name", n.innerDev, "netns", n.name]);
    must("ip", ["addr", "add", `${n.hostIp}/30`, "dev", n.hostDev]);
    must("ip", ["link", "set", n.hostDev, "up"]);
    must("ip", ["-n", n.name, "addr", "add", `${n.innerIp}/30`, "dev", n.innerDev]);
    must("ip", ["-n", n.name, "link", "set", n.innerDev, "up"]);
    must("ip", ["-n", n.name, "link", "set", "lo", "up"]);
  } catch (err) {
    ns.cleanup();
    throw err;
  }
  return ns;
}
