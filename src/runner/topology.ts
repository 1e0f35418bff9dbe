/**
 * Puts a test's topology in place on a cluster that is up, before anything is set up on the
 * nodes, so the DB meets the WAN from its first packet; and takes it away at teardown.
 */
import type { Logger } from '../core/context.ts';
import type { Cluster } from '../core/provider.ts';
import type { Topology } from '../core/topology.ts';
import { UsageError } from '../core/errors.ts';
import { describeLink, describeRegions } from '../topology/describe.ts';

export async function applyTopology(cluster: Cluster, topology: Topology, providerName: string, log: Logger): Promise<void> {
  const net = cluster.net;
  if (!net?.wan) throw new UsageError(`--topology: provider ${providerName} cannot delay the links between nodes`);
  log.info(`topology ${topology.name}: ${describeRegions(topology.regions)}`);
  for (const l of topology.links) log.info(`  ${describeLink(l)}`);
  await net.wan(topology);
  const placed = cluster.nodes.map((n) => cluster.clientAddress?.(n.name)).filter((a) => a !== undefined);
  log.info(placed.length > 0 ? `  clients placed in their node's region (sending from ${[...new Set(placed)].join(', ')})` : '  clients are not placed in regions: they reach every node directly');
}

export async function removeTopology(cluster: Cluster): Promise<void> {
  await cluster.net?.healWan?.();
}
