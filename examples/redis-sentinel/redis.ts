/**
 * Redis 7 with Sentinel failover, as a Faultline DB: one redis-server and one redis-sentinel per
 * node (Debian's packages, which Faultline installs). n1 starts as the primary and the others
 * replicate it; the sentinels watch it with a majority quorum and short timeouts, and promote a
 * replica when a majority of them lose it. Clients are in ./client.ts.
 *
 *   npx faultline test --db ./redis.ts --workload register --nemesis partition --opt partition.shapes=primaries
 *
 * Replication is asynchronous: when a partition isolates the primary, clients that still reach it
 * keep writing there while the majority promotes a replica; after the heal the old primary becomes
 * a replica of the new one and drops the writes it acknowledged meanwhile.
 */
import { defineDb, opt, type DB, type NodeContext, type Remote, type RunContext } from 'faultline';
import { DaemonDb, NodeDaemons } from 'faultline/db';
import type { Redis } from 'ioredis';
import { MASTER_NAME, REDIS_PORT, SENTINEL_PORT, connect, message, registerClient } from './client.ts';

/** What the definition's options set (see `defineDb` at the end). */
export interface RedisOptions {
  downAfterMs: number;
  failoverTimeoutMs: number;
  minReplicas: number;
}

/** Writes a text file on the node. */
async function writeFile(remote: Remote, path: string, text: string): Promise<void> {
  await remote.exec(['sh', '-c', 'cat > "$0"', path], { input: text });
}

/** Asks a redis-server or sentinel one thing, on a fresh connection: what a readiness probe does. */
async function ask<T>(host: string, port: number, timeoutMs: number, question: (r: Redis) => Promise<T>): Promise<T> {
  const r = await connect(host, port, timeoutMs);
  try {
    return await question(r);
  } finally {
    r.disconnect();
  }
}

export class RedisSentinelDb extends DaemonDb implements DB {
  readonly name = 'redis';
  /** Debian's libfaketime hangs redis-server at start-up: real clocks, and the clock nemesis is refused. */
  readonly honoursFakeClock = false;
  /** The sentinels; `this.daemons` (from DaemonDb) holds the redis-servers. */
  readonly #sentinels = new NodeDaemons();
  readonly #o: RedisOptions;

  constructor(o: RedisOptions) {
    super();
    this.#o = o;
  }

  protected logFile(ctx: NodeContext): string {
    return `${ctx.dir}/redis.log`;
  }

  override logFiles(ctx: NodeContext): readonly string[] {
    return [this.logFile(ctx), `${ctx.dir}/sentinel.log`];
  }

  /** Both daemons; a restart (after a kill) keeps the configs, which Sentinel rewrites as roles change. */
  protected async spawn(ctx: NodeContext, restart: boolean): Promise<void> {
    const remote = ctx.cluster.remote(ctx.node.name);
    if (!restart) await this.#configure(ctx, remote);
    const daemon = (argv: string[], logFile: string) => remote.spawnDaemon({ argv, logFile, fakeClock: this.honoursFakeClock });
    this.daemons.set(ctx.node.name, await daemon(['redis-server', `${ctx.dir}/redis.conf`], this.logFile(ctx)));
    this.#sentinels.set(ctx.node.name, await daemon(['redis-sentinel', `${ctx.dir}/sentinel.conf`], `${ctx.dir}/sentinel.log`));
  }

  async #configure(ctx: NodeContext, remote: Remote): Promise<void> {
    const { address } = ctx.node;
    const primary = ctx.cluster.nodes[0]!;
    const quorum = Math.floor(ctx.cluster.nodes.length / 2) + 1;
    await remote.exec(['mkdir', '-p', `${ctx.dir}/data`]);
    const redis = [`bind ${address}`, `port ${REDIS_PORT}`, 'protected-mode no', `dir ${ctx.dir}/data`, 'appendonly yes'];
    if (ctx.node.name !== primary.name) redis.push(`replicaof ${primary.address} ${REDIS_PORT}`);
    if (this.#o.minReplicas > 0) redis.push(`min-replicas-to-write ${this.#o.minReplicas}`, 'min-replicas-max-lag 5');
    await writeFile(remote, `${ctx.dir}/redis.conf`, `${redis.join('\n')}\n`);
    const sentinel = [
      `bind ${address}`,
      `port ${SENTINEL_PORT}`,
      'protected-mode no',
      `dir ${ctx.dir}`,
      `sentinel monitor ${MASTER_NAME} ${primary.address} ${REDIS_PORT} ${quorum}`,
      `sentinel down-after-milliseconds ${MASTER_NAME} ${this.#o.downAfterMs}`,
      `sentinel failover-timeout ${MASTER_NAME} ${this.#o.failoverTimeoutMs}`,
    ];
    await writeFile(remote, `${ctx.dir}/sentinel.conf`, `${sentinel.join('\n')}\n`);
  }

  /** Ready once the node's replica is in sync and its sentinel knows every other sentinel and replica. */
  async setup(ctx: NodeContext): Promise<void> {
    await this.spawn(ctx, false);
    const { address } = ctx.node;
    const others = ctx.cluster.nodes.length - 1;
    const wait = { timeoutMs: 30_000, pollMs: 250 };
    await this.daemons.waitReady(ctx, {
      ...wait,
      what: 'redis-server',
      logFile: this.logFile(ctx),
      address: `${address}:${REDIS_PORT}`,
      probe: (timeoutMs) =>
        ask(address, REDIS_PORT, timeoutMs, (r) => r.info('replication')).then(
          (info) => (/role:slave/.test(info) && !/master_link_status:up/.test(info) ? 'the replica is not in sync with the primary yet' : undefined),
          message,
        ),
    });
    await this.#sentinels.waitReady(ctx, {
      ...wait,
      what: 'redis-sentinel',
      logFile: `${ctx.dir}/sentinel.log`,
      address: `${address}:${SENTINEL_PORT}`,
      probe: (timeoutMs) =>
        ask(address, SENTINEL_PORT, timeoutMs, (r) => r.call('SENTINEL', 'MASTER', MASTER_NAME)).then((reply) => {
          const fields = reply as string[];
          const field = (name: string): number => Number(fields[fields.indexOf(name) + 1]);
          const known = { sentinels: field('num-other-sentinels'), replicas: field('num-slaves') };
          return known.sentinels >= others && known.replicas >= others ? undefined : `knows ${known.sentinels} other sentinels and ${known.replicas} replicas of ${others}`;
        }, message),
    });
  }

  override async kill(ctx: NodeContext): Promise<void> {
    await super.kill(ctx);
    await this.#sentinels.kill(ctx);
  }

  /** The node most sentinels name as the primary (split votes: every node named most often). */
  async primaries(ctx: RunContext): Promise<readonly string[]> {
    const votes = new Map<string, number>();
    await Promise.all(
      ctx.cluster.nodes.map(async (n) => {
        const reply = await ask(n.address, SENTINEL_PORT, 500, (r) => r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME)).catch(() => null);
        const named = Array.isArray(reply) ? ctx.cluster.nodes.find((m) => m.address === reply[0]) : undefined;
        if (named) votes.set(named.name, (votes.get(named.name) ?? 0) + 1);
      }),
    );
    const most = Math.max(...votes.values());
    return [...votes].filter(([, v]) => v === most).map(([node]) => node);
  }
}

export default defineDb({
  name: 'redis',
  description: 'Redis 7 from Debian, one replica per node, Sentinel failover; asynchronous replication loses acknowledged writes when a partition isolates the primary',
  workloads: ['register'],
  packages: ['redis-server', 'redis-sentinel'],
  expect: 'valid without faults; invalid (nonlinearizable: lost writes) when a partition isolates the primary',
  options: {
    'down-after-ms': opt.integer({ doc: 'sentinel down-after-milliseconds: how long the primary must be unreachable to be down', default: 2000, min: 100 }),
    'failover-timeout-ms': opt.integer({ doc: 'sentinel failover-timeout', default: 6000, min: 1000 }),
    'min-replicas': opt.integer({ doc: 'min-replicas-to-write: the primary refuses writes with fewer replicas in touch (0: off)', default: 0, min: 0 }),
  },
  create({ options }) {
    const db = new RedisSentinelDb({ downAfterMs: options['down-after-ms'], failoverTimeoutMs: options['failover-timeout-ms'], minReplicas: options['min-replicas'] });
    return { db, client: (workload) => (workload === 'register' ? registerClient : undefined) };
  },
});
