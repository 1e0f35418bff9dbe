/**
 * Random transactions over a pool of keys, for the list-append and rw-register workloads (after
 * Elle's generators): each txn has min..max micro-ops, each a read or a write of a key drawn from
 * the active keys (uniform, exponential or Zipfian). Written values are unique per key (1, 2, 3,
 * ...); once a key has taken `maxWritesPerKey` writes it is retired and a fresh key takes its
 * place, so reads stay short. Deterministic for a given Rng.
 */
import type { OpTemplate, Rng } from '../../src/core/generator.ts';
import { UsageError } from '../../src/core/errors.ts';

export type KeyDistribution = 'uniform' | 'exponential' | 'zipf';

export interface TxnOptions {
  /** Keys active at any time (default 10; 3 for uniform). */
  keyCount?: number;
  minTxnLength?: number;
  maxTxnLength?: number;
  /** Writes a key takes before it is replaced by a fresh one (default 32). */
  maxWritesPerKey?: number;
  keyDistribution?: KeyDistribution;
  /** Exponential: key i is base^i times less likely than key 0 (default 2). Zipf: the exponent s (default 1). */
  keyDistributionBase?: number;
  /** Chance that a micro-op is a read (default 0.5). */
  readRatio?: number;
}

export type MicroOp = [f: 'append' | 'w' | 'r', key: number, value: number | null];

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new UsageError(`${name} must be a positive integer, got ${v}`);
  return v;
}

/** A key chooser: an index in [0, n) from one uniform draw. */
function keyChooser(dist: KeyDistribution, n: number, base: number): (u: number) => number {
  if (dist === 'uniform') return (u) => Math.min(n - 1, Math.floor(u * n));
  const weights = Array.from({ length: n }, (_, i) => (dist === 'zipf' ? 1 / Math.pow(i + 1, base) : Math.pow(base, -i)));
  const total = weights.reduce((a, b) => a + b, 0);
  const cdf: number[] = [];
  let acc = 0;
  for (const w of weights) cdf.push((acc += w / total));
  return (u) => {
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (u < cdf[mid]!) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

/** Stateful source of transactions; `next(rng)` returns the next txn op template. */
export class TxnSource {
  private readonly writeF: 'append' | 'w';
  private readonly min: number;
  private readonly max: number;
  private readonly maxWrites: number;
  private readonly readRatio: number;
  private readonly choose: (u: number) => number;
  private readonly active: number[];
  private readonly written: number[];
  private nextKey: number;

  constructor(writeF: 'append' | 'w', opts: TxnOptions = {}) {
    const dist = opts.keyDistribution ?? 'exponential';
    if (!['uniform', 'exponential', 'zipf'].includes(dist)) throw new UsageError(`unknown key distribution ${JSON.stringify(dist)} (uniform, exponential or zipf)`);
    const keys = positiveInt('keyCount', opts.keyCount ?? (dist === 'uniform' ? 3 : 10));
    this.writeF = writeF;
    this.min = positiveInt('minTxnLength', opts.minTxnLength ?? 1);
    this.max = positiveInt('maxTxnLength', opts.maxTxnLength ?? 4);
    if (this.max < this.min) throw new UsageError(`maxTxnLength ${this.max} is below minTxnLength ${this.min}`);
    this.maxWrites = positiveInt('maxWritesPerKey', opts.maxWritesPerKey ?? 32);
    this.readRatio = opts.readRatio ?? 0.5;
    const base = opts.keyDistributionBase ?? (dist === 'zipf' ? 1 : 2);
    if (!(base > 0)) throw new UsageError(`keyDistributionBase must be positive, got ${base}`);
    this.choose = keyChooser(dist, keys, base);
    this.active = Array.from({ length: keys }, (_, i) => i);
    this.written = new Array<number>(keys).fill(0);
    this.nextKey = keys;
  }

  /** The micro-ops of the next transaction. */
  nextMops(rng: Rng): MicroOp[] {
    const length = this.min + rng.int(this.max - this.min + 1);
    const mops: MicroOp[] = [];
    for (let i = 0; i < length; i++) {
      const slot = this.choose(rng.next());
      if (rng.next() < this.readRatio) {
        mops.push(['r', this.active[slot]!, null]);
        continue;
      }
      if (this.written[slot]! >= this.maxWrites) {
        this.active[slot] = this.nextKey++;
        this.written[slot] = 0;
      }
      this.written[slot]!++;
      mops.push([this.writeF, this.active[slot]!, this.written[slot]!]);
    }
    return mops;
  }

  next(rng: Rng): OpTemplate & { f: 'txn'; value: MicroOp[] } {
    return { f: 'txn', value: this.nextMops(rng) };
  }
}
