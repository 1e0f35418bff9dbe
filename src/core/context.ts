/**
 * The run context: what every DB, client and nemesis call receives at call time, so no part
 * keeps a stash of the cluster or reaches into the runner. `RunContext` is the whole run;
 * `NodeContext` adds the node a call is about, with its address and directory.
 */
import type { DB } from './db.ts';
import type { Rng } from './generator.ts';
import type { Cluster, NodeInfo } from './provider.ts';
import type { Topology } from './topology.ts';

/** Where a part's log lines go: the run's harness.log, and stderr in the CLI. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** What every part may know about the test it runs in. */
export interface TestInfo {
  readonly name: string;
  /** Node names, n1..nN for the local and docker providers. */
  readonly nodes: readonly string[];
  /** Client workers. */
  readonly concurrency: number;
  /** Length of the main phase, seconds. */
  readonly timeLimitS: number;
  /** Per-op timeout, ms; a client should give up on a request well within it. */
  readonly opTimeoutMs: number;
  readonly seed: number;
  /** Every option of the run under its canonical key, as the text given (`--opt key=value`). */
  readonly options: Readonly<Record<string, string>>;
  /** Where the nodes are (regions) and the WAN between them, when the test has a topology (`--topology`). */
  readonly topology?: Topology;
}

/** Timers on the run's clock: real time in `faultline test`, simulated time in `faultline sim`. */
export interface RunTimers {
  /** Milliseconds on the run's monotonic clock. */
  now(): number;
  /** Calls `fn` once after `ms` (never keeping the process alive); the handle is for `cancel`. */
  after(ms: number, fn: () => void): unknown;
  cancel(handle: unknown): void;
}

/** Real time, for runs whose context names no timers. */
export const REAL_TIMERS: RunTimers = {
  now: () => performance.now(),
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  cancel: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface RunContext {
  readonly test: TestInfo;
  /** The nodes with their addresses and Remotes, and the fault capabilities of the provider. */
  readonly cluster: Cluster;
  /** The system under test (null for in-process stores). */
  readonly db: DB | null;
  /** The run directory on the controller (history.jsonl, results, nodes/<node>/ logs). */
  readonly runDir: string;
  readonly log: Logger;
  /** Seeded from the test's seed: choices made here replay with the seed. */
  readonly rng: Rng;
  /** The clock for a part's own background work (a strobing clock fault); REAL_TIMERS when absent. */
  readonly timers?: RunTimers;
}

export interface NodeContext extends RunContext {
  /** The node this call is about: its name and the address clients and peers use. */
  readonly node: NodeInfo;
  /** The node's own directory for data and logs, on the node: <runDir>/nodes/<node>. */
  readonly dir: string;
}

/** The directory of a node's data and logs: <runDir>/nodes/<node>. */
export function nodeDir(runDir: string, node: string): string {
  return `${runDir}/nodes/${node}`;
}

/** The context of a call about one node of the run. */
export function nodeContext(ctx: RunContext, node: string | NodeInfo): NodeContext {
  const info = typeof node === 'string' ? ctx.cluster.nodes.find((n) => n.name === node) : node;
  if (!info) throw new Error(`no node ${JSON.stringify(node)} in the cluster (nodes: ${ctx.cluster.nodes.map((n) => n.name).join(', ')})`);
  return { ...ctx, node: info, dir: nodeDir(ctx.runDir, info.name) };
}
