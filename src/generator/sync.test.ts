// Tests of synchronize, phases and andThen: later generators start only when every thread is idle.
import { describe, expect, it } from 'vitest';
import type { Op } from '../core/op.ts';
import { simulate } from './simulate.ts';
import { andThen, phases, synchronize } from './sync.ts';
import { clients, eachThread, nemesis } from './threads.ts';
import { limit, repeat } from './transform.ts';

/** Index of the last completion of ops named f. */
const lastCompletion = (h: readonly Op[], f: string): number => h.findLastIndex((o) => o.f === f && o.type !== 'invoke');
const firstInvoke = (h: readonly Op[], f: string): number => h.findIndex((o) => o.f === f && o.type === 'invoke');

describe('phases', () => {
  it('starts each phase only after every op of the previous one completed', () => {
    let latency = 0;
    const h = simulate(phases(clients(limit(7, repeat({ f: 'w' }))), nemesis({ f: 'start-kill' }), clients(eachThread({ f: 'r' }))), {
      concurrency: 3,
      complete: () => ({ latencyMs: (latency = (latency % 5) + 1) }),
    });
    expect(firstInvoke(h, 'start-kill')).toBeGreaterThan(lastCompletion(h, 'w'));
    expect(firstInvoke(h, 'r')).toBeGreaterThan(lastCompletion(h, 'start-kill'));
    expect(h.filter((o) => o.f === 'r' && o.type === 'invoke')).toHaveLength(3);
  });
});

describe('synchronize', () => {
  it('waits for busy threads before starting', () => {
    // A slow op keeps thread 0 busy; the synchronized op must wait for it even though other threads are free.
    const h = simulate(clients([{ f: 'slow' }, synchronize({ f: 'after' })]), {
      concurrency: 3,
      complete: (op) => ({ latencyMs: op.f === 'slow' ? 50 : 1 }),
    });
    expect(firstInvoke(h, 'after')).toBeGreaterThan(lastCompletion(h, 'slow'));
    expect(h[firstInvoke(h, 'after')]!.time).toBe(50e6);
  });

  it('without it, the next op does not wait', () => {
    const h = simulate(clients([{ f: 'slow' }, { f: 'after' }]), { concurrency: 3, complete: (op) => ({ latencyMs: op.f === 'slow' ? 50 : 1 }) });
    expect(h[firstInvoke(h, 'after')]!.time).toBe(0);
  });
});

describe('andThen', () => {
  it('runs the second generator after the first, once all threads are idle', () => {
    const h = simulate(clients(andThen(limit(4, repeat({ f: 'w' })), { f: 'r' })), { concurrency: 2, latencyMs: 3 });
    expect(firstInvoke(h, 'r')).toBeGreaterThan(lastCompletion(h, 'w'));
  });
});
