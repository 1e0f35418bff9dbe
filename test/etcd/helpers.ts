/**
 * Shared pieces of the etcd tests on real local clusters: the gate (root on Linux and an etcd
 * binary, else skip with the reason), a DbContext for a cluster, and a helper that runs one op
 * through a workload client.
 */
import { existsSync } from 'node:fs';
import type { ClientFactory, Completion } from '../../src/core/client.ts';
import type { DbContext } from '../../src/core/db.ts';
import type { Cluster } from '../../src/core/provider.ts';
import { DEFAULT_ETCD_BINARY } from '../../src/db/etcd/install.ts';

const IS_ROOT = process.platform === 'linux' && process.getuid?.() === 0;
const HAS_ETCD = existsSync(DEFAULT_ETCD_BINARY);

/** Why the etcd cluster tests cannot run here, or undefined when they can. */
export const SKIP_REASON: string | undefined = !IS_ROOT
  ? 'etcd cluster tests need root on Linux (network namespaces); skipped'
  : !HAS_ETCD
    ? `etcd cluster tests need ${DEFAULT_ETCD_BINARY} (apt-get install etcd-server); skipped`
    : undefined;
if (SKIP_REASON) console.warn(SKIP_REASON);

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
