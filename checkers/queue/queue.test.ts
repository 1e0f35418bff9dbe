// Tests for the queue checker: delivery expectations, retries and deduplication, simulated stores.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HistoryBuilder } from '../../src/inprocess/history-builder.ts';
import { runClients } from '../../src/inprocess/client-histories.ts';
import { queueStore, type QueueFlaw } from '../../src/inprocess/queue-store.ts';
import { queueFinalOps, queueOp, queueRetry } from '../../workloads/queue/index.ts';
import { queue, type Delivery } from './queue.ts';

function run(seed: number, o: { keys: boolean; dedupe: boolean; flaw?: QueueFlaw; infoRate?: number }) {
  const store = o.flaw ? queueStore({ dedupe: o.dedupe, flaw: o.flaw }) : queueStore({ dedupe: o.dedupe });
  return runClients({
    seed,
    store,
    threads: 4,
    nodes: ['n1'],
    infoRate: o.infoRate ?? 0.1,
    ops: 300,
    nextOp: (rng, n) => queueOp(rng, n, { idempotencyKeys: o.keys }),
    retry: (op) => queueRetry(op),
    final: queueFinalOps,
  });
}

const check = (d: Delivery, h: ReturnType<typeof run>) => queue({ delivery: d }).check(h);

describe('queue', () => {
  it('accepts each acknowledged message delivered once', async () => {
    const h = new HistoryBuilder().op(0, 'enqueue', 1).op(0, 'enqueue', { id: 2, key: 'k2' }).op(1, 'dequeue', null, 'ok', 1).op(1, 'drain', null, 'ok', [{ id: 2, key: 'k2' }]).build();
    expect(await queue({ delivery: 'exactly-once' }).check(h)).toMatchObject({ valid: true, attempted: 2, acknowledged: 2, delivered: 2, drained: true });
  });

  it('reports lost messages after a drain, for at-least-once but not at-most-once', async () => {
    const h = new HistoryBuilder().op(0, 'enqueue', 1).op(0, 'enqueue', 2).op(1, 'drain', null, 'ok', [2]).build();
    const r = await queue({ delivery: 'at-least-once' }).check(h);
    expect(r).toMatchObject({ valid: false, anomalyTypes: ['lost'], lost: [{ id: 1, enqueueIndex: 0 }] });
    expect((await queue({ delivery: 'at-most-once' }).check(h)).valid).toBe(true);
  });

  it('is unknown about undelivered messages without a drain, or when an info dequeue may have taken them', async () => {
    const noDrain = new HistoryBuilder().op(0, 'enqueue', 1).build();
    expect((await queue().check(noDrain)).valid).toBe('unknown');
    const infoDequeue = new HistoryBuilder().op(0, 'enqueue', 1).op(1, 'dequeue', null, 'info').op(2, 'drain', null, 'ok', []).build();
    expect((await queue().check(infoDequeue)).valid).toBe('unknown');
  });

  it('tells retried duplicates from redeliveries', async () => {
    const b = new HistoryBuilder();
    b.op(0, 'enqueue', { id: 1, key: 'k', attempt: 1 }, 'info').op(1, 'enqueue', { id: 1, key: 'k', attempt: 2 });
    b.op(1, 'enqueue', 2);
    b.op(2, 'dequeue', null, 'ok', { id: 1 }).op(2, 'dequeue', null, 'ok', 2).op(2, 'dequeue', null, 'ok', 2).op(2, 'drain', null, 'ok', [1]);
    const r = await queue({ delivery: 'at-most-once' }).check(b.build());
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual(['duplicated']);
    expect(r.duplicated).toEqual([
      { id: 1, deliveries: 2, enqueueAttempts: 2, cause: 'retry', keyed: true, ops: [7, 13] },
      { id: 2, deliveries: 2, enqueueAttempts: 1, cause: 'redelivery', keyed: false, ops: [9, 11] },
    ]);
    expect(r).toMatchObject({ retried: 1, retriedDuplicated: 1 });
    expect((await queue({ delivery: 'at-least-once' }).check(b.build())).valid).toBe(true);
  });

  it('reports unexpected messages, never enqueued or only failed', async () => {
    const h = new HistoryBuilder().op(0, 'enqueue', 1, 'fail').op(1, 'drain', null, 'ok', [1, 5]).build();
    const r = await queue().check(h);
    expect(r).toMatchObject({ valid: false, anomalyTypes: ['unexpected'] });
    expect(r.unexpected).toEqual([
      { id: 1, index: 3, reason: 'every enqueue failed' },
      { id: 5, index: 3, reason: 'never enqueued' },
    ]);
  });

  it('rejects malformed messages with the op index', () => {
    expect(() => queue().check(new HistoryBuilder().op(0, 'enqueue', [1]).build())).toThrow(/op 0: enqueue value must be/);
    expect(() => queue().check(new HistoryBuilder().op(0, 'drain', null, 'ok', 3).build())).toThrow(/op 1: ok drain must return an array/);
  });

  it('property: a deduplicating queue with keyed retries is exactly-once', () => {
    fc.assert(fc.property(fc.integer(), (seed) => check('exactly-once', run(seed, { keys: true, dedupe: true, infoRate: 0.1 })).valid !== false), { numRuns: 30 });
  });

  it('property: without keys, retries are at-least-once but not at-most-once', () => {
    fc.assert(fc.property(fc.integer(), (seed) => check('at-least-once', run(seed, { keys: false, dedupe: true })).valid !== false), { numRuns: 30 });
    const dups = [1, 2, 3].map((seed) => check('at-most-once', run(seed, { keys: false, dedupe: true, infoRate: 0.3 })));
    for (const r of dups) {
      expect(r.anomalyTypes).toEqual(['duplicated']);
      expect((r.duplicated as Array<{ cause: string }>).every((d) => d.cause === 'retry')).toBe(true);
    }
  });

  it('end to end: redelivery duplicates, lossy queues lose', async () => {
    for (const seed of [1, 2, 3]) {
      const redeliver = await check('exactly-once', run(seed, { keys: true, dedupe: true, flaw: 'redeliver', infoRate: 0 }));
      expect(redeliver.anomalyTypes).toEqual(['duplicated']);
      expect((redeliver.duplicated as Array<{ cause: string }>)[0]!.cause).toBe('redelivery');
      expect((await check('at-least-once', run(seed, { keys: true, dedupe: true, flaw: 'lossy', infoRate: 0 }))).anomalyTypes).toEqual(['lost']);
    }
  });
});
