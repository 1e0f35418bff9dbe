// Tests of thread routing: clients, nemesis, onThreads, eachThread and reserve.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { invocations, simulate } from './simulate.ts';
import { clients, clientsAndNemesis, eachThread, nemesis, onThreads, reserve } from './threads.ts';
import { limit, repeat, untilOk } from './transform.ts';
import { stagger } from './time.ts';

describe('clients and nemesis routing', () => {
  it('gives client ops to client threads and nemesis ops to the nemesis thread only', () => {
    const h = invocations(
      simulate(limit(200, clientsAndNemesis(repeat({ f: 'read' }), stagger(0.01, repeat({ f: 'start-partition' })))), { concurrency: 4, latencyMs: 2, seed: 5 }),
    );
    const reads = h.filter((o) => o.f === 'read');
    const faults = h.filter((o) => o.f === 'start-partition');
    expect(reads.length).toBeGreaterThan(0);
    expect(faults.length).toBeGreaterThan(0);
    expect(reads.every((o) => typeof o.process === 'number')).toBe(true);
    expect(faults.every((o) => o.process === 'nemesis')).toBe(true);
  });

  it('nemesis(gen) alone never uses a client thread, even with all of them free', () => {
    const h = invocations(simulate(nemesis(limit(5, repeat({ f: 'kill' }))), { concurrency: 3 }));
    expect(h.map((o) => o.process)).toEqual(['nemesis', 'nemesis', 'nemesis', 'nemesis', 'nemesis']);
  });

  it('onThreads restricts ops to the accepted threads', () => {
    const h = invocations(simulate(onThreads((t) => t === 1 || t === 2, limit(30, repeat({ f: 'w' }))), { concurrency: 4, latencyMs: 1 }));
    expect(new Set(h.map((o) => o.process))).toEqual(new Set([1, 2]));
  });
});

describe('eachThread', () => {
  it('gives every thread its own copy of the generator', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer(), (concurrency, seed) => {
        const h = invocations(simulate(clients(eachThread([{ f: 'a' }, { f: 'b' }, { f: 'c' }])), { concurrency, seed, latencyMs: 1 }));
        expect(h).toHaveLength(3 * concurrency);
        for (let t = 0; t < concurrency; t++) {
          expect(h.filter((o) => o.process === t).map((o) => o.f)).toEqual(['a', 'b', 'c']);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('each copy sees only its own thread events (per-thread untilOk)', () => {
    // Thread 0's reads succeed at once; thread 1's fail twice first.
    const fails = new Map<number, number>([[1, 2]]);
    const h = simulate(clients(eachThread(untilOk(repeat({ f: 'read' })))), {
      concurrency: 2,
      latencyMs: 1,
      complete: (op) => {
        const left = fails.get(op.process as number) ?? 0;
        fails.set(op.process as number, left - 1);
        return { type: left > 0 ? 'fail' : 'ok' };
      },
    });
    expect(invocations(h).filter((o) => o.process === 0)).toHaveLength(1);
    expect(invocations(h).filter((o) => o.process === 1)).toHaveLength(3);
  });
});

describe('reserve', () => {
  it('gives fixed groups of threads to each generator', () => {
    const h = invocations(
      simulate(clients(limit(300, reserve([[2, repeat({ f: 'write' })], [1, repeat({ f: 'cas' })]], repeat({ f: 'read' })))), { concurrency: 6, latencyMs: 1, seed: 9 }),
    );
    const threadsOf = (f: string): Set<unknown> => new Set(h.filter((o) => o.f === f).map((o) => o.process));
    expect(threadsOf('write')).toEqual(new Set([0, 1]));
    expect(threadsOf('cas')).toEqual(new Set([2]));
    expect(threadsOf('read')).toEqual(new Set([3, 4, 5]));
  });
});
