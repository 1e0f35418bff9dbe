/**
 * The membership nemesis: Raft membership changes while clients run. `start-membership` asks the
 * DB to remove one voting member (never its leader); `stop-membership` adds every node it removed
 * back, one at a time. Each completion records the nodes changed and, when the DB tells, the
 * members after the change. Only DBs that can change their membership (MembershipDb in
 * src/core/db.ts: `removeMember` and `addMember`, like reference:raft and etcd) take it; the
 * others are refused up front.
 */
import type { Completion } from '../src/core/client.ts';
import type { RunContext } from '../src/core/context.ts';
import type { DB, MembershipDb } from '../src/core/db.ts';
import { UsageError } from '../src/core/errors.ts';
import type { Nemesis, NemesisOp } from '../src/core/nemesis.ts';
import { attempt, FaultNotApplied, type NemesisContext } from './context.ts';

export function canChangeMembership(db: DB | null): db is MembershipDb {
  const m = db as Partial<MembershipDb> | null;
  return typeof m?.removeMember === 'function' && typeof m.addMember === 'function';
}

/** Refuses up front a DB whose membership cannot change. */
export function checkMembershipSupport(db: DB | null): asserts db is MembershipDb {
  if (!canChangeMembership(db)) {
    throw new UsageError(`nemesis membership: db ${db?.name ?? '(none)'} cannot remove and add members (no removeMember / addMember); use reference:raft or etcd`);
  }
}

export class MembershipNemesis implements Nemesis {
  readonly name = 'membership';
  readonly fs = ['start-membership', 'stop-membership'];
  readonly #db: MembershipDb;
  /** Nodes this nemesis removed and has not added back. */
  readonly #removed = new Set<string>();

  constructor(ctx: NemesisContext) {
    checkMembershipSupport(ctx.db);
    this.#db = ctx.db;
  }

  invoke(run: RunContext, op: NemesisOp): Promise<Completion> {
    if (op.f === 'start-membership') {
      return attempt(async () => {
        const c = await this.#db.removeMember(run);
        if (!c.applied) throw new FaultNotApplied(`${c.node}: ${c.detail}`);
        this.#removed.add(c.node);
        return { nodes: [c.node], removed: c.node, ...(c.members ? { members: c.members } : {}) };
      });
    }
    if (op.f === 'stop-membership') {
      return attempt(async () => {
        const added: string[] = [];
        let members: readonly string[] | undefined;
        for (const node of [...this.#removed]) {
          const c = await this.#db.addMember(run, node);
          if (!c.applied) throw new Error(`adding ${node} back: ${c.detail}`);
          this.#removed.delete(node);
          added.push(node);
          members = c.members;
        }
        return { nodes: added, added, ...(members ? { members } : {}) };
      });
    }
    return Promise.resolve({ type: 'fail', error: `membership nemesis has no op ${op.f}` });
  }

  /** Adds back whatever is still removed. */
  async teardown(run: RunContext): Promise<void> {
    await this.invoke(run, { f: 'stop-membership', value: null });
  }
}
