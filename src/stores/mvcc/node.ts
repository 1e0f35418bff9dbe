/**
 * A transactional store with multi-version concurrency control, served by one node (the lowest
 * node id; the others answer `not-leader` with its address). Each key keeps its committed
 * versions, stamped with a commit timestamp. A transaction runs its micro-ops one at a time with
 * a short random pause between them (the time an interactive transaction spends between
 * statements), so transactions overlap as they do in a real database. Commits are serialized:
 * the commit record is written and fsynced before the new versions become visible and the
 * client is answered, so a restart from the data directory keeps every acknowledged write.
 *
 * Modes (isolation levels):
 *   snapshot        snapshot isolation: every read sees the snapshot taken when the transaction
 *                   began (plus its own writes); at commit, a key written by a transaction that
 *                   committed after that snapshot aborts it (first committer wins). No dirty or
 *                   fractured reads, no lost updates, but write skew (G2) is allowed.
 *   read-committed  a transaction takes each key's latest committed version when it first
 *                   touches that key (later reads of the key repeat it, under its own writes), so
 *                   different keys come from different moments; a commit's versions become
 *                   visible one key at a time. A key written by a commit after the transaction
 *                   took it aborts the transaction (as a row lock would have made it wait). No
 *                   dirty writes or reads (G0, G1a, G1b) and no lost updates, but read skew
 *                   (G-single) and write skew (G2) are allowed.
 * Single-key /read, /write and /cas act on the latest committed version, atomically.
 *
 * Disk: one log record per commit {ts, writes: [[key, value], ...]} with the final values.
 */
import { keyId } from '../kv-state.ts';
import { errorReply, type Key, type MicroOp, type StoreReply, type StoreRequest, type StoreStatus } from '../protocol.ts';
import type { Runtime, StoreNode } from '../runtime.ts';

export const MVCC_MODES = ['snapshot', 'read-committed'] as const;
export type MvccMode = (typeof MVCC_MODES)[number];

export interface MvccOptions {
  mode: MvccMode;
  /** Longest pause between two micro-ops of a transaction (and between installs in read-committed). */
  stepMs: number;
}

export const DEFAULT_MVCC_OPTIONS: MvccOptions = { mode: 'snapshot', stepMs: 4 };

interface Version {
  ts: number;
  value: unknown;
}

interface CommitRecord {
  ts: number;
  writes: [Key, unknown][];
}

/** A transaction's pending effect on one key: an overwrite and / or appends after it. */
interface PendingWrite {
  key: Key;
  set?: { value: unknown };
  appends: unknown[];
}

/** The node has no peers to talk to: the type only keeps the runtime's shape. */
export type MvccMessage = never;

export class MvccNode implements StoreNode<MvccMessage> {
  private readonly rt: Runtime<MvccMessage>;
  private readonly opts: MvccOptions;
  private readonly primary: string;
  private readonly versions = new Map<string, Version[]>();
  private lastCommit = 0;
  private stopped = false;
  /** Commits run one at a time, in arrival order. */
  private readonly commitQueue: (() => void)[] = [];
  private committing = false;
  /** Requests not yet answered, answered `interrupted` if the node stops. */
  private readonly open = new Set<(reply: StoreReply) => void>();
  private committed = 0;
  private aborted = 0;

  constructor(rt: Runtime<MvccMessage>, opts: Partial<MvccOptions> = {}) {
    this.rt = rt;
    this.opts = { ...DEFAULT_MVCC_OPTIONS, ...opts };
    this.primary = [rt.self, ...rt.peers].sort()[0]!;
  }

  start(): void {
    for (const rec of this.rt.storage.load().log) this.install(rec.command as CommitRecord);
    this.rt.log(`recovered ${this.versions.size} keys at commit ${this.lastCommit}, ${this.opts.mode} isolation`);
  }

  stop(): void {
    this.stopped = true;
    for (const done of this.open) done(errorReply('interrupted', 'node stopped before the transaction finished'));
    this.open.clear();
  }

  status(): StoreStatus {
    const serving = this.primary === this.rt.self;
    return {
      node: this.rt.self,
      store: 'mvcc',
      role: this.stopped ? 'stopped' : serving ? 'leader' : 'follower',
      term: 1,
      leader: this.primary,
      bugs: [],
      mode: this.opts.mode,
      lastCommit: this.lastCommit,
      committed: this.committed,
      aborted: this.aborted,
    };
  }

  receive(): void {
    // No peer protocol.
  }

  submit(req: StoreRequest, done: (reply: StoreReply) => void): void {
    if (this.stopped) return done(errorReply('unavailable', 'node stopped'));
    if (this.primary !== this.rt.self) {
      return done(errorReply('not-leader', `node ${this.rt.self} does not serve; ${this.primary} does`, { leader: { id: this.primary } }));
    }
    const reply = (r: StoreReply): void => {
      if (!this.open.delete(reply)) return;
      if (!r.ok && r.error.code === 'aborted') this.aborted++;
      done(r);
    };
    this.open.add(reply);
    switch (req.f) {
      case 'read':
        return reply({ ok: true, value: this.latest(req.key) });
      case 'write':
        return this.commit(() => ({ writes: [[req.key, req.value]] }), reply);
      case 'cas':
        return this.commit(() => {
          const current = this.latest(req.key);
          if (JSON.stringify(current) === JSON.stringify(req.from)) return { writes: [[req.key, req.to]] };
          return errorReply('cas-mismatch', `expected ${JSON.stringify(req.from)}, found ${JSON.stringify(current)}`, { value: current });
        }, reply);
      case 'txn':
        return this.runTxn(req.ops, reply);
    }
  }

  /** The value of `key` as of commit timestamp `ts` (null when absent). */
  private valueAt(key: Key, ts: number): unknown {
    const list = this.versions.get(keyId(key));
    if (!list) return null;
    for (let i = list.length - 1; i >= 0; i--) if (list[i]!.ts <= ts) return list[i]!.value;
    return null;
  }

  private latest(key: Key): unknown {
    return this.valueAt(key, Infinity);
  }

  private lastWriteTs(key: Key): number {
    return this.versions.get(keyId(key))?.at(-1)?.ts ?? 0;
  }

  private pause(fn: () => void): void {
    this.rt.setTimer(this.rt.random() * this.opts.stepMs, () => {
      if (!this.stopped) fn();
    });
  }

  private runTxn(ops: readonly MicroOp[], reply: (r: StoreReply) => void): void {
    const snapshot = this.lastCommit;
    const bases = new Map<string, Version>();
    const writes = new Map<string, PendingWrite>();
    const out: MicroOp[] = [];
    /** The committed version this transaction works on for `key`, fixed when it first touches the key. */
    const base = (key: Key): Version => {
      const id = keyId(key);
      let b = bases.get(id);
      if (!b) {
        b = this.opts.mode === 'snapshot' ? { ts: snapshot, value: this.valueAt(key, snapshot) } : { ts: this.lastWriteTs(key), value: this.latest(key) };
        bases.set(id, b);
      }
      return b;
    };
    /** What this transaction sees at `key`: its base under its own writes. */
    const view = (key: Key): unknown => {
      const w = writes.get(keyId(key));
      const b = w?.set ? w.set.value : base(key).value;
      if (!w || w.appends.length === 0) return b;
      return [...((b as unknown[] | null) ?? []), ...w.appends];
    };
    const step = (i: number): void => {
      const op = ops[i];
      if (!op) return this.finishTxn(bases, writes, out, reply);
      const [f, key, value] = op;
      const id = keyId(key);
      if (f === 'r') {
        out.push([f, key, view(key)]);
      } else if (f === 'w') {
        base(key);
        writes.set(id, { key, set: { value }, appends: [] });
        out.push([f, key, value]);
      } else {
        const current = view(key);
        if (current !== null && !Array.isArray(current)) {
          return reply(errorReply('type-mismatch', `ops[${i}]: cannot append to non-list value at key ${JSON.stringify(key)}`));
        }
        const w = writes.get(id) ?? { key, appends: [] };
        w.appends.push(value);
        writes.set(id, w);
        out.push([f, key, value]);
      }
      this.pause(() => step(i + 1));
    };
    this.pause(() => step(0));
  }

  private finishTxn(
    bases: ReadonlyMap<string, Version>,
    writes: ReadonlyMap<string, PendingWrite>,
    out: MicroOp[],
    reply: (r: StoreReply) => void,
  ): void {
    if (writes.size === 0) return reply({ ok: true, value: out });
    this.commit(() => {
      const record: [Key, unknown][] = [];
      for (const [id, w] of writes) {
        if (this.lastWriteTs(w.key) > bases.get(id)!.ts) {
          return errorReply('aborted', `write-write conflict on key ${JSON.stringify(w.key)}: first committer wins`);
        }
        const b = w.set ? w.set.value : this.latest(w.key);
        record.push([w.key, w.appends.length ? [...((b as unknown[] | null) ?? []), ...w.appends] : b]);
      }
      return { writes: record };
    }, r => reply(r.ok ? { ok: true, value: out } : r));
  }

  /**
   * Runs `decide` when this commit's turn comes: it returns the writes to commit, or a rejection.
   * The commit is logged and fsynced, then made visible, then answered.
   */
  private commit(decide: () => { writes: [Key, unknown][] } | StoreReply, reply: (r: StoreReply) => void): void {
    this.commitQueue.push(() => {
      const decision = decide();
      if ('ok' in decision) {
        reply(decision);
        return this.nextCommit();
      }
      const record: CommitRecord = { ts: this.lastCommit + 1, writes: decision.writes };
      this.rt.storage.append([{ term: 0, command: record }]);
      this.rt.storage.flush(() => {
        if (this.stopped) return;
        this.reveal(record, () => {
          this.committed++;
          reply({ ok: true });
          this.nextCommit();
        });
      });
    });
    if (!this.committing) this.nextCommit();
  }

  private nextCommit(): void {
    const next = this.commitQueue.shift();
    this.committing = next !== undefined;
    next?.();
  }

  /** Makes a durable commit visible: at once under snapshot isolation, key by key under read committed. */
  private reveal(record: CommitRecord, done: () => void): void {
    if (this.opts.mode === 'snapshot' || record.writes.length === 1) {
      this.install(record);
      return done();
    }
    this.lastCommit = record.ts;
    const one = (i: number): void => {
      const w = record.writes[i];
      if (!w) return done();
      this.installWrite(record.ts, w);
      this.pause(() => one(i + 1));
    };
    one(0);
  }

  private install(record: CommitRecord): void {
    for (const w of record.writes) this.installWrite(record.ts, w);
    this.lastCommit = Math.max(this.lastCommit, record.ts);
  }

  private installWrite(ts: number, [key, value]: [Key, unknown]): void {
    const id = keyId(key);
    const list = this.versions.get(id) ?? [];
    list.push({ ts, value });
    this.versions.set(id, list);
  }
}
