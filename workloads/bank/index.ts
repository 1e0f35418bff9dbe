/**
 * The bank workload: clients move money between accounts and read all balances at once; the
 * bank checker demands a conserved total and no negative balance in any read.
 *
 * Op shapes:
 *   transfer  invoke value {from, to, amount} (from != to, amount >= 1)   completion: same
 *             (fail when the store refuses, e.g. insufficient funds)
 *   read      invoke value null                 ok value: {[account]: balance}
 * Final phase: one read. The checker needs `accounts` and `total` (= accounts x initial balance).
 */
import type { OpTemplate, Rng } from '../../src/core/generator.ts';
import type { Workload } from '../../src/core/workload.ts';
import { lift } from '../../src/generator/lift.ts';
import { bank } from '../../checkers/bank/bank.ts';

export interface BankWorkloadOptions {
  /** Account ids (default 0..4). */
  accounts?: readonly number[];
  /** Largest amount moved by one transfer (default 5). */
  maxTransfer?: number;
  /** Fraction of ops that are reads (default 0.5). */
  readRatio?: number;
}

export const DEFAULT_ACCOUNTS: readonly number[] = [0, 1, 2, 3, 4];

export function bankOp(rng: Rng, opts: BankWorkloadOptions = {}): OpTemplate {
  if (rng.next() < (opts.readRatio ?? 0.5)) return { f: 'read', value: null };
  const accounts = opts.accounts ?? DEFAULT_ACCOUNTS;
  const from = rng.int(accounts.length);
  const to = (from + 1 + rng.int(accounts.length - 1)) % accounts.length;
  return { f: 'transfer', value: { from: accounts[from]!, to: accounts[to]!, amount: 1 + rng.int(opts.maxTransfer ?? 5) } };
}

export const bankFinalOps: readonly OpTemplate[] = [{ f: 'read', value: null }];

/** The bank workload; every account starts with `initialBalance` (default 10). */
export function bankWorkload(opts: BankWorkloadOptions & { initialBalance?: number } = {}): Workload {
  const accounts = opts.accounts ?? DEFAULT_ACCOUNTS;
  return {
    name: 'bank',
    generator: lift((_test, ctx) => bankOp(ctx.rng, opts)),
    finalGenerator: lift(bankFinalOps),
    checker: bank({ accounts, total: accounts.length * (opts.initialBalance ?? 10) }),
  };
}
