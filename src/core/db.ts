/**
 * The DB protocol: install, start, stop and inspect the system under test on each node. Every
 * call gets a context at call time: the test, the cluster (every node's address and Remote), the
 * node it is about and that node's directory. Process-level faults are optional capabilities;
 * a nemesis that needs one the DB lacks is refused before the run starts.
 *
 * Readiness: `setup` resolves only once the node can serve clients (a leader is known, the port
 * answers). The runner starts the workload right after every node's setup resolved, so a DB that
 * returns early turns its own start-up into failed ops. `waitUntilReady` in `faultline/db` does
 * the polling, and quotes the daemon's log when it exits during start-up.
 *
 * @example
 * import { DaemonDb, type NodeContext } from 'faultline/db';
 * class MyDb extends DaemonDb {
 *   readonly name = 'mydb';
 *   readonly honoursFakeClock = false;   // a Go binary: libfaketime cannot reach its clock
 *   protected logFile(ctx: NodeContext) { return `${ctx.dir}/mydb.log`; }
 *   protected async spawn(ctx: NodeContext) {
 *     const pid = await ctx.cluster.remote(ctx.node.name).spawnDaemon({ argv: ['mydb', '--listen', `${ctx.node.address}:7000`], logFile: this.logFile(ctx), fakeClock: this.honoursFakeClock });
 *     this.daemons.set(ctx.node.name, pid);
 *   }
 *   async setup(ctx: NodeContext) { await this.spawn(ctx); await this.daemons.waitReady(ctx, { ... }); }
 * }
 */
import type { NodeContext, RunContext } from './context.ts';

export interface DB {
  /** Names the DB in logs and messages. */
  readonly name: string;
  /**
   * Required: whether the DB's processes honour a faked wall clock (libfaketime: C, C++, Node,
   * Python, the JVM on glibc do; Go binaries do not). The clock nemesis is refused when false,
   * so a clock fault that cannot act is never counted as applied.
   */
  readonly honoursFakeClock: boolean;
  /** Installs, configures and starts the DB on the node; resolves once the node can serve clients. */
  setup(ctx: NodeContext): Promise<void>;
  /** Stops the DB on the node and removes what setup made; also called after a failed setup. */
  teardown(ctx: NodeContext): Promise<void>;
  /** Log files on the node to collect into the run directory (nodes/<node>/). */
  logFiles?(ctx: NodeContext): readonly string[];

  /** SIGKILLs the DB on the node (kill nemesis); `start` brings it back with the data it had. */
  kill?(ctx: NodeContext): Promise<void>;
  start?(ctx: NodeContext): Promise<void>;
  /** Freezes / thaws the DB's processes (pause nemesis); without them the provider's freezer is used. */
  pause?(ctx: NodeContext): Promise<void>;
  resume?(ctx: NodeContext): Promise<void>;
  /** The nodes currently acting as primaries / leaders (targets and partition shapes use them). */
  primaries?(ctx: RunContext): Promise<readonly string[]>;
}

/** What a membership change answers: the node removed or added; `applied: false` when nothing changed for sure. */
export interface MembershipChange {
  node: string;
  applied: boolean;
  detail: string;
  /** The members after the change, when the DB tells. */
  members?: readonly string[];
}

/** A DB whose voting members can be removed and added while it serves. */
export interface MembershipDb extends DB {
  /** Removes one voting member other than the leader. Rejects when the outcome is unknown. */
  removeMember(ctx: RunContext): Promise<MembershipChange>;
  /** Adds `node` back as a voting member. Rejects when the outcome is unknown. */
  addMember(ctx: RunContext, node: string): Promise<MembershipChange>;
}

/** What a rebalance did: the node asked and its answer; `applied: false` when nothing changed for sure. */
export interface RebalanceResult {
  node: string;
  action: string;
  applied: boolean;
}

/** A DB whose data can be moved between its shard groups while it serves. */
export interface RebalancingDb extends DB {
  /**
   * Moves one shard to another group, or splits one (`split`). Resolves with the node asked and
   * what it did; `applied: false` when nothing changed for sure (the op is then `fail`). Rejects
   * when the outcome is unknown (`info`).
   */
  rebalance(ctx: RunContext, opts: { split: boolean }): Promise<RebalanceResult>;
}
