// Tests of simulate(): determinism per seed, completions, process changes after info, and misbehaving generators.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Generator } from '../core/generator.ts';
import { validateHistory } from '../history/validate.ts';
import { invocations, simulate } from './simulate.ts';
import { clients, clientsAndNemesis } from './threads.ts';
import { limit, repeat } from './transform.ts';
import { mix } from './combine.ts';
import { stagger } from './time.ts';

const workload = (): Generator =>
  limit(
    300,
    clientsAndNemesis(
      stagger(0.01, mix([repeat({ f: 'read' }), (_t, ctx) => ({ f: 'write', value: ctx.rng.int(100) })])),
      stagger(0.2, repeat({ f: 'start-partition' })),
    ),
  );

describe('simulate', () => {
  it('gives the same history for the same seed, and a different one for another seed', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const opts = { seed, concurrency: 4, latencyMs: 3 };
        const a = simulate(workload(), opts);
        expect(simulate(workload(), opts)).toEqual(a);
        expect(simulate(workload(), { ...opts, seed: seed + 1 })).not.toEqual(a);
      }),
      { numRuns: 20 },
    );
  });

  it('produces well-formed histories (dense indices, paired completions, ordered times)', () => {
    let k = 0;
    const h = simulate(workload(), { seed: 7, concurrency: 5, complete: () => ({ type: (['ok', 'fail', 'info'] as const)[k++ % 3]!, latencyMs: k % 7 }) });
    expect(h.length).toBeGreaterThan(0);
    expect(validateHistory(h)).toEqual([]);
  });

  it('moves a client thread to process + concurrency after an info completion', () => {
    const h = simulate(clients(limit(4, repeat({ f: 'w' }))), { concurrency: 1, complete: () => ({ type: 'info' }) });
    expect(invocations(h).map((o) => o.process)).toEqual([0, 1, 2, 3]);
  });

  it('keeps the nemesis process after an info completion', () => {
    const h = simulate(limit(3, repeat({ f: 'start-kill', process: 'nemesis' })), { complete: () => ({ type: 'info' }) });
    expect(invocations(h).map((o) => o.process)).toEqual(['nemesis', 'nemesis', 'nemesis']);
  });

  it('uses the completion given per op (type, value, error, latency)', () => {
    const h = simulate(limit(1, repeat({ f: 'read', process: 0 })), { complete: () => ({ type: 'fail', value: 42, error: 'nope', latencyMs: 7 }) });
    expect(h[1]).toMatchObject({ type: 'fail', value: 42, error: 'nope', time: 7e6, process: 0 });
  });

  it('stops after maxInvocations and lets in-flight ops complete', () => {
    const h = simulate(repeat({ f: 'r' }), { maxInvocations: 10, latencyMs: 1 });
    expect(invocations(h)).toHaveLength(10);
    expect(h).toHaveLength(20);
  });

  it('reports a generator that would wait forever', () => {
    const stuck: Generator = { op: () => ({ op: 'pending', gen: stuck }), update: () => stuck };
    expect(() => simulate(stuck)).toThrow(/wait forever/);
  });

  it('reports a generator that gives an op to a busy thread', () => {
    const always: Generator = {
      op: (_t, ctx) => ({ op: { type: 'invoke', f: 'x', value: null, process: 0, time: ctx.time }, gen: always }),
      update: () => always,
    };
    expect(() => simulate(always, { latencyMs: 1 })).toThrow(/thread 0 is busy/);
  });
});
