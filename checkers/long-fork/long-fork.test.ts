// Tests for the long-fork checker: hand-built forks, Jepsen's own fixture, simulated stores.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HistoryBuilder } from '../../src/inprocess/history-builder.ts';
import { runClients } from '../../src/inprocess/client-histories.ts';
import { longForkStore, type LongForkFlaw } from '../../src/inprocess/long-fork-store.ts';
import { parseHistoryText } from '../../src/history/importers/index.ts';
import { longForkOp } from '../../workloads/long-fork/index.ts';
import { longFork } from './long-fork.ts';

const NODES = ['n1', 'n2', 'n3'];
const FIXTURE = path.resolve(import.meta.dirname, '../../../shared/corpus/elle/test-data/long-fork.edn');

function run(seed: number, flaw?: LongForkFlaw) {
  return runClients({ seed, store: longForkStore(flaw), threads: 5, nodes: NODES, switchNodeRate: 0.3, infoRate: 0.05, ops: 800, nextOp: (rng, n) => longForkOp(rng, n, { groupSize: 4 }) });
}

const r = (k: number, v: number | null) => ['r', k, v];

describe('longFork', () => {
  it('accepts reads that agree on the order of writes', async () => {
    const b = new HistoryBuilder().op(0, 'write', [['w', 0, 1]]).op(0, 'write', [['w', 1, 1]]);
    b.op(1, 'read', [r(0, null), r(1, null)], 'ok', [r(0, 1), r(1, null)]);
    b.op(2, 'read', [r(1, null), r(0, null)], 'ok', [r(1, 1), r(0, 1)]);
    b.op(2, 'read', [r(1, null), r(0, null)], 'ok', [r(1, null), r(0, null)]);
    const res = await longFork().check(b.build());
    expect(res).toMatchObject({ valid: true, readsCount: 3, earlyReadCount: 1, lateReadCount: 1, forkedGroups: 0 });
  });

  it('reports two reads that saw concurrent writes in opposite orders', async () => {
    const b = new HistoryBuilder().op(0, 'write', [['w', 0, 1]]).op(0, 'write', [['w', 1, 1]]);
    b.op(1, 'read', [r(0, null), r(1, null)], 'ok', [r(0, 1), r(1, null)], { node: 'n1' });
    b.op(2, 'read', [r(1, null), r(0, null)], 'ok', [r(1, 1), r(0, null)], { node: 'n2' });
    const res = await longFork().check(b.build());
    expect(res.valid).toBe(false);
    expect(res.anomalyTypes).toEqual(['long-fork']);
    expect(res['anomalyCounts']).toEqual({ 'long-fork': 1 });
    expect(res.forks).toEqual([{ keys: [0, 1], ops: [expect.objectContaining({ index: 5, node: 'n1' }), expect.objectContaining({ index: 7, node: 'n2' })] }]);
  });

  it('compares only reads of the same keys', async () => {
    const b = new HistoryBuilder().op(1, 'read', [r(0, null), r(1, null)], 'ok', [r(0, 1), r(1, null)]).op(2, 'read', [r(1, null), r(2, null)], 'ok', [r(1, 1), r(2, null)]);
    expect((await longFork().check(b.build())).valid).toBe(true);
  });

  it('handles groups wider than one 32-bit word', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => i);
    const read = (seen: number) => keys.map((k) => r(k, k === seen ? 1 : null));
    const b = new HistoryBuilder().op(1, 'read', read(-1), 'ok', read(35)).op(2, 'read', read(-1), 'ok', read(3));
    expect((await longFork().check(b.build())).forkedGroups).toBe(1);
  });

  it('rejects malformed transactions and keys written twice, naming the op', () => {
    expect(() => longFork().check(new HistoryBuilder().op(0, 'write', ['w', 0, 1]).build())).toThrow(/op 0: write value must be a list/);
    const twice = new HistoryBuilder().op(0, 'write', [['w', 0, 1]]).op(0, 'write', [['w', 0, 2]]).build();
    expect(() => longFork().check(twice)).toThrow(/op 2: key 0 is written twice/);
  });

  it("reproduces Jepsen's verdict on its long-fork fixture", async (ctx) => {
    if (!existsSync(FIXTURE)) return ctx.skip(`fixture ${FIXTURE} is absent`);
    const res = await longFork().check(parseHistoryText(readFileSync(FIXTURE, 'utf8'), FIXTURE).history);
    expect(res).toMatchObject({ valid: false, readsCount: 2, earlyReadCount: 0, lateReadCount: 0, forkedGroups: 1 });
    const [fork] = res.forks as Array<{ ops: Array<{ index: number }> }>;
    expect(fork!.ops.map((o) => o.index).sort()).toEqual([1, 3]);
  });

  it('property: a single-copy store never forks', () => {
    fc.assert(fc.property(fc.integer(), (seed) => longFork().check(run(seed)).valid === true), { numRuns: 30 });
  });

  it('end to end: replicas applying writes in arrival order fork', async () => {
    for (const seed of [1, 2, 3]) expect((await longFork().check(run(seed, 'parallel-snapshots'))).anomalyTypes).toEqual(['long-fork']);
  });
});
