/**
 * The DB adapter of the bundled reference stores: starts one store node program per node
 * (through the node's Remote, so the same code runs in a namespace or over ssh), waits until the
 * cluster answers, kills / restarts / pauses nodes for the nemeses, and finds the leader.
 * Node data and the node log live in the run directory under nodes/<node>/.
 */
import { join } from 'node:path';
import type { ClientFactory } from '../../core/client.ts';
import type { DB, DbContext } from '../../core/db.ts';
import { DaemonDb } from '../daemons.ts';
import type { Cluster, NodeInfo } from '../../core/provider.ts';
import { StoreClient } from '../../stores/client.ts';
import type { StoreStatus } from '../../stores/protocol.ts';
import { RUN_FILES } from '../../runner/results-dir.ts';
import { referenceClients } from './clients.ts';

export const STORE_PORT = 8080;
const PROJECT_ROOT = join(import.meta.dirname, '..', '..', '..');
const STORE_MAIN = join(PROJECT_ROOT, 'src', 'stores', 'main.ts');
const READY_TIMEOUT_MS = 20_000;

export interface ReferenceDbOptions {
  /** Store kind: raft, ... */
  store: string;
  bugs: readonly string[];
  /** Extra node program flags, e.g. ['--election-ms', '300']. */
  extraArgs?: readonly string[];
}

function nodeDir(ctx: DbContext, node: NodeInfo): string {
  return join(ctx.runDir, RUN_FILES.nodes, node.name);
}

export function storeAddress(node: NodeInfo): string {
  return `${node.address}:${STORE_PORT}`;
}

export class ReferenceDb extends DaemonDb implements DB {
  readonly name: string;
  readonly clockSkewable = true;
  readonly #opts: ReferenceDbOptions;
  readonly #clients: Record<string, ClientFactory>;
  #cluster: Cluster | undefined;

  constructor(opts: ReferenceDbOptions & { opTimeoutMs: number }) {
    super();
    this.#opts = opts;
    this.name = `reference:${opts.store}`;
    this.#clients = referenceClients((name) => {
      const node = this.#cluster?.nodes.find((n) => n.name === name);
      if (!node) throw new Error(`no node ${name} in the cluster`);
      return storeAddress(node);
    }, opts.opTimeoutMs);
  }

  client(workload: string): ClientFactory | undefined {
    return this.#clients[workload];
  }

  #argv(ctx: DbContext, node: NodeInfo): string[] {
    const peers = ctx.cluster.nodes.map((n) => `${n.name}=${storeAddress(n)}`).join(',');
    const argv = [
      process.execPath, '--import', 'tsx', STORE_MAIN,
      '--store', this.#opts.store, '--id', node.name, '--listen', storeAddress(node),
      '--peers', peers, '--data-dir', join(nodeDir(ctx, node), 'data'),
    ];
    for (const b of this.#opts.bugs) argv.push('--bug', b);
    return [...argv, ...(this.#opts.extraArgs ?? [])];
  }

  protected logFile(ctx: DbContext, node: NodeInfo): string {
    return join(nodeDir(ctx, node), 'store.log');
  }

  /** A restarted node recovers from its data directory. */
  protected async spawn(ctx: DbContext, node: NodeInfo): Promise<void> {
    const remote = ctx.cluster.remote(node.name);
    const pid = await remote.spawnDaemon({
      argv: this.#argv(ctx, node),
      cwd: PROJECT_ROOT,
      logFile: this.logFile(ctx, node),
    });
    this.daemons.set(node.name, pid);
  }

  async setup(ctx: DbContext, node: NodeInfo): Promise<void> {
    this.#cluster = ctx.cluster;
    await ctx.cluster.remote(node.name).exec(['rm', '-rf', join(nodeDir(ctx, node), 'data')]);
    await this.spawn(ctx, node);
    await this.#waitReady(ctx, node);
  }

  /** Waits until the node answers and knows a leader (the cluster can serve). */
  async #waitReady(ctx: DbContext, node: NodeInfo): Promise<void> {
    const client = new StoreClient(storeAddress(node), { timeoutMs: 1000 });
    try {
      await this.daemons.waitReady(ctx, node, {
        what: this.name,
        logFile: this.logFile(ctx, node),
        timeoutMs: READY_TIMEOUT_MS,
        pollMs: 100,
        probe: async () => {
          try {
            const s = await client.status();
            return s.leader !== null || s.role === 'leader' ? undefined : `answers, but knows no leader (role ${s.role}, term ${s.term})`;
          } catch (e) {
            return (e as Error).message;
          }
        },
      });
    } finally {
      client.close();
    }
  }

  /** Nodes that say they lead, keeping only those of the highest term. */
  async primaries(ctx: DbContext): Promise<readonly string[]> {
    const statuses = await Promise.all(
      ctx.cluster.nodes.map(async (n) => {
        const client = new StoreClient(storeAddress(n), { timeoutMs: 500 });
        try {
          return await client.status();
        } catch {
          return null;
        } finally {
          client.close();
        }
      }),
    );
    const leaders = statuses.filter((s): s is StoreStatus => s !== null && s.role === 'leader');
    const top = Math.max(...leaders.map((s) => s.term));
    return leaders.filter((s) => s.term === top).map((s) => s.node);
  }
}
