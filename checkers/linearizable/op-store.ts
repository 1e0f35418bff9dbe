/**
 * The ops a search can still reach, in invocation order, as ring buffers of typed arrays.
 *
 * Each op has a rank (its position in invocation order, counted from 0 and never reused), its
 * invocation and completion positions in the history, its op kind and arguments (see
 * transitions.ts), whether the model calls it read-only, the op itself and a tag the caller can
 * use to find its evidence later. Ops are appended at the
 * end and dropped from the front once every configuration the search can still reach has
 * linearized them, so the store holds the window, not the history.
 *
 * The store also holds the current configuration's bits, one per op (1 = linearized), as a ring
 * of 32-bit words with `lo` (first word not all ones) and `hi` (last word not all zeros): the
 * words below `lo` are all ones and the words above `hi` all zeros, so words lo..hi identify the
 * set exactly, and they are as few as the ops concurrent with the earliest unlinearized one.
 */
import type { ModelOp } from './model.ts';
import type { StepCode } from './transitions.ts';

export class OpStore {
  /** First rank still held, and one past the last rank. */
  start = 0;
  end = 0;
  // Columns indexed by rank & mask (set by allocate).
  mask!: number;
  call!: Float64Array;
  ret!: Float64Array;
  kind!: Int32Array;
  a!: Int32Array;
  b!: Int32Array;
  readOnly!: Uint8Array;
  /** Per op, the rank of the previous op needing / writing the same register value, or -1 (register-rules.ts). */
  prevNeeder!: Int32Array;
  prevWriter!: Int32Array;
  ops!: (ModelOp | undefined)[];
  tags!: unknown[];
  /** The bits, indexed by word & wordMask. */
  bits!: Uint32Array;
  wordMask!: number;
  /** First word that is not all ones, last word that is not all zeros (absolute word indices). */
  lo = 0;
  hi = -1;

  constructor(capacity = 1 << 10) {
    this.allocate(capacity);
  }

  private allocate(capacity: number): void {
    this.mask = capacity - 1;
    this.call = new Float64Array(capacity);
    this.ret = new Float64Array(capacity);
    this.kind = new Int32Array(capacity);
    this.a = new Int32Array(capacity);
    this.b = new Int32Array(capacity);
    this.readOnly = new Uint8Array(capacity);
    this.prevNeeder = new Int32Array(capacity);
    this.prevWriter = new Int32Array(capacity);
    this.ops = new Array<ModelOp | undefined>(capacity);
    this.tags = new Array<unknown>(capacity);
    this.bits = new Uint32Array(capacity >>> 5);
    this.wordMask = (capacity >>> 5) - 1;
  }

  /** The per-op columns, in one order (for copying them all). */
  private columns(): { [i: number]: unknown }[] {
    return [this.call, this.ret, this.kind, this.a, this.b, this.readOnly, this.prevNeeder, this.prevWriter, this.ops, this.tags];
  }

  get size(): number {
    return this.end - this.start;
  }

  get bytes(): number {
    return (this.mask + 1) * 50;
  }

  /** Appends an op; returns its rank. Its bit starts cleared. */
  push(call: number, ret: number, step: StepCode, readOnly: boolean, op: ModelOp, tag: unknown): number {
    // One spare word keeps the word after the last op's word (read by key building) distinct.
    if (this.end - (this.start & ~31) + 64 > this.mask + 1) this.grow();
    const r = this.end++;
    const i = r & this.mask;
    this.call[i] = call;
    this.ret[i] = ret;
    this.kind[i] = step.kind;
    this.a[i] = step.a;
    this.b[i] = step.b;
    this.readOnly[i] = readOnly ? 1 : 0;
    this.ops[i] = op;
    this.tags[i] = tag;
    return r;
  }

  private grow(): void {
    const from = this.columns();
    const { bits, mask, wordMask } = this;
    this.allocate((this.mask + 1) * 2);
    const to = this.columns();
    for (let r = this.start; r < this.end; r++) {
      for (let c = 0; c < to.length; c++) to[c]![r & this.mask] = from[c]![r & mask];
    }
    for (let w = this.start >>> 5; w <= this.end >>> 5; w++) this.bits[w & this.wordMask] = bits[w & wordMask]!;
  }

  /** Forgets the ops ranked below `rank` (every reachable configuration has linearized them). */
  dropBefore(rank: number): void {
    const to = Math.min(rank, this.end);
    if (to <= this.start) return;
    for (let r = this.start; r < to; r++) {
      this.ops[r & this.mask] = undefined;
      this.tags[r & this.mask] = undefined;
    }
    // Words wholly below the new start are zeroed: the ring reuses them for ranks past the end.
    for (let w = this.start >>> 5; w < to >>> 5; w++) this.bits[w & this.wordMask] = 0;
    this.start = to;
  }

  linearized(r: number): boolean {
    return ((this.bits[(r >>> 5) & this.wordMask]! >>> (r & 31)) & 1) === 1;
  }

  set(r: number): void {
    const w = r >>> 5;
    const i = w & this.wordMask;
    const v = (this.bits[i]! | (1 << (r & 31))) >>> 0;
    this.bits[i] = v;
    if (w > this.hi) this.hi = w;
    if (w === this.lo && v === 0xffffffff) while (this.bits[++this.lo & this.wordMask] === 0xffffffff);
  }

  clear(r: number): void {
    const w = r >>> 5;
    const i = w & this.wordMask;
    const v = (this.bits[i]! & ~(1 << (r & 31))) >>> 0;
    this.bits[i] = v;
    if (w < this.lo) this.lo = w;
    if (w === this.hi && v === 0) {
      let h = w - 1;
      while (h >= this.lo && this.bits[h & this.wordMask] === 0) h--;
      this.hi = h;
    }
  }

  /** The first rank not linearized (end when all are). */
  firstOpen(): number {
    const v = this.bits[this.lo & this.wordMask]!;
    const inverted = ~v;
    return Math.min(this.end, (this.lo << 5) + (31 - Math.clz32(inverted & -inverted)));
  }

  /** Linearized ops in the current configuration. */
  count(): number {
    let n = this.lo << 5;
    for (let w = this.lo; w <= this.hi; w++) n += popcount(this.bits[w & this.wordMask]!);
    return n;
  }

  /** Sets the configuration to: all ones below `lo`, `words` from `lo`, zeros after. */
  load(lo: number, words: Uint32Array): void {
    const from = Math.min(lo, this.lo);
    const to = Math.max(lo + words.length - 1, this.hi);
    for (let w = from; w <= to; w++) {
      this.bits[w & this.wordMask] = w < lo ? 0xffffffff : w < lo + words.length ? words[w - lo]! : 0;
    }
    this.lo = lo;
    this.hi = lo + words.length - 1;
    while (this.hi >= lo && this.bits[this.hi & this.wordMask] === 0) this.hi--;
  }
}

export function popcount(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}
