/**
 * The sharded store's placement: keys hash into SLOTS slots, and the shard map (owned by the
 * placement group, versioned) cuts the slots into contiguous shards, each served by one Raft group.
 * Pure functions: which slot a key is in, which group serves it, and the map changes a rebalance
 * makes (split a shard, move a shard to another group), each giving the next version.
 */
import { keyId } from '../kv-state.ts';
import type { Key } from '../protocol.ts';

/** Hash slots; shards are contiguous ranges of them. */
export const SLOTS = 64;

export interface Shard {
  /** First slot (inclusive). */
  lo: number;
  /** Last slot + 1 (exclusive). */
  hi: number;
  /** The Raft group serving it, e.g. "g1". */
  group: string;
}

/** A shard being moved: its slots leave `from` and arrive at `to`; steps are idempotent by `id`. */
export interface PendingMove {
  id: string;
  lo: number;
  hi: number;
  from: string;
  to: string;
}

export interface ShardMap {
  /** Bumped by every change; a router's cached map is stale once a group says so. */
  version: number;
  /** Sorted by `lo`, covering [0, SLOTS) without gaps. */
  shards: Shard[];
  /** A move begun but not finished (whoever rebalances next finishes it first). */
  pending: PendingMove | null;
}

/** FNV-1a over the key's internal id (so 1 and "1" may land apart, as they are different keys). */
export function slotOfId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % SLOTS;
}

export function slotOf(key: Key): number {
  return slotOfId(keyId(key));
}

/** The first map: `groups` get equal contiguous slices of the slots, in order. */
export function initialMap(groups: readonly string[]): ShardMap {
  const shards = groups.map((group, i) => ({
    lo: Math.floor((i * SLOTS) / groups.length),
    hi: Math.floor(((i + 1) * SLOTS) / groups.length),
    group,
  }));
  return { version: 1, shards, pending: null };
}

/** The shard holding `slot` (every map covers every slot). */
export function shardOf(map: ShardMap, slot: number): Shard {
  const s = map.shards.find(x => x.lo <= slot && slot < x.hi);
  if (!s) throw new RangeError(`shard map v${map.version} does not cover slot ${slot}`);
  return s;
}

export function groupOf(map: ShardMap, key: Key): string {
  return shardOf(map, slotOf(key)).group;
}

/** Slots [lo, hi) as a list. */
export function slotRange(lo: number, hi: number): number[] {
  return Array.from({ length: hi - lo }, (_, i) => lo + i);
}

/** The slots `group` serves under `map`. */
export function slotsOf(map: ShardMap, group: string): number[] {
  return map.shards.filter(s => s.group === group).flatMap(s => slotRange(s.lo, s.hi));
}

/** Splits the shard starting at `lo` at slot `at` (lo < at < hi): same group, next version. */
export function splitShard(map: ShardMap, lo: number, at: number): ShardMap {
  const i = map.shards.findIndex(s => s.lo === lo);
  const s = map.shards[i];
  if (!s || at <= s.lo || at >= s.hi) throw new RangeError(`cannot split shard at ${lo} at slot ${at}`);
  const shards = [...map.shards.slice(0, i), { ...s, hi: at }, { ...s, lo: at }, ...map.shards.slice(i + 1)];
  return { version: map.version + 1, shards, pending: map.pending };
}

/** Records a move of the shard starting at `lo` to `to` as pending: next version. */
export function beginMove(map: ShardMap, id: string, lo: number, to: string): ShardMap {
  if (map.pending) throw new RangeError(`move ${map.pending.id} is still pending`);
  const s = map.shards.find(x => x.lo === lo);
  if (!s || s.group === to) throw new RangeError(`no shard at ${lo} to move to ${to}`);
  return { ...map, version: map.version + 1, pending: { id, lo: s.lo, hi: s.hi, from: s.group, to } };
}

/** Finishes the pending move: its shard now belongs to the target group; next version. */
export function finishMove(map: ShardMap): ShardMap {
  const p = map.pending;
  if (!p) throw new RangeError('no move is pending');
  const shards = map.shards.map(s => (s.lo === p.lo && s.hi === p.hi ? { ...s, group: p.to } : s));
  return { version: map.version + 1, shards, pending: null };
}

/** Whether a map is well formed: sorted shards covering [0, SLOTS) exactly, each non-empty. */
export function isShardMap(x: unknown): x is ShardMap {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Partial<ShardMap>;
  if (typeof m.version !== 'number' || !Array.isArray(m.shards)) return false;
  let next = 0;
  for (const s of m.shards as unknown[]) {
    const sh = s as Partial<Shard>;
    if (typeof sh?.group !== 'string' || sh.lo !== next || typeof sh.hi !== 'number' || sh.hi <= sh.lo) return false;
    next = sh.hi;
  }
  return next === SLOTS && (m.pending === null || typeof m.pending === 'object');
}
