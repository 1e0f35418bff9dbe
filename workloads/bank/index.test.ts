// Tests for the bank workload's op generation.
import { describe, expect, it } from 'vitest';
import { makeRng } from '../../src/generator/rng.ts';
import { HistoryBuilder } from '../../src/inprocess/history-builder.ts';
import { bankOp, bankWorkload } from './index.ts';

describe('bank workload', () => {
  it('transfers a positive amount between two different known accounts', () => {
    const rng = makeRng(1);
    const accounts = [10, 20, 30];
    const transfers = Array.from({ length: 300 }, () => bankOp(rng, { accounts, maxTransfer: 4 })).filter((o) => o.f === 'transfer');
    expect(transfers.length).toBeGreaterThan(100);
    for (const t of transfers) {
      const { from, to, amount } = t.value as { from: number; to: number; amount: number };
      expect(accounts).toContain(from);
      expect(accounts).toContain(to);
      expect(from).not.toBe(to);
      expect(amount).toBeGreaterThanOrEqual(1);
      expect(amount).toBeLessThanOrEqual(4);
    }
  });

  it('as a Workload: the checker expects accounts x initial balance', async () => {
    const w = bankWorkload({ accounts: [1, 2], initialBalance: 7 });
    const read = (balances: object) => new HistoryBuilder().op(0, 'read', null, 'ok', balances).build();
    expect((await w.checker.check(read({ 1: 10, 2: 4 }), {})).valid).toBe(true);
    expect((await w.checker.check(read({ 1: 10, 2: 5 }), {})).valid).toBe(false);
  });
});
