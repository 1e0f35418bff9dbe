// Tests for compose, budgets, stats, unhandled-errors and perf.
import { describe, expect, it } from 'vitest';
import type { Checker } from '../src/core/checker.ts';
import type { Op } from '../src/core/op.ts';
import { compose, NO_EVIDENCE } from './compose.ts';
import { HistoryBuilder } from '../src/inprocess/history-builder.ts';
import { runWithBudget } from './budget.ts';
import { stats } from './stats.ts';
import { unhandledErrors } from './unhandled-errors.ts';
import { perf, summarize } from './perf.ts';

function op(index: number, process: number, type: Op['type'], f: string, extra: Partial<Op> = {}): Op {
  return { index, time: index * 1e6, process, type, f, value: null, ...extra };
}
const fixed = (name: string, valid: true | false | 'unknown'): Checker => ({ name, check: () => ({ valid }) });

describe('compose', () => {
  // One client op that succeeded: something to judge.
  const h = new HistoryBuilder().op(0, 'read', null, 'ok', 1).build();

  it('merges false > unknown > true', async () => {
    expect((await compose([fixed('a', true), fixed('b', true)]).check(h, {})).valid).toBe(true);
    expect((await compose([fixed('a', true), fixed('b', 'unknown')]).check(h, {})).valid).toBe('unknown');
    expect((await compose([fixed('a', 'unknown'), fixed('b', false)]).check(h, {})).valid).toBe(false);
  });

  it('never says VALID over a history where no client op succeeded', async () => {
    const failed = new HistoryBuilder().op(0, 'write', 1, 'fail').op(1, 'read', null, 'info').build();
    for (const history of [[], failed]) {
      const r = await compose([fixed('a', true), { name: 'info', check: () => ({ valid: true, informational: true }) }]).check(history, {});
      expect(r.valid).toBe('unknown');
      expect(r.checkers['a']).toMatchObject({ valid: 'unknown', error: NO_EVIDENCE });
      expect(r.checkers['info']?.valid).toBe(true);
    }
    expect((await compose([fixed('a', false)]).check([], {})).valid).toBe(false);
  });

  it('turns a crashing checker into unknown and keeps the others', async () => {
    const boom: Checker = { name: 'boom', check: () => { throw new Error('kaput'); } };
    const r = await compose([boom, fixed('ok', true)]).check(h, {});
    expect(r.valid).toBe('unknown');
    expect(r.checkers['boom']?.error).toBe('boom crashed: kaput');
    expect(r.checkers['ok']?.valid).toBe(true);
  });

  it('refuses duplicate names', () => {
    expect(() => compose([fixed('a', true), fixed('a', true)])).toThrow(/two checkers are named "a"/);
  });
});

describe('budgets', () => {
  it('returns unknown with the reason when time runs out', async () => {
    const slow: Checker = {
      name: 'slow',
      check: (_h, ctx) => new Promise((resolve) => {
        ctx.signal?.addEventListener('abort', () => resolve({ valid: true }));
      }),
    };
    const r = await runWithBudget(slow, [], { budget: { timeMs: 20 } });
    expect(r).toEqual({ valid: 'unknown', error: 'slow ran out of its time budget of 20 ms' });
  });

  it('returns unknown when the heap budget is exceeded', async () => {
    const hog: Checker = {
      name: 'hog',
      async check(_h, ctx) {
        const keep: number[][] = [];
        while (!ctx.signal?.aborted) {
          keep.push(new Array(100_000).fill(1));
          await new Promise((r) => setTimeout(r, 1));
        }
        return { valid: true, kept: keep.length };
      },
    };
    const r = await runWithBudget(hog, [], { budget: { memoryMb: 1 } });
    expect(r.valid).toBe('unknown');
    expect(r.error).toMatch(/^hog exceeded its memory budget of 1 MB/);
  });
});

describe('stats', () => {
  it('counts by f and type and flags an f that never succeeded', () => {
    const h = [op(0, 0, 'invoke', 'write'), op(1, 0, 'fail', 'write'), op(2, 1, 'invoke', 'read'), op(3, 1, 'ok', 'read'), op(4, 2, 'invoke', 'read')];
    const r = stats().check(h, {}) as Record<string, unknown>;
    expect(r['valid']).toBe(false);
    expect(r['neverSucceeded']).toEqual(['write']);
    expect(r['byF']).toEqual({ write: { count: 1, ok: 0, fail: 1, info: 0 }, read: { count: 2, ok: 1, fail: 0, info: 1 } });
  });

  it('is valid when every f succeeded at least once, unknown on an empty history', () => {
    expect((stats().check([op(0, 0, 'invoke', 'read'), op(1, 0, 'ok', 'read')], {}) as { valid: unknown }).valid).toBe(true);
    expect((stats().check([], {}) as { valid: unknown }).valid).toBe('unknown');
  });
});

describe('unhandled-errors', () => {
  it('groups errors by message, most frequent first', () => {
    const h = [
      op(0, 0, 'invoke', 'read'), op(1, 0, 'info', 'read', { error: 'timeout' }),
      op(2, 1, 'invoke', 'write'), op(3, 1, 'fail', 'write', { error: 'refused' }),
      op(4, 2, 'invoke', 'write'), op(5, 2, 'info', 'write', { error: 'timeout' }),
    ];
    const r = unhandledErrors().check(h, {}) as unknown as { errors: { error: string; count: number; fs: string[] }[] };
    expect(r.errors.map((e) => [e.error, e.count, e.fs])).toEqual([['timeout', 2, ['read', 'write']], ['refused', 1, ['write']]]);
  });
});

describe('perf', () => {
  it('computes nearest-rank quantiles', () => {
    const s = summarize(Float64Array.from([1e6, 2e6, 3e6, 4e6]));
    expect(s.quantilesMs).toEqual({ '0.5': 2, '0.9': 4, '0.95': 4, '0.99': 4, '1': 4 });
    expect(s.meanMs).toBe(2.5);
  });

  it('reports latency by f and type and throughput buckets', () => {
    const h = [op(0, 0, 'invoke', 'read'), op(1, 0, 'ok', 'read'), op(2, 1, 'invoke', 'write'), op(5, 1, 'info', 'write')];
    const r = perf({ bucketSeconds: 0.002 }).check(h, {}) as Record<string, any>;
    expect(r['latency'].read.ok.quantilesMs['0.5']).toBe(1);
    expect(r['latency'].write.info.quantilesMs['1']).toBe(3);
    expect(r['throughput']).toEqual([
      { t: 0, ok: 1, fail: 0, info: 0 },
      { t: 0.002, ok: 0, fail: 0, info: 0 },
      { t: 0.004, ok: 0, fail: 0, info: 1 },
    ]);
  });
});
