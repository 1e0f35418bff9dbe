/**
 * reference:raft as a DB: the process DB plus membership changes, which the membership nemesis
 * calls (structurally: nemeses/membership.ts's MembershipDb) through the leader's
 * `POST /admin/members`.
 */
import type { RunContext } from '../../core/context.ts';
import { StoreClient } from '../../stores/client.ts';
import type { StoreStatus } from '../../stores/protocol.ts';
import { ProcessDb } from '../process/db.ts';

export interface MembershipChange {
  node: string;
  applied: boolean;
  detail: string;
  /** The members after the change. */
  members?: readonly string[];
}

export class RaftProcessDb extends ProcessDb {
  /** Removes a random voting member other than the leader. */
  async removeMember(ctx: RunContext): Promise<MembershipChange> {
    const leader = await this.#leader(ctx);
    if (!leader) return { node: '-', applied: false, detail: 'no leader' };
    const members = (leader.members as string[] | undefined) ?? ctx.cluster.nodes.map(n => n.name);
    const candidates = members.filter(m => m !== leader.node);
    if (candidates.length <= 1) return { node: '-', applied: false, detail: 'too few members left to remove one' };
    const node = candidates[ctx.rng.int(candidates.length)]!;
    return this.#change(ctx, leader.node, { remove: node }, node);
  }

  async addMember(ctx: RunContext, node: string): Promise<MembershipChange> {
    const leader = await this.#leader(ctx);
    return leader ? this.#change(ctx, leader.node, { add: node }, node) : { node, applied: false, detail: 'no leader' };
  }

  async #leader(ctx: RunContext): Promise<StoreStatus | undefined> {
    return (await this.leaderStatuses(ctx))[0];
  }

  async #change(ctx: RunContext, leader: string, body: { add?: string; remove?: string }, node: string): Promise<MembershipChange> {
    const client = new StoreClient(this.address(ctx.cluster.nodes.find(n => n.name === leader)!), { timeoutMs: 5000 });
    try {
      const out = await client.admin('members', body);
      if (out.type === 'ok') return { node, applied: true, detail: `members ${JSON.stringify(out.value)}`, ...(Array.isArray(out.value) ? { members: out.value.map(String) } : {}) };
      if (out.type === 'fail') return { node, applied: false, detail: `${out.error}: ${out.message ?? ''}` };
      throw new Error(`${leader}: membership change outcome unknown: ${out.error}: ${out.message ?? ''}`);
    } finally {
      client.close();
    }
  }
}
