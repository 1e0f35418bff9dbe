/**
 * reference:raft as a DB: the process DB plus membership changes, which the membership nemesis
 * calls (structurally: nemeses/membership.ts's MembershipDb) through the leader's
 * `POST /admin/members` (operator.ts).
 */
import type { RunContext } from '../../core/context.ts';
import { ProcessDb } from '../process/db.ts';
import type { MembershipChange } from '../../core/db.ts';
import { addMember, removeMember } from './operator.ts';

export class RaftProcessDb extends ProcessDb {
  /** Removes a random voting member other than the leader. */
  removeMember(ctx: RunContext): Promise<MembershipChange> {
    return removeMember(this.operator(ctx), ctx.rng);
  }

  addMember(ctx: RunContext, node: string): Promise<MembershipChange> {
    return addMember(this.operator(ctx), node);
  }
}
