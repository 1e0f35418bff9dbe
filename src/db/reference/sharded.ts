/**
 * reference:sharded as a DB: the process DB plus `rebalance`, which the rebalance nemesis calls
 * (structurally: nemeses/rebalance.ts's RebalancingDb). It asks one node, the next on a refusal,
 * to move or split a shard through the node's `POST /admin/rebalance` (operator.ts).
 */
import type { RunContext } from '../../core/context.ts';
import { ProcessDb } from '../process/db.ts';
import type { RebalanceResult } from '../../core/db.ts';
import { Rebalancer } from './operator.ts';

export class ShardedProcessDb extends ProcessDb {
  readonly #rebalancer = new Rebalancer();

  /** Moves a shard (or splits one, `split`) through the next node in turn. */
  rebalance(ctx: RunContext, opts: { split: boolean }): Promise<RebalanceResult> {
    return this.#rebalancer.rebalance(this.operator(ctx), opts);
  }
}
