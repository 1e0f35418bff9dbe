/**
 * Bank: transfers between accounts must conserve the total, and no read may show a negative
 * balance (a snapshot-isolation style invariant: every read is one consistent snapshot).
 *
 * Ops: `{f: "transfer", value: {from, to, amount}}` (amount > 0) and `{f: "read", value: null}`
 * completing ok with `{[account]: balance}`. Accounts are numbers or strings (as object keys).
 * Every ok read is checked: `unexpected-key` (an account not in `accounts`), `nil-balance` (an
 * account missing or not a number), `wrong-total` (the sum differs from `total`),
 * `negative-value` (unless `negativeBalances` is allowed).
 * Accounts and total come from the options, else they are inferred: accounts = every account
 * any read shows, total = the most frequent read total (`inferred` lists what was inferred).
 * Evidence: `reads`, `errorCount`, `anomalyCounts` (errors per kind), `errors` (up to 100:
 * `{kind, index, ...}`), `firstError`,
 * and `totals` (`[timeMs, total]` points of ok reads over time for the totals plot: every
 * read when there are at most `maxPlotPoints`, else an even sample plus the reads with a wrong
 * total, at most 2 x `maxPlotPoints` points in all).
 */
import type { CheckContext, Checker } from '../../src/core/checker.ts';
import { HistoryError } from '../../src/core/errors.ts';
import type { History, Op } from '../../src/core/op.ts';
import type { CheckResult } from '../../src/core/validity.ts';

const MAX_EXAMPLES = 100;

export interface BankOptions {
  accounts?: ReadonlyArray<number | string>;
  total?: number;
  /** Allow negative balances (for stores that permit overdrafts). */
  negativeBalances?: boolean;
  /** At most this many points in `totals` (default 2000). */
  maxPlotPoints?: number;
}

export type BankError =
  | { kind: 'unexpected-key'; index: number; account: string }
  | { kind: 'nil-balance'; index: number; account: string; balance: unknown }
  | { kind: 'wrong-total'; index: number; total: number; expected: number }
  | { kind: 'negative-value'; index: number; account: string; balance: number };

function balances(op: Op): Record<string, unknown> {
  const v = op.value;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new HistoryError(`ok read must return an object of account balances, got ${JSON.stringify(v)}`, op.index);
  }
  return v as Record<string, unknown>;
}

function checkTransfer(op: Op): void {
  const v = op.value as { from?: unknown; to?: unknown; amount?: unknown } | null;
  const account = (a: unknown): boolean => typeof a === 'number' || typeof a === 'string';
  if (v === null || typeof v !== 'object' || !account(v.from) || !account(v.to) || typeof v.amount !== 'number' || !(v.amount > 0)) {
    throw new HistoryError(`transfer value must be {from, to, amount > 0}, got ${JSON.stringify(op.value)}`, op.index);
  }
}

function sumOf(b: Record<string, unknown>): number {
  let s = 0;
  for (const k in b) {
    const x = b[k];
    if (typeof x === 'number') s += x;
  }
  return s;
}

function mostFrequent(values: readonly number[]): number | undefined {
  const counts = new Map<number, number>();
  let best: number | undefined;
  let bestCount = 0;
  for (const v of values) {
    const c = (counts.get(v) ?? 0) + 1;
    counts.set(v, c);
    if (c > bestCount) [best, bestCount] = [v, c];
  }
  return best;
}

export function bank(opts: BankOptions = {}) {
  const maxPoints = opts.maxPlotPoints ?? 2000;
  return {
    name: 'bank',
    check(history: History): CheckResult {
      const reads: Op[] = [];
      for (const op of history) {
        if (op.f === 'transfer' && op.type === 'invoke') checkTransfer(op);
        else if (op.f === 'read' && op.type === 'ok') reads.push(op);
      }
      const readBalances = reads.map(balances);
      const readTotals = readBalances.map(sumOf);
      const inferred: string[] = [];
      let accounts: Set<string>;
      if (opts.accounts) accounts = new Set(opts.accounts.map(String));
      else {
        accounts = new Set();
        for (const b of readBalances) for (const k in b) accounts.add(k);
        inferred.push('accounts');
      }
      let total = opts.total;
      if (total === undefined) {
        total = mostFrequent(readTotals) ?? 0;
        inferred.push('total');
      }

      const errors: BankError[] = [];
      const anomalyCounts: Record<string, number> = {};
      let errorCount = 0;
      const report = (e: BankError): void => {
        errorCount++;
        anomalyCounts[e.kind] = (anomalyCounts[e.kind] ?? 0) + 1;
        if (errors.length < MAX_EXAMPLES) errors.push(e);
      };
      const wrong = new Uint8Array(reads.length);
      for (let r = 0; r < reads.length; r++) {
        const b = readBalances[r]!;
        const index = reads[r]!.index;
        for (const account in b) {
          if (!accounts.has(account)) {
            report({ kind: 'unexpected-key', index, account });
          }
        }
        for (const account of accounts) {
          const balance = b[account];
          if (typeof balance !== 'number') {
            report({ kind: 'nil-balance', index, account, balance: balance ?? null });
          } else if (balance < 0 && !opts.negativeBalances) {
            report({ kind: 'negative-value', index, account, balance });
          }
        }
        if (readTotals[r] !== total) {
          wrong[r] = 1;
          report({ kind: 'wrong-total', index, total: readTotals[r]!, expected: total });
        }
      }

      const stride = Math.max(1, Math.ceil(reads.length / maxPoints));
      const totals: Array<[number, number]> = [];
      for (let r = 0; r < reads.length; r++) {
        if ((r % stride === 0 || wrong[r]) && totals.length < 2 * maxPoints) totals.push([reads[r]!.time / 1e6, readTotals[r]!]);
      }

      const result: CheckResult = {
        valid: errorCount === 0,
        reads: reads.length,
        accounts: [...accounts],
        total,
        errorCount,
        anomalyCounts,
        errors,
        firstError: errors[0] ?? null,
        totals,
      };
      if (inferred.length > 0) result.inferred = inferred;
      if (errorCount > 0) result.anomalyTypes = Object.keys(anomalyCounts).sort();
      else if (reads.length === 0) {
        result.valid = 'unknown';
        result.error = 'no ok reads: nothing to check';
      }
      return result;
    },
  } satisfies Checker;
}
