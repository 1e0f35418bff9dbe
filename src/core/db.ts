/**
 * The DB protocol: install, start, stop and inspect the system under test on each node, and hand
 * out clients for the workloads it can serve. Process-level faults are optional capabilities.
 */
import type { ClientFactory } from './client.ts';
import type { Cluster, NodeInfo } from './provider.ts';

export interface DbContext {
  cluster: Cluster;
  test: Readonly<Record<string, unknown>>;
  /** The run directory on the controller (node logs go under nodes/<node>/). */
  runDir: string;
}

export interface DB {
  readonly name: string;
  setup(ctx: DbContext, node: NodeInfo): Promise<void>;
  teardown(ctx: DbContext, node: NodeInfo): Promise<void>;
  /** Log files on the node to collect into the run directory. */
  logFiles?(ctx: DbContext, node: NodeInfo): readonly string[];
  /** The client for a workload, or undefined when this DB cannot serve it. */
  client(workload: string): ClientFactory | undefined;

  kill?(ctx: DbContext, node: NodeInfo): Promise<void>;
  start?(ctx: DbContext, node: NodeInfo): Promise<void>;
  pause?(ctx: DbContext, node: NodeInfo): Promise<void>;
  resume?(ctx: DbContext, node: NodeInfo): Promise<void>;
  /** The nodes currently acting as primaries / leaders. */
  primaries?(ctx: DbContext): Promise<readonly string[]>;
  /** Whether the DB's processes honour a faked wall clock (libfaketime). */
  readonly clockSkewable?: boolean;
}
