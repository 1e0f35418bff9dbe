/**
 * Builds a RunContext: what the runner hands every DB, client and nemesis call, and what a unit
 * test of a user's client or nemesis builds around a cluster of its own.
 *
 * @example
 * const ctx = runContext({ cluster, runDir: '/tmp/run' });
 * const client = await factory.open(nodeContext(ctx, 'n1'));
 */
import type { Logger, RunContext, TestInfo } from '../core/context.ts';
import type { DB } from '../core/db.ts';
import type { Cluster } from '../core/provider.ts';
import { makeRng } from '../generator/rng.ts';

/** A logger that drops everything (unit tests). */
export const SILENT: Logger = { info() {}, warn() {}, error() {} };

export function runContext(p: { cluster: Cluster; db?: DB | null; runDir?: string; test?: Partial<TestInfo>; log?: Logger }): RunContext {
  const nodes = p.cluster.nodes.map((n) => n.name);
  const test: TestInfo = { name: 'test', nodes, concurrency: 1, timeLimitS: 0, opTimeoutMs: 5000, seed: 0, options: {}, ...p.test };
  return { test, cluster: p.cluster, db: p.db ?? null, runDir: p.runDir ?? '/tmp/faultline-run', log: p.log ?? SILENT, rng: makeRng(test.seed ^ 0xc0ffee) };
}
