/**
 * The operator commands the membership and rebalance nemeses drive on stores that speak the
 * store protocol (`POST /admin/members`, `POST /admin/rebalance`), written once over a channel to
 * the nodes: the process DBs send them over HTTP (raft.ts, sharded.ts), the simulator's DB in
 * simulated time (src/sim/cluster.ts), so a real run and a simulated one choose and change alike.
 */
import type { Rng } from '../../core/generator.ts';
import type { StoreOutcome } from '../../stores/client.ts';
import type { StoreStatus } from '../../stores/protocol.ts';
import type { MembershipChange, RebalanceResult } from '../../core/db.ts';

/** How an operator reaches the nodes. */
export interface OperatorChannel {
  /** Every node's name, in the cluster's order. */
  readonly nodes: readonly string[];
  /** The statuses of the nodes that say they lead, only those of the highest term. */
  leaders(): Promise<StoreStatus[]>;
  /** `POST /admin/<command>` at `node`: ok, fail (nothing changed) or info (unknown) within `timeoutMs`. */
  admin(node: string, command: string, body: unknown, timeoutMs: number): Promise<StoreOutcome>;
}

/** Of the statuses gathered (null: a node that did not answer), those that say they lead in the highest term. */
export function topLeaders(statuses: readonly (StoreStatus | null)[]): StoreStatus[] {
  const leaders = statuses.filter((s): s is StoreStatus => s !== null && s.role === 'leader');
  const top = Math.max(...leaders.map((s) => s.term));
  return leaders.filter((s) => s.term === top);
}

/** A membership change waits for the leader to commit the new configuration. */
const MEMBERS_TIMEOUT_MS = 5000;
/** A move waits for prepared transactions on its shard and for three groups' logs. */
const REBALANCE_TIMEOUT_MS = 15_000;

/** Removes a random voting member other than the leader, through the leader. Rejects when the outcome is unknown. */
export async function removeMember(ch: OperatorChannel, rng: Rng): Promise<MembershipChange> {
  const leader = (await ch.leaders())[0];
  if (!leader) return { node: '-', applied: false, detail: 'no leader' };
  const members = (leader['members'] as string[] | undefined) ?? [...ch.nodes];
  const candidates = members.filter((m) => m !== leader.node);
  if (candidates.length <= 1) return { node: '-', applied: false, detail: 'too few members left to remove one' };
  const node = candidates[rng.int(candidates.length)]!;
  return changeMembers(ch, leader.node, { remove: node }, node);
}

/** Adds `node` back as a voting member, through the leader. Rejects when the outcome is unknown. */
export async function addMember(ch: OperatorChannel, node: string): Promise<MembershipChange> {
  const leader = (await ch.leaders())[0];
  return leader ? changeMembers(ch, leader.node, { add: node }, node) : { node, applied: false, detail: 'no leader' };
}

async function changeMembers(ch: OperatorChannel, leader: string, body: { add?: string; remove?: string }, node: string): Promise<MembershipChange> {
  const out = await ch.admin(leader, 'members', body, MEMBERS_TIMEOUT_MS);
  if (out.type === 'ok') return { node, applied: true, detail: `members ${JSON.stringify(out.value)}`, ...(Array.isArray(out.value) ? { members: out.value.map(String) } : {}) };
  if (out.type === 'fail') return { node, applied: false, detail: `${out.error}: ${out.message ?? ''}` };
  throw new Error(`${leader}: membership change outcome unknown: ${out.error}: ${out.message ?? ''}`);
}

/**
 * Moves a shard (or splits one) through the nodes in turn: a node that cannot (down, no placement
 * leader) passes the request on to the next. `applied: false` only when every node refused for
 * sure; rejects when an outcome is unknown. Keep one per run: it remembers whose turn it is.
 */
export class Rebalancer {
  #turn = 0;

  async rebalance(ch: OperatorChannel, opts: { split: boolean }): Promise<RebalanceResult> {
    const nodes = ch.nodes;
    const refusals: string[] = [];
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[(this.#turn + i) % nodes.length]!;
      const out = await ch.admin(node, 'rebalance', { split: opts.split }, REBALANCE_TIMEOUT_MS);
      if (out.type === 'ok') {
        this.#turn = (this.#turn + i + 1) % nodes.length;
        return { node, action: String(out.value), applied: true };
      }
      if (out.type === 'info') throw new Error(`${node}: rebalance outcome unknown: ${out.error}: ${out.message ?? ''}`);
      refusals.push(`${node}: ${out.error}`);
    }
    return { node: nodes[this.#turn % nodes.length] ?? '-', action: `every node refused (${refusals.join('; ')})`, applied: false };
  }
}
