// The shard map's pure logic: every map a rebalance can make covers every slot once, versions
// only grow, and routing agrees with the shard that holds a key's slot.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { beginMove, finishMove, groupOf, initialMap, isShardMap, shardOf, slotOf, slotsOf, splitShard, SLOTS, type ShardMap } from './shard-map.ts';

const GROUPS = ['g1', 'g2', 'g3'];

/** Applies a list of (split | move) choices, each index taken modulo what exists. */
function evolve(choices: readonly [boolean, number, number][]): ShardMap[] {
  let map = initialMap(GROUPS);
  const maps = [map];
  for (const [split, a, b] of choices) {
    const s = map.shards[a % map.shards.length]!;
    if (split) {
      if (s.hi - s.lo < 2) continue;
      map = splitShard(map, s.lo, s.lo + 1 + (b % (s.hi - s.lo - 1)));
    } else {
      const others = GROUPS.filter(g => g !== s.group);
      map = finishMove(beginMove(map, `m${maps.length}`, s.lo, others[b % others.length]!));
    }
    maps.push(map);
  }
  return maps;
}

const choices = fc.array(fc.tuple(fc.boolean(), fc.nat(), fc.nat()), { maxLength: 40 });

describe('shard map', () => {
  it('starts with one contiguous shard per group', () => {
    const m = initialMap(GROUPS);
    expect(isShardMap(m)).toBe(true);
    expect(m.shards.map(s => s.group)).toEqual(GROUPS);
    expect(GROUPS.flatMap(g => slotsOf(m, g)).sort((a, b) => a - b)).toEqual(Array.from({ length: SLOTS }, (_, i) => i));
  });

  it('stays a partition of the slots with growing versions through any splits and moves', () => {
    fc.assert(
      fc.property(choices, cs => {
        const maps = evolve(cs);
        for (const [i, m] of maps.entries()) {
          expect(isShardMap(m)).toBe(true);
          if (i > 0) expect(m.version).toBeGreaterThan(maps[i - 1]!.version);
          const owners = GROUPS.flatMap(g => slotsOf(m, g));
          expect(new Set(owners).size).toBe(SLOTS);
          expect(owners.length).toBe(SLOTS);
        }
      }),
    );
  });

  it('routes a key to the group of the shard holding its slot', () => {
    fc.assert(
      fc.property(choices, fc.oneof(fc.integer(), fc.string()), (cs, key) => {
        const m = evolve(cs).at(-1)!;
        const slot = slotOf(key);
        expect(slot).toBeGreaterThanOrEqual(0);
        expect(slot).toBeLessThan(SLOTS);
        expect(groupOf(m, key)).toBe(shardOf(m, slot).group);
      }),
    );
  });

  it('moves only the chosen shard, and only after the pending move is finished', () => {
    const m = initialMap(GROUPS);
    const pending = beginMove(m, 'x', m.shards[0]!.lo, 'g2');
    expect(pending.shards).toEqual(m.shards);
    expect(() => beginMove(pending, 'y', m.shards[1]!.lo, 'g3')).toThrow(/still pending/);
    const done = finishMove(pending);
    expect(done.pending).toBeNull();
    expect(done.shards.map(s => s.group)).toEqual(['g2', 'g2', 'g3']);
  });

  it('rejects malformed maps', () => {
    const m = initialMap(GROUPS);
    expect(isShardMap({ ...m, shards: m.shards.slice(1) })).toBe(false);
    expect(isShardMap({ ...m, shards: [...m.shards, { lo: SLOTS, hi: SLOTS + 1, group: 'g1' }] })).toBe(false);
    expect(isShardMap({ version: 'x', shards: m.shards, pending: null })).toBe(false);
  });
});
