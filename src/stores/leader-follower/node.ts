/**
 * A leader-follower (primary-backup) store, the way many databases replicate: one primary applies
 * writes and streams them to followers; a follower that hears nothing from the primary for a
 * failover timeout promotes itself with a higher epoch. Reads are served by the primary alone.
 *
 * Modes:
 *   async  the primary acknowledges a write once it is on its own disk, then replicates it
 *   sync   (semi-synchronous) it also waits until at least one follower has it on disk
 *
 * Its well-known weaknesses are by design, for the harness to find: failover by timeout allows
 * two primaries at once (split brain) and picks whichever follower times out first, not the most
 * up-to-date one; a node that rejoins under a new primary is resynchronised with a full snapshot
 * of the new primary's state, discarding whatever only it had. In async mode a primary that dies
 * or is cut off right after acknowledging loses those writes; sync mode narrows but does not
 * close that window.
 *
 * Disk: each applied write is a log record {kind:'op', seq, req}; a resync truncates the log to a
 * single {kind:'snapshot', seq, data} record. The epoch is in the state record.
 */
import { KvState, type KvDump } from '../kv-state.ts';
import { errorReply, isReadOnly, type StoreReply, type StoreRequest, type StoreStatus } from '../protocol.ts';
import type { Runtime, StoreNode, TimerHandle } from '../runtime.ts';

export const LF_MODES = ['async', 'sync'] as const;
export type LfMode = (typeof LF_MODES)[number];

export interface LfOptions {
  mode: LfMode;
  heartbeatMs: number;
  /** A follower promotes itself after hearing nothing for [failoverMs, 2 * failoverMs). */
  failoverMs: number;
  requestTimeoutMs: number;
}

/** On start, a follower waits this many failover timeouts before it may promote itself. */
const RESTART_GRACE = 5;

export const DEFAULT_LF_OPTIONS: LfOptions = { mode: 'async', heartbeatMs: 50, failoverMs: 400, requestTimeoutMs: 3000 };

interface Op {
  seq: number;
  req: StoreRequest;
}

export type LfMessage =
  | { type: 'replicate'; epoch: number; base: number; ops: Op[] }
  | { type: 'ack'; epoch: number; seq: number }
  | { type: 'resync'; epoch: number }
  | { type: 'snapshot'; epoch: number; seq: number; data: KvDump };

function isLfMessage(x: unknown): x is LfMessage {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Record<string, unknown>;
  if (typeof m.epoch !== 'number') return false;
  switch (m.type) {
    case 'replicate':
      return typeof m.base === 'number' && Array.isArray(m.ops);
    case 'ack':
    case 'snapshot':
      return typeof m.seq === 'number' && (m.type === 'ack' || Array.isArray(m.data));
    case 'resync':
      return true;
    default:
      return false;
  }
}

type LogCommand = { kind: 'op'; seq: number; req: StoreRequest } | { kind: 'snapshot'; seq: number; data: KvDump };

interface PendingSync {
  seq: number;
  deadline: number;
  reply: StoreReply;
  done: (reply: StoreReply) => void;
}

export class LeaderFollowerNode implements StoreNode<LfMessage> {
  private readonly rt: Runtime<LfMessage>;
  private readonly opts: LfOptions;
  private role: 'primary' | 'follower' | 'stopped' = 'follower';
  private epoch = 0;
  private primary: string | null = null;
  private seq = 0;
  private kv = new KvState();
  /** Following a new primary, waiting for its snapshot. */
  private needSnapshot = false;
  private failoverDeadline = 0;
  private outbox: Op[] = [];
  private tickScheduled = false;
  private readonly acked = new Map<string, number>();
  private pendingSync: PendingSync[] = [];
  private timer: TimerHandle | undefined;

  constructor(rt: Runtime<LfMessage>, opts: Partial<LfOptions> = {}) {
    this.rt = rt;
    this.opts = { ...DEFAULT_LF_OPTIONS, ...opts };
  }

  start(): void {
    const { state, log } = this.rt.storage.load();
    this.epoch = typeof state?.epoch === 'number' ? state.epoch : 0;
    for (const rec of log) this.replay(rec.command as LogCommand);
    this.rt.log(`recovered epoch ${this.epoch}, seq ${this.seq}`);
    const first = [this.rt.self, ...this.rt.peers].sort()[0];
    if (this.epoch === 0 && first === this.rt.self) this.promote();
    // A node coming back gives the current primary time to reach it before it considers failover.
    this.failoverDeadline = this.rt.monotonic() + RESTART_GRACE * this.opts.failoverMs;
    this.scheduleTimer();
  }

  stop(): void {
    this.role = 'stopped';
    if (this.timer) this.rt.clearTimer(this.timer);
    for (const p of this.pendingSync) p.done(errorReply('interrupted', 'node stopped before a follower confirmed'));
    this.pendingSync = [];
  }

  status(): StoreStatus {
    return {
      node: this.rt.self,
      store: 'leader-follower',
      // One vocabulary across stores: the primary reports itself as the leader.
      role: this.role === 'primary' ? 'leader' : this.role,
      term: this.epoch,
      leader: this.primary,
      bugs: [],
      mode: this.opts.mode,
      seq: this.seq,
    };
  }

  submit(req: StoreRequest, done: (reply: StoreReply) => void): void {
    if (this.role === 'stopped') return done(errorReply('unavailable', 'node stopped'));
    if (this.role !== 'primary') {
      const hint = this.primary && this.primary !== this.rt.self ? { leader: { id: this.primary } } : {};
      return done(errorReply('not-leader', `node ${this.rt.self} is a follower in epoch ${this.epoch}`, hint));
    }
    const reply = this.kv.apply(req);
    if (isReadOnly(req) || !reply.ok) return done(reply);
    const op = { seq: ++this.seq, req };
    this.rt.storage.append([{ term: this.epoch, command: { kind: 'op', ...op } }]);
    this.outbox.push(op);
    this.scheduleTick();
    if (this.opts.mode === 'async' || this.rt.peers.length === 0) {
      this.rt.storage.flush(() => done(reply));
    } else {
      const pending = { seq: op.seq, deadline: this.rt.monotonic() + this.opts.requestTimeoutMs, reply, done };
      this.rt.storage.flush(() => {
        this.pendingSync.push(pending);
        this.settleSync();
      });
    }
  }

  receive(from: string, msg: LfMessage): void {
    if (this.role === 'stopped' || !this.rt.peers.includes(from) || !isLfMessage(msg)) return;
    switch (msg.type) {
      case 'replicate':
        return this.onReplicate(from, msg);
      case 'ack':
        return this.onAck(from, msg.epoch, msg.seq);
      case 'resync':
        if (this.role === 'primary' && msg.epoch === this.epoch) {
          this.rt.send(from, { type: 'snapshot', epoch: this.epoch, seq: this.seq, data: this.kv.dump() });
        }
        return;
      case 'snapshot':
        return this.onSnapshot(from, msg);
    }
  }

  private onReplicate(from: string, m: Extract<LfMessage, { type: 'replicate' }>): void {
    if (m.epoch < this.epoch) {
      // Tell the stale primary about the newer epoch.
      this.rt.send(from, { type: 'ack', epoch: this.epoch, seq: this.seq });
      return;
    }
    const tieWon = m.epoch === this.epoch && this.role === 'primary' && this.rt.self < from;
    if (tieWon) return;
    if (m.epoch > this.epoch || this.primary !== from) this.follow(from, m.epoch);
    this.resetFailover();
    if (this.needSnapshot) return this.rt.send(from, { type: 'resync', epoch: this.epoch });
    if (m.base > this.seq) {
      this.needSnapshot = true;
      return this.rt.send(from, { type: 'resync', epoch: this.epoch });
    }
    const fresh = m.ops.filter(op => op.seq > this.seq);
    for (const op of fresh) {
      this.kv.apply(op.req);
      this.seq = op.seq;
    }
    if (fresh.length) this.rt.storage.append(fresh.map(op => ({ term: m.epoch, command: { kind: 'op', ...op } })));
    const epoch = this.epoch;
    const seq = this.seq;
    this.rt.storage.flush(() => {
      if (this.epoch === epoch && this.role === 'follower') this.rt.send(from, { type: 'ack', epoch, seq });
    });
  }

  private onSnapshot(from: string, m: Extract<LfMessage, { type: 'snapshot' }>): void {
    if (m.epoch !== this.epoch || from !== this.primary || this.role !== 'follower') return;
    this.kv = new KvState();
    this.kv.restore(m.data);
    this.seq = m.seq;
    this.needSnapshot = false;
    this.rt.storage.truncate(1);
    this.rt.storage.append([{ term: m.epoch, command: { kind: 'snapshot', seq: m.seq, data: m.data } }]);
    this.rt.log(`resynchronised from ${from} at seq ${m.seq}`);
    const epoch = this.epoch;
    this.rt.storage.flush(() => {
      if (this.epoch === epoch && this.role === 'follower') this.rt.send(from, { type: 'ack', epoch, seq: m.seq });
    });
  }

  private onAck(from: string, epoch: number, seq: number): void {
    if (epoch > this.epoch) {
      this.follow(null, epoch);
      return;
    }
    if (this.role !== 'primary' || epoch !== this.epoch) return;
    this.acked.set(from, Math.max(seq, this.acked.get(from) ?? 0));
    this.settleSync();
  }

  /** Sync mode: answers writes that some follower has confirmed. */
  private settleSync(): void {
    if (this.pendingSync.length === 0) return;
    const best = Math.max(0, ...this.acked.values());
    const waiting: PendingSync[] = [];
    for (const p of this.pendingSync) {
      if (p.seq <= best) p.done(p.reply);
      else waiting.push(p);
    }
    this.pendingSync = waiting;
  }

  private follow(primary: string | null, epoch: number): void {
    if (this.role === 'primary') this.rt.log(`stepping down for epoch ${epoch}`);
    this.role = 'follower';
    this.primary = primary;
    if (epoch !== this.epoch) {
      this.epoch = epoch;
      this.rt.storage.saveState({ epoch });
    }
    // Whatever this node has may differ from the new primary's state: take its snapshot.
    this.needSnapshot = primary !== null;
    this.acked.clear();
    this.outbox = [];
    this.resetFailover();
  }

  private promote(): void {
    this.epoch++;
    this.role = 'primary';
    this.primary = this.rt.self;
    this.needSnapshot = false;
    this.acked.clear();
    this.rt.storage.saveState({ epoch: this.epoch });
    this.rt.log(`primary for epoch ${this.epoch} at seq ${this.seq}`);
    this.rt.storage.flush(() => this.broadcast());
  }

  private replay(cmd: LogCommand): void {
    if (cmd.kind === 'snapshot') {
      this.kv = new KvState();
      this.kv.restore(cmd.data);
    } else {
      this.kv.apply(cmd.req);
    }
    this.seq = cmd.seq;
  }

  private scheduleTick(): void {
    if (this.tickScheduled) return;
    this.tickScheduled = true;
    this.rt.defer(() => {
      this.tickScheduled = false;
      if (this.role === 'primary') this.broadcast();
    });
  }

  private broadcast(): void {
    const msg: LfMessage = { type: 'replicate', epoch: this.epoch, base: this.seq - this.outbox.length, ops: this.outbox };
    this.outbox = [];
    for (const peer of this.rt.peers) this.rt.send(peer, msg);
  }

  private resetFailover(): void {
    this.failoverDeadline = this.rt.monotonic() + this.opts.failoverMs * (1 + this.rt.random());
  }

  /** One periodic timer: heartbeats as primary, failover as follower, request deadlines. */
  private scheduleTimer(): void {
    this.timer = this.rt.setTimer(this.opts.heartbeatMs, () => {
      if (this.role === 'stopped') return;
      const now = this.rt.monotonic();
      if (this.role === 'primary') {
        if (this.outbox.length === 0) this.broadcast();
      } else if (now >= this.failoverDeadline) {
        this.promote();
      }
      const waiting: PendingSync[] = [];
      for (const p of this.pendingSync) {
        if (p.deadline <= now) p.done(errorReply('timeout', 'no follower confirmed the write in time'));
        else waiting.push(p);
      }
      this.pendingSync = waiting;
      this.scheduleTimer();
    });
  }
}
