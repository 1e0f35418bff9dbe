/**
 * Shared pieces of the local-cluster tests: the root gate (tests skip with a reason when not
 * root), probe servers on every node (test/local/probe.mjs), reachability matrices measured with
 * real TCP connections from inside the node namespaces, and a minimal DB whose "database" is the
 * probe server, so kill/pause/clock nemeses act through the real DB protocol.
 */
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NodeContext } from '../../src/core/context.ts';
import type { DB } from '../../src/core/db.ts';
import type { Cluster, NodeInfo } from '../../src/core/provider.ts';
import { waitGone } from '../../src/control/proc.ts';

export const PROBE = fileURLToPath(new URL('./probe.mjs', import.meta.url));
export const PORT = 7070;

export const IS_ROOT = process.platform === 'linux' && process.getuid?.() === 0;
export const SKIP_REASON = 'local-cluster tests need root on Linux (network namespaces); skipped';
if (!IS_ROOT) console.warn(SKIP_REASON);

/** What a node's probe server answers: its clock, and the datagrams it got per source address. */
export interface ProbeState {
  now: number;
  udp: Record<string, number>;
  /** One-way travel times (ms) of timestamped datagrams, per source address. */
  oneway: Record<string, number[]>;
}

/** One JSON line from a node's probe server, asked from the controller; undefined if no answer. */
export function ask(address: string, timeoutMs = 3000): Promise<ProbeState | undefined> {
  return new Promise((resolve) => {
    const s = net.connect({ host: address, port: PORT });
    let buf = '';
    const t = setTimeout(() => done(undefined), timeoutMs);
    const done = (v: ProbeState | undefined) => {
      clearTimeout(t);
      s.destroy();
      resolve(v);
    };
    s.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('\n')) done(JSON.parse(buf));
    });
    s.on('error', () => done(undefined));
  });
}

export async function waitServing(address: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await ask(address, 200)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`probe on ${address} did not come up`);
}

export function startProbe(cluster: Cluster, node: NodeInfo, logDir: string): Promise<number> {
  return cluster.remote(node.name).spawnDaemon({
    argv: [process.execPath, PROBE, 'serve', node.address, String(PORT)],
    logFile: path.join(logDir, `probe-${node.name}.log`),
  });
}

/** The median of nine TCP connect times, in ms, from node `from` to the probe on node `to`. */
export async function connectMs(cluster: Cluster, from: string, to: string): Promise<number> {
  const addr = cluster.nodes.find((n) => n.name === to)!.address;
  const r = await cluster.remote(from).exec([process.execPath, PROBE, 'rtt', `${addr}:${PORT}`, '9']);
  const times = (JSON.parse(r.stdout) as number[]).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

/** The median one-way travel time, in ms, of `count` datagrams from node `from` to node `to`. */
export async function oneWayMs(cluster: Cluster, from: string, to: string, count = 15): Promise<number> {
  const [src, dst] = [from, to].map((n) => cluster.nodes.find((x) => x.name === n)!.address) as [string, string];
  const before = (await ask(dst))?.oneway[src]?.length ?? 0;
  await cluster.remote(from).exec([process.execPath, PROBE, 'oneway', `${dst}:${PORT}`, String(count)]);
  await new Promise((r) => setTimeout(r, 300));
  const times = ((await ask(dst))?.oneway[src] ?? []).slice(before).sort((a, b) => a - b);
  if (times.length === 0) throw new Error(`no timestamped datagram from ${from} reached ${to}`);
  return times[Math.floor(times.length / 2)] as number;
}

/** Which other nodes `from` gets a TCP reply from within `timeoutMs`. */
export async function reachFrom(cluster: Cluster, from: string, timeoutMs = 1500): Promise<Record<string, boolean>> {
  const others = cluster.nodes.filter((n) => n.name !== from);
  const r = await cluster.remote(from).exec([process.execPath, PROBE, 'tcp', String(timeoutMs), ...others.map((n) => `${n.address}:${PORT}`)]);
  const byAddr = JSON.parse(r.stdout) as Record<string, boolean>;
  return Object.fromEntries(others.map((n) => [n.name, byAddr[`${n.address}:${PORT}`] === true]));
}

/** The full TCP reachability matrix: "a>b" -> reply received. */
export async function reachMatrix(cluster: Cluster): Promise<Record<string, boolean>> {
  const rows = await Promise.all(cluster.nodes.map(async (n) => [n.name, await reachFrom(cluster, n.name)] as const));
  const m: Record<string, boolean> = {};
  for (const [a, row] of rows) for (const [b, ok] of Object.entries(row)) m[`${a}>${b}`] = ok;
  return m;
}

/** A DB whose nodes run the probe server: kill/start by pid through the Remote, pause left to the freezer. */
export function probeDb(logDir: string): DB & { pids: Map<string, number> } {
  const pids = new Map<string, number>();
  const start = async ({ cluster, node }: NodeContext) => {
    pids.set(node.name, await startProbe(cluster, node, logDir));
    await waitServing(node.address);
  };
  return {
    name: 'probe',
    pids,
    honoursFakeClock: true,
    setup: start,
    start,
    async teardown({ cluster, node }) {
      const pid = pids.get(node.name);
      if (pid !== undefined) await cluster.remote(node.name).signal(pid, 'SIGKILL');
    },
    async kill(ctx) {
      const node = ctx.node;
      const pid = pids.get(node.name);
      if (pid === undefined) return;
      await ctx.cluster.remote(node.name).signal(pid, 'SIGKILL');
      if ((await waitGone([pid], 5000)).length > 0) throw new Error(`${node.name}: pid ${pid} survived SIGKILL`);
    },
  };
}
