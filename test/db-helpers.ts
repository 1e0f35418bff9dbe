/**
 * Pieces every test of a database adapter on a real cluster uses: a DbContext for the cluster
 * and one op run through a workload client.
 */
import type { ClientFactory, Completion } from '../src/core/client.ts';
import type { DbContext } from '../src/core/db.ts';
import type { Cluster } from '../src/core/provider.ts';

export function dbContext(cluster: Cluster, runDir: string): DbContext {
  return { cluster, test: { nodes: cluster.nodes.map((n) => n.name) }, runDir };
}

/** Runs one op as a fresh client on `node` and closes it. */
export async function once(factory: ClientFactory, node: string, f: string, value: unknown, timeoutMs = 10_000): Promise<Completion> {
  const client = await factory.open(node, {});
  try {
    return await client.invoke({ process: 0, f, value }, { signal: AbortSignal.timeout(timeoutMs) });
  } finally {
    await client.close();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
