/**
 * reference:sharded as a DB: the process DB plus `rebalance`, which the rebalance nemesis calls
 * (structurally: nemeses/rebalance.ts's RebalancingDb). It asks one node, the next on a refusal,
 * to move or split a shard through the node's `POST /admin/rebalance`.
 */
import type { RunContext } from '../../core/context.ts';
import { StoreClient } from '../../stores/client.ts';
import { ProcessDb } from '../process/db.ts';

/** A move waits for prepared transactions on its shard and for three groups' logs. */
const REBALANCE_TIMEOUT_MS = 15_000;

export class ShardedProcessDb extends ProcessDb {
  #turn = 0;

  /**
   * Moves a shard (or splits one, `split`) through the next node in turn; a node that cannot
   * (down, no placement leader) passes the request on. `applied: false` only when every node
   * refused for sure.
   */
  async rebalance(ctx: RunContext, opts: { split: boolean }): Promise<{ node: string; action: string; applied: boolean }> {
    const nodes = ctx.cluster.nodes;
    const refusals: string[] = [];
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[(this.#turn + i) % nodes.length]!;
      const client = new StoreClient(this.address(node), { timeoutMs: REBALANCE_TIMEOUT_MS });
      try {
        const out = await client.admin('rebalance', { split: opts.split });
        if (out.type === 'ok') {
          this.#turn = (this.#turn + i + 1) % nodes.length;
          return { node: node.name, action: String(out.value), applied: true };
        }
        if (out.type === 'info') throw new Error(`${node.name}: rebalance outcome unknown: ${out.error}: ${out.message ?? ''}`);
        refusals.push(`${node.name}: ${out.error}`);
      } finally {
        client.close();
      }
    }
    return { node: nodes[this.#turn % nodes.length]?.name ?? '-', action: `every node refused (${refusals.join('; ')})`, applied: false };
  }
}
