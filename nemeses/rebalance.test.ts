// The rebalance nemesis: refused up front for a DB that cannot move shards; a start op asks the
// DB and answers ok (in effect), fail (refused for sure) or info (unknown); its windows count in
// fault coverage like every other kind's.
import { describe, expect, it } from 'vitest';
import type { DB } from '../src/core/db.ts';
import { UsageError } from '../src/core/errors.ts';
import type { Op } from '../src/core/op.ts';
import { runContext } from '../src/runner/context.ts';
import { faultCoverage } from './coverage.ts';
import { makeRng } from '../src/generator/rng.ts';
import { BUILTIN_NEMESES, makeNemesisPackage } from './registry.ts';
import type { RebalancingDb } from '../src/core/db.ts';

const nodes = ['n1', 'n2', 'n3'];
const plain: DB = { name: 'plain', setup: async () => {}, teardown: async () => {}, honoursFakeClock: true };

function sharded(answer: () => Promise<{ node: string; action: string; applied: boolean }>): RebalancingDb & { asked: boolean[] } {
  const asked: boolean[] = [];
  return { ...plain, name: 'sharded', asked, rebalance: (_ctx, { split }) => (asked.push(split), answer()) };
}
const run = runContext({ cluster: { nodes: [], remote: () => { throw new Error('no remotes'); } } });

describe('rebalance nemesis', () => {
  it('is refused for a DB that cannot rebalance, naming it', () => {
    expect(() => makeNemesisPackage(['rebalance'], { nodes, db: plain })).toThrow(UsageError);
    expect(() => makeNemesisPackage(['rebalance'], { nodes, db: plain })).toThrow(/db plain cannot move or split shards/);
    expect(() => makeNemesisPackage(['rebalance'], { nodes, db: null })).toThrow(/db \(none\) cannot move or split shards/);
  });

  it('asks the DB to move or split, and answers what happened', async () => {
    const db = sharded(async () => ({ node: 'n2', action: 'move 0-20 from g1 to g3', applied: true }));
    const pkg = makeNemesisPackage(['rebalance'], { nodes, db, options: { rebalance: { 'split-ratio': 1 } } })!;
    const signal = new AbortController().signal;
    expect(await pkg.nemesis.invoke(run, { f: 'start-rebalance', value: { split: true } }, { signal })).toEqual({
      type: 'ok',
      value: { nodes: ['n2'], action: 'move 0-20 from g1 to g3' },
    });
    expect(db.asked).toEqual([true]);
    expect((await pkg.nemesis.invoke(run, { f: 'stop-rebalance', value: null }, { signal })).type).toBe('ok');

    const refused = makeNemesisPackage(['rebalance'], { nodes, db: sharded(async () => ({ node: 'n1', action: 'every node refused', applied: false })) })!;
    expect((await refused.nemesis.invoke(run, { f: 'start-rebalance', value: {} }, { signal })).type).toBe('fail');
    const unknown = makeNemesisPackage(['rebalance'], { nodes, db: sharded(() => Promise.reject(new Error('timed out'))) })!;
    expect(await unknown.nemesis.invoke(run, { f: 'start-rebalance', value: {} }, { signal })).toMatchObject({ type: 'info', error: 'timed out' });
  });

  it('draws splits at the configured ratio', () => {
    const def = BUILTIN_NEMESES.find(d => d.name === 'rebalance')!;
    const db = sharded(async () => ({ node: 'n1', action: 'x', applied: true }));
    const test = { name: 't', nodes, concurrency: 1, timeLimitS: 1, opTimeoutMs: 1000, seed: 1, options: {} };
    const draws = (ratio: number): unknown[] => {
      const kind = def.create({ options: { 'split-ratio': ratio }, test, db, provider: { name: 'local', inProcess: false }, targets: ['one'], rng: makeRng(1) });
      const rng = makeRng(2);
      return Array.from({ length: 200 }, () => (kind.start(rng).value as { split: boolean }).split);
    };
    expect(draws(0).every(s => s === false)).toBe(true);
    expect(draws(1).every(s => s === true)).toBe(true);
    const some = draws(0.3).filter(Boolean).length;
    expect(some).toBeGreaterThan(20);
    expect(some).toBeLessThan(100);
  });

  it('counts its windows in fault coverage', () => {
    const pkg = makeNemesisPackage(['rebalance'], { nodes, db: sharded(async () => ({ node: 'n1', action: 'x', applied: true })) })!;
    const ms = 1_000_000;
    const h: Op[] = [
      { index: 0, time: 0, process: 'nemesis', type: 'invoke', f: 'start-rebalance', value: { split: false } },
      { index: 1, time: 1 * ms, process: 'nemesis', type: 'ok', f: 'start-rebalance', value: { nodes: ['n2'], action: 'move' } },
      { index: 2, time: 2 * ms, process: 0, type: 'invoke', f: 'txn', value: [] },
      { index: 3, time: 3 * ms, process: 0, type: 'ok', f: 'txn', value: [] },
      { index: 4, time: 4 * ms, process: 'nemesis', type: 'invoke', f: 'stop-rebalance', value: null },
      { index: 5, time: 5 * ms, process: 'nemesis', type: 'ok', f: 'stop-rebalance', value: 'moves finish on their own' },
    ];
    const cov = faultCoverage(h, pkg.styles);
    expect(cov.kinds.rebalance).toMatchObject({ windows: 1, overlappingOps: 1 });
    expect(cov.rows[0]).toMatchObject({ kind: 'rebalance', target: 'n2' });
  });
});
