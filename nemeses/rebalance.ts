/**
 * The rebalance nemesis: shard moves and splits while clients run. `start-rebalance` asks the DB
 * to move one shard to another group, or (value `{split: true}`) to split one; the move runs to
 * its end inside the DB (a move whose mover dies is finished by the next one), so
 * `stop-rebalance` has nothing to heal and only closes the window. Only DBs that can rebalance
 * (RebalancingDb in src/core/db.ts: a `rebalance` method, like reference:sharded) take it; the
 * others are refused up front.
 */
import type { Completion } from '../src/core/client.ts';
import type { RunContext } from '../src/core/context.ts';
import type { DB, RebalancingDb } from '../src/core/db.ts';
import { UsageError } from '../src/core/errors.ts';
import type { Nemesis, NemesisOp } from '../src/core/nemesis.ts';
import { attempt, FaultNotApplied, type NemesisContext } from './context.ts';

export function canRebalance(db: DB | null): db is RebalancingDb {
  return db !== null && typeof (db as Partial<RebalancingDb>).rebalance === 'function';
}

/** Refuses up front a DB that has no shards to move. */
export function checkRebalanceSupport(db: DB | null): asserts db is RebalancingDb {
  if (!canRebalance(db)) {
    throw new UsageError(`nemesis rebalance: db ${db?.name ?? '(none)'} cannot move or split shards (it has no rebalance); use a sharded db such as reference:sharded`);
  }
}

export interface RebalanceValue {
  split?: boolean;
}

export class RebalanceNemesis implements Nemesis {
  readonly name = 'rebalance';
  readonly fs = ['start-rebalance', 'stop-rebalance'];
  readonly #db: RebalancingDb;

  constructor(ctx: NemesisContext) {
    checkRebalanceSupport(ctx.db);
    this.#db = ctx.db;
  }

  invoke(run: RunContext, op: NemesisOp): Promise<Completion> {
    if (op.f === 'stop-rebalance') return Promise.resolve({ type: 'ok', value: 'moves finish on their own' });
    if (op.f !== 'start-rebalance') return Promise.resolve({ type: 'fail', error: `rebalance nemesis has no op ${op.f}` });
    const split = (op.value as RebalanceValue | null)?.split === true;
    return attempt(async () => {
      const { node, action, applied } = await this.#db.rebalance(run, { split });
      if (!applied) throw new FaultNotApplied(`${node}: ${action}`);
      return { nodes: [node], action };
    });
  }
}
