/**
 * Shared pieces of the Consul tests on real local clusters: the gate (root on Linux and a consul
 * binary from $FAULTLINE_CONSUL or PATH, else skip with the reason and how to get one), a
 * DbContext for a cluster, and a helper that runs one op through a workload client.
 */
import type { ClientFactory, Completion } from '../../src/core/client.ts';
import type { DbContext } from '../../src/core/db.ts';
import type { Cluster } from '../../src/core/provider.ts';
import { CONSUL_ENV, consulSource } from '../../src/db/consul/install.ts';

const IS_ROOT = process.platform === 'linux' && process.getuid?.() === 0;

/** Where the tests take consul from, when anywhere. */
export const CONSUL_SOURCE: string | undefined = consulSource(undefined);

/** Why the Consul cluster tests cannot run here, or undefined when they can. */
export const SKIP_REASON: string | undefined = !IS_ROOT
  ? 'consul cluster tests need root on Linux (network namespaces); skipped'
  : CONSUL_SOURCE === undefined
    ? `no consul binary on PATH; install it from releases.hashicorp.com or pass ${CONSUL_ENV}=<path or URL of the binary or release zip>; skipped`
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
