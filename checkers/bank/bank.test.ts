// Tests for the bank checker: totals, negative and missing balances, inference, simulated stores.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HistoryBuilder } from '../../src/inprocess/history-builder.ts';
import { runClients } from '../../src/inprocess/client-histories.ts';
import { bankStore, type BankFlaw } from '../../src/inprocess/bank-store.ts';
import { bankFinalOps, bankOp, DEFAULT_ACCOUNTS } from '../../workloads/bank/index.ts';
import { bank } from './bank.ts';

const opts = { accounts: DEFAULT_ACCOUNTS, total: 50 };

function run(seed: number, flaw?: BankFlaw) {
  return runClients({ seed, store: bankStore(DEFAULT_ACCOUNTS, 10, flaw), threads: 5, nodes: ['n1'], infoRate: 0.05, ops: 300, nextOp: (rng) => bankOp(rng), final: bankFinalOps });
}

describe('bank', () => {
  it('accepts reads that conserve the total and plots it', async () => {
    const h = new HistoryBuilder().op(0, 'transfer', { from: 0, to: 1, amount: 5 }).op(1, 'read', null, 'ok', { 0: 5, 1: 15 }).build();
    const r = await bank({ accounts: [0, 1], total: 20 }).check(h);
    expect(r).toMatchObject({ valid: true, reads: 1, errorCount: 0, totals: [[4, 20]] });
  });

  it('reports wrong totals, negative values, missing balances and unexpected accounts', async () => {
    const h = new HistoryBuilder()
      .op(1, 'read', null, 'ok', { 0: 25, 1: -5 })
      .op(1, 'read', null, 'ok', { 0: 20, 1: null, 2: 0 })
      .build();
    const r = await bank({ accounts: [0, 1], total: 20 }).check(h);
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual(['negative-value', 'nil-balance', 'unexpected-key']);
    expect(r.errors).toEqual([
      { kind: 'negative-value', index: 1, account: '1', balance: -5 },
      { kind: 'unexpected-key', index: 3, account: '2' },
      { kind: 'nil-balance', index: 3, account: '1', balance: null },
    ]);
    expect(r['anomalyCounts']).toEqual({ 'negative-value': 1, 'unexpected-key': 1, 'nil-balance': 1 });
    const wrong = await bank({ accounts: [0, 1], total: 30 }).check(h);
    expect(wrong.anomalyTypes).toContain('wrong-total');
  });

  it('takes accounts and total from the options, or infers them', async () => {
    const h = new HistoryBuilder().op(1, 'read', null, 'ok', { a: 3, b: 7 }).op(1, 'read', null, 'ok', { a: 3, b: 7 }).op(1, 'read', null, 'ok', { a: 3, b: 8 }).build();
    const given = await bank({ accounts: ['a', 'b'], total: 11 }).check(h);
    expect(given).toMatchObject({ valid: false, total: 11, errorCount: 2 });
    const inferred = await bank().check(h);
    expect(inferred).toMatchObject({ valid: false, total: 10, inferred: ['accounts', 'total'], errors: [{ kind: 'wrong-total', index: 5, total: 11, expected: 10 }] });
  });

  it('allows negative balances when asked', async () => {
    const h = new HistoryBuilder().op(1, 'read', null, 'ok', { 0: 25, 1: -5 }).build();
    expect((await bank({ accounts: [0, 1], total: 20, negativeBalances: true }).check(h)).valid).toBe(true);
  });

  it('rejects malformed transfers and reads with the op index', () => {
    expect(() => bank(opts).check(new HistoryBuilder().op(0, 'transfer', { from: 0, to: 1, amount: -1 }).build())).toThrow(/op 0: transfer value/);
    expect(() => bank(opts).check(new HistoryBuilder().op(0, 'read', null, 'ok', [1, 2]).build())).toThrow(/op 1: ok read must return an object/);
  });

  it('thins the totals plot but keeps wrong totals', async () => {
    const b = new HistoryBuilder();
    for (let i = 0; i < 100; i++) b.op(0, 'read', null, 'ok', { 0: i === 51 ? 9 : 10 });
    const r = await bank({ accounts: [0], total: 10, maxPlotPoints: 10 }).check(b.build());
    const totals = r.totals as Array<[number, number]>;
    // An even sample of 5 to 10 points (the stride a power of two), plus the wrong total.
    const sampled = totals.filter(([, t]) => t === 10);
    expect(sampled.length).toBeGreaterThanOrEqual(5);
    expect(sampled.length).toBeLessThanOrEqual(10);
    const gaps = new Set(sampled.slice(1).map(([ms], i) => Math.round(ms - sampled[i]![0])));
    expect(gaps.size).toBe(1);
    expect(totals.filter(([, t]) => t === 9)).toHaveLength(1);
  });

  it('property: atomic transfers always pass', () => {
    fc.assert(fc.property(fc.integer(), (seed) => bank(opts).check(run(seed)).valid === true), { numRuns: 30 });
  });

  it('end to end: torn transfers break the total, overdrafts go negative', async () => {
    for (const seed of [1, 2, 3]) {
      expect((await bank(opts).check(run(seed, 'torn-transfers'))).anomalyTypes).toEqual(['wrong-total']);
      expect((await bank(opts).check(run(seed, 'overdraft'))).anomalyTypes).toEqual(['negative-value']);
    }
  });
});
