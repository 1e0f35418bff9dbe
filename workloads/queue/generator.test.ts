// Tests for the queue generator: retries of info enqueues come first, with the same message.
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/generator/simulate.ts';
import { clients } from '../../src/generator/threads.ts';
import { queueWorkload } from './index.ts';

type Msg = { id: number; key: string; attempt: number };

describe('QueueGenerator', () => {
  it('resends a message whose enqueue ended info, after that completion, up to maxAttempts', () => {
    const w = queueWorkload({ idempotencyKeys: true, maxAttempts: 2 });
    // Every first attempt of an enqueue ends info; retries succeed.
    const h = simulate(clients(w.generator), {
      concurrency: 2,
      seed: 5,
      maxInvocations: 60,
      complete: (op) => (op.f === 'enqueue' && (op.value as Msg).attempt === 1 ? { type: 'info' } : { type: 'ok' }),
    });
    const infoAt = new Map<number, number>();
    for (const op of h) if (op.type === 'info') infoAt.set((op.value as Msg).id, op.index);
    const retries = h.filter((op) => op.type === 'invoke' && op.f === 'enqueue' && (op.value as Msg).attempt === 2);
    expect(infoAt.size).toBeGreaterThan(5);
    expect(retries.length).toBeGreaterThanOrEqual(infoAt.size - 2);
    const retried = new Set<number>();
    for (const op of retries) {
      const m = op.value as Msg;
      expect(m.key).toBe(`m${m.id}`);
      expect(op.index).toBeGreaterThan(infoAt.get(m.id)!);
      expect(retried.has(m.id)).toBe(false);
      retried.add(m.id);
    }
    expect(h.some((op) => (op.value as Msg | null)?.attempt === 3)).toBe(false);
  });
});
