/**
 * In-process bank stores for the bank workload (`transfer {from, to, amount}` / `read` →
 * balances). The correct store applies each transfer atomically and refuses overdrafts (fail).
 * Flaws: `torn-transfers` debits at once but credits later, and reads see the gap (wrong
 * totals, as a read without a snapshot would); `overdraft` skips the balance check (negative
 * balances).
 */
import type { Completion } from '../core/client.ts';
import type { Rng } from '../core/generator.ts';
import type { SimStore, StoreOp } from './simulate.ts';

export type BankFlaw = 'torn-transfers' | 'overdraft';

export function bankStore(accounts: readonly number[], initialBalance: number, flaw?: BankFlaw): SimStore {
  const balances = new Map<number, number>(accounts.map((a) => [a, initialBalance]));
  const credits: Array<[number, number]> = [];
  const settleOne = (): void => {
    const c = credits.shift();
    if (c) balances.set(c[0], balances.get(c[0])! + c[1]);
  };
  return {
    apply(op: StoreOp): Completion {
      if (op.f === 'read') return { type: 'ok', value: Object.fromEntries(balances) };
      if (op.f !== 'transfer') return { type: 'fail', error: `unknown f ${op.f}` };
      const { from, to, amount } = op.value as { from: number; to: number; amount: number };
      if (flaw !== 'overdraft' && balances.get(from)! < amount) return { type: 'fail', error: 'insufficient funds' };
      balances.set(from, balances.get(from)! - amount);
      if (flaw === 'torn-transfers') credits.push([to, amount]);
      else balances.set(to, balances.get(to)! + amount);
      return { type: 'ok' };
    },
    tick(rng: Rng): void {
      if (rng.next() < 0.3) settleOne();
    },
    settle(): void {
      while (credits.length > 0) settleOne();
    },
  };
}
