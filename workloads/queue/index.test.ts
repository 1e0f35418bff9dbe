// Tests for the queue workload: messages, idempotency keys and retries.
import { describe, expect, it } from 'vitest';
import { makeRng } from '../../src/generator/rng.ts';
import type { Op } from '../../src/core/op.ts';
import { queueOp, queueRetry } from './index.ts';

const completion = (type: Op['type'], f: string, value: unknown): Op => ({ index: 1, time: 1, process: 0, type, f, value });

describe('queue workload', () => {
  it('enqueues message n with its key as the first attempt', () => {
    const rng = makeRng(1);
    const ops = Array.from({ length: 50 }, (_, n) => queueOp(rng, n, { idempotencyKeys: true }));
    for (const [n, o] of ops.entries()) {
      if (o.f === 'enqueue') expect(o.value).toEqual({ id: n, key: `m${n}`, attempt: 1 });
      else expect(o).toEqual({ f: 'dequeue', value: null });
    }
    expect(queueOp(makeRng(3), 4, { dequeueRatio: 0 }).value).toEqual({ id: 4, attempt: 1 });
  });

  it('retries an info enqueue with the same id and key until the attempts run out', () => {
    const first = completion('info', 'enqueue', { id: 4, key: 'm4', attempt: 1 });
    const second = queueRetry(first);
    expect(second).toEqual({ f: 'enqueue', value: { id: 4, key: 'm4', attempt: 2 } });
    expect(queueRetry(completion('info', 'enqueue', second!.value), { maxAttempts: 3 })).toEqual({ f: 'enqueue', value: { id: 4, key: 'm4', attempt: 3 } });
    expect(queueRetry(completion('info', 'enqueue', { id: 4, attempt: 3 }))).toBeNull();
    expect(queueRetry(completion('ok', 'enqueue', { id: 4, attempt: 1 }))).toBeNull();
    expect(queueRetry(completion('info', 'dequeue', null))).toBeNull();
  });
});
