// Tests of any, mix and flipFlop through simulate().
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { invocations, simulate } from './simulate.ts';
import { any, flipFlop, mix } from './combine.ts';
import { delay, sleep } from './time.ts';
import { limit, repeat, untilOk } from './transform.ts';
import { clients } from './threads.ts';

describe('any', () => {
  it('takes the soonest op of all its generators', () => {
    const h = invocations(simulate(clients(any(delay(1, limit(3, repeat({ f: 'slow' }))), delay(0.4, limit(6, repeat({ f: 'fast' }))))), { latencyMs: 1 }));
    const times = h.map((o) => o.time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(h.filter((o) => o.f === 'slow')).toHaveLength(3);
    expect(h.filter((o) => o.f === 'fast')).toHaveLength(6);
  });

  it('ends when every generator is exhausted', () => {
    expect(invocations(simulate(clients(any({ f: 'a' }, [{ f: 'b' }, { f: 'c' }]))))).toHaveLength(3);
  });

  it('keeps a sleeping branch asleep while the other branch has ops later on', () => {
    // The sleep must end 2 s after it began, not be restarted by the other branch's future ops.
    const h = invocations(simulate(clients(any([sleep(2), { f: 'woke' }], delay(1.5, limit(3, repeat({ f: 'tick' }))))), { latencyMs: 1 }));
    expect(h.find((o) => o.f === 'woke')!.time).toBe(2e9);
  });

  it('passes updates to every generator', () => {
    let n = 0;
    const h = simulate(clients(any(untilOk(repeat({ f: 'read' })), limit(2, repeat({ f: 'write' })))), {
      concurrency: 1,
      latencyMs: 1,
      complete: (op) => ({ type: op.f === 'read' && n++ >= 2 ? 'ok' : 'fail' }),
    });
    expect(h.filter((o) => o.f === 'read' && o.type === 'ok')).toHaveLength(1);
  });
});

describe('mix', () => {
  it('uses every generator, roughly evenly, with the same seed giving the same mixture', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 2, max: 5 }), (seed, k) => {
        const gens = Array.from({ length: k }, (_, i) => repeat({ f: `g${i}` }));
        const h = invocations(simulate(clients(limit(60 * k, mix(gens))), { seed }));
        const counts = new Map<string, number>();
        for (const o of h) counts.set(o.f, (counts.get(o.f) ?? 0) + 1);
        expect(counts.size).toBe(k);
        for (const c of counts.values()) expect(c).toBeGreaterThan(20);
        expect(invocations(simulate(clients(limit(60 * k, mix(gens))), { seed })).map((o) => o.f)).toEqual(h.map((o) => o.f));
      }),
      { numRuns: 30 },
    );
  });

  it('drops exhausted generators and ends when all are', () => {
    const h = invocations(simulate(clients(mix([[{ f: 'a' }, { f: 'a' }], { f: 'b' }, null]))));
    expect(h.map((o) => o.f).sort()).toEqual(['a', 'a', 'b']);
  });
});

describe('flipFlop', () => {
  it('alternates between its two generators', () => {
    const h = invocations(simulate(clients(limit(5, flipFlop(repeat({ f: 'start' }), repeat({ f: 'stop' }))))));
    expect(h.map((o) => o.f)).toEqual(['start', 'stop', 'start', 'stop', 'start']);
  });

  it('ends as soon as the one whose turn it is runs out', () => {
    const h = invocations(simulate(clients(flipFlop(repeat({ f: 'a' }), [{ f: 'b' }]))));
    expect(h.map((o) => o.f)).toEqual(['a', 'b', 'a']);
  });
});
