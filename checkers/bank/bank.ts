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
 * Checks op by op too: with the accounts and total known, an error is definite when its read
 * completes; inferring them needs every read, so those are kept until the end.
 */
import { HistoryError } from '../../src/core/errors.ts';
import type { Op } from '../../src/core/op.ts';
import type { CheckResult } from '../../src/core/validity.ts';
import { foldChecker, type Fold } from '../online.ts';

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

/**
 * Points of the totals plot: every read while there are at most `max`, then an even sample whose
 * stride doubles as reads come (a power of two, so the points kept stay evenly spread), plus the
 * reads with a wrong total, at most 2 x `max` points in all.
 */
class TotalsSample {
  private readonly max: number;
  private stride = 1;
  private n = 0;
  private kept: { r: number; time: number; total: number; wrong: boolean }[] = [];
  private wrongKept = 0;

  constructor(max: number) {
    this.max = max;
  }

  add(time: number, total: number, wrong: boolean): void {
    const r = this.n++;
    if (wrong && this.wrongKept < this.max) {
      this.wrongKept++;
      this.kept.push({ r, time, total, wrong });
    } else if (r % this.stride === 0) {
      this.kept.push({ r, time, total, wrong: false });
    }
    if (this.kept.length - this.wrongKept > this.max) {
      this.stride *= 2;
      this.kept = this.kept.filter((p) => p.wrong || p.r % this.stride === 0);
    }
  }

  /** The points, `[timeMs, total]`, in read order. */
  get points(): Array<[number, number]> {
    return this.kept.map((p) => [p.time / 1e6, p.total]);
  }
}

interface Read {
  index: number;
  time: number;
  balances: Record<string, unknown>;
  total: number;
}

/**
 * The check as a fold over ops (see checkers/online.ts). With the accounts and total known (from
 * the options) each read is judged when it completes and an error is definite at
 * once; when they must be inferred from the reads, the reads are kept and judged at the end.
 */
class BankFold implements Fold {
  private readonly opts: BankOptions;
  private readonly accounts: Set<string> | undefined;
  private readonly total: number | undefined;
  private readonly kept: Read[] = [];
  private reads = 0;
  private readonly errors: BankError[] = [];
  private readonly anomalyCounts: Record<string, number> = {};
  private errorCount = 0;
  private readonly sample: TotalsSample;

  constructor(opts: BankOptions) {
    this.opts = opts;
    if (opts.accounts) this.accounts = new Set(opts.accounts.map(String));
    this.total = opts.total;
    this.sample = new TotalsSample(opts.maxPlotPoints ?? 2000);
  }

  get violated(): boolean {
    return this.errorCount > 0;
  }

  feed(op: Op): void {
    if (op.f === 'transfer' && op.type === 'invoke') checkTransfer(op);
    else if (op.f === 'read' && op.type === 'ok') {
      const b = balances(op);
      const read = { index: op.index, time: op.time, balances: b, total: sumOf(b) };
      if (this.accounts && this.total !== undefined) this.judge(read, this.accounts, this.total);
      else this.kept.push(read);
    }
  }

  private report(e: BankError): void {
    this.anomalyCounts[e.kind] = (this.anomalyCounts[e.kind] ?? 0) + 1;
    this.errorCount++;
    if (this.errors.length < MAX_EXAMPLES) this.errors.push(e);
  }

  private judge(read: Read, accounts: Set<string>, total: number): void {
    this.reads++;
    const { balances: b, index } = read;
    for (const account in b) if (!accounts.has(account)) this.report({ kind: 'unexpected-key', index, account });
    for (const account of accounts) {
      const balance = b[account];
      if (typeof balance !== 'number') this.report({ kind: 'nil-balance', index, account, balance: balance ?? null });
      else if (balance < 0 && !this.opts.negativeBalances) this.report({ kind: 'negative-value', index, account, balance });
    }
    const wrong = read.total !== total;
    if (wrong) this.report({ kind: 'wrong-total', index, total: read.total, expected: total });
    this.sample.add(read.time, read.total, wrong);
  }

  result(): CheckResult {
    const inferred: string[] = [];
    let accounts = this.accounts;
    if (!accounts) {
      accounts = new Set();
      for (const r of this.kept) for (const k in r.balances) accounts.add(k);
      inferred.push('accounts');
    }
    let total = this.total;
    if (total === undefined) {
      total = mostFrequent(this.kept.map((r) => r.total)) ?? 0;
      inferred.push('total');
    }
    for (const r of this.kept) this.judge(r, accounts, total);
    const result: CheckResult = {
      valid: this.errorCount === 0,
      reads: this.reads,
      accounts: [...accounts],
      total,
      errorCount: this.errorCount,
      anomalyCounts: this.anomalyCounts,
      errors: this.errors,
      firstError: this.errors[0] ?? null,
      totals: this.sample.points,
    };
    if (inferred.length > 0) result.inferred = inferred;
    if (this.errorCount > 0) result.anomalyTypes = Object.keys(this.anomalyCounts).sort();
    else if (this.reads === 0) {
      result.valid = 'unknown';
      result.error = 'no ok reads: nothing to check';
    }
    return result;
  }
}

/** The bank checker; it also checks op by op (`begin`). */
export function bank(opts: BankOptions = {}) {
  return foldChecker('bank', () => new BankFold(opts));
}
