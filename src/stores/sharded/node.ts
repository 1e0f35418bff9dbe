/**
 * A node of the sharded store. Every node runs a replica of each Raft group: the placement group
 * `p` (the shard map) and the data groups `g1..gN` (the keys, cut into shards by slot), all on
 * the node's one disk (group-storage.ts). Any node takes client requests and acts as their router
 * and coordinator:
 *
 * - It routes by its cached shard map. A group that does not own a key answers `wrong-shard`; the
 *   router then fetches the map from the placement group and tries again, until its deadline.
 * - A request whose keys sit in one group runs there as one log entry (`exec`). A transaction
 *   across groups runs plain two-phase commit: `prepare` at every group (locks the keys, answers
 *   the reads; any conflict votes no), then the decision is recorded at the primary group (the
 *   first of the transaction's groups, by id) and only then answered and sent to the others.
 *   A participant that holds a prepare for longer than STALE_PREPARE_MS asks the primary; if no
 *   decision is recorded there, abort is, so a coordinator that died never blocks a key for good.
 * - A group op reaches its group's leader: the local replica when it leads, else a peer message to
 *   the leader it believes in; every op is idempotent by id, so lost replies are retried.
 * - `rebalance` splits a shard or moves one to another group: the move is recorded in the map as
 *   pending, the source releases the slots (the fence: from then on it refuses them) and hands
 *   over their data, the target adopts them, and the map names the target. Anyone's next
 *   rebalance finishes a move whose mover died.
 *
 * Bug flags, one safety mechanism off each:
 *   stale-routing        a group keeps a moved shard's data and serves reads of it without
 *                        checking that it still owns the key
 *   no-2pc               a transaction across groups runs as independent transactions, one per group
 *   prepare-not-durable  a group's leader keeps a prepare in memory only: a new leader, or the
 *                        same one after a crash, has forgotten the prepare and its locks
 *   move-without-fence   the source keeps accepting the shard's keys until the map has changed
 */
import { errorReply, type MicroOp, type StoreReply, type StoreRequest, type StoreStatus } from '../protocol.ts';
import { keyId } from '../kv-state.ts';
import type { Runtime, StoreNode, TimerHandle } from '../runtime.ts';
import type { RaftMessage } from '../raft/messages.ts';
import { RaftNode } from '../raft/node.ts';
import { GroupDisks } from './group-storage.ts';
import { keysOf, PlacementMachine, previewTxn, ShardGroupMachine, type GroupOp, type Outcome, type PlacementOp } from './machine.ts';
import { mergeResults, planTxn, type TxnPart } from './plan.ts';
import { beginMove, finishMove, groupOf, initialMap, slotOf, slotRange, slotsOf, splitShard, type PendingMove, type ShardMap } from './shard-map.ts';

export const SHARDED_BUGS = ['stale-routing', 'no-2pc', 'prepare-not-durable', 'move-without-fence'] as const;
export type ShardedBug = (typeof SHARDED_BUGS)[number];

export const PLACEMENT_GROUP = 'p';

/** Node-to-node messages: a group's Raft traffic, and group ops called at a group's leader. */
export type ShardedMessage =
  | { t: 'raft'; g: string; m: RaftMessage }
  | { t: 'call'; id: number; g: string; op: GroupOp | PlacementOp }
  | { t: 'ret'; id: number; reply: StoreReply };

export interface ShardedOptions {
  /** Data groups (default 3). */
  groups: number;
  heartbeatMs: number;
  electionMs: number;
  /** A client request not answered by then gets `timeout` (or a definite error when nothing happened). */
  requestTimeoutMs: number;
  bugs: ReadonlySet<ShardedBug>;
}

export const DEFAULT_SHARDED_OPTIONS: ShardedOptions = {
  groups: 3,
  heartbeatMs: 50,
  electionMs: 400,
  requestTimeoutMs: 3000,
  bugs: new Set(),
};

/** A remote call attempt not answered by then is tried again (maybe at another leader). */
const ATTEMPT_MS = 500;
const RETRY_MS = 25;
const RESOLVE_EVERY_MS = 300;
const STALE_PREPARE_MS = 1500;
/** How long a coordinator keeps delivering a decision (the participants' resolvers cover the rest). */
const DELIVER_MS = 10_000;
const REBALANCE_MS = 10_000;

interface Group {
  raft: RaftNode;
  machine: ShardGroupMachine | undefined;
}

/** The bug flag's memory of prepares at one group: transaction → ops, and the keys they lock. */
interface VolatilePrepares {
  txns: Map<string, MicroOp[]>;
  locks: Map<string, string>;
}

export class ShardedNode implements StoreNode<ShardedMessage> {
  private readonly rt: Runtime<ShardedMessage>;
  private readonly opts: ShardedOptions;
  private readonly groups = new Map<string, Group>();
  private readonly dataGroups: string[];
  private readonly placement: PlacementMachine;
  private map: ShardMap;
  private readonly calls = new Map<number, (reply: StoreReply) => void>();
  private nextCall = 1;
  private nextId = 1;
  private readonly incarnation: string;
  private stopped = false;
  private resolveTimer: TimerHandle | undefined;
  /** Per data group led here: when each prepared transaction was first seen, and those being resolved. */
  private readonly preparedSeen = new Map<string, number>();
  private readonly resolving = new Set<string>();
  private readonly volatile = new Map<string, VolatilePrepares>();

  constructor(rt: Runtime<ShardedMessage>, opts: Partial<ShardedOptions> = {}) {
    this.rt = rt;
    this.opts = { ...DEFAULT_SHARDED_OPTIONS, ...opts };
    this.incarnation = Math.floor(rt.random() * 2 ** 32).toString(36);
    this.dataGroups = Array.from({ length: this.opts.groups }, (_, i) => `g${i + 1}`);
    this.map = initialMap(this.dataGroups);
    this.placement = new PlacementMachine(this.map);
    const disks = new GroupDisks(rt.storage);
    const bugs = {
      staleRouting: this.opts.bugs.has('stale-routing'),
      moveWithoutFence: this.opts.bugs.has('move-without-fence'),
    };
    const raftOpts = { heartbeatMs: this.opts.heartbeatMs, electionMs: this.opts.electionMs, requestTimeoutMs: 1000 };
    for (const g of [PLACEMENT_GROUP, ...this.dataGroups]) {
      const machine = g === PLACEMENT_GROUP ? undefined : new ShardGroupMachine(slotsOf(this.map, g), bugs);
      const groupRt: Runtime<RaftMessage> = {
        self: rt.self,
        peers: rt.peers,
        send: (to, m) => rt.send(to, { t: 'raft', g, m }),
        setTimer: (ms, fn) => rt.setTimer(ms, fn),
        clearTimer: t => rt.clearTimer(t),
        defer: fn => rt.defer(fn),
        now: () => rt.now(),
        monotonic: () => rt.monotonic(),
        random: () => rt.random(),
        storage: disks.storage(g),
        log: line => rt.log(`[${g}] ${line}`),
      };
      const raft = new RaftNode(groupRt, raftOpts, machine ?? this.placement);
      this.groups.set(g, { raft, machine });
      if (machine) this.volatile.set(g, { txns: new Map(), locks: new Map() });
    }
  }

  // ---- lifecycle ----

  start(): void {
    for (const { raft } of this.groups.values()) raft.start();
    this.scheduleResolve();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.resolveTimer) this.rt.clearTimer(this.resolveTimer);
    for (const { raft } of this.groups.values()) raft.stop();
    for (const cb of this.calls.values()) cb(errorReply('interrupted', 'node stopped'));
    this.calls.clear();
  }

  status(): StoreStatus {
    const groups: Record<string, { role: string; term: number; leader: string | null }> = {};
    for (const [g, { raft }] of this.groups) {
      const s = raft.status();
      groups[g] = { role: s.role, term: s.term, leader: s.leader };
    }
    const p = groups[PLACEMENT_GROUP]!;
    const allLed = Object.values(groups).every(s => s.leader !== null);
    return {
      node: this.rt.self,
      store: 'sharded',
      role: this.stopped ? 'stopped' : p.role,
      term: p.term,
      // Ready (a leader named) once every group has a leader; the placement group's stands for them.
      leader: allLed ? p.leader : null,
      bugs: [...this.opts.bugs],
      mapVersion: this.map.version,
      shards: this.map.shards.map(s => `${s.lo}-${s.hi - 1}:${s.group}`).join(' '),
      groups,
    };
  }

  // ---- messages ----

  receive(from: string, msg: ShardedMessage): void {
    if (this.stopped || !this.rt.peers.includes(from) || typeof msg !== 'object' || msg === null) return;
    if (msg.t === 'raft' && typeof msg.g === 'string') {
      this.groups.get(msg.g)?.raft.receive(from, msg.m);
    } else if (msg.t === 'call' && typeof msg.id === 'number' && typeof msg.g === 'string') {
      this.handle(msg.g, msg.op, reply => {
        if (!this.stopped) this.rt.send(from, { t: 'ret', id: msg.id, reply });
      });
    } else if (msg.t === 'ret' && typeof msg.id === 'number' && typeof msg.reply === 'object' && msg.reply !== null) {
      const cb = this.calls.get(msg.id);
      this.calls.delete(msg.id);
      cb?.(msg.reply);
    } else {
      this.rt.log(`dropped a malformed message from ${from}`);
    }
  }

  /** Runs a group op at this node's replica of group `g` (a follower answers not-leader). */
  private handle(g: string, op: GroupOp | PlacementOp, reply: (r: StoreReply) => void): void {
    const group = this.groups.get(g);
    if (!group) return reply(errorReply('bad-request', `no group ${JSON.stringify(g)}`));
    if (this.opts.bugs.has('prepare-not-durable') && group.machine) {
      const handled = this.handleInMemory(g, group, op as GroupOp, reply);
      if (handled) return;
    }
    group.raft.propose(op, reply);
  }

  /**
   * prepare-not-durable: the leader answers a prepare from memory, checking and taking locks
   * that live only in this process; execs respect them, and commit / abort clear them. Returns
   * false for the ops that still go through the log.
   */
  private handleInMemory(g: string, group: Group, op: GroupOp, reply: (r: StoreReply) => void): boolean {
    const mem = this.volatile.get(g)!;
    const machine = group.machine!;
    const lockedByOther = (ops: readonly MicroOp[], txn: string | undefined): string | undefined =>
      ops.map(o => mem.locks.get(keyId(o[1])) ?? machine.lockHolder(o[1])).find(h => h !== undefined && h !== txn);
    const unlock = (txn: string): void => {
      for (const [, key] of mem.txns.get(txn) ?? []) if (mem.locks.get(keyId(key)) === txn) mem.locks.delete(keyId(key));
      mem.txns.delete(txn);
    };
    if (op.t === 'prepare') {
      this.prepareInMemory(g, group, op, mem, lockedByOther, unlock, reply);
      return true;
    }
    if (op.t === 'exec') {
      const holder = lockedByOther(keysOf(op.req).map(k => ['r', k, null] as MicroOp), undefined);
      if (holder === undefined) return false;
      // Not definite: an earlier attempt of this exec may sit in the log of a deposed leader. `call` tries again.
      reply(errorReply('unavailable', `locked by transaction ${holder}`, { definite: false }));
      return true;
    }
    if (op.t === 'commit' || op.t === 'abort') unlock(op.txn);
    return false;
  }

  /** prepare-not-durable's prepare: lock at once, read once everything this leader logged before is applied. */
  private prepareInMemory(
    g: string,
    group: Group,
    op: Extract<GroupOp, { t: 'prepare' }>,
    mem: VolatilePrepares,
    lockedByOther: (ops: readonly MicroOp[], txn: string) => string | undefined,
    unlock: (txn: string) => void,
    reply: (r: StoreReply) => void,
  ): void {
    const machine = group.machine!;
    const st = group.raft.status();
    const notLeader = (): void => reply(errorReply('not-leader', `not the leader of ${g}`, st.leader ? { leader: { id: st.leader } } : {}));
    if (st.role !== 'leader') return notLeader();
    const foreign = op.ops.find(o => !machine.owns(slotOf(o[1])));
    if (foreign) return reply(errorReply('wrong-shard', `key ${JSON.stringify(foreign[1])} is not served by ${g}`));
    const holder = lockedByOther(op.ops, op.txn);
    if (holder !== undefined) return reply(errorReply('aborted', `locked by transaction ${holder}`));
    mem.txns.set(op.txn, op.ops);
    for (const [, key] of op.ops) mem.locks.set(keyId(key), op.txn);
    const upTo = st.lastLogIndex as number;
    const answer = (): void => {
      const now = group.raft.status();
      if (now.role !== 'leader') {
        unlock(op.txn);
        return notLeader();
      }
      if ((now.lastApplied as number) < upTo) return void this.rt.setTimer(2, answer);
      const reads = previewTxn(k => machine.kv.get(k), op.ops);
      if (!Array.isArray(reads)) unlock(op.txn);
      reply(Array.isArray(reads) ? { ok: true, value: reads } : reads);
    };
    answer();
  }

  // ---- calling a group's leader ----

  /**
   * Runs `op` at group `g`'s leader, trying again (safe: every op is idempotent by id) on
   * not-leader, an indefinite reply or silence, until `deadline`; then answers `timeout`.
   */
  private call(g: string, op: GroupOp | PlacementOp, deadline: number, done: (reply: StoreReply) => void): void {
    let settled = false;
    const finish = (r: StoreReply): void => {
      if (settled) return;
      settled = true;
      done(r);
    };
    const attempt = (): void => {
      if (settled || this.stopped) return;
      if (this.rt.monotonic() >= deadline) return finish(errorReply('timeout', `group ${g} did not answer in time`));
      const again = (): void => void this.rt.setTimer(RETRY_MS, attempt);
      const onReply = (r: StoreReply): void => {
        const retriable = !r.ok && (!r.error.definite || ['not-leader', 'unavailable', 'dropped'].includes(r.error.code));
        if (!retriable) return finish(r);
        again();
      };
      const leader = this.groups.get(g)?.raft.status().leader ?? null;
      if (leader === this.rt.self) return this.handle(g, op, onReply);
      if (leader === null) return again();
      const id = this.nextCall++;
      const timer = this.rt.setTimer(ATTEMPT_MS, () => {
        if (!this.calls.delete(id)) return;
        attempt();
      });
      this.calls.set(id, r => {
        this.rt.clearTimer(timer);
        onReply(r);
      });
      this.rt.send(leader, { t: 'call', id, g, op });
    };
    attempt();
  }

  private newId(): string {
    return `${this.rt.self}.${this.incarnation}.${this.nextId++}`;
  }

  private refreshMap(deadline: number, then: () => void): void {
    this.call(PLACEMENT_GROUP, { t: 'map-get' }, deadline, r => {
      if (r.ok) this.learnMap(r.value as ShardMap);
      then();
    });
  }

  private learnMap(map: ShardMap): void {
    if (map.version > this.map.version) this.map = map;
  }

  // ---- client requests ----

  submit(req: StoreRequest, done: (reply: StoreReply) => void): void {
    if (this.stopped) return done(errorReply('unavailable', 'node stopped'));
    this.route(req, this.rt.monotonic() + this.opts.requestTimeoutMs, done);
  }

  /** Sends the request where the cached map says; on wrong-shard refreshes the map and routes again. */
  private route(req: StoreRequest, deadline: number, done: (reply: StoreReply) => void): void {
    const retry = (): void =>
      this.refreshMap(deadline, () => {
        if (this.rt.monotonic() + RETRY_MS >= deadline) return done(errorReply('unavailable', 'the shard map kept changing: nothing was applied'));
        this.rt.setTimer(RETRY_MS, () => this.route(req, deadline, done));
      });
    const onWrongShard = (r: StoreReply): void => (!r.ok && r.error.code === 'wrong-shard' ? retry() : done(r));
    if (req.f !== 'txn') {
      return this.call(groupOf(this.map, req.key), { t: 'exec', rid: this.newId(), req }, deadline, onWrongShard);
    }
    const parts = planTxn(this.map, req.ops);
    if (parts.length <= 1) {
      const g = parts[0]?.group ?? this.dataGroups[0]!;
      return this.call(g, { t: 'exec', rid: this.newId(), req }, deadline, onWrongShard);
    }
    if (this.opts.bugs.has('no-2pc')) return this.independently(req.ops.length, parts, deadline, onWrongShard);
    this.twoPhaseCommit(req.ops.length, parts, deadline, onWrongShard);
  }

  /** no-2pc: each group runs its part as a transaction of its own. */
  private independently(size: number, parts: TxnPart[], deadline: number, done: (reply: StoreReply) => void): void {
    const replies: StoreReply[] = [];
    let waiting = parts.length;
    for (const [i, part] of parts.entries()) {
      this.call(part.group, { t: 'exec', rid: this.newId(), req: { f: 'txn', ops: part.ops } }, deadline, r => {
        replies[i] = r;
        if (--waiting > 0) return;
        if (replies.every(x => x.ok)) return done({ ok: true, value: mergeResults(parts, replies.map(x => x.value as MicroOp[]), size) });
        const failed = replies.find(x => !x.ok)!;
        // Some parts may have been applied: the whole is definite only if every part failed definitely.
        const allDefinite = replies.every(x => !x.ok && x.error.definite);
        done(allDefinite ? failed : errorReply('timeout', 'some groups applied their part, some did not'));
      });
    }
  }

  private twoPhaseCommit(size: number, parts: TxnPart[], deadline: number, done: (reply: StoreReply) => void): void {
    const txn = this.newId();
    const primary = parts[0]!.group;
    const votes: StoreReply[] = [];
    let waiting = parts.length;
    // Declared before the prepares go out: a local group may answer at once.
    const decide = (): void => {
      // A stale map first: the router then routes the transaction again.
      const no = votes.find(v => !v.ok && v.error.code === 'wrong-shard') ?? votes.find(v => !v.ok);
      if (no && !no.ok) {
        // No commit was ever proposed, and only this coordinator may: the transaction is aborted for sure.
        this.deliver(txn, 'abort', parts);
        return done(no.error.definite ? no : errorReply('aborted', `a participant did not prepare: ${no.error.message}`));
      }
      this.call(primary, { t: 'decide', txn, outcome: 'commit' }, deadline, r => {
        if (!r.ok) return done(r);
        const outcome = r.value as Outcome;
        this.deliver(txn, outcome, parts);
        if (outcome === 'abort') return done(errorReply('aborted', `transaction ${txn} was aborted by a participant's recovery`));
        const reads = votes.map(v => (v.ok ? (v.value as MicroOp[]) : []));
        done({ ok: true, value: mergeResults(parts, reads, size) });
      });
    };
    for (const [i, part] of parts.entries()) {
      this.call(part.group, { t: 'prepare', txn, ops: part.ops, primary }, deadline, r => {
        votes[i] = r;
        if (--waiting === 0) decide();
      });
    }
  }

  /** Sends the decision to every participant (in the background). */
  private deliver(txn: string, outcome: Outcome, parts: readonly { group: string; ops: MicroOp[] }[]): void {
    const until = this.rt.monotonic() + DELIVER_MS;
    for (const part of parts) {
      const op: GroupOp = outcome === 'commit' ? { t: 'commit', txn, ops: part.ops } : { t: 'abort', txn };
      this.call(part.group, op, until, () => {});
    }
  }

  // ---- participants' recovery ----

  private scheduleResolve(): void {
    this.resolveTimer = this.rt.setTimer(RESOLVE_EVERY_MS, () => {
      this.resolveStalePrepares();
      this.scheduleResolve();
    });
  }

  /** At each group led here: a prepare held too long asks its primary for the decision (abort if none). */
  private resolveStalePrepares(): void {
    const now = this.rt.monotonic();
    const live = new Set<string>();
    for (const [g, { raft, machine }] of this.groups) {
      if (!machine || raft.status().role !== 'leader') continue;
      for (const [txn, p] of machine.prepared) {
        const key = `${g}/${txn}`;
        live.add(key);
        const seen = this.preparedSeen.get(key) ?? now;
        this.preparedSeen.set(key, seen);
        if (now - seen < STALE_PREPARE_MS || this.resolving.has(key)) continue;
        this.resolving.add(key);
        this.call(p.primary, { t: 'decide', txn, outcome: 'abort' }, now + ATTEMPT_MS * 4, r => {
          if (!r.ok) return void this.resolving.delete(key);
          this.deliver(txn, r.value as Outcome, [{ group: g, ops: p.ops }]);
          this.rt.setTimer(ATTEMPT_MS, () => this.resolving.delete(key));
        });
      }
    }
    for (const key of this.preparedSeen.keys()) if (!live.has(key)) this.preparedSeen.delete(key);
  }

  // ---- rebalancing ----

  /** `rebalance` with body `{"split": true}` splits a shard; otherwise a shard moves (see `rebalance`). */
  admin(command: string, body: unknown, done: (reply: StoreReply) => void): void {
    if (command !== 'rebalance') return done(errorReply('unknown-op', `unknown operator command ${command} (rebalance)`));
    this.rebalance((body as { split?: unknown } | null)?.split === true, done);
  }

  /**
   * Finishes a pending move, else splits a random shard (when `split`) or moves one to another
   * group. Answers what it did, or why not (e.g. the placement group had no leader).
   */
  rebalance(split: boolean, done: (reply: StoreReply) => void): void {
    if (this.stopped) return done(errorReply('unavailable', 'node stopped'));
    const deadline = this.rt.monotonic() + REBALANCE_MS;
    this.call(PLACEMENT_GROUP, { t: 'map-get' }, deadline, r => {
      if (!r.ok) return done(r);
      const map = r.value as ShardMap;
      this.learnMap(map);
      if (map.pending) return this.finishMove(map.pending, deadline, done);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(this.rt.random() * xs.length)]!;
      const wide = map.shards.filter(s => s.hi - s.lo >= 2);
      if (split && wide.length > 0) {
        const s = pick(wide);
        const at = s.lo + Math.floor((s.hi - s.lo) / 2);
        return this.setMap(map, splitShard(map, s.lo, at), deadline, done, `split ${s.lo}-${s.hi - 1} at ${at}`);
      }
      const s = pick(map.shards);
      const to = pick(this.dataGroups.filter(g => g !== s.group));
      const next = beginMove(map, this.newId(), s.lo, to);
      this.setMap(map, next, deadline, r2 => (r2.ok ? this.finishMove(next.pending!, deadline, done) : done(r2)), 'begin move');
    });
  }

  private setMap(from: ShardMap, to: ShardMap, deadline: number, done: (reply: StoreReply) => void, what: string): void {
    this.call(PLACEMENT_GROUP, { t: 'map-set', expect: from.version, map: to }, deadline, r => {
      if (r.ok) this.learnMap(to);
      done(r.ok ? { ok: true, value: `${what}: map v${to.version}` } : r);
    });
  }

  private finishMove(move: PendingMove, deadline: number, done: (reply: StoreReply) => void): void {
    const slots = slotRange(move.lo, move.hi);
    const what = `move ${move.lo}-${move.hi - 1} from ${move.from} to ${move.to}`;
    const release = (): void =>
      this.call(move.from, { t: 'release', move: move.id, slots }, deadline, r => {
        // `call` already tried again while a prepared transaction held a lock there (unavailable).
        if (!r.ok) return done(r);
        adopt(r.value as [string, unknown][]);
      });
    const adopt = (data: [string, unknown][]): void =>
      this.call(move.to, { t: 'adopt', move: move.id, slots, data }, deadline, r => (r.ok ? publish() : done(r)));
    const publish = (): void =>
      this.call(PLACEMENT_GROUP, { t: 'map-get' }, deadline, r => {
        if (!r.ok) return done(r);
        const map = r.value as ShardMap;
        if (map.pending?.id !== move.id) return done({ ok: true, value: `${what}: already finished` });
        this.setMap(map, finishMove(map), deadline, r2 => {
          if (!r2.ok || !this.opts.bugs.has('move-without-fence')) return done(r2);
          this.call(move.from, { t: 'drop', slots }, deadline, () => done(r2));
        }, what);
      });
    release();
  }
}
