/**
 * How a router splits a transaction across shard groups by its cached shard map, and puts the
 * groups' answers back in the transaction's order. Pure.
 */
import type { MicroOp } from '../protocol.ts';
import { groupOf, type ShardMap } from './shard-map.ts';

/** The micro-ops one group serves, with their positions in the whole transaction. */
export interface TxnPart {
  group: string;
  ops: MicroOp[];
  positions: number[];
}

/** One part per group the ops touch, sorted by group id (the first is the primary of 2PC). */
export function planTxn(map: ShardMap, ops: readonly MicroOp[]): TxnPart[] {
  const parts = new Map<string, TxnPart>();
  for (const [i, op] of ops.entries()) {
    const group = groupOf(map, op[1]);
    let part = parts.get(group);
    if (!part) parts.set(group, (part = { group, ops: [], positions: [] }));
    part.ops.push(op);
    part.positions.push(i);
  }
  return [...parts.values()].sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}

/** The whole transaction's results from each part's results (each in its part's order). */
export function mergeResults(parts: readonly TxnPart[], results: readonly (readonly MicroOp[])[], size: number): MicroOp[] {
  const out = new Array<MicroOp>(size);
  for (const [p, part] of parts.entries()) {
    const res = results[p];
    if (!res || res.length !== part.ops.length) throw new Error(`group ${part.group} answered ${res?.length ?? 0} results for ${part.ops.length} ops`);
    for (const [j, pos] of part.positions.entries()) out[pos] = res[j]!;
  }
  return out;
}
