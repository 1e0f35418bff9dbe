// Model semantics on small hand-written histories: Knossos and etcd-log conventions for nil
// reads, failed and crashed ops, each built-in model's legal and illegal steps, and bad ops.
import { describe, expect, it } from 'vitest';
import { HistoryError, UsageError } from '../../src/core/errors.ts';
import type { Op, OpType, ProcessId } from '../../src/core/op.ts';
import { linearizable } from './checker.ts';
import { createModel, MODELS, parseModelInit } from './models/index.ts';

type Event = [ProcessId, OpType, string, unknown];

function h(events: Event[]): Op[] {
  return events.map(([process, type, f, value], index) => ({ index, time: index * 10, process, type, f, value }));
}

async function check(model: string, init: unknown, events: Event[]): Promise<unknown> {
  return (await linearizable({ model, init, threads: 0 }).check(h(events), {})).valid;
}

/** A sequential op: invoke then complete. */
function seq(p: number, f: string, invoke: unknown, type: OpType, result: unknown = invoke): Event[] {
  return [
    [p, 'invoke', f, invoke],
    [p, type, f, result],
  ];
}

describe('registers', () => {
  it('Knossos: an ok read of nil is an unknown value', async () => {
    expect(await check('cas-register', 0, [...seq(0, 'write', 1, 'ok'), ...seq(1, 'read', null, 'ok', null)])).toBe(true);
    expect(await check('cas-register', 0, [...seq(0, 'write', 1, 'ok'), ...seq(1, 'read', null, 'ok', 2)])).toBe(false);
  });

  it('a failed write did not happen; a crashed write may take effect later, or never', async () => {
    expect(await check('register', 0, [...seq(0, 'write', 1, 'fail'), ...seq(1, 'read', null, 'ok', 1)])).toBe(false);
    const crashed: Event[] = [[0, 'invoke', 'write', 1], [0, 'info', 'write', 1]];
    expect(await check('register', 0, [...crashed, ...seq(1, 'read', null, 'ok', 0), ...seq(1, 'read', null, 'ok', 1)])).toBe(true);
    expect(await check('register', 0, [...crashed, ...seq(1, 'read', null, 'ok', 1), ...seq(1, 'read', null, 'ok', 0)])).toBe(false);
  });

  it('a crashed cas is not read-only: it changes the state when its compare holds', async () => {
    const model = createModel('cas-register', 0);
    expect(model.readOnly?.({ f: 'cas', value: [0, 1], outcome: 'info' })).toBe(false);
    const crashedCas: Event[] = [[0, 'invoke', 'cas', [0, 1]], [0, 'info', 'cas', [0, 1]]];
    expect(await check('cas-register', 0, [...crashedCas, ...seq(1, 'read', null, 'ok', 0), ...seq(1, 'read', null, 'ok', 1)])).toBe(true);
    expect(await check('cas-register', 0, [...crashedCas, ...seq(1, 'read', null, 'ok', 1), ...seq(1, 'read', null, 'ok', 0)])).toBe(false);
  });

  it('etcd-register: starts absent, nil reads are real, a failed cas is a failed compare', async () => {
    expect(await check('etcd-register', null, seq(0, 'read', null, 'ok', null))).toBe(true);
    expect(await check('etcd-register', null, [...seq(0, 'write', 1, 'ok'), ...seq(1, 'read', null, 'ok', null)])).toBe(false);
    expect(await check('etcd-register', null, [...seq(0, 'write', 1, 'ok'), ...seq(1, 'cas', [1, 2], 'fail')])).toBe(false);
    expect(await check('etcd-register', null, [...seq(0, 'write', 1, 'ok'), ...seq(1, 'cas', [3, 2], 'fail'), ...seq(1, 'read', null, 'ok', 1)])).toBe(true);
    // A read that failed with a timeout has an unknown result.
    expect(await check('etcd-register', null, [...seq(0, 'write', 1, 'ok'), ...seq(1, 'read', null, 'fail', 'timed-out')])).toBe(true);
  });

  it('cas needs [old, new]', async () => {
    await expect(check('cas-register', 0, seq(0, 'cas', 5, 'ok'))).rejects.toThrow(HistoryError);
  });
});

describe('other models', () => {
  it('mutex', async () => {
    expect(await check('mutex', false, [...seq(0, 'acquire', null, 'ok'), ...seq(1, 'acquire', null, 'ok')])).toBe(false);
    expect(await check('mutex', false, [...seq(0, 'acquire', null, 'ok'), ...seq(0, 'release', null, 'ok'), ...seq(1, 'acquire', null, 'ok')])).toBe(true);
    expect(await check('mutex', false, [...seq(0, 'release', null, 'fail'), ...seq(1, 'acquire', null, 'ok')])).toBe(true);
  });

  it('fifo-queue and unordered-queue', async () => {
    const enq: Event[] = [...seq(0, 'enqueue', 1, 'ok'), ...seq(0, 'enqueue', 2, 'ok')];
    expect(await check('fifo-queue', [], [...enq, ...seq(1, 'dequeue', null, 'ok', 2)])).toBe(false);
    expect(await check('fifo-queue', [], [...enq, ...seq(1, 'dequeue', null, 'ok', 1)])).toBe(true);
    expect(await check('unordered-queue', [], [...enq, ...seq(1, 'dequeue', null, 'ok', 2)])).toBe(true);
    expect(await check('unordered-queue', [], [...enq, ...seq(1, 'dequeue', null, 'ok', 3)])).toBe(false);
    expect(await check('fifo-queue', [], [...enq, ...seq(1, 'dequeue', null, 'ok', null)])).toBe(false);
  });

  it('set', async () => {
    expect(await check('set', [], [...seq(0, 'add', 1, 'ok'), ...seq(1, 'read', null, 'ok', [])])).toBe(false);
    expect(await check('set', [], [...seq(0, 'add', 1, 'ok'), ...seq(0, 'add', 2, 'ok'), ...seq(1, 'read', null, 'ok', [2, 1])])).toBe(true);
  });

  it('multi-register', async () => {
    const init = { x: 0, y: 0 };
    const write: Event[] = seq(0, 'txn', [['write', 'x', 1]], 'ok');
    expect(await check('multi-register', init, [...write, ...seq(1, 'txn', [['read', 'x', null]], 'ok', [['read', 'x', 0]])])).toBe(false);
    expect(await check('multi-register', init, [...write, ...seq(1, 'txn', [['read', 'x', null], ['read', 'y', null]], 'ok', [['read', 'x', 1], ['read', 'y', 0]])])).toBe(true);
  });

  it('kv, partitioned by key and not', async () => {
    const events: Event[] = [...seq(0, 'append', ['a', 'x'], 'ok'), ...seq(1, 'append', ['b', 'y'], 'ok'), ...seq(2, 'get', ['a', null], 'ok', ['a', 'x'])];
    expect(await check('kv', '', events)).toBe(true);
    expect(await check('kv-unpartitioned', '', events)).toBe(true);
    const stale: Event[] = [...events, ...seq(2, 'get', ['b', null], 'ok', ['b', ''])];
    expect(await check('kv', '', stale)).toBe(false);
    expect(await check('kv-unpartitioned', '', stale)).toBe(false);
  });

  it('an op the model does not know is a HistoryError naming the op', async () => {
    const err = await check('kv', '', [...seq(0, 'append', ['a', 'x'], 'ok'), ...seq(0, 'delete', ['a', null], 'ok')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HistoryError);
    expect((err as HistoryError).opIndex).toBe(2);
    expect((err as Error).message).toMatch(/op 2: .*delete/);
  });
});

describe('parseModelInit', () => {
  it('reads JSON and EDN', () => {
    expect(parseModelInit('cas-register', '0')).toBe(0);
    expect(parseModelInit('cas-register', 'nil')).toBe(null);
    expect(parseModelInit('multi-register', '{:x 0 :y 0}')).toEqual({ x: 0, y: 0 });
    expect(parseModelInit('multi-register', '{"x": 1}')).toEqual({ x: 1 });
    expect(parseModelInit('mutex', 'unlocked')).toBe(false);
    expect(parseModelInit('kv', '""')).toBe('');
  });

  it('rejects unknown models and unreadable values', () => {
    expect(() => parseModelInit('btree', '0')).toThrow(UsageError);
    expect(() => parseModelInit('cas-register', '{:x')).toThrow(UsageError);
  });

  it('every registered model builds with its default initial value', () => {
    for (const [name, entry] of Object.entries(MODELS)) expect(entry.create().name).toBe(name);
  });
});
