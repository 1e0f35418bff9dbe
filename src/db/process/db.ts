/**
 * A DB adapter for any node program that speaks the reference stores' HTTP/JSON protocol
 * (docs/node-protocol.md, src/stores/protocol.ts), the way Maelstrom runs any binary: one
 * process per node started from a command template, ready once `GET /status` names a leader
 * (leaderless stores name themselves), killed, restarted with its data, paused and resumed
 * through the DaemonDb lifecycle, primaries read from every node's status. The bundled reference
 * stores are started through it too.
 *
 * Template placeholders: {node} (name), {host} (address), {port}, {listen} (host:port),
 * {peers} (n1=host:port,n2=...), {dir} (the node's directory), {data-dir} ({dir}/data).
 */
import { join } from 'node:path';
import type { ClientFactory } from '../../core/client.ts';
import type { NodeContext, RunContext } from '../../core/context.ts';
import type { DB } from '../../core/db.ts';
import type { NodeInfo } from '../../core/provider.ts';
import { UsageError } from '../../core/errors.ts';
import { DaemonDb } from '../daemons.ts';
import { StoreClient } from '../../stores/client.ts';
import { referenceClients } from '../reference/clients.ts';
import { topLeaders, type OperatorChannel } from '../reference/operator.ts';

export interface ProcessDbOptions {
  /** Names the DB in messages: "reference:raft", "process". */
  name: string;
  /** The node program's argv, each word a template (see the header). */
  argv: readonly string[];
  /** The port every node listens on (clients and, for the reference stores, peers). */
  port: number;
  /** Whether the program honours a faked wall clock (libfaketime). */
  honoursFakeClock: boolean;
  /** Per client request, ms. */
  opTimeoutMs: number;
  /** How long setup waits for a node to name a leader. */
  readyTimeoutMs: number;
  /** Working directory of the program on the node (default: the node's directory). */
  cwd?: string;
  /** The workloads its clients serve (default register, list-append, rw-register). */
  workloads?: readonly string[];
}

const PLACEHOLDER = /\{(node|host|port|listen|peers|dir|data-dir)\}/g;

/** Fills a word's placeholders for a node; an unknown {name} is refused up front by `checkTemplate`. */
export function fillTemplate(word: string, vars: Readonly<Record<string, string>>): string {
  return word.replace(PLACEHOLDER, (_, name: string) => vars[name]!);
}

/** Refuses placeholders the template language does not have ({nodes}, {id}, ...). */
export function checkTemplate(argv: readonly string[]): void {
  if (argv.length === 0) throw new UsageError('the node command is empty');
  for (const word of argv) {
    for (const m of word.matchAll(/\{([^{}]*)\}/g)) {
      if (!/^(node|host|port|listen|peers|dir|data-dir)$/.test(m[1]!)) {
        throw new UsageError(`node command: unknown placeholder {${m[1]}} (known: {node} {host} {port} {listen} {peers} {dir} {data-dir})`);
      }
    }
  }
}

export class ProcessDb extends DaemonDb implements DB {
  readonly name: string;
  readonly honoursFakeClock: boolean;
  readonly #o: ProcessDbOptions;
  readonly #clients: Record<string, ClientFactory>;

  constructor(o: ProcessDbOptions) {
    super();
    checkTemplate(o.argv);
    this.#o = o;
    this.name = o.name;
    this.honoursFakeClock = o.honoursFakeClock;
    const all = referenceClients((node) => this.address(node), o.opTimeoutMs);
    const served = o.workloads ?? Object.keys(all);
    this.#clients = Object.fromEntries(Object.entries(all).filter(([w]) => served.includes(w)));
  }

  /** host:port of a node's API. */
  address(node: NodeInfo): string {
    return `${node.address}:${this.#o.port}`;
  }

  client(workload: string): ClientFactory | undefined {
    return this.#clients[workload];
  }

  /** The node program's argv for this node, placeholders filled. */
  argv(ctx: NodeContext): string[] {
    const vars = {
      node: ctx.node.name,
      host: ctx.node.address,
      port: String(this.#o.port),
      listen: this.address(ctx.node),
      peers: ctx.cluster.nodes.map((n) => `${n.name}=${this.address(n)}`).join(','),
      dir: ctx.dir,
      'data-dir': join(ctx.dir, 'data'),
    };
    return this.#o.argv.map((w) => fillTemplate(w, vars));
  }

  protected logFile(ctx: NodeContext): string {
    return join(ctx.dir, 'node.log');
  }

  /** A restarted node recovers from its data directory. */
  protected async spawn(ctx: NodeContext): Promise<void> {
    const remote = ctx.cluster.remote(ctx.node.name);
    await remote.exec(['mkdir', '-p', join(ctx.dir, 'data')]);
    const pid = await remote.spawnDaemon({ argv: this.argv(ctx), cwd: this.#o.cwd ?? ctx.dir, logFile: this.logFile(ctx), fakeClock: this.honoursFakeClock });
    this.daemons.set(ctx.node.name, pid);
  }

  async setup(ctx: NodeContext): Promise<void> {
    await ctx.cluster.remote(ctx.node.name).exec(['rm', '-rf', join(ctx.dir, 'data')]);
    await this.spawn(ctx);
    const client = new StoreClient(this.address(ctx.node), { timeoutMs: 1000 });
    try {
      await this.daemons.waitReady(ctx, {
        what: this.name,
        logFile: this.logFile(ctx),
        timeoutMs: this.#o.readyTimeoutMs,
        pollMs: 100,
        address: this.address(ctx.node),
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
  async primaries(ctx: RunContext): Promise<readonly string[]> {
    return (await this.operator(ctx).leaders()).map((s) => s.node);
  }

  /** The nodes over HTTP, for operator commands (membership changes, shard moves: ../reference/operator.ts). */
  protected operator(ctx: RunContext): OperatorChannel {
    const at = (name: string): string => this.address(ctx.cluster.nodes.find((n) => n.name === name)!);
    return {
      nodes: ctx.cluster.nodes.map((n) => n.name),
      leaders: async () => {
        const statuses = await Promise.all(
          ctx.cluster.nodes.map(async (n) => {
            const client = new StoreClient(this.address(n), { timeoutMs: 500 });
            try {
              return await client.status();
            } catch {
              return null;
            } finally {
              client.close();
            }
          }),
        );
        return topLeaders(statuses);
      },
      admin: async (node, command, body, timeoutMs) => {
        const client = new StoreClient(at(node), { timeoutMs });
        try {
          return await client.admin(command, body);
        } finally {
          client.close();
        }
      },
    };
  }
}
