/**
 * etcd membership change for the membership nemesis, through the v3 JSON gateway's cluster API
 * (`/v3/cluster/member/list`, `.../remove`, `.../add`), one member at a time:
 *
 * - remove: the leader's member list names the voting members; one other than the leader is
 *   removed (never leaving fewer members than a majority of the cluster's nodes), then its daemon
 *   is stopped and its data directory wiped (a removed member's ID can never come back).
 * - add: `member add` with the node's peer URL, then the node starts with a fresh data directory,
 *   `--initial-cluster-state existing` and an `--initial-cluster` naming the members the add
 *   answered, and setup's readiness wait (it knows a leader).
 *
 * etcd refuses a change that could cost it its quorum (its strict reconfiguration check: "unhealthy
 * cluster" until the leader has heard from every voting member for 5 s, "not enough started
 * members"); those refusals are definite and retried for a while. A change whose outcome is unknown
 * (a timeout after the request was sent) is settled by reading the member list again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { nodeContext, type NodeContext, type RunContext } from '../../core/context.ts';
import type { NodeInfo } from '../../core/provider.ts';
import { classify, EtcdGateway, type GatewayResult } from './gateway.ts';
import type { MembershipChange } from '../../core/db.ts';

/** One member as the member list names it; `name` is empty until an added member has started. */
export interface EtcdMember {
  id: string;
  name: string;
  peerUrls: string[];
  isLearner: boolean;
}

/** What the membership change needs of the etcd DB. */
export interface MemberHost {
  clientAddress(node: NodeInfo): string;
  peerUrl(node: NodeInfo): string;
  /** The nodes that report themselves leader, at the highest term. */
  primaries(ctx: RunContext): Promise<readonly string[]>;
  /** Stops the node's daemon and removes its data directory. */
  stopAndWipe(ctx: NodeContext): Promise<void>;
  /** Starts the node into the existing cluster named by `initialCluster`, and waits until it is ready. */
  join(ctx: NodeContext, initialCluster: string): Promise<void>;
}

export interface MemberTiming {
  /** Per gateway call. */
  callMs: number;
  /** How long a removal refused by etcd's quorum check is retried. */
  removeRetryMs: number;
  /** How long an add refused by etcd's quorum check (or without a leader) is retried. */
  addRetryMs: number;
  pollMs: number;
}

export const DEFAULT_MEMBER_TIMING: MemberTiming = { callMs: 5000, removeRetryMs: 6000, addRetryMs: 15_000, pollMs: 500 };

/** The members of a member-list, member-add or member-remove reply. */
export function parseMembers(body: Record<string, unknown>): EtcdMember[] {
  const list = Array.isArray(body['members']) ? (body['members'] as Record<string, unknown>[]) : [];
  return list.map((m) => ({
    id: String(m['ID'] ?? ''),
    name: typeof m['name'] === 'string' ? m['name'] : '',
    peerUrls: Array.isArray(m['peerURLs']) ? m['peerURLs'].map(String) : [],
    isLearner: m['isLearner'] === true,
  }));
}

/** The node a member runs on, found by its peer URL (its name is empty until it has started). */
export function nodeOfMember(m: EtcdMember, nodes: readonly NodeInfo[], peerUrl: (n: NodeInfo) => string): string | undefined {
  return nodes.find((n) => m.peerUrls.includes(peerUrl(n)))?.name;
}

/** `--initial-cluster` for a node joining `members`: name=peer-url for every peer URL of every member. */
export function initialCluster(members: readonly EtcdMember[], nodes: readonly NodeInfo[], peerUrl: (n: NodeInfo) => string): string {
  return members.flatMap((m) => m.peerUrls.map((u) => `${nodeOfMember(m, nodes, peerUrl) ?? m.name}=${u}`)).join(',');
}

/**
 * Whether etcd refused a membership change before proposing it: a definite gRPC rejection, or the
 * strict reconfiguration check's "unhealthy cluster" (UNAVAILABLE, but nothing was proposed).
 */
export function refused(r: GatewayResult): boolean {
  if (r.kind === 'error' && r.message === 'etcdserver: unhealthy cluster') return true;
  return classify(r, false).type === 'fail';
}

function describeResult(r: GatewayResult): string {
  const c = classify(r, false);
  return c.type === 'ok' ? 'ok' : c.error;
}

/** Membership changes on one etcd cluster; remembers which nodes it removed (they stay down until added back). */
export class EtcdMembers {
  readonly #host: MemberHost;
  readonly #timing: MemberTiming;
  readonly #removed = new Set<string>();

  constructor(host: MemberHost, timing: MemberTiming = DEFAULT_MEMBER_TIMING) {
    this.#host = host;
    this.#timing = timing;
  }

  /** Whether `node` was removed and not yet added back (a kill nemesis must not restart it). */
  isRemoved(node: string): boolean {
    return this.#removed.has(node);
  }

  /** Removes one voting member other than the leader, stops it and wipes its data. */
  async remove(ctx: RunContext): Promise<MembershipChange> {
    const deadline = Date.now() + this.#timing.removeRetryMs;
    const majority = Math.floor(ctx.cluster.nodes.length / 2) + 1;
    for (;;) {
      const view = await this.#leaderView(ctx);
      if (typeof view === 'string') return { node: '-', applied: false, detail: view };
      const voting = view.members.filter((m) => !m.isLearner);
      if (voting.length - 1 < majority) {
        return { node: '-', applied: false, detail: `${voting.length} members left; removing one more would leave fewer than a majority (${majority}) of the ${ctx.cluster.nodes.length} nodes`, members: this.#names(ctx, view.members) };
      }
      const candidates = voting.flatMap((m) => {
        const node = this.#nodeOf(ctx, m);
        return node !== undefined && node !== view.leader ? [{ node, id: m.id }] : [];
      });
      if (candidates.length === 0) return { node: '-', applied: false, detail: 'no member other than the leader runs on a node of the cluster' };
      const victim = candidates[ctx.rng.int(candidates.length)]!;
      const r = await this.#call(ctx, view.leader, '/v3/cluster/member/remove', { ID: victim.id });
      let members: EtcdMember[] | undefined = r.kind === 'ok' ? parseMembers(r.body) : undefined;
      if (r.kind !== 'ok' && refused(r)) {
        if (Date.now() < deadline) {
          await sleep(this.#timing.pollMs);
          continue;
        }
        return { node: victim.node, applied: false, detail: `etcd refused to remove member ${victim.id}: ${describeResult(r)}` };
      }
      // An unknown outcome: the member list settles it.
      members ??= await this.#settle(ctx, (ms) => !ms.some((m) => m.id === victim.id), `removing member ${victim.id} (${victim.node}): ${describeResult(r)}`);
      this.#removed.add(victim.node);
      // The removal stands even if stopping the node fails: adding it back stops and wipes it again.
      const stopped = await this.#host.stopAndWipe(nodeContext(ctx, victim.node)).then(
        () => '',
        (e: unknown) => `; stopping it failed: ${e instanceof Error ? e.message : String(e)}`,
      );
      const names = this.#names(ctx, members);
      ctx.log.info(`etcd: removed member ${victim.id} (${victim.node}) through ${view.leader}; members ${names.join(',')}${stopped}`);
      return { node: victim.node, applied: true, detail: `removed member ${victim.id} through ${view.leader}${stopped}`, members: names };
    }
  }

  /** Adds `node` back as a new member and starts it with a fresh data directory. */
  async add(ctx: RunContext, node: string): Promise<MembershipChange> {
    const info = ctx.cluster.nodes.find((n) => n.name === node);
    if (!info) return { node, applied: false, detail: `no node ${node} in the cluster` };
    const url = this.#host.peerUrl(info);
    const deadline = Date.now() + this.#timing.addRetryMs;
    let members: EtcdMember[] | undefined;
    let last = '';
    while (members === undefined) {
      const view = await this.#leaderView(ctx);
      if (typeof view !== 'string' && view.members.some((m) => m.peerUrls.includes(url))) {
        // Added by an earlier attempt that did not get to start it.
        members = view.members;
        break;
      }
      if (typeof view === 'string') {
        last = view;
      } else {
        const r = await this.#call(ctx, view.leader, '/v3/cluster/member/add', { peerURLs: [url] });
        if (r.kind === 'ok') {
          members = parseMembers(r.body);
          break;
        }
        last = `etcd ${refused(r) ? 'refused' : 'gave no answer'}: ${describeResult(r)}`;
        if (!refused(r)) {
          members = await this.#settle(ctx, (ms) => ms.some((m) => m.peerUrls.includes(url)), `adding ${node}: ${describeResult(r)}`);
          break;
        }
      }
      if (Date.now() >= deadline) return { node, applied: false, detail: `adding ${node} (${url}): ${last}` };
      await sleep(this.#timing.pollMs);
    }
    const flag = initialCluster(members, ctx.cluster.nodes, (n) => this.#host.peerUrl(n));
    const n = nodeContext(ctx, node);
    await this.#host.stopAndWipe(n);
    await this.#host.join(n, flag);
    this.#removed.delete(node);
    const names = this.#names(ctx, members);
    ctx.log.info(`etcd: added ${node} back (${url}); members ${names.join(',')}`);
    return { node, applied: true, detail: `added ${url}; --initial-cluster ${flag}`, members: names };
  }

  /** The leader and its member list, or why they could not be had. */
  async #leaderView(ctx: RunContext): Promise<{ leader: string; members: EtcdMember[] } | string> {
    const leader = (await this.#host.primaries(ctx))[0];
    if (leader === undefined) return 'no leader';
    const r = await this.#call(ctx, leader, '/v3/cluster/member/list', {});
    if (r.kind !== 'ok') return `member list from ${leader}: ${describeResult(r)}`;
    return { leader, members: parseMembers(r.body) };
  }

  /** Polls the member list until `done` holds (the change happened) or the call budget is spent. */
  async #settle(ctx: RunContext, done: (ms: EtcdMember[]) => boolean, what: string): Promise<EtcdMember[]> {
    const deadline = Date.now() + this.#timing.callMs;
    while (Date.now() < deadline) {
      const view = await this.#leaderView(ctx);
      if (typeof view !== 'string' && done(view.members)) return view.members;
      await sleep(this.#timing.pollMs);
    }
    throw new Error(`${what}; outcome unknown (the member list did not show the change within ${this.#timing.callMs} ms)`);
  }

  async #call(ctx: RunContext, node: string, path: string, body: unknown): Promise<GatewayResult> {
    const gw = new EtcdGateway(this.#host.clientAddress(nodeContext(ctx, node).node), { timeoutMs: this.#timing.callMs });
    try {
      return await gw.call(path, body);
    } finally {
      gw.close();
    }
  }

  #nodeOf(ctx: RunContext, m: EtcdMember): string | undefined {
    return nodeOfMember(m, ctx.cluster.nodes, (n) => this.#host.peerUrl(n));
  }

  #names(ctx: RunContext, members: readonly EtcdMember[]): string[] {
    return members.map((m) => this.#nodeOf(ctx, m) ?? (m.name || m.id)).sort();
  }
}
