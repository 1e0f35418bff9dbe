// Tests for the stale-reads checker: versions and milliseconds behind, keyed registers, stores.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHistory } from '../../src/history/importers/index.ts';
import fc from 'fast-check';
import { HistoryBuilder } from '../../src/inprocess/history-builder.ts';
import { runClients } from '../../src/inprocess/client-histories.ts';
import { registerStore, type RegisterFlaw } from '../../src/inprocess/register-store.ts';
import { registerOp } from '../../workloads/register/index.ts';
import { staleReads } from './stale-reads.ts';

const NODES = ['n1', 'n2', 'n3'];
const CORPUS = path.resolve(import.meta.dirname, '../../../shared/corpus');

/** Files (present on disk) whose EXPECTED.tsv verdict is ok for a cas-register model. */
function linearizableCasRegisters(folder: string, dataDir: string): string[] {
  const tsv = path.join(CORPUS, folder, 'EXPECTED.tsv');
  if (!existsSync(tsv)) return [];
  return readFileSync(tsv, 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t'))
    .filter((cols) => cols[1]?.includes('cas-register') && cols[cols.length - 1] === 'ok')
    .map((cols) => path.join(CORPUS, folder, dataDir, cols[0]!))
    .filter((file) => existsSync(file));
}

function run(seed: number, keys: number, flaw?: RegisterFlaw) {
  return runClients({ seed, store: registerStore(flaw), threads: 4, nodes: NODES, switchNodeRate: 0.3, infoRate: 0.05, ops: 300, nextOp: (rng, n) => registerOp(rng, n, { keys }) });
}

describe('staleReads', () => {
  it('measures a read that returned an overwritten value, in versions and milliseconds', async () => {
    const b = new HistoryBuilder().op(0, 'write', 1).op(0, 'write', 2).op(0, 'cas', [2, 3]).wait(10).op(1, 'read', null, 'ok', 1);
    const r = await staleReads().check(b.build());
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual(['stale-read']);
    // write 2 completed at 4 ms, the read began at 17 ms; writes 2 and cas 3 superseded 1
    expect(r).toMatchObject({ reads: 1, staleCount: 1, byVersions: { 2: 1 }, worst: [{ index: 7, value: 1, versions: 2, staleMs: 13, writeIndex: 0, supersededBy: 2 }] });
    expect(r.staleness).toMatchObject({ count: 1, quantilesMs: { '1': 13 } });
  });

  it('names the node that answered a stale read, its invocation and the first write it missed', async () => {
    const b = new HistoryBuilder().op(0, 'write', 1).op(0, 'write', 2).op(0, 'cas', [2, 3]).wait(10).invoke(1, 'read', null, { node: 'n1' }).ok(1, 1, { node: 'n3' });
    b.op(2, 'read', null, 'ok', 9).op(2, 'read', null, 'ok', 2);
    const r = await staleReads().check(b.build());
    // Stalest first: the read of 2 (op 11) came later than the read of 1 (op 7).
    expect(r['worst']).toEqual([
      expect.objectContaining({ index: 11, node: null, value: 2, supersededBy: 4, missedValue: 3 }),
      { index: 7, invokeIndex: 6, node: 'n3', key: null, value: 1, versions: 2, staleMs: 13, writeIndex: 0, supersededBy: 2, missedValue: 2 },
    ]);
    expect(r['anomalyCounts']).toEqual({ 'stale-read': 2, 'unexpected-value': 1 });
  });

  it('does not count writes concurrent with the read or with the value read', async () => {
    const b = new HistoryBuilder().invoke(0, 'write', 1).invoke(2, 'write', 2).ok(0).invoke(1, 'read').ok(2).ok(1, 1);
    b.op(3, 'write', 3, 'info').op(1, 'read', null, 'ok', 2);
    expect(await staleReads().check(b.build())).toMatchObject({ valid: true, reads: 2, staleCount: 0 });
  });

  it('treats the initial value as written before the history', async () => {
    const b = new HistoryBuilder().op(0, 'write', 5).op(1, 'read', null, 'ok', 0);
    expect(await staleReads({ initial: 0 }).check(b.build())).toMatchObject({ staleCount: 1, worst: [{ writeIndex: null, versions: 1 }] });
  });

  it('reports values nobody wrote and values from the future; skips ambiguous values', async () => {
    const b = new HistoryBuilder().op(1, 'read', null, 'ok', 9).op(1, 'read', null, 'ok', 4).op(0, 'write', 4).op(0, 'write', 7).op(0, 'write', 7, 'info').op(1, 'read', null, 'ok', 7);
    const r = await staleReads().check(b.build());
    expect(r.anomalyTypes).toEqual(['future-read', 'unexpected-value']);
    expect(r).toMatchObject({ ambiguousReads: 1, impossible: [{ kind: 'unexpected-value', index: 1, value: 9 }, { kind: 'future-read', index: 3, value: 4 }] });
  });

  it('checks keyed registers independently', async () => {
    const b = new HistoryBuilder().op(0, 'write', ['a', 1]).op(0, 'write', ['b', 2]).op(1, 'read', ['a', null], 'ok', ['a', 1]).op(0, 'cas', ['a', [1, 3]]).op(1, 'read', ['a', null], 'ok', ['a', 1]);
    expect(await staleReads().check(b.build())).toMatchObject({ reads: 2, staleCount: 1, worst: [{ key: 'a', index: 9 }] });
  });

  it('rejects malformed ops with the op index', () => {
    expect(() => staleReads().check(new HistoryBuilder().op(0, 'cas', 3).build())).toThrow(/op 0: cas value must be/);
    expect(() => staleReads().check(new HistoryBuilder().op(0, 'read', ['a', null], 'ok', 3).build())).toThrow(/op 1: ok read must return a value as \[k, v\]/);
  });

  it('finds no stale read in the linearizable cas-register histories of the corpus', async (ctx) => {
    const knossos = linearizableCasRegisters('knossos', 'data');
    const etcd = linearizableCasRegisters('porcupine', '');
    if (knossos.length + etcd.length === 0) return ctx.skip(`corpus not found under ${CORPUS}`);
    for (const file of knossos) {
      const r = await staleReads({ initial: 0, nilReadsUnknown: true }).check((await loadHistory(file)).history);
      expect([file, r.valid, r.anomalyTypes]).toEqual([file, true, undefined]);
    }
    for (const file of etcd) {
      const r = await staleReads().check((await loadHistory(file)).history);
      expect([file, r.valid, r.anomalyTypes]).toEqual([file, true, undefined]);
    }
    expect(knossos.length).toBeGreaterThan(100);
  });

  it('property: a linearizable register never reads stale', () => {
    fc.assert(fc.property(fc.integer(), fc.constantFrom(0, 3), (seed, keys) => staleReads().check(run(seed, keys)).valid === true), { numRuns: 30 });
  });

  it('end to end: follower reads are stale, with a distribution of how stale', async () => {
    for (const seed of [1, 2, 3]) {
      const r = await staleReads().check(run(seed, 0, 'follower-reads'));
      expect(r.anomalyTypes).toEqual(['stale-read']);
      const total = Object.values(r.byVersions as Record<string, number>).reduce((a, b) => a + b, 0);
      expect(total).toBe(r.staleCount);
      expect((r.staleness as { count: number }).count).toBe(r.staleCount);
    }
  });
});
