// Tests of plain values as generators: templates, arrays, functions, null, and bad values.
import { describe, expect, it } from 'vitest';
import { invocations, simulate } from './simulate.ts';
import type { GenContext } from '../core/generator.ts';
import { EMPTY, indexed, lift, seq } from './lift.ts';
import { makeRng } from './rng.ts';
import { clients } from './threads.ts';

describe('lifting plain values', () => {
  it('turns an op template into exactly one invocation with defaults filled in', () => {
    const h = simulate(clients({ f: 'read' }));
    expect(h).toHaveLength(2);
    expect(h[0]).toMatchObject({ index: 0, type: 'invoke', f: 'read', value: null, time: 0 });
    expect(typeof h[0]!.process).toBe('number');
    expect(h[1]).toMatchObject({ index: 1, type: 'ok', f: 'read', process: h[0]!.process });
  });

  it('runs an array in order', () => {
    const h = simulate(clients([{ f: 'a' }, { f: 'b' }, [{ f: 'c' }, { f: 'd' }], null, { f: 'e' }]));
    expect(invocations(h).map((o) => o.f)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('seq() is the same as an array', () => {
    expect(simulate(clients(seq({ f: 'a' }, { f: 'b' }))).map((o) => o.f)).toEqual(simulate(clients([{ f: 'a' }, { f: 'b' }])).map((o) => o.f));
  });

  it('calls a function generator afresh for each op until it returns null', () => {
    let n = 0;
    const h = simulate(clients(() => (n < 5 ? { f: 'write', value: n++ } : null)), { latencyMs: 1 });
    expect(invocations(h).map((o) => o.value)).toEqual([0, 1, 2, 3, 4]);
  });

  it('runs what a function returns to exhaustion before calling it again', () => {
    let calls = 0;
    const h = simulate(clients(() => (calls++ < 2 ? [{ f: 'w' }, { f: 'r' }] : null)), { concurrency: 1 });
    expect(invocations(h).map((o) => o.f)).toEqual(['w', 'r', 'w', 'r']);
  });

  it('indexed: the k-th op is fn(k), and asking again without taking it gives the same op', () => {
    const h = simulate(clients(indexed((k) => ({ f: 'w', value: k * 10 }))), { maxInvocations: 4, concurrency: 2 });
    expect(invocations(h).map((o) => o.value)).toEqual([0, 10, 20, 30]);
    const ctx: GenContext = { time: 0, freeThreads: [0], allThreads: [0], workers: new Map([[0, 0]]), concurrency: 1, rng: makeRng(1) };
    const g = indexed((k) => ({ f: 'w', value: k }));
    const first = g.op({}, ctx);
    expect(g.op({}, ctx)).toEqual(first);
    const next = first !== null && first.op !== 'pending' ? first.gen.op({}, ctx) : null;
    expect(next !== null && next.op !== 'pending' ? next.op.value : undefined).toBe(1);
  });

  it('gives the function the context, with time and free threads', () => {
    const seen: number[] = [];
    simulate(
      clients((_test, ctx) => {
        seen.push(ctx.freeThreads.length);
        return seen.length <= 3 ? { f: 'x', value: ctx.time } : null;
      }),
      { concurrency: 2, latencyMs: 5 },
    );
    expect(seen.every((n) => n >= 1 && n <= 2)).toBe(true);
  });

  it('keeps a template that names its process for that process', () => {
    const h = simulate([{ f: 'a', process: 2 }, { f: 'b', process: 'nemesis' }]);
    expect(invocations(h).map((o) => o.process)).toEqual([2, 'nemesis']);
  });

  it('treats null and empty arrays as the empty generator', () => {
    expect(simulate(null)).toEqual([]);
    expect(simulate([])).toEqual([]);
    expect(lift(null)).toBe(EMPTY);
  });

  it('rejects values that are not generators', () => {
    expect(() => lift({ nope: 1 } as never)).toThrow(/not a generator/);
  });
});
