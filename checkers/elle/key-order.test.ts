// The per-key order options (linearizable-keys, sequential-keys, wfr-keys): small histories where
// each option turns a verdict, for rw-register (as Elle defines them) and list-append, the
// explanations of the edges they add, and how they are read from `--opt` flags.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import type { Checker } from '../../src/core/checker.ts';
import type { History } from '../../src/core/op.ts';
import type { CheckResult } from '../../src/core/validity.ts';
import { HistoryBuilder } from '../../src/inprocess/history-builder.ts';
import { listAppend, rwRegister, type KeyOrderOptions } from './index.ts';
import { BUILTIN_CHECKERS } from '../index.ts';
import { parseOwnOptions } from '../../src/options/parse.ts';

type Mops = unknown[][];
const blank = (m: Mops): Mops => m.map(([f, k, v]) => (f === 'r' ? [f, k, null] : [f, k, v]));
const serializable = { consistencyModels: ['serializable'] };

/** Txns one after another (each completes before the next is invoked), as [process, completed mops]. */
function sequential(list: [number, Mops][]): History {
  const b = new HistoryBuilder();
  for (const [p, m] of list) b.invoke(p, 'txn', blank(m)).ok(p, m);
  return b.build();
}

/** Txns all invoked before any completes (no realtime order between them). */
function concurrent(list: [number, Mops][]): History {
  const b = new HistoryBuilder();
  for (const [p, m] of list) b.invoke(p, 'txn', blank(m));
  for (const [p, m] of list) b.ok(p, m);
  return b.build();
}

/** The result of the checker `make` builds with options `o`, its anomalies by type. */
async function verdict(make: (o: KeyOrderOptions) => Checker, h: History, o: KeyOrderOptions = {}): Promise<CheckResult & { anomalies?: Record<string, unknown[]> }> {
  return (await make(o).check(h, {})) as CheckResult & { anomalies?: Record<string, unknown[]> };
}

const rw = (o: KeyOrderOptions) => rwRegister({ ...serializable, ...o });
const la = (o: KeyOrderOptions) => listAppend({ ...serializable, ...o });

describe('rw-register key order options', () => {
  // Process 1 reads x as nil after process 0's write of 1 completed: serializable (the read goes
  // first), but not if x is linearizable on its own.
  const staleByRealtime = sequential([
    [0, [['w', 'x', 1]]],
    [1, [['r', 'x', null]]],
  ]);
  // The same within one process: not sequentially consistent per key.
  const staleByProcess = sequential([
    [0, [['w', 'x', 1]]],
    [0, [['r', 'x', null]]],
  ]);

  it('linearizable-keys: a read older than a completed write is a version cycle', async () => {
    expect((await verdict(rw, staleByRealtime)).valid).toBe(true);
    const r = await verdict(rw, staleByRealtime, { linearizableKeys: true });
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual(['cyclic-versions']);
    expect(r.anomalies!['cyclic-versions']).toEqual([{ key: 'x', scc: expect.arrayContaining([null, 1]), sources: ['initial-state', 'linearizable-keys'] }]);
    // Process order alone says nothing about two processes.
    expect((await verdict(rw, staleByRealtime, { sequentialKeys: true })).valid).toBe(true);
  });

  it('sequential-keys: a process that reads older than its own write', async () => {
    expect((await verdict(rw, staleByProcess)).valid).toBe(true);
    const r = await verdict(rw, staleByProcess, { sequentialKeys: true });
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual(['cyclic-versions']);
  });

  it('wfr-keys: a txn that read x = 1 and wrote 2 orders the versions, exposing a read skew', async () => {
    // T3 sees T1's write of y but x as it was before T1 wrote it. Without an order of x's
    // versions nothing connects T3's read of x = 1 to T1's write of 2.
    const h = concurrent([
      [0, [['w', 'x', 1]]],
      [1, [['r', 'x', 1], ['w', 'x', 2], ['w', 'y', 5]]],
      [2, [['r', 'y', 5], ['r', 'x', 1]]],
    ]);
    expect((await verdict(rw, h)).valid).toBe(true);
    const r = await verdict(rw, h, { wfrKeys: true });
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual(['G-single-item']);
  });
});

describe('list-append key order options', () => {
  it('linearizable-keys: a read that misses an append completed before it began', async () => {
    const h = sequential([
      [0, [['append', 'x', 1]]],
      [1, [['r', 'x', []]]],
    ]);
    expect((await verdict(la, h)).valid).toBe(true);
    const r = await verdict(la, h, { linearizableKeys: true });
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual(['cyclic-versions']);
    expect(r.anomalies!['cyclic-versions']).toEqual([{ key: 'x', scc: expect.arrayContaining([null, 1]), sources: ['list-order', 'linearizable-keys'] }]);
  });

  it('sequential-keys: a process that reads a list shorter than one it read before', async () => {
    const h = sequential([
      [0, [['append', 'x', 1]]],
      [2, [['append', 'x', 2]]],
      [1, [['r', 'x', [1, 2]]]],
      [1, [['r', 'x', [1]]]],
    ]);
    expect((await verdict(la, h)).valid).toBe(true);
    expect((await verdict(la, h, { sequentialKeys: true })).anomalyTypes).toEqual(['cyclic-versions']);
  });

  it('sequential-keys orders appends nobody read, and explains the edges it adds', async () => {
    // Process 0 appends 1 to x, then 2 to x and 1 to z. T3 (process 1) read z = [1] and appended
    // to w, which T1 read: so T2 < T3 < T1. Nobody read x, so only the assumption that x is
    // sequentially consistent orders T1's append of x before T2's, closing a G1c cycle.
    const b = new HistoryBuilder();
    b.invoke(0, 'txn', [['append', 'x', 1], ['r', 'w', null]]).invoke(1, 'txn', [['r', 'z', null], ['append', 'w', 1]]);
    b.ok(0, [['append', 'x', 1], ['r', 'w', [1]]]);
    b.invoke(0, 'txn', [['append', 'x', 2], ['append', 'z', 1]]).ok(0);
    b.ok(1, [['r', 'z', [1]], ['append', 'w', 1]]);
    const h = b.build();
    expect((await verdict(la, h)).valid).toBe(true);
    const r = await verdict(la, h, { sequentialKeys: true });
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual(['G1c']);
    const c = r.anomalies!['G1c']![0] as { steps: { type: string; key: unknown; value: unknown; "value'": unknown }[]; explanation: string };
    expect(c.steps).toContainEqual(expect.objectContaining({ type: 'ww', key: 'x', value: 1, "value'": 2 }));
    expect(c.explanation).toContain('appended 2 after');
  });

  it('wfr-keys adds nothing the lists do not show: a read state always precedes the append after it', async () => {
    const h = concurrent([
      [0, [['r', 'x', [1]], ['append', 'x', 2]]],
      [1, [['append', 'x', 1]]],
      [2, [['r', 'x', [1, 2]]]],
    ]);
    expect(await verdict(la, h, { wfrKeys: true })).toMatchObject({ valid: true });
  });

  it('an ok read of nil is the empty list', async () => {
    const withNil = sequential([
      [0, [['append', 'x', 1]]],
      [1, [['r', 'x', null]]],
    ]);
    const r = await verdict((o) => listAppend(o), withNil);
    expect(r.anomalyTypes).toEqual(['G-single-item-realtime']);
    const withEmpty = sequential([
      [0, [['append', 'x', 1]]],
      [1, [['r', 'x', []]]],
    ]);
    expect((await verdict((o) => listAppend(o), withEmpty)).anomalyTypes).toEqual(r.anomalyTypes);
  });
});

describe('options from --opt flags', () => {
  const la = BUILTIN_CHECKERS.find((d) => d.name === 'list-append')!;
  const rw = BUILTIN_CHECKERS.find((d) => d.name === 'rw-register')!;
  const parse = (d: typeof la, flags: Record<string, string>) => parseOwnOptions(flags, { part: d.name, prefix: d.name, schema: d.options ?? {} });

  it('reads Elle names, with or without the trailing ?, and the prefixed keys', () => {
    expect(parse(la, { 'linearizable-keys': 'true', 'wfr-keys?': 'false' })).toEqual({ 'linearizable-keys': true, 'sequential-keys': false, 'wfr-keys': false });
    expect(parse(rw, { 'rw-register.sequential-keys': 'true', 'garbage-reads': 'true' })).toMatchObject({ 'sequential-keys': true, 'garbage-reads': true });
    expect(() => parse(la, { 'garbage-reads': 'true' })).toThrow(/unknown option --opt garbage-reads/);
  });

  it('refuses anything but true or false', () => {
    fc.assert(
      fc.property(fc.string().filter((s) => !['true', 'false', '1', '0'].includes(s)), (text) => {
        expect(() => parse(rw, { 'linearizable-keys': text })).toThrow(UsageError);
      }),
    );
  });
});
