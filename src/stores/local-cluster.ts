/**
 * Runs a store cluster as real node processes on 127.0.0.1 (free ports, one data directory per
 * node), for integration tests and benchmarks. Every process it starts is tracked by PID and
 * killed by `destroy()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { nodeArgvFor } from '../code-paths.ts';
import { StoreClient } from './client.ts';
import type { StoreStatus } from './protocol.ts';


export interface LocalClusterOptions {
  store: string;
  size: number;
  bugs?: readonly string[];
  /** Extra node flags, e.g. ['--election-ms', '300']. */
  args?: readonly string[];
  /**
   * The directory holding each node's data directory `<dataRoot>/<id>` (default: a new temporary
   * one). Given one, the caller can put something over the data directories before the nodes
   * start (e.g. fault filesystems), and owns its removal: destroy() leaves it.
   */
  dataRoot?: string;
}

/** A port that was free a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>(resolve => server.close(() => resolve()));
  return port;
}

export class LocalCluster {
  readonly ids: readonly string[];
  readonly dir: string;
  private readonly addresses: ReadonlyMap<string, string>;
  private readonly procs = new Map<string, ChildProcess>();
  private readonly opts: LocalClusterOptions;
  private readonly statusClients = new Map<string, StoreClient>();

  private constructor(opts: LocalClusterOptions, ports: number[], dir: string) {
    this.opts = opts;
    this.dir = dir;
    this.ids = ports.map((_, i) => `n${i + 1}`);
    this.addresses = new Map(this.ids.map((id, i) => [id, `127.0.0.1:${ports[i]}`]));
    for (const [id, addr] of this.addresses) this.statusClients.set(id, new StoreClient(addr, { timeoutMs: 1000 }));
  }

  /** Creates the data directories and starts every node. */
  static async start(opts: LocalClusterOptions): Promise<LocalCluster> {
    const ports: number[] = [];
    while (ports.length < opts.size) {
      const p = await freePort();
      if (!ports.includes(p)) ports.push(p);
    }
    const dir = opts.dataRoot ?? fs.mkdtempSync(path.join(os.tmpdir(), `faultline-${opts.store}-`));
    const cluster = new LocalCluster(opts, ports, dir);
    for (const id of cluster.ids) cluster.startNode(id);
    return cluster;
  }

  address(id: string): string {
    const a = this.addresses.get(id);
    if (!a) throw new Error(`no node ${id}`);
    return a;
  }

  pid(id: string): number | undefined {
    return this.procs.get(id)?.pid;
  }

  isRunning(id: string): boolean {
    const p = this.procs.get(id);
    return p !== undefined && p.exitCode === null && p.signalCode === null;
  }

  logFile(id: string): string {
    return path.join(this.dir, `${id}.log`);
  }

  startNode(id: string): void {
    if (this.isRunning(id)) return;
    const peers = [...this.addresses].map(([n, a]) => `${n}=${a}`).join(',');
    const [node, ...program] = nodeArgvFor('src/stores/main');
    const argv = [
      ...program,
      '--store',
      this.opts.store,
      '--id',
      id,
      '--listen',
      this.address(id),
      '--peers',
      peers,
      '--data-dir',
      path.join(this.dir, id),
      ...(this.opts.bugs?.length ? ['--bug', this.opts.bugs.join(',')] : []),
      ...(this.opts.args ?? []),
    ];
    const log = fs.openSync(this.logFile(id), 'a');
    const child = spawn(node!, argv, { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    this.procs.set(id, child);
  }

  /** Sends `signal` to the node's process and waits for it to exit. */
  async stopNode(id: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.procs.get(id);
    if (!p || !this.isRunning(id)) return;
    const exited = new Promise<void>(resolve => p.once('exit', () => resolve()));
    p.kill(signal);
    await exited;
  }

  async status(id: string): Promise<StoreStatus | undefined> {
    try {
      return await this.statusClients.get(id)!.status();
    } catch {
      return undefined;
    }
  }

  /** Waits until a majority of nodes name the same leader, which also calls itself leader. */
  async waitForLeader(timeoutMs = 30_000, exclude: readonly string[] = []): Promise<string> {
    const until = performance.now() + timeoutMs;
    const majority = Math.floor(this.ids.length / 2) + 1;
    while (performance.now() < until) {
      const statuses = (await Promise.all(this.ids.map(id => this.status(id)))).filter(s => s !== undefined);
      for (const s of statuses) {
        if (s.role !== 'leader' || exclude.includes(s.node)) continue;
        const agree = statuses.filter(o => o.leader === s.node && o.term === s.term).length;
        if (agree >= majority) return s.node;
      }
      await new Promise(r => setTimeout(r, 100));
    }
    throw new Error(`no leader within ${timeoutMs} ms; node logs in ${this.dir}`);
  }

  /** Waits until every node answers its status (leaderless stores have no leader to wait for). */
  async waitForAll(timeoutMs = 30_000): Promise<void> {
    const until = performance.now() + timeoutMs;
    while (performance.now() < until) {
      const statuses = await Promise.all(this.ids.map(id => this.status(id)));
      if (statuses.every(s => s !== undefined)) return;
      await new Promise(r => setTimeout(r, 100));
    }
    throw new Error(`not every node answered within ${timeoutMs} ms; node logs in ${this.dir}`);
  }

  /** Kills every node process (SIGKILL, by PID) and removes the data unless `keepData` or the caller's `dataRoot`. */
  async destroy(keepData = false): Promise<void> {
    await Promise.all(this.ids.map(id => this.stopNode(id, 'SIGKILL')));
    for (const c of this.statusClients.values()) c.close();
    if (!keepData && this.opts.dataRoot === undefined) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
