/**
 * In-process bank stores for the bank workload (`transfer {from, to, amount}` / `read` →
 * balances), one copy on the primary. The correct store applies each transfer atomically and
 * refuses overdrafts (fail). Flaws: `torn-transfers` debits at once but credits a few
 * milliseconds later, and reads see the gap (wrong totals, as a read without a snapshot would);
 * `overdraft` skips the balance check (negative balances).
 */
import { modelStore, type InProcessStore } from './model-node.ts';

export type BankFlaw = 'torn-transfers' | 'overdraft';

/** Longest delay of a torn transfer's credit, ms. */
const CREDIT_LAG_MS = 10;

export function bankStore(accounts: readonly number[], initialBalance: number, flaw?: BankFlaw): InProcessStore {
  return modelStore<Map<number, number>>({
    init: () => new Map(accounts.map((a) => [a, initialBalance])),
    apply(balances, op, ctx) {
      if (op.f === 'read') return { type: 'ok', value: Object.fromEntries(balances) };
      if (op.f !== 'transfer') return { type: 'fail', error: `unknown f ${op.f}` };
      const { from, to, amount } = op.value as { from: number; to: number; amount: number };
      if (flaw !== 'overdraft' && balances.get(from)! < amount) return { type: 'fail', error: 'insufficient funds' };
      balances.set(from, balances.get(from)! - amount);
      const credit = (): void => void balances.set(to, balances.get(to)! + amount);
      if (flaw === 'torn-transfers') ctx.later(ctx.random() * CREDIT_LAG_MS, credit);
      else credit();
      return { type: 'ok' };
    },
  });
}
