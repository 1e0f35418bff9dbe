/**
 * The Consul DB adapter: one Consul server agent per node (binary located and staged by
 * install.ts), started through the node's Remote with a clean environment:
 *   consul agent -server -bootstrap-expect=N -node=<name> -data-dir=<node dir>/data
 *     -bind/-advertise/-client=<address> -retry-join=<every other node> ...
 * with its log in <runDir>/nodes/<node>/consul.log. Raft timing is scaled down
 * (raft_multiplier, default 1) so elections take about a second, and autopilot's dead-server
 * cleanup is off so a killed server stays a voter, as with etcd. Setup waits until the agent
 * reports a leader (GET /v1/status/leader non-empty); kill / start restart a server with its data
 * dir, and it rejoins through retry-join; pause / resume freeze it; the primaries are the servers
 * that name themselves as leader. Wall-clock faults are refused: Consul is a Go program and
 * ignores libfaketime.
 */
import { join } from 'node:path';
import type { ClientFactory } from '../../core/client.ts';
import type { NodeContext, RunContext } from '../../core/context.ts';
import type { DB } from '../../core/db.ts';
import type { NodeInfo } from '../../core/provider.ts';
import { DaemonDb } from '../daemons.ts';
import { unstage } from '../fetch-release.ts';
import { consulClients } from './clients.ts';
import { ConsulHttp } from './http.ts';
import { DEFAULT_INSTALL_DIR, consulSource, consulVersion, installConsul, stageConsul, type ConsulBinary } from './install.ts';
import type { ReadMode } from './kv.ts';
import { SharedSession } from './session.ts';

export interface ConsulDbOptions {
  /** Per client request, in milliseconds. */
  opTimeoutMs: number;
  readMode: ReadMode;
  /** Path or URL of the binary or a release zip (default: $FAULTLINE_CONSUL, then consul on PATH). */
  binary?: string;
  /** Where nodes that do not share the controller's filesystem keep the binary. */
  installDir?: string;
  /** The agents' HTTP API port (default 8500). */
  httpPort?: number;
  /** Consul's performance.raft_multiplier (default 1: about one-second elections). */
  raftMultiplier?: number;
  /** How long setup waits for an agent to report a leader (default 30 s). */
  readyTimeoutMs?: number;
  /** Lock every written key with one session of this many seconds, kept alive by the harness (0 = none). */
  sessionTtlS?: number;
}

const DEFAULT_HTTP_PORT = 8500;
const DEFAULT_READY_TIMEOUT_MS = 30_000;
const POLL_MS = 250;

/** The host of a "host:port" the status API returns. */
function hostOf(address: string): string {
  return address.slice(0, address.lastIndexOf(':')).replace(/^\[|\]$/g, '');
}

export class ConsulDb extends DaemonDb implements DB {
  readonly name = 'consul';
  readonly honoursFakeClock = false;
  readonly #opts: ConsulDbOptions;
  readonly #httpPort: number;
  readonly #clients: Record<string, ClientFactory>;
  /** The binary each node runs. */
  readonly #binaries = new Map<string, string>();
  #binary: ConsulBinary | undefined;
  #preparing: Promise<void> | undefined;
  readonly #setupDone = new Set<string>();
  /** Copies run one at a time: nodes of a local cluster share one filesystem. */
  #installing: Promise<unknown> = Promise.resolve();
  /** The version found at setup, per node. */
  readonly versions = new Map<string, string>();

  constructor(opts: ConsulDbOptions) {
    super();
    this.#opts = opts;
    this.#httpPort = opts.httpPort ?? DEFAULT_HTTP_PORT;
    const session = opts.sessionTtlS ? new SharedSession(opts.sessionTtlS, opts.opTimeoutMs) : undefined;
    this.#clients = consulClients((node) => this.httpAddress(node), { timeoutMs: opts.opTimeoutMs, readMode: opts.readMode, ...(session ? { session } : {}) });
  }

  #exclusive<T>(f: () => Promise<T>): Promise<T> {
    const run = this.#installing.then(f);
    this.#installing = run.catch(() => undefined);
    return run;
  }

  /** Finds, fetches and unzips the binary on the controller before any node is touched (once). */
  prepare(): Promise<void> {
    this.#preparing ??= (async () => {
      this.#binary = await stageConsul(consulSource(this.#opts.binary), {
        installDir: this.#opts.installDir ?? DEFAULT_INSTALL_DIR,
        idleMs: this.#opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
      });
    })();
    return this.#preparing;
  }

  client(workload: string): ClientFactory | undefined {
    return this.#clients[workload];
  }

  /** host:port of an agent's HTTP API. */
  httpAddress(node: NodeInfo): string {
    return `${node.address}:${this.#httpPort}`;
  }

  protected logFile(ctx: NodeContext): string {
    return join(ctx.dir, 'consul.log');
  }

  /** The agent's command line (the same for the first start and every restart). */
  argv(ctx: NodeContext, binary: string): string[] {
    const node = ctx.node;
    return [
      binary, 'agent',
      '-server',
      `-bootstrap-expect=${ctx.cluster.nodes.length}`,
      `-node=${node.name}`,
      `-data-dir=${join(ctx.dir, 'data')}`,
      `-bind=${node.address}`,
      `-advertise=${node.address}`,
      `-client=${node.address}`,
      `-http-port=${this.#httpPort}`,
      '-dns-port=-1',
      '-disable-host-node-id',
      '-log-level=info',
      '-retry-interval=1s',
      `-hcl=performance { raft_multiplier = ${this.#opts.raftMultiplier ?? 1} }`,
      '-hcl=autopilot { cleanup_dead_servers = false }',
      ...ctx.cluster.nodes.filter((n) => n.name !== node.name).map((n) => `-retry-join=${n.address}`),
    ];
  }

  /** A restarted server has the data it had; retry-join brings it back into the cluster. */
  protected async spawn(ctx: NodeContext): Promise<void> {
    const node = ctx.node;
    const binary = this.#binaries.get(node.name);
    if (!binary) throw new Error(`consul: ${node.name} was never set up`);
    const pid = await ctx.cluster.remote(node.name).spawnDaemon({
      argv: this.argv(ctx, binary),
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
      logFile: this.logFile(ctx),
    });
    this.daemons.set(node.name, pid);
  }

  async setup(ctx: NodeContext): Promise<void> {
    const node = ctx.node;
    const remote = ctx.cluster.remote(node.name);
    try {
      // The log exists from the start, so log collection works even when setup fails early.
      await remote.exec(['mkdir', '-p', ctx.dir]);
      await remote.exec(['touch', this.logFile(ctx)]);
      await this.prepare();
      const staged = this.#binary as ConsulBinary;
      const binary = await this.#exclusive(() => installConsul(remote, staged));
      this.versions.set(node.name, await consulVersion(remote, binary));
      this.#binaries.set(node.name, binary);
    } finally {
      this.#setupDone.add(node.name);
      if (this.#binary && ctx.cluster.nodes.every((n) => this.#setupDone.has(n.name))) await unstage(this.#binary.file);
    }
    await remote.exec(['rm', '-rf', join(ctx.dir, 'data')]);
    await this.spawn(ctx);
    await this.#waitReady(ctx);
  }

  /** Waits until the agent names a leader. */
  #waitReady(ctx: NodeContext): Promise<void> {
    const node = ctx.node;
    return this.daemons.waitReady(ctx, {
      what: 'consul',
      logFile: this.logFile(ctx),
      address: this.httpAddress(node),
      timeoutMs: this.#opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
      pollMs: POLL_MS,
      probe: async (timeoutMs) => {
        const leader = await this.leader(node, timeoutMs);
        if (leader.ok && leader.address !== '') return undefined;
        return leader.ok ? 'answers, but knows no leader' : leader.error;
      },
    });
  }

  /** The leader's server address ("host:8300", "" when none) as this agent sees it. */
  async leader(node: NodeInfo, timeoutMs: number): Promise<{ ok: true; address: string } | { ok: false; error: string }> {
    const r = await new ConsulHttp(this.httpAddress(node), timeoutMs).request('GET', '/v1/status/leader');
    if (r.kind === 'transport') return { ok: false, error: `${r.code}: ${r.message}` };
    if (r.status !== 200) return { ok: false, error: `http ${r.status}: ${r.body.trim().slice(0, 200)}` };
    try {
      const address = JSON.parse(r.body) as unknown;
      return typeof address === 'string' ? { ok: true, address } : { ok: false, error: `unexpected reply ${r.body.slice(0, 100)}` };
    } catch {
      return { ok: false, error: `unexpected reply ${r.body.slice(0, 100)}` };
    }
  }

  /** Servers that name themselves as the leader. */
  async primaries(ctx: RunContext): Promise<readonly string[]> {
    const views = await Promise.all(ctx.cluster.nodes.map(async (n) => ({ n, l: await this.leader(n, 500) })));
    return views.filter(({ n, l }) => l.ok && l.address !== '' && hostOf(l.address) === n.address).map(({ n }) => n.name);
  }
}
