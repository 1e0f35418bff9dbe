// Tests for the unique-ids checker: hand-built histories, a correct generator, a flawed one.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HistoryBuilder } from '../../src/inprocess/history-builder.ts';
import { runClients } from '../../src/inprocess/client-histories.ts';
import { uniqueIdsStore } from '../../src/inprocess/unique-ids-store.ts';
import { uniqueIdsOp } from '../../workloads/unique-ids/index.ts';
import { uniqueIds } from './unique-ids.ts';

const NODES = ['n1', 'n2', 'n3'];

function run(seed: number, flawed: boolean) {
  return runClients({ seed, store: uniqueIdsStore(flawed ? 'node-local-counter' : undefined), threads: 4, nodes: NODES, switchNodeRate: 0.3, infoRate: 0.05, ops: 200, nextOp: uniqueIdsOp });
}

describe('uniqueIds', () => {
  it('accepts distinct ids and reports the numeric range', async () => {
    const h = new HistoryBuilder().op(0, 'generate', null, 'ok', 3).op(1, 'generate', null, 'ok', 1).op(0, 'generate', null, 'info').build();
    const r = await uniqueIds().check(h);
    expect(r).toMatchObject({ valid: true, attempted: 3, acknowledged: 2, duplicatedCount: 0, range: [1, 3] });
  });

  it('reports a duplicated id with the two ops that returned it', async () => {
    const h = new HistoryBuilder()
      .op(0, 'generate', null, 'ok', 'a')
      .op(1, 'generate', null, 'ok', { n: 1 })
      .op(0, 'generate', null, 'ok', 'a')
      .op(1, 'generate', null, 'ok', { n: 1 })
      .op(2, 'generate', null, 'ok', '{"n":1}')
      .build();
    const r = await uniqueIds().check(h);
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual(['duplicated']);
    expect(r.duplicated).toEqual([
      { id: 'a', count: 2, ops: [1, 5] },
      { id: { n: 1 }, count: 2, ops: [3, 7] },
    ]);
  });

  it('rejects an ok generate without an id, naming the op', () => {
    const h = new HistoryBuilder().op(0, 'generate', null, 'ok', null).build();
    expect(() => uniqueIds().check(h)).toThrow(/op 1: .*no id/);
  });

  it('property: a correct generator always passes', () => {
    fc.assert(fc.property(fc.integer(), (seed) => uniqueIds().check(run(seed, false)).valid === true), { numRuns: 30 });
  });

  it('end to end: node-local counters hand out duplicates', async () => {
    for (const seed of [1, 2, 3]) {
      const r = await uniqueIds().check(run(seed, true));
      expect(r.valid).toBe(false);
      expect(r.anomalyTypes).toEqual(['duplicated']);
    }
  });
});
