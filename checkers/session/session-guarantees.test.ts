// Tests for the session-guarantee checker: each guarantee on hand-built histories, simulated stores.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HistoryBuilder } from '../../src/inprocess/history-builder.ts';
import { runClients } from '../../src/inprocess/client-histories.ts';
import { keyedSetStore, type KeyedSetFlaw } from '../../src/inprocess/keyed-set-store.ts';
import { sessionOp } from '../../workloads/session/index.ts';
import { sessionGuarantees, type SessionViolation } from './session-guarantees.ts';

const NODES = ['n1', 'n2', 'n3'];
const on = (node: string) => ({ node });

function run(seed: number, flaw?: KeyedSetFlaw) {
  return runClients({ seed, store: keyedSetStore(flaw), threads: 4, nodes: NODES, switchNodeRate: 0.5, infoRate: 0.05, ops: 400, nextOp: (rng, n) => sessionOp(rng, n, { opsPerGroup: 100 }) });
}

async function violations(b: HistoryBuilder, opts = {}): Promise<{ valid: unknown; anomalyTypes?: string[]; violations: SessionViolation[] }> {
  return (await sessionGuarantees(opts).check(b.build())) as never;
}

describe('sessionGuarantees', () => {
  it('accepts a session that moves between nodes and still sees its writes', async () => {
    const b = new HistoryBuilder().op(0, 'write', ['x', 1], 'ok', undefined, on('n1')).op(0, 'read', ['x', null], 'ok', ['x', [1]], on('n2'));
    const r = await sessionGuarantees().check(b.build());
    expect(r).toMatchObject({ valid: true, sessions: 1, sessionsOnSeveralNodes: 1, reads: 1, writes: 1 });
  });

  it('read-your-writes: the write and the read that missed it, with their nodes', async () => {
    const b = new HistoryBuilder().op(0, 'write', ['x', 1], 'ok', undefined, on('n1')).op(0, 'read', ['x', null], 'ok', ['x', []], on('n2'));
    const r = await violations(b);
    expect(r.anomalyTypes).toEqual(['read-your-writes']);
    expect(r.violations).toEqual([
      { type: 'read-your-writes', key: 'x', value: 1, ops: [{ index: 0, process: 0, node: 'n1', f: 'write', value: ['x', 1] }, { index: 3, process: 0, node: 'n2', f: 'read' }] },
    ]);
  });

  it('monotonic-reads: a later read of the session lost a value', async () => {
    const b = new HistoryBuilder().op(0, 'write', ['x', 1]).op(1, 'read', ['x', null], 'ok', ['x', [1]], on('n1')).op(1, 'read', ['x', null], 'ok', ['x', []], on('n2'));
    const r = await violations(b);
    expect(r.anomalyTypes).toEqual(['monotonic-reads']);
    expect(r.violations[0]).toMatchObject({ value: 1, ops: [{ index: 3, node: 'n1' }, { index: 5, node: 'n2' }] });
  });

  it('monotonic-writes: a read sees a later write of a session without an earlier one', async () => {
    const b = new HistoryBuilder().op(0, 'write', ['x', 1]).op(0, 'write', ['x', 2]).op(1, 'read', ['x', null], 'ok', ['x', [2]]);
    const r = await violations(b);
    expect(r.anomalyTypes).toEqual(['monotonic-writes']);
    expect(r.violations[0]).toMatchObject({ value: 1, ops: [{ index: 0 }, { index: 2 }], read: { index: 5 } });
  });

  it('monotonic-writes skips failed writes', async () => {
    const b = new HistoryBuilder().op(0, 'write', ['x', 1], 'fail').op(0, 'write', ['x', 2]).op(1, 'read', ['x', null], 'ok', ['x', [2]]);
    expect((await violations(b)).valid).toBe(true);
  });

  it('writes-follow-reads: a read sees a write without what its writer had read', async () => {
    const b = new HistoryBuilder()
      .op(0, 'write', ['x', 1])
      .op(1, 'read', ['x', null], 'ok', ['x', [1]])
      .op(1, 'write', ['x', 2])
      .op(2, 'read', ['x', null], 'ok', ['x', [2]]);
    const r = await violations(b);
    expect(r.anomalyTypes).toEqual(['writes-follow-reads']);
    expect(r.violations[0]).toMatchObject({ value: 1, ops: [{ index: 3, f: 'read' }, { index: 4, f: 'write' }], read: { index: 7 } });
  });

  it('checks only the requested guarantees', async () => {
    const b = new HistoryBuilder().op(0, 'write', ['x', 1]).op(1, 'read', ['x', null], 'ok', ['x', [1]]).op(1, 'read', ['x', null], 'ok', ['x', []]);
    expect((await violations(b, { guarantees: ['read-your-writes'] })).valid).toBe(true);
  });

  it('reports thin-air and aborted reads', async () => {
    const b = new HistoryBuilder().op(0, 'write', ['x', 1], 'fail').op(1, 'read', ['x', null], 'ok', ['x', [1, 9]]);
    const r = await sessionGuarantees().check(b.build());
    expect(r).toMatchObject({ valid: false, anomalyTypes: ['aborted-read', 'thin-air-read'], thinAir: [{ read: 3, key: 'x', value: 9 }], aborted: [{ read: 3, write: 0, value: 1 }] });
  });

  it('rejects malformed or repeated writes with the op index', () => {
    expect(() => sessionGuarantees().check(new HistoryBuilder().op(0, 'write', 5).build())).toThrow(/op 0: write value must be \[key, value\]/);
    expect(() => sessionGuarantees().check(new HistoryBuilder().op(0, 'write', ['x', 1]).op(1, 'write', ['x', 1]).build())).toThrow(/op 2: value 1 is written to key "x" twice/);
  });

  it('property: a linearizable store gives every session all four guarantees', () => {
    fc.assert(fc.property(fc.integer(), (seed) => sessionGuarantees().check(run(seed)).valid === true), { numRuns: 30 });
  });

  it('end to end: asynchronous replicas break the guarantees of sessions that move between nodes', async () => {
    const seen = new Set<string>();
    for (const seed of [1, 2, 3, 4]) {
      const r = await sessionGuarantees().check(run(seed, 'async-replicas'));
      expect(r.valid).toBe(false);
      expect(r.anomalyTypes).toEqual(expect.arrayContaining(['read-your-writes', 'monotonic-reads']));
      for (const t of r.anomalyTypes ?? []) seen.add(t);
      for (const v of r.violations as SessionViolation[]) expect(v.ops[0].index).toBeLessThan(v.ops[1].index);
    }
    expect([...seen].sort()).toEqual(['monotonic-reads', 'monotonic-writes', 'read-your-writes', 'writes-follow-reads']);
  });
});
