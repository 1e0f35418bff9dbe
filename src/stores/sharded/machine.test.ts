// The shard group's replicated state machine: the 2PC participant (locks, votes, commit, abort,
// first decision wins), ownership and the move fence, idempotence by id, and determinism.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MicroOp, StoreReply } from '../protocol.ts';
import { PlacementMachine, ShardGroupMachine, type GroupOp } from './machine.ts';
import { beginMove, initialMap, slotOf, slotRange } from './shard-map.ts';

const NO_BUGS = { staleRouting: false, moveWithoutFence: false };
const ALL = slotRange(0, 64);

/** Two keys in different slots. */
const k1 = 1;
const k2 = [...Array(100).keys()].find(k => slotOf(k) !== slotOf(k1))!;

function value(r: StoreReply): unknown {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}
function code(r: StoreReply): string | undefined {
  return r.ok ? undefined : r.error.code;
}
const read = (m: ShardGroupMachine, k: number): unknown => m.kv.get(k);

describe('2PC participant', () => {
  it('locks prepared keys until commit, then applies the writes', () => {
    const m = new ShardGroupMachine(ALL, NO_BUGS);
    expect(value(m.apply({ t: 'prepare', txn: 'T1', ops: [['append', k1, 1], ['r', k2, null]], primary: 'g1' }))).toEqual([
      ['append', k1, 1],
      ['r', k2, null],
    ]);
    expect(code(m.apply({ t: 'prepare', txn: 'T2', ops: [['r', k1, null]], primary: 'g1' }))).toBe('aborted');
    expect(code(m.apply({ t: 'exec', rid: 'e1', req: { f: 'txn', ops: [['append', k2, 9]] } }))).toBe('aborted');
    expect(read(m, k1)).toBeNull();
    value(m.apply({ t: 'commit', txn: 'T1', ops: [['append', k1, 1], ['r', k2, null]] }));
    expect(read(m, k1)).toEqual([1]);
    expect(value(m.apply({ t: 'exec', rid: 'e2', req: { f: 'txn', ops: [['append', k2, 9]] } }))).toEqual([['append', k2, 9]]);
  });

  it('releases locks on abort and refuses a prepare that arrives after its abort', () => {
    const m = new ShardGroupMachine(ALL, NO_BUGS);
    value(m.apply({ t: 'abort', txn: 'T1' }));
    expect(code(m.apply({ t: 'prepare', txn: 'T1', ops: [['w', k1, 1]], primary: 'g1' }))).toBe('aborted');
    value(m.apply({ t: 'prepare', txn: 'T2', ops: [['w', k1, 2]], primary: 'g1' }));
    value(m.apply({ t: 'abort', txn: 'T2' }));
    expect(read(m, k1)).toBeNull();
    value(m.apply({ t: 'prepare', txn: 'T3', ops: [['w', k1, 3]], primary: 'g1' }));
  });

  it('records the first decision and answers it to every later proposal', () => {
    const m = new ShardGroupMachine(ALL, NO_BUGS);
    expect(value(m.apply({ t: 'decide', txn: 'T', outcome: 'abort' }))).toBe('abort');
    expect(value(m.apply({ t: 'decide', txn: 'T', outcome: 'commit' }))).toBe('abort');
    expect(value(m.apply({ t: 'decide', txn: 'U', outcome: 'commit' }))).toBe('commit');
  });

  it('applies an exec once per request id, however often it is proposed', () => {
    const m = new ShardGroupMachine(ALL, NO_BUGS);
    const op: GroupOp = { t: 'exec', rid: 'r1', req: { f: 'txn', ops: [['append', k1, 5]] } };
    m.apply(op);
    m.apply(op);
    value(m.apply({ t: 'commit', txn: 'T', ops: [['append', k1, 6]] }));
    value(m.apply({ t: 'commit', txn: 'T', ops: [['append', k1, 6]] }));
    expect(read(m, k1)).toEqual([5, 6]);
  });
});

describe('ownership and moves', () => {
  it('answers wrong-shard for a key it does not own', () => {
    const m = new ShardGroupMachine([slotOf(k1)], NO_BUGS);
    expect(code(m.apply({ t: 'exec', rid: 'a', req: { f: 'read', key: k2 } }))).toBe('wrong-shard');
    expect(code(m.apply({ t: 'prepare', txn: 'T', ops: [['r', k2, null]], primary: 'g1' }))).toBe('wrong-shard');
  });

  it('fences on release: hands the data over, then refuses the slots; the target adopts them once', () => {
    const src = new ShardGroupMachine(ALL, NO_BUGS);
    const dst = new ShardGroupMachine([], NO_BUGS);
    src.apply({ t: 'exec', rid: 'a', req: { f: 'txn', ops: [['append', k1, 1]] } });
    const data = value(src.apply({ t: 'release', move: 'm1', slots: [slotOf(k1)] })) as [string, unknown][];
    expect(value(src.apply({ t: 'release', move: 'm1', slots: [slotOf(k1)] }))).toEqual(data);
    expect(code(src.apply({ t: 'exec', rid: 'b', req: { f: 'txn', ops: [['append', k1, 2]] } }))).toBe('wrong-shard');
    value(dst.apply({ t: 'adopt', move: 'm1', slots: [slotOf(k1)], data }));
    value(dst.apply({ t: 'exec', rid: 'c', req: { f: 'txn', ops: [['append', k1, 3]] } }));
    value(dst.apply({ t: 'adopt', move: 'm1', slots: [slotOf(k1)], data }));
    expect(read(dst, k1)).toEqual([1, 3]);
  });

  it('will not release slots holding a prepared lock', () => {
    const m = new ShardGroupMachine(ALL, NO_BUGS);
    value(m.apply({ t: 'prepare', txn: 'T', ops: [['w', k1, 1]], primary: 'g1' }));
    expect(code(m.apply({ t: 'release', move: 'm', slots: [slotOf(k1)] }))).toBe('unavailable');
    value(m.apply({ t: 'commit', txn: 'T', ops: [['w', k1, 1]] }));
    value(m.apply({ t: 'release', move: 'm', slots: [slotOf(k1)] }));
  });

  it('bug move-without-fence: the source still accepts writes after handing the data over', () => {
    const m = new ShardGroupMachine(ALL, { staleRouting: false, moveWithoutFence: true });
    value(m.apply({ t: 'release', move: 'm', slots: [slotOf(k1)] }));
    value(m.apply({ t: 'exec', rid: 'a', req: { f: 'write', key: k1, value: 1 } }));
    value(m.apply({ t: 'drop', slots: [slotOf(k1)] }));
    expect(code(m.apply({ t: 'exec', rid: 'b', req: { f: 'write', key: k1, value: 2 } }))).toBe('wrong-shard');
  });

  it('bug stale-routing: reads of a moved key are served from the copy left behind', () => {
    const m = new ShardGroupMachine(ALL, { staleRouting: true, moveWithoutFence: false });
    value(m.apply({ t: 'exec', rid: 'a', req: { f: 'write', key: k1, value: 1 } }));
    value(m.apply({ t: 'release', move: 'm', slots: [slotOf(k1)] }));
    expect(value(m.apply({ t: 'exec', rid: 'b', req: { f: 'read', key: k1 } }))).toBe(1);
    expect(code(m.apply({ t: 'exec', rid: 'c', req: { f: 'write', key: k1, value: 2 } }))).toBe('wrong-shard');
  });
});

describe('determinism', () => {
  const keys = [k1, k2, 3];
  const groupOp: fc.Arbitrary<GroupOp> = fc.oneof(
    fc.record({ t: fc.constant('exec' as const), rid: fc.constantFrom('a', 'b', 'c', 'd'), req: fc.record({ f: fc.constant('txn' as const), ops: fc.array(fc.tuple(fc.constantFrom<'append' | 'r'>('append', 'r'), fc.constantFrom(...keys), fc.nat(9)), { minLength: 1, maxLength: 3 }) }) }),
    fc.record({ t: fc.constant('prepare' as const), txn: fc.constantFrom('T1', 'T2', 'T3'), ops: fc.array(fc.tuple(fc.constantFrom<'append' | 'r'>('append', 'r'), fc.constantFrom(...keys), fc.nat(9)), { minLength: 1, maxLength: 3 }), primary: fc.constant('g1') }),
    fc.record({ t: fc.constant('commit' as const), txn: fc.constantFrom('T1', 'T2', 'T3'), ops: fc.constant([] as MicroOp[]) }),
    fc.record({ t: fc.constant('abort' as const), txn: fc.constantFrom('T1', 'T2', 'T3') }),
    fc.record({ t: fc.constant('release' as const), move: fc.constantFrom('m1', 'm2'), slots: fc.constant([slotOf(k1)] as number[]) }),
  );

  it('two replicas applying the same ops give the same replies and the same state; no key is ever locked twice', () => {
    fc.assert(
      fc.property(fc.array(groupOp, { maxLength: 40 }), ops => {
        const a = new ShardGroupMachine(ALL, NO_BUGS);
        const b = new ShardGroupMachine(ALL, NO_BUGS);
        for (const op of ops) {
          const copy = JSON.parse(JSON.stringify(op)) as GroupOp;
          expect(a.apply(op)).toEqual(b.apply(copy));
          for (const k of keys) {
            const holders = [...a.prepared].filter(([, p]) => p.ops.some(o => o[1] === k)).map(([t]) => t);
            expect(holders.length).toBeLessThanOrEqual(1);
          }
        }
        expect(a.kv.dump()).toEqual(b.kv.dump());
      }),
    );
  });
});

describe('placement', () => {
  it('changes the map only by compare-and-set on its version; the same change twice finds itself', () => {
    const m0 = initialMap(['g1', 'g2']);
    const p = new PlacementMachine(m0);
    const m1 = beginMove(m0, 'x', 0, 'g2');
    expect(value(p.apply({ t: 'map-set', expect: 1, map: m1 }))).toEqual(m1);
    expect(value(p.apply({ t: 'map-set', expect: 1, map: m1 }))).toEqual(m1);
    expect(code(p.apply({ t: 'map-set', expect: 1, map: initialMap(['g1', 'g2']) }))).toBe('cas-mismatch');
    expect(value(p.apply({ t: 'map-get' }))).toEqual(m1);
    expect(code(p.apply({ t: 'map-set', expect: 2, map: { version: 3, shards: [], pending: null } }))).toBe('bad-request');
  });
});
