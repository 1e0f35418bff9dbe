/**
 * A leaderless, Dynamo-style quorum store. Every node coordinates the requests it receives: a key
 * lives on N replicas (a window of the sorted node ids starting at the key's hash); a write is
 * sent to all N and acknowledged after W replicas have it on disk; a read asks all N, answers
 * with the highest version among the first R replies, and repairs stale repliers afterwards
 * (asynchronously). Values carry versions [Lamport counter, writer id].
 *
 * Weaknesses by design, for the harness to find: with R + W <= N a read quorum may miss the
 * latest write (stale reads). With R + W > N it is still not linearizable: read repair happens
 * after the reply, so a read may see a write in flight and a later read miss it; a coordinator
 * whose Lamport clock lags stamps a new write below an older acknowledged one, which then wins;
 * and CAS is a read followed by a write, not atomic.
 *
 * Disk: every version a replica accepts is a log record {key, value, version}; replies that
 * promise durability wait for the flush.
 */
import { keyId } from '../kv-state.ts';
import { errorReply, type Key, type StoreReply, type StoreRequest, type StoreStatus } from '../protocol.ts';
import type { Runtime, StoreNode, TimerHandle } from '../runtime.ts';

/** [Lamport counter, writer node id]: compared by counter, then by id. */
export type Version = [number, string];

export interface Versioned {
  value: unknown;
  version: Version;
}

export interface QuorumOptions {
  /** Replicas per key (at most the cluster size). */
  n: number;
  /** Replies a read waits for. */
  r: number;
  /** Acknowledgements a write waits for. */
  w: number;
  requestTimeoutMs: number;
}

export type QuorumMessage =
  | { type: 'put'; id: string; key: Key; value: unknown; version: Version; clock: number }
  | { type: 'put-ack'; id: string; clock: number }
  | { type: 'get'; id: string; key: Key; clock: number }
  | { type: 'get-reply'; id: string; found: Versioned | null; clock: number };

export function compareVersions(a: Version, b: Version): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

function isVersion(x: unknown): x is Version {
  return Array.isArray(x) && x.length === 2 && Number.isInteger(x[0]) && typeof x[1] === 'string';
}

function isKey(x: unknown): x is Key {
  return typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x));
}

function isQuorumMessage(x: unknown): x is QuorumMessage {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Record<string, unknown>;
  if (typeof m.id !== 'string' || !Number.isInteger(m.clock)) return false;
  switch (m.type) {
    case 'put':
      return isKey(m.key) && 'value' in m && isVersion(m.version);
    case 'put-ack':
      return true;
    case 'get':
      return isKey(m.key);
    case 'get-reply': {
      const f = m.found as Record<string, unknown> | null | undefined;
      return f === null || (typeof f === 'object' && f !== undefined && 'value' in f && isVersion(f.version));
    }
    default:
      return false;
  }
}

/** FNV-1a: a stable spread of keys over the ring. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** How often a request goes again to the replicas that have not answered it. */
const RESEND_MS = 200;

interface Pending {
  kind: 'put' | 'get';
  needed: number;
  got: number;
  /** get: the replies so far, by replica. */
  replies: Map<string, Versioned | null>;
  timer: TimerHandle;
  /** Asks the replicas that have not answered again (the network drops messages). */
  resend: TimerHandle | undefined;
  done: (replies: Map<string, Versioned | null>) => void;
  fail: (reply: StoreReply) => void;
}

type PutCommand = { key: Key; value: unknown; version: Version };

export class QuorumNode implements StoreNode<QuorumMessage> {
  private readonly rt: Runtime<QuorumMessage>;
  private readonly opts: QuorumOptions;
  private readonly ring: readonly string[];
  private readonly data = new Map<string, Versioned>();
  private clock = 0;
  private stopped = false;
  private nextId = 0;
  /** Distinguishes this incarnation's request ids from a previous one's. */
  private readonly incarnation: string;
  private readonly pending = new Map<string, Pending>();

  constructor(rt: Runtime<QuorumMessage>, opts: QuorumOptions) {
    this.rt = rt;
    this.opts = opts;
    this.ring = [rt.self, ...rt.peers].sort();
    this.incarnation = Math.floor(rt.random() * 2 ** 32).toString(36);
  }

  start(): void {
    for (const rec of this.rt.storage.load().log) this.store(rec.command as PutCommand);
    this.rt.log(`recovered ${this.data.size} keys, clock ${this.clock}; n=${this.opts.n} r=${this.opts.r} w=${this.opts.w}`);
  }

  stop(): void {
    this.stopped = true;
    for (const p of this.pending.values()) {
      this.rt.clearTimer(p.timer);
      if (p.resend) this.rt.clearTimer(p.resend);
      p.fail(errorReply(p.kind === 'put' ? 'interrupted' : 'unavailable', 'node stopped'));
    }
    this.pending.clear();
  }

  status(): StoreStatus {
    // Leaderless: every node serves every request, so each reports itself as a leader.
    return {
      node: this.rt.self,
      store: 'quorum',
      role: this.stopped ? 'stopped' : 'leader',
      term: 0,
      leader: this.rt.self,
      bugs: [],
      n: this.opts.n,
      r: this.opts.r,
      w: this.opts.w,
      clock: this.clock,
      keys: this.data.size,
    };
  }

  /** The replicas of a key, in ring order. */
  replicas(key: Key): string[] {
    const start = hash(keyId(key)) % this.ring.length;
    return Array.from({ length: this.opts.n }, (_, i) => this.ring[(start + i) % this.ring.length]!);
  }

  submit(req: StoreRequest, done: (reply: StoreReply) => void): void {
    if (this.stopped) return done(errorReply('unavailable', 'node stopped'));
    switch (req.f) {
      case 'read':
        return this.read(req.key, found => done({ ok: true, value: found?.value ?? null }), done);
      case 'write':
        return this.write(req.key, req.value, done);
      case 'cas':
        return this.read(
          req.key,
          found => {
            const current = found?.value ?? null;
            if (JSON.stringify(current) !== JSON.stringify(req.from)) {
              return done(errorReply('cas-mismatch', `expected ${JSON.stringify(req.from)}, found ${JSON.stringify(current)}`, { value: current }));
            }
            this.write(req.key, req.to, done);
          },
          done,
        );
      case 'txn':
        return done(errorReply('bad-request', 'the quorum store serves single-key read, write and cas, not transactions'));
    }
  }

  receive(from: string, msg: QuorumMessage): void {
    if (this.stopped || !this.rt.peers.includes(from) || !isQuorumMessage(msg)) return;
    this.clock = Math.max(this.clock, msg.clock);
    switch (msg.type) {
      case 'put':
        return this.acceptPut(msg, () => this.rt.send(from, { type: 'put-ack', id: msg.id, clock: this.clock }));
      case 'get':
        return this.rt.send(from, { type: 'get-reply', id: msg.id, found: this.data.get(keyId(msg.key)) ?? null, clock: this.clock });
      case 'put-ack':
        return this.answered(msg.id, from, null);
      case 'get-reply':
        return this.answered(msg.id, from, msg.found);
    }
  }

  private write(key: Key, value: unknown, done: (reply: StoreReply) => void): void {
    const version: Version = [++this.clock, this.rt.self];
    this.fanOut('put', key, this.opts.w, { value, version }, () => done({ ok: true }), done);
  }

  private read(key: Key, done: (found: Versioned | null) => void, fail: (reply: StoreReply) => void): void {
    this.fanOut('get', key, this.opts.r, undefined, replies => {
      let best: Versioned | null = null;
      for (const found of replies.values()) {
        if (found && (!best || compareVersions(found.version, best.version) > 0)) best = found;
      }
      done(best);
      if (best) this.repair(key, best, replies);
    }, fail);
  }

  /** Read repair: sends the newest version to the repliers that lacked it; nobody waits for it. */
  private repair(key: Key, best: Versioned, replies: ReadonlyMap<string, Versioned | null>): void {
    for (const [replica, found] of replies) {
      if (found && compareVersions(found.version, best.version) >= 0) continue;
      const put = { type: 'put' as const, id: `repair-${this.incarnation}`, key, value: best.value, version: best.version, clock: this.clock };
      if (replica === this.rt.self) this.acceptPut(put, () => {});
      else this.rt.send(replica, put);
    }
  }

  /** Sends a put or get to every replica of `key` and calls `done` once `needed` have answered. */
  private fanOut(
    kind: 'put' | 'get',
    key: Key,
    needed: number,
    put: Versioned | undefined,
    done: (replies: Map<string, Versioned | null>) => void,
    fail: (reply: StoreReply) => void,
  ): void {
    const id = `${this.rt.self}-${this.incarnation}-${++this.nextId}`;
    const timer = this.rt.setTimer(this.opts.requestTimeoutMs, () => {
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      if (p.resend) this.rt.clearTimer(p.resend);
      const code = kind === 'put' ? 'timeout' : 'unavailable';
      fail(errorReply(code, `${p.got} of ${needed} replicas answered within ${this.opts.requestTimeoutMs} ms`));
    });
    const pending: Pending = { kind, needed, got: 0, replies: new Map(), timer, resend: undefined, done, fail };
    this.pending.set(id, pending);
    const others = this.replicas(key).filter((r) => r !== this.rt.self);
    // Puts and gets are idempotent at a replica, so a request that may have been lost (a peer
    // not connected yet, a dropped link) is simply sent again until enough replicas answered.
    const ask = (): void => {
      pending.resend = undefined;
      if (this.pending.get(id) !== pending) return;
      for (const replica of others) {
        if (pending.replies.has(replica)) continue;
        if (put) this.rt.send(replica, { type: 'put', id, key, value: put.value, version: put.version, clock: this.clock });
        else this.rt.send(replica, { type: 'get', id, key, clock: this.clock });
      }
      pending.resend = this.rt.setTimer(RESEND_MS, ask);
    };
    if (others.length < this.replicas(key).length) {
      if (put) this.acceptPut({ key, ...put }, () => this.answered(id, this.rt.self, null));
      else this.answered(id, this.rt.self, this.data.get(keyId(key)) ?? null);
    }
    ask();
  }

  private answered(id: string, replica: string, found: Versioned | null): void {
    const p = this.pending.get(id);
    if (!p || p.replies.has(replica)) return;
    p.replies.set(replica, found);
    if (++p.got < p.needed) return;
    this.pending.delete(id);
    this.rt.clearTimer(p.timer);
    if (p.resend) this.rt.clearTimer(p.resend);
    p.done(p.replies);
  }

  /** A replica keeps a put only if it is newer than what it has; it acknowledges once durable. */
  private acceptPut(put: PutCommand, ack: () => void): void {
    if (this.store(put)) this.rt.storage.append([{ term: 0, command: { key: put.key, value: put.value, version: put.version } }]);
    this.rt.storage.flush(() => {
      if (!this.stopped) ack();
    });
  }

  private store(put: PutCommand): boolean {
    this.clock = Math.max(this.clock, put.version[0]);
    const id = keyId(put.key);
    const current = this.data.get(id);
    if (current && compareVersions(put.version, current.version) <= 0) return false;
    this.data.set(id, { value: put.value, version: put.version });
    return true;
  }
}
