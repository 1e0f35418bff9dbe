// The checker as the CLI uses it: witnesses, counterexample evidence, budgets that end in
// `unknown` with the reason, cancellation, worker threads, user-written models, partitions.
import { describe, expect, it } from 'vitest';
import type { Op } from '../../src/core/op.ts';
import { linearizable } from './checker.ts';
import { inconsistent, type Model } from './model.ts';
import { EXECUTORS, rand, simulate } from './simulate.ts';

function ops(events: [number, Op['type'], string, unknown][]): Op[] {
  return events.map(([process, type, f, value], index) => ({ index, time: index, process, type, f, value }));
}

/** A valid FIFO queue history with many crashed enqueues: slow to decide (see property tests). */
const hardQueue = simulate(EXECUTORS['fifo-queue']!, rand(674), 36, 5, 0.15);

describe('evidence', () => {
  it('an empty history, or one with only nemesis ops, is linearizable', async () => {
    expect((await linearizable({ model: 'cas-register', threads: 0 }).check([], {})).valid).toBe(true);
    const nemesis: Op[] = [
      { index: 0, time: 0, process: 'nemesis', type: 'invoke', f: 'start-partition', value: null },
      { index: 1, time: 1, process: 'nemesis', type: 'info', f: 'start-partition', value: 'halves' },
    ];
    const r = await linearizable({ model: 'cas-register', threads: 0 }).check(nemesis, {});
    expect(r.valid).toBe(true);
    expect(r.partitions).toEqual([]);
  });

  it('a valid history carries a witness linearization of every ok op', async () => {
    const h = simulate(EXECUTORS['cas-register']!, rand(7), 60, 4, 0.1);
    const r = await linearizable({ model: 'cas-register', init: 0, threads: 0 }).check(h, {});
    expect(r.valid).toBe(true);
    const [part] = r.partitions as { linearization: number[] }[];
    const order = part!.linearization;
    const okInvokes = h.filter((op) => op.type === 'ok').map((op) => h.findLast((x) => x.index < op.index && x.process === op.process && x.type === 'invoke')!.index);
    for (const i of okInvokes) expect(order).toContain(i);
    expect(new Set(order).size).toBe(order.length);
  });

  it('an invalid history names the op, the concurrent window and the longest partial linearizations', async () => {
    const h = ops([
      [0, 'invoke', 'write', 0],
      [0, 'ok', 'write', 0],
      [1, 'invoke', 'read', null],
      [2, 'invoke', 'write', 4],
      [1, 'ok', 'read', 3],
      [2, 'ok', 'write', 4],
    ]);
    const r = await linearizable({ model: 'cas-register', init: 0, threads: 0, fastPath: false }).check(h, {});
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual(['nonlinearizable']);
    const ce = r.counterexample as {
      op: { index: number; completion: number; value: unknown };
      reason: string;
      window: { index: number }[];
      partials: { ops: { index: number; state: string }[]; blocked: number; candidates: { index: number; reason: string }[] }[];
    };
    expect(ce.op).toMatchObject({ index: 2, completion: 4, value: 3 });
    expect(ce.reason).toContain("can't read 3");
    expect(ce.window.map((w) => w.index)).toEqual([2, 3]);
    expect(ce.partials[0]!.ops).toEqual([
      { index: 0, state: '0' },
      { index: 3, state: '4' },
    ]);
    expect(ce.partials[0]!.blocked).toBe(2);
    expect(r.anomalies).toEqual([ce]);
  });

  it('the fast path explains a read of a value nobody wrote', async () => {
    const h = ops([
      [0, 'invoke', 'write', 1],
      [0, 'ok', 'write', 1],
      [1, 'invoke', 'read', null],
      [1, 'ok', 'read', 7],
    ]);
    const r = await linearizable({ model: 'register', init: 0, threads: 0 }).check(h, {});
    expect(r.valid).toBe(false);
    expect((r.partitions as { method: string }[])[0]!.method).toBe('unique-register');
    expect((r.counterexample as { reason: string }).reason).toMatch(/read 7/);
  });

  it('the fast path places backward clusters that share a point one whole cluster at a time', async () => {
    // Value 1 is read after its write returned: it spans [1, 6]. Values 2 and 3 (a write and its
    // read each) overlap the end of that span and are both placed just past it.
    const h = ops([
      [0, 'invoke', 'write', 1],
      [0, 'ok', 'write', 1],
      [1, 'invoke', 'write', 2],
      [2, 'invoke', 'write', 3],
      [4, 'invoke', 'read', null],
      [5, 'invoke', 'read', null],
      [3, 'invoke', 'read', null],
      [3, 'ok', 'read', 1],
      [1, 'ok', 'write', 2],
      [2, 'ok', 'write', 3],
      [4, 'ok', 'read', 2],
      [5, 'ok', 'read', 3],
    ]);
    const r = await linearizable({ model: 'register', init: 0, threads: 0 }).check(h, {});
    expect(r.valid).toBe(true);
    expect((r.partitions as { method: string }[])[0]!.method).toBe('unique-register');
  });
});

describe('budgets and cancellation', () => {
  it('a time budget gives unknown with the reason and the partial progress', async () => {
    const r = await linearizable({ model: 'fifo-queue', threads: 0 }).check(hardQueue, { budget: { timeMs: 150 } });
    expect(r.valid).toBe('unknown');
    expect(r.error).toMatch(/time budget of 150 ms/);
    const [part] = r.partitions as { cause: string; partials: unknown[] }[];
    expect(part!.cause).toBe('timeout');
    expect(part!.partials.length).toBeGreaterThan(0);
  });

  it('a memory budget gives unknown instead of exhausting memory', async () => {
    const r = await linearizable({ model: 'fifo-queue', threads: 0 }).check(hardQueue, { budget: { memoryMb: 1, timeMs: 60_000 } });
    expect(r.valid).toBe('unknown');
    expect(r.error).toMatch(/memory budget of 1 MB/);
  });

  it('an aborted signal cancels the search', async () => {
    const r = await linearizable({ model: 'fifo-queue', threads: 0 }).check(hardQueue, { signal: AbortSignal.abort() });
    expect(r.valid).toBe('unknown');
    expect(r.error).toMatch(/cancelled/);
  });
});

describe('partitions and threads', () => {
  const broken = (key: string, base: number): [number, Op['type'], string, unknown][] => [
    [base, 'invoke', 'append', [key, 'x']],
    [base, 'ok', 'append', [key, 'x']],
    [base, 'invoke', 'get', [key, null]],
    [base, 'ok', 'get', [key, '']],
  ];

  it('stops at the first invalid key by default, or checks them all', async () => {
    const h = ops([...broken('a', 0), ...broken('b', 1)]);
    const first = await linearizable({ model: 'kv', threads: 0 }).check(h, {});
    expect(first.valid).toBe(false);
    expect((first.partitions as { valid: unknown }[]).map((p) => p.valid).sort()).toEqual([false, 'unknown']);
    const all = await linearizable({ model: 'kv', threads: 0, stopOnFailure: false }).check(h, {});
    expect((all.partitions as { valid: unknown }[]).map((p) => p.valid)).toEqual([false, false]);
  });

  it('partitions that need longer than the slice run on worker threads', async () => {
    const h = simulate(EXECUTORS['kv']!, rand(3), 3000, 4, 0.01);
    const r = await linearizable({ model: 'kv', threads: 2, sliceMs: 0, fastPath: false }).check(h, {});
    expect(r.valid).toBe(true);
    const parts = r.partitions as { worker?: boolean }[];
    expect(parts).toHaveLength(2);
    expect(parts.every((p) => p.worker === true)).toBe(true);
  });

  it('accepts a user-written model (checked in this thread)', async () => {
    const counter: Model<number> = {
      name: 'counter',
      init: () => 0,
      step: (s, op) => (op.f === 'inc' ? s + 1 : op.value === s ? s : inconsistent(`read ${String(op.value)}, counter is ${s}`)),
      key: (s) => s,
    };
    const good = ops([
      [0, 'invoke', 'inc', null],
      [1, 'invoke', 'read', null],
      [0, 'ok', 'inc', null],
      [1, 'ok', 'read', 1],
    ]);
    expect((await linearizable({ model: counter }).check(good, {})).valid).toBe(true);
    const bad = ops([...good.map((o): [number, Op['type'], string, unknown] => [o.process as number, o.type, o.f, o.value]), [1, 'invoke', 'read', null], [1, 'ok', 'read', 0]]);
    const r = await linearizable({ model: counter }).check(bad, {});
    expect(r.valid).toBe(false);
    expect(JSON.stringify(r.counterexample)).toContain('read 0, counter is 1');
  });
});
