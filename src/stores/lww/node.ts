/**
 * A multi-leader store with last-writer-wins conflict resolution: every node accepts reads and
 * writes locally, stamps each write with its wall clock (Date.now, so libfaketime skews it) and
 * the node id, and gossips updates to its peers. Everyone keeps, per key, the value with the
 * highest stamp, so the nodes converge once gossip flows.
 *
 * Weaknesses by design, for the harness to find: reads are local, so they miss writes other
 * nodes acknowledged (stale reads); concurrent writes silently overwrite each other (lost
 * updates); a node whose clock runs behind stamps its writes below older ones, which then win, so
 * an acknowledged write may never be visible at all: clock skew loses more. CAS compares the
 * local value only.
 *
 * Gossip: new updates go to every peer at once; every `gossipMs` each node also sends its whole
 * state to one random peer (anti-entropy), which heals partitions and restarted nodes.
 * Disk: each applied update is a log record {key, value, stamp}; local writes are acknowledged
 * after the flush.
 */
import { keyId } from '../kv-state.ts';
import { errorReply, type Key, type StoreReply, type StoreRequest, type StoreStatus } from '../protocol.ts';
import type { Runtime, StoreNode, TimerHandle } from '../runtime.ts';

/** [wall-clock ms, writer node id]: compared by time, then by id. */
export type Stamp = [number, string];

export interface Update {
  key: Key;
  value: unknown;
  stamp: Stamp;
}

export type LwwMessage = { type: 'updates'; updates: Update[] };

export interface LwwOptions {
  /** Interval of the anti-entropy round (whole state to one random peer). */
  gossipMs: number;
}

export function compareStamps(a: Stamp, b: Stamp): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

function isUpdate(x: unknown): x is Update {
  if (typeof x !== 'object' || x === null) return false;
  const u = x as Record<string, unknown>;
  const k = u.key;
  const s = u.stamp;
  return (
    (typeof k === 'string' || (typeof k === 'number' && Number.isFinite(k))) &&
    'value' in u &&
    Array.isArray(s) &&
    s.length === 2 &&
    Number.isFinite(s[0]) &&
    typeof s[1] === 'string'
  );
}

function isLwwMessage(x: unknown): x is LwwMessage {
  const m = x as { type?: unknown; updates?: unknown } | null;
  return typeof m === 'object' && m !== null && m.type === 'updates' && Array.isArray(m.updates) && m.updates.every(isUpdate);
}

export class LwwNode implements StoreNode<LwwMessage> {
  private readonly rt: Runtime<LwwMessage>;
  private readonly opts: LwwOptions;
  private readonly data = new Map<string, Update>();
  private stopped = false;
  private timer: TimerHandle | undefined;
  /** Updates overwritten on arrival because an update with a higher stamp was already there. */
  private discarded = 0;

  constructor(rt: Runtime<LwwMessage>, opts: LwwOptions) {
    this.rt = rt;
    this.opts = opts;
  }

  start(): void {
    for (const rec of this.rt.storage.load().log) this.apply(rec.command as Update);
    this.rt.log(`recovered ${this.data.size} keys`);
    this.scheduleGossip();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.rt.clearTimer(this.timer);
  }

  status(): StoreStatus {
    // Multi-leader: every node accepts writes, so each reports itself as a leader.
    return {
      node: this.rt.self,
      store: 'lww',
      role: this.stopped ? 'stopped' : 'leader',
      term: 0,
      leader: this.rt.self,
      bugs: [],
      keys: this.data.size,
      discarded: this.discarded,
    };
  }

  submit(req: StoreRequest, done: (reply: StoreReply) => void): void {
    if (this.stopped) return done(errorReply('unavailable', 'node stopped'));
    switch (req.f) {
      case 'read':
        return done({ ok: true, value: this.value(req.key) });
      case 'write':
        return this.write(req.key, req.value, done);
      case 'cas': {
        const current = this.value(req.key);
        if (JSON.stringify(current) !== JSON.stringify(req.from)) {
          return done(errorReply('cas-mismatch', `expected ${JSON.stringify(req.from)}, found ${JSON.stringify(current)}`, { value: current }));
        }
        return this.write(req.key, req.to, done);
      }
      case 'txn':
        return done(errorReply('bad-request', 'the lww store serves single-key read, write and cas, not transactions'));
    }
  }

  receive(from: string, msg: LwwMessage): void {
    if (this.stopped || !this.rt.peers.includes(from) || !isLwwMessage(msg)) return;
    const fresh = msg.updates.filter(u => this.apply(u));
    if (fresh.length === 0) return;
    this.rt.storage.append(fresh.map(u => ({ term: 0, command: u })));
    this.rt.storage.flush(() => {});
  }

  private value(key: Key): unknown {
    return this.data.get(keyId(key))?.value ?? null;
  }

  private write(key: Key, value: unknown, done: (reply: StoreReply) => void): void {
    const update: Update = { key, value, stamp: [this.rt.now(), this.rt.self] };
    // A write stamped below the current value is lost at once, yet still acknowledged: that is LWW.
    if (this.apply(update)) this.rt.storage.append([{ term: 0, command: update }]);
    for (const peer of this.rt.peers) this.rt.send(peer, { type: 'updates', updates: [update] });
    this.rt.storage.flush(() => done({ ok: true }));
  }

  /** Keeps the update if its stamp is the highest for its key; false when it lost. */
  private apply(u: Update): boolean {
    const id = keyId(u.key);
    const current = this.data.get(id);
    if (current && compareStamps(u.stamp, current.stamp) <= 0) {
      if (compareStamps(u.stamp, current.stamp) < 0) this.discarded++;
      return false;
    }
    this.data.set(id, u);
    return true;
  }

  private scheduleGossip(): void {
    this.timer = this.rt.setTimer(this.opts.gossipMs, () => {
      if (this.stopped) return;
      const peer = this.rt.peers[Math.floor(this.rt.random() * this.rt.peers.length)];
      if (peer !== undefined && this.data.size > 0) this.rt.send(peer, { type: 'updates', updates: [...this.data.values()] });
      this.scheduleGossip();
    });
  }
}
