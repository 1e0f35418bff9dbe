/**
 * The replicated state machines of the sharded store, applied from a Raft log on every replica
 * (deterministic: same ops, same order, same replies):
 *
 * - ShardGroupMachine: one data group's keys, the slots it owns, the two-phase-commit participant
 *   (prepared transactions lock their keys until commit or abort), the decision records of the
 *   transactions this group is primary for, and the two halves of a shard move (release at the
 *   source, adopt at the target).
 * - PlacementMachine: the shard map, changed only by compare-and-set on its version.
 *
 * Every op that changes state is idempotent by its id (request id, transaction id, move id), so a
 * router may propose it again after losing the reply.
 */
import { KvState, keyId, type KvDump } from '../kv-state.ts';
import { errorReply, type Key, type MicroOp, type StoreReply, type StoreRequest } from '../protocol.ts';
import { isShardMap, slotOf, slotOfId, type ShardMap } from './shard-map.ts';

export type Outcome = 'commit' | 'abort';

/** The ops a data group's log carries. */
export type GroupOp =
  /** A request served by this group alone (read / write / cas / txn), applied once per `rid`. */
  | { t: 'exec'; rid: string; req: StoreRequest }
  /** 2PC phase one: check ownership and locks, lock the keys, answer the reads. */
  | { t: 'prepare'; txn: string; ops: MicroOp[]; primary: string }
  /** 2PC phase two; `ops` are the transaction's ops at this group (applied as they are if it forgot the prepare). */
  | { t: 'commit'; txn: string; ops: MicroOp[] }
  | { t: 'abort'; txn: string }
  /** At the primary group: the first decision recorded for `txn` wins and is answered to everyone. */
  | { t: 'decide'; txn: string; outcome: Outcome }
  /** Move, at the source: stop owning `slots` (the fence) and hand over their data. */
  | { t: 'release'; move: string; slots: number[] }
  /** Move, at the target: own `slots`, with their data. */
  | { t: 'adopt'; move: string; slots: number[]; data: KvDump }
  /** Move, at the source, after the map changed: stop owning `slots` (only needed when release did not). */
  | { t: 'drop'; slots: number[] };

export type PlacementOp = { t: 'map-get' } | { t: 'map-set'; expect: number; map: ShardMap };

/** The bug flags a group machine knows (see node.ts). */
export interface MachineBugs {
  /** Reads skip the ownership check, and a released shard's data stays behind. */
  staleRouting: boolean;
  /** Release hands the data over but keeps owning the slots until `drop`. */
  moveWithoutFence: boolean;
}

interface Prepared {
  ops: MicroOp[];
  primary: string;
}

/** The keys a request touches. */
export function keysOf(req: StoreRequest): Key[] {
  return req.f === 'txn' ? req.ops.map(op => op[1]) : [req.key];
}

/** What the micro-ops read, run against `get` without changing anything; or a type error. */
export function previewTxn(get: (key: Key) => unknown, ops: readonly MicroOp[]): MicroOp[] | StoreReply {
  const overlay = new Map<string, unknown>();
  const current = (k: Key): unknown => (overlay.has(keyId(k)) ? overlay.get(keyId(k)) : get(k));
  const out: MicroOp[] = [];
  for (const [i, [f, key, value]] of ops.entries()) {
    const v = current(key);
    if (f === 'r') out.push([f, key, Array.isArray(v) ? v.slice() : v]);
    else if (f === 'w') {
      overlay.set(keyId(key), value);
      out.push([f, key, value]);
    } else {
      if (v !== null && !Array.isArray(v)) {
        return errorReply('type-mismatch', `ops[${i}]: cannot append to non-list value at key ${JSON.stringify(key)}`);
      }
      overlay.set(keyId(key), [...((v as unknown[] | null) ?? []), value]);
      out.push([f, key, value]);
    }
  }
  return out;
}

export class ShardGroupMachine {
  readonly kv = new KvState();
  private readonly owned: Set<number>;
  /** keyId → the transaction holding its lock. */
  private readonly locks = new Map<string, string>();
  readonly prepared = new Map<string, Prepared>();
  /** Transactions finished at this group, so a late prepare or a repeated commit does nothing. */
  private readonly finished = new Map<string, Outcome>();
  private readonly decisions = new Map<string, Outcome>();
  private readonly execs = new Map<string, StoreReply>();
  private readonly released = new Map<string, KvDump>();
  private readonly adopted = new Set<string>();
  private readonly bugs: MachineBugs;

  constructor(slots: readonly number[], bugs: MachineBugs) {
    this.owned = new Set(slots);
    this.bugs = bugs;
  }

  owns(slot: number): boolean {
    return this.owned.has(slot);
  }

  /** The transaction holding `key`'s lock, if any. */
  lockHolder(key: Key): string | undefined {
    return this.locks.get(keyId(key));
  }

  apply(raw: unknown): StoreReply {
    const op = raw as GroupOp;
    switch (op?.t) {
      case 'exec':
        return this.exec(op.rid, op.req);
      case 'prepare':
        return this.prepare(op.txn, op.ops, op.primary);
      case 'commit':
        return this.commit(op.txn, op.ops);
      case 'abort':
        return this.abort(op.txn);
      case 'decide': {
        const known = this.decisions.get(op.txn);
        if (!known) this.decisions.set(op.txn, op.outcome);
        return { ok: true, value: known ?? op.outcome };
      }
      case 'release':
        return this.release(op.move, op.slots);
      case 'adopt':
        return this.adopt(op.move, op.slots, op.data);
      case 'drop':
        for (const s of op.slots) this.owned.delete(s);
        if (!this.bugs.staleRouting) this.forget(op.slots);
        return { ok: true };
      default:
        return errorReply('bad-request', `unknown group op ${JSON.stringify((op as { t?: unknown })?.t)}`);
    }
  }

  /** Why this group may not serve these micro-ops now (wrong shard, locked), or undefined. */
  private refusal(ops: readonly MicroOp[], txn: string | undefined): StoreReply | undefined {
    for (const [f, key] of ops) {
      if (f === 'r' && this.bugs.staleRouting) continue;
      if (!this.owned.has(slotOf(key))) {
        return errorReply('wrong-shard', `key ${JSON.stringify(key)} (slot ${slotOf(key)}) is not served by this group`);
      }
    }
    for (const [, key] of ops) {
      const holder = this.locks.get(keyId(key));
      if (holder !== undefined && holder !== txn) {
        return errorReply('aborted', `key ${JSON.stringify(key)} is locked by transaction ${holder}`);
      }
    }
    return undefined;
  }

  private exec(rid: string, req: StoreRequest): StoreReply {
    const done = this.execs.get(rid);
    if (done) return done;
    const ops: MicroOp[] = req.f === 'txn' ? req.ops : [[req.f === 'read' ? 'r' : 'w', req.key, null]];
    const reply = this.refusal(ops, undefined) ?? this.kv.apply(req);
    this.execs.set(rid, reply);
    return reply;
  }

  private prepare(txn: string, ops: MicroOp[], primary: string): StoreReply {
    const finished = this.finished.get(txn);
    if (finished) return errorReply('aborted', `transaction ${txn} already ${finished === 'abort' ? 'aborted' : 'committed'}`);
    const refused = this.refusal(ops, txn);
    if (refused) return refused;
    const reads = previewTxn(k => this.kv.get(k), ops);
    if (!Array.isArray(reads)) return reads;
    for (const [, key] of ops) this.locks.set(keyId(key), txn);
    this.prepared.set(txn, { ops, primary });
    return { ok: true, value: reads };
  }

  private commit(txn: string, ops: MicroOp[]): StoreReply {
    if (this.finished.has(txn)) return { ok: true };
    const p = this.prepared.get(txn);
    this.unlock(txn);
    this.finished.set(txn, 'commit');
    const writes = (p?.ops ?? ops).filter(op => op[0] !== 'r');
    if (writes.length > 0) this.kv.apply({ f: 'txn', ops: writes });
    return { ok: true };
  }

  private abort(txn: string): StoreReply {
    if (!this.finished.has(txn)) this.finished.set(txn, 'abort');
    this.unlock(txn);
    return { ok: true };
  }

  private unlock(txn: string): void {
    const p = this.prepared.get(txn);
    if (!p) return;
    this.prepared.delete(txn);
    for (const [, key] of p.ops) if (this.locks.get(keyId(key)) === txn) this.locks.delete(keyId(key));
  }

  private release(move: string, slots: number[]): StoreReply {
    const done = this.released.get(move);
    if (done) return { ok: true, value: done };
    const inMove = new Set(slots);
    for (const id of this.locks.keys()) {
      if (inMove.has(slotOfId(id))) return errorReply('unavailable', `slot ${slotOfId(id)} holds a lock of a prepared transaction`);
    }
    const missing = slots.find(s => !this.owned.has(s));
    if (missing !== undefined) return errorReply('wrong-shard', `slot ${missing} is not served by this group`);
    const data = this.kv.dump().filter(([id]) => inMove.has(slotOfId(id)));
    if (!this.bugs.moveWithoutFence) {
      for (const s of slots) this.owned.delete(s);
      if (!this.bugs.staleRouting) this.forget(slots);
    }
    this.released.set(move, data);
    return { ok: true, value: data };
  }

  private adopt(move: string, slots: number[], data: KvDump): StoreReply {
    if (this.adopted.has(move)) return { ok: true };
    this.adopted.add(move);
    const inMove = new Set(slots);
    this.kv.restore([...this.kv.dump().filter(([id]) => !inMove.has(slotOfId(id))), ...data]);
    for (const s of slots) this.owned.add(s);
    return { ok: true };
  }

  /** Drops the data of slots this group no longer serves. */
  private forget(slots: readonly number[]): void {
    const gone = new Set(slots);
    this.kv.restore(this.kv.dump().filter(([id]) => !gone.has(slotOfId(id))));
  }
}

export class PlacementMachine {
  map: ShardMap;

  constructor(initial: ShardMap) {
    this.map = initial;
  }

  apply(raw: unknown): StoreReply {
    const op = raw as PlacementOp;
    if (op?.t === 'map-get') return { ok: true, value: this.map };
    if (op?.t === 'map-set' && isShardMap(op.map)) {
      if (op.expect !== this.map.version) {
        // The same change proposed twice (a lost reply) finds its own result.
        if (JSON.stringify(op.map) === JSON.stringify(this.map)) return { ok: true, value: this.map };
        return errorReply('cas-mismatch', `shard map is at version ${this.map.version}, not ${op.expect}`, { value: this.map });
      }
      this.map = op.map;
      return { ok: true, value: this.map };
    }
    return errorReply('bad-request', 'unknown placement op');
  }
}
