/**
 * The etcd DB adapter: one etcd member per node (installed on demand, see install.ts), started
 * through the node's Remote with a clean environment (etcd refuses to start when ETCD_* variables
 * shadow its flags), data under <runDir>/nodes/<node>/data and its log in
 * <runDir>/nodes/<node>/etcd.log. Setup waits until the member reports a leader; kill / start
 * restart a member into the existing cluster (same data dir); pause / resume freeze it; the
 * primaries are the members that report themselves as leader, at the highest raft term.
 * Membership change (the membership nemesis): `removeMember` / `addMember`, see members.ts; a
 * removed member stays down (a kill nemesis's restart leaves it alone) until it is added back.
 * With a release tarball (see tarball.ts), `prepare` checks it on the controller before any node
 * is touched, and setup unpacks it on each node and runs that etcd.
 * Wall-clock faults are refused: etcd is a Go program and ignores libfaketime.
 */
import { join } from 'node:path';
import type { ClientFactory } from '../../core/client.ts';
import type { NodeContext, RunContext } from '../../core/context.ts';
import type { DB, MembershipChange } from '../../core/db.ts';
import { DaemonDb } from '../daemons.ts';
import type { NodeInfo } from '../../core/provider.ts';
import { UsageError } from '../../core/errors.ts';
import { etcdClients } from './clients.ts';
import { EtcdGateway } from './gateway.ts';
import { DEFAULT_ETCD_BINARY, ensureEtcd } from './install.ts';
import { DEFAULT_INSTALL_DIR, installEtcdRelease, stageEtcdRelease, type EtcdRelease } from './tarball.ts';
import { unstage } from '../fetch-release.ts';
import { SharedLease } from './lease.ts';
import { EtcdMembers } from './members.ts';

export interface EtcdDbOptions {
  /** Per client request, in milliseconds. */
  opTimeoutMs: number;
  /** The etcd binary on every node (default /usr/bin/etcd, installed with apt-get when missing). */
  binary?: string;
  /** Required etcd version, e.g. "3.4" or "3.4.23" (default: any 3.4+). */
  version?: string;
  /** A release tarball (URL or controller path) to install on every node instead of `binary`. */
  tarball?: string;
  /** Where releases unpack on the nodes (default /var/tmp/faultline/etcd). */
  installDir?: string;
  /** Reads with serializable=true: answered from the member's own state, possibly stale. */
  serializableReads?: boolean;
  /** Attach every put to one lease of this many seconds, kept alive by the harness (0 = no lease). */
  leaseTtlS?: number;
  /** etcd's --snapshot-count (default: etcd's own, 100000). */
  snapshotCount?: number;
  /** etcd's --pre-vote (default off, as in etcd 3.4). */
  preVote?: boolean;
  clientPort?: number;
  peerPort?: number;
  /** How long setup waits for a member to report a leader (default 20 s). */
  readyTimeoutMs?: number;
}

const DEFAULT_CLIENT_PORT = 2379;
const DEFAULT_PEER_PORT = 2380;
const DEFAULT_READY_TIMEOUT_MS = 20_000;
const POLL_MS = 200;

interface MemberStatus {
  memberId: string;
  leader: string;
  raftTerm: number;
  errors: string[];
}

export class EtcdDb extends DaemonDb implements DB {
  readonly name = 'etcd';
  readonly honoursFakeClock = false;
  readonly #opts: EtcdDbOptions;
  #binary: string;
  readonly #clientPort: number;
  readonly #peerPort: number;
  readonly #clients: Record<string, ClientFactory>;
  #release: EtcdRelease | undefined;
  #preparing: Promise<void> | undefined;
  /** Nodes whose setup has finished (either way); the staged tarball goes once all have. */
  readonly #setupDone = new Set<string>();
  /** Installs run one at a time: nodes of a local cluster share one package database. */
  #installing: Promise<unknown> = Promise.resolve();

  #exclusive<T>(f: () => Promise<T>): Promise<T> {
    const run = this.#installing.then(f);
    this.#installing = run.catch(() => undefined);
    return run;
  }
  /** The version found at setup, per node. */
  readonly versions = new Map<string, string>();
  readonly #members = new EtcdMembers({
    clientAddress: (node) => this.clientAddress(node),
    peerUrl: (node) => this.#peerUrl(node),
    primaries: (ctx) => this.primaries(ctx),
    stopAndWipe: async (ctx) => {
      await this.kill(ctx);
      await ctx.cluster.remote(ctx.node.name).exec(['rm', '-rf', join(ctx.dir, 'data')]);
    },
    join: async (ctx, initialCluster) => {
      await this.#spawnWith(ctx, this.argv(ctx, true, initialCluster));
      await this.#waitReady(ctx);
    },
  });

  constructor(opts: EtcdDbOptions) {
    super();
    this.#opts = opts;
    this.#binary = opts.binary ?? DEFAULT_ETCD_BINARY;
    this.#clientPort = opts.clientPort ?? DEFAULT_CLIENT_PORT;
    this.#peerPort = opts.peerPort ?? DEFAULT_PEER_PORT;
    const lease = opts.leaseTtlS ? new SharedLease(opts.leaseTtlS, opts.opTimeoutMs) : undefined;
    this.#clients = etcdClients((node) => this.clientAddress(node), {
      timeoutMs: opts.opTimeoutMs,
      serializableReads: opts.serializableReads ?? false,
      ...(lease ? { lease } : {}),
    });
  }

  /** Fetches and checks the release tarball, if any, before any node is touched (once). */
  prepare(): Promise<void> {
    this.#preparing ??= this.#stageRelease();
    return this.#preparing;
  }

  async #stageRelease(): Promise<void> {
    if (this.#opts.tarball === undefined) return;
    this.#release = await stageEtcdRelease(this.#opts.tarball, {
      installDir: this.#opts.installDir ?? DEFAULT_INSTALL_DIR,
      idleMs: this.#opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
      ...(this.#opts.version !== undefined ? { wanted: this.#opts.version } : {}),
    });
    this.#binary = join(this.#release.dir, 'etcd');
  }

  /** The etcd binary the members run. */
  get binary(): string {
    return this.#binary;
  }

  client(workload: string): ClientFactory | undefined {
    return this.#clients[workload];
  }

  /** host:port of a member's client URL. */
  clientAddress(node: NodeInfo): string {
    return `${node.address}:${this.#clientPort}`;
  }

  protected logFile(ctx: NodeContext): string {
    return join(ctx.dir, 'etcd.log');
  }

  #peerUrl(node: NodeInfo): string {
    return `http://${node.address}:${this.#peerPort}`;
  }

  /**
   * The member's command line; `existing` rejoins the cluster (with the data dir it has, or, with
   * `initialCluster`, as a member just added: name=peer-url of every member).
   */
  argv(ctx: NodeContext, existing: boolean, initialCluster?: string): string[] {
    const node = ctx.node;
    const peer = (n: NodeInfo): string => this.#peerUrl(n);
    const client = `http://${this.clientAddress(node)}`;
    const argv = [
      this.#binary,
      '--name', node.name,
      '--data-dir', join(ctx.dir, 'data'),
      '--listen-peer-urls', peer(node),
      '--initial-advertise-peer-urls', peer(node),
      '--listen-client-urls', client,
      '--advertise-client-urls', client,
      '--initial-cluster', initialCluster ?? ctx.cluster.nodes.map((n) => `${n.name}=${peer(n)}`).join(','),
      '--initial-cluster-state', existing ? 'existing' : 'new',
      '--initial-cluster-token', 'faultline',
      '--heartbeat-interval', '100',
      '--election-timeout', '1000',
    ];
    if (this.#opts.snapshotCount !== undefined) argv.push('--snapshot-count', String(this.#opts.snapshotCount));
    if (this.#opts.preVote) argv.push('--pre-vote');
    return argv;
  }

  /** A restarted member rejoins the existing cluster with the data it had. */
  protected spawn(ctx: NodeContext, existing: boolean): Promise<void> {
    return this.#spawnWith(ctx, this.argv(ctx, existing));
  }

  async #spawnWith(ctx: NodeContext, argv: string[]): Promise<void> {
    const pid = await ctx.cluster.remote(ctx.node.name).spawnDaemon({
      argv,
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
      logFile: this.logFile(ctx),
    });
    this.daemons.set(ctx.node.name, pid);
  }

  /** Restarts a killed member; a member the membership nemesis removed stays down until it is added back. */
  override async start(ctx: NodeContext): Promise<void> {
    if (this.#members.isRemoved(ctx.node.name)) {
      ctx.log.info(`etcd: ${ctx.node.name} is not a member now (removed); it starts when it is added back`);
      return;
    }
    await super.start(ctx);
  }

  /** Removes one voting member other than the leader (membership nemesis); see members.ts. */
  removeMember(ctx: RunContext): Promise<MembershipChange> {
    return this.#members.remove(ctx);
  }

  /** Adds a removed node back as a new member with a fresh data directory. */
  addMember(ctx: RunContext, node: string): Promise<MembershipChange> {
    return this.#members.add(ctx, node);
  }

  async setup(ctx: NodeContext): Promise<void> {
    const node = ctx.node;
    try {
      await this.prepare();
      await this.#install(ctx);
    } finally {
      this.#setupDone.add(node.name);
      if (this.#release && ctx.cluster.nodes.every((n) => this.#setupDone.has(n.name))) await unstage(this.#release.file);
    }
    await this.#checkPortsFree(ctx);
    await ctx.cluster.remote(node.name).exec(['rm', '-rf', join(ctx.dir, 'data')]);
    await this.spawn(ctx, false);
    await this.#waitReady(ctx);
  }

  /** Creates the node's directory and log, unpacks the release if one is given, checks etcd's version. */
  async #install(ctx: NodeContext): Promise<void> {
    const node = ctx.node;
    const remote = ctx.cluster.remote(node.name);
    // The log exists from the start, so log collection works even when setup fails early.
    await remote.exec(['mkdir', '-p', ctx.dir]);
    await remote.exec(['touch', this.logFile(ctx)]);
    const release = this.#release;
    if (release) await this.#exclusive(() => installEtcdRelease(remote, release));
    const version = await ensureEtcd(remote, this.#binary, this.#opts.version, (line) => ctx.log.info(line), (f) => this.#exclusive(f));
    if (release && version !== release.version) {
      throw new UsageError(`${node.name}: the etcd in ${this.#opts.tarball} reports version ${version}, but its directory says ${release.version}; is it an etcd release?`);
    }
    this.versions.set(node.name, version);
  }

  /** Refuses to start when something on the node already listens on our ports. */
  async #checkPortsFree(ctx: NodeContext): Promise<void> {
    const node = ctx.node;
    const r = await ctx.cluster.remote(node.name).exec(['ss', '-Hltnp'], { check: false });
    if (r.exitCode !== 0) return; // no ss on the node: the readiness check still reports a bind failure
    for (const line of r.stdout.split('\n')) {
      const local = line.trim().split(/\s+/)[3];
      if (!local) continue;
      const colon = local.lastIndexOf(':');
      const host = local.slice(0, colon).replace(/^\[|\]$/g, '').replace(/%.*$/, '');
      const port = Number(local.slice(colon + 1));
      const ours = host === node.address || host === '0.0.0.0' || host === '*' || host === '::';
      if (ours && (port === this.#clientPort || port === this.#peerPort)) {
        const who = /users:\(\("([^"]+)",pid=(\d+)/.exec(line);
        throw new UsageError(
          `${node.name}: port ${port} (${local}) is already in use${who ? ` by ${who[1]} (pid ${who[2]})` : ''}; stop it, or choose other ports with --opt etcd.client-port / etcd.peer-port`,
        );
      }
    }
  }

  /** Waits until the member answers its status and knows a leader. */
  #waitReady(ctx: NodeContext): Promise<void> {
    const node = ctx.node;
    return this.daemons.waitReady(ctx, {
      what: 'etcd',
      logFile: this.logFile(ctx),
      address: this.clientAddress(node),
      timeoutMs: this.#opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
      pollMs: POLL_MS,
      probe: async (timeoutMs) => {
        const s = await this.status(node, timeoutMs);
        if (typeof s !== 'string' && s.leader !== '0' && s.errors.length === 0) return undefined;
        return typeof s === 'string' ? s : `answers, but ${s.errors.join(', ') || 'knows no leader'} (term ${s.raftTerm})`;
      },
    });
  }

  /** The member's maintenance status, or why it could not be had. */
  async status(node: NodeInfo, timeoutMs: number): Promise<MemberStatus | string> {
    const gw = new EtcdGateway(this.clientAddress(node), { timeoutMs });
    try {
      const r = await gw.call('/v3/maintenance/status', {});
      if (r.kind !== 'ok') return r.message;
      const header = r.body['header'] as { member_id?: string } | undefined;
      return {
        memberId: header?.member_id ?? '0',
        leader: typeof r.body['leader'] === 'string' ? r.body['leader'] : '0',
        raftTerm: Number(r.body['raftTerm'] ?? 0),
        errors: (r.body['errors'] as string[] | undefined) ?? [],
      };
    } finally {
      gw.close();
    }
  }

  /** Members that report themselves as leader, keeping those of the highest raft term. */
  async primaries(ctx: RunContext): Promise<readonly string[]> {
    const statuses = await Promise.all(ctx.cluster.nodes.map(async (n) => ({ node: n.name, s: await this.status(n, 500) })));
    const leaders = statuses.flatMap(({ node, s }) => (typeof s !== 'string' && s.leader !== '0' && s.leader === s.memberId ? [{ node, term: s.raftTerm }] : []));
    const top = Math.max(...leaders.map((l) => l.term));
    return leaders.filter((l) => l.term === top).map((l) => l.node);
  }
}
