// Unit tests of the transactional checkers: the model lattice, input errors, explanations and the
// cycle graph, info/fail handling, and the work budget.
import { describe, expect, it } from 'vitest';
import { HistoryError, UsageError } from '../../src/core/errors.ts';
import type { History } from '../../src/core/op.ts';
import { HistoryBuilder } from '../../src/inprocess/history-builder.ts';
import { listAppend, rwRegister } from './index.ts';
import { boundary, strongestPossibleModels } from './model.ts';

type Mops = unknown[][];
const blank = (m: Mops): Mops => m.map(([f, k, v]) => (f === 'r' ? [f, k, null] : [f, k, v]));

/** Txns as [process, completed mops, type]; consecutive entries with `concurrent` overlap. */
function txns(list: [number, Mops, ('ok' | 'fail' | 'info')?][], concurrent = false): History {
  const b = new HistoryBuilder();
  if (concurrent) {
    for (const [p, m] of list) b.invoke(p, 'txn', blank(m));
    for (const [p, m, t] of list) (t === 'fail' ? b.fail(p, m) : t === 'info' ? b.info(p, m) : b.ok(p, m));
  } else {
    for (const [p, m, t] of list) b.invoke(p, 'txn', blank(m))[t ?? 'ok'](p, m);
  }
  return b.build();
}

describe('model lattice', () => {
  it('gives the weakest models ruled out and the stronger ones', () => {
    expect(boundary(['G1c'])).toMatchObject({ not: ['read-committed'] });
    expect(boundary(['G2-item']).not).toEqual(['repeatable-read']);
    expect(boundary(['G2-item']).alsoNot).toEqual(['serializable', 'strong-serializable', 'strong-session-serializable']);
    expect(boundary(['G-single-item-realtime'])).toEqual({ not: ['strong-snapshot-isolation'], alsoNot: ['strong-serializable'] });
    expect(boundary([])).toEqual({ not: [], alsoNot: [] });
  });

  it('names the strongest models a history still allows', () => {
    expect(strongestPossibleModels([])).toEqual(['strong-serializable']);
    const afterSkew = strongestPossibleModels(['G2-item']);
    expect(afterSkew).toContain('strong-snapshot-isolation');
    expect(afterSkew).not.toContain('serializable');
    expect(strongestPossibleModels(['G0'])).toEqual([]);
  });

  it('rejects unknown models and anomalies', () => {
    expect(() => listAppend({ consistencyModels: ['serialisable'] })).toThrow(UsageError);
    expect(() => rwRegister({ anomalies: ['G3'] })).toThrow(/unknown anomaly G3/);
    expect(() => listAppend({ anomalies: ['G1c'], consistencyModels: ['snapshot-isolation'] })).not.toThrow();
  });

  it('fails a history on an anomaly asked for even when the models allow it', async () => {
    const skew = txns(
      [
        [0, [['append', 1, 1], ['r', 2, []]]],
        [1, [['append', 2, 1], ['r', 1, []]]],
      ],
      true,
    );
    expect((await listAppend({ consistencyModels: ['snapshot-isolation'] }).check(skew, {})).valid).toBe(true);
    const r = await listAppend({ consistencyModels: ['snapshot-isolation'], anomalies: ['G2-item'] }).check(skew, {});
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual(['G2-item']);
  });
});

describe('bad input', () => {
  const check = (value: unknown) => () => listAppend().check(txns([[0, value as Mops]]), {});
  it('names the op for a non-list read', () => {
    expect(check([['r', 1, 5]])).toThrow(HistoryError);
    expect(check([['r', 1, 5]])).toThrow(/^op 1: micro-op 0 reads key 1 as 5; list-append reads must be lists/);
  });
  it('names the op for a malformed micro-op and an unknown f', () => {
    expect(check([['append', 1]])).toThrow(/^op 1: micro-op 0 must be \[f, key, value\]/);
    expect(check([['w', 1, 2]])).toThrow(/^op 1: micro-op 0 has f "w"; list-append allows only append and r/);
    const scalar = new HistoryBuilder().invoke(0, 'txn', 'x').ok(0).build();
    expect(() => listAppend().check(scalar, {})).toThrow(/^op 1: a list-append op's value must be a list of micro-ops/);
  });
  it('rejects mixed key types with the op at fault', () => {
    const h = txns([
      [0, [['append', 1, 1]]],
      [0, [['append', 'a', 1]]],
    ]);
    expect(() => listAppend().check(h, {})).toThrow(/^op 3: micro-op 0 has string key "a" but keys before it are numbers \(first at op 1\)/);
  });
  it('reports duplicate appends and non-unique writes as input-contract violations', async () => {
    const la = await listAppend().check(txns([[0, [['append', 1, 1]]], [1, [['append', 1, 1]]]]), {});
    expect(la.valid).toBe('unknown');
    expect(la.anomalyTypes).toBeUndefined();
    expect(la.inputContract).toMatchObject({ type: 'duplicate-appends', key: 1, value: 1 });
    const rw = await rwRegister().check(txns([[0, [['w', 1, 1]]], [1, [['w', 1, 1]]]]), {});
    expect(rw.inputContract).toMatchObject({ type: 'duplicate-writes' });
    expect(rw.error).toMatch(/key 1 was set to 1 by more than one transaction/);
  });
});

describe('explanations', () => {
  it('explains every edge of a G1c cycle and gives it as a graph', async () => {
    const h = txns(
      [
        [0, [['append', 'x', 1], ['r', 'y', [1]]]],
        [1, [['append', 'y', 1], ['r', 'x', [1]]]],
      ],
      true,
    );
    const r = await listAppend({ consistencyModels: ['serializable'] }).check(h, {});
    expect(r.anomalyTypes).toEqual(['G1c']);
    const c = (r.anomalies as Record<string, { explanation: string; graph: { nodes: unknown[]; edges: { type: string; explanation: string }[] } }[]>).G1c![0]!;
    expect(c.explanation).toMatch(/T1 < T2, because T2 observed T1's append of 1 to key "[xy]"\.\n/);
    expect(c.explanation).toMatch(/However, T2 < T1, because T1 observed T2's append of 1 to key "[xy]": a contradiction!$/);
    expect(c.graph.nodes).toHaveLength(2);
    expect(c.graph.nodes[0]).toMatchObject({ id: 'T1', process: expect.any(Number), invokeIndex: expect.any(Number) });
    expect(c.graph.edges.map((e) => e.type)).toEqual(['wr', 'wr']);
  });

  it('explains realtime and initial-state rw edges in words', async () => {
    const h = txns([
      [0, [['append', 5, 1]]],
      [1, [['r', 5, []]]],
    ]);
    const r = await listAppend().check(h, {});
    expect(r.anomalyTypes).toEqual(['G-single-item-realtime']);
    const text = (r.anomalies as Record<string, { explanation: string }[]>)['G-single-item-realtime']![0]!.explanation;
    expect(text).toContain('completed at index 1, 0.001 seconds before the invocation of');
    expect(text).toContain('observed the initial (nil) state of 5, which');
  });
});

describe('info and fail transactions', () => {
  it('counts the writes of info txns but not their unknown reads', async () => {
    // The info append of 2 is seen after 1; the info read learned nothing and adds no edge.
    const h = txns([
      [0, [['append', 1, 1]]],
      [1, [['append', 1, 2], ['r', 2, null]], 'info'],
      [2, [['r', 1, [1, 2]]]],
    ]);
    const r = await listAppend().check(h, {});
    expect(r.valid).toBe(true);
    expect((r.stats as { edges: number }).edges).toBeGreaterThan(0);
  });

  it('a completion without a value: info and fail repeat the invocation, ok is an empty txn', async () => {
    // Jepsen completions usually repeat the invoked value; when an info one has none, its
    // invocation says what may have happened, so the append read later is no garbage.
    const b = new HistoryBuilder().invoke(0, 'txn', [['append', 1, 1]]).info(0, null);
    b.invoke(1, 'txn', [['r', 1, null]]).ok(1, [['r', 1, [1]]]);
    b.invoke(2, 'txn', [['r', 1, null]]).ok(2, null);
    const r = await listAppend().check(b.build(), {});
    expect(r).toMatchObject({ valid: true, stats: { txns: 3 } });
  });

  it('a failed append read by anyone is an aborted read, not a dependency', async () => {
    const r = await listAppend().check(txns([[0, [['append', 1, 1]], 'fail'], [1, [['r', 1, [1]]]]]), {});
    expect(r.anomalyTypes).toEqual(['G1a', 'empty-transaction-graph']);
    expect(r.valid).toBe(false);
  });
});

describe('work budget', () => {
  it('reports cycle-search-timeout when the budget runs out, keeping the existence proofs', async () => {
    const h = txns(
      [
        [0, [['append', 1, 1], ['r', 2, []]]],
        [1, [['append', 2, 1], ['r', 1, []]]],
      ],
      true,
    );
    const full = await listAppend().check(h, {});
    expect(full.anomalyTypes).toEqual(['G2-item']);
    const starved = await listAppend({ budget: { edgeVisits: 0 } }).check(h, {});
    expect(starved.anomalyTypes).toEqual(['PL-2.99-cycle-exists', 'cycle-search-timeout']);
    expect(starved.not).toEqual(['repeatable-read']);
  });
});
