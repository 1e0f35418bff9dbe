/** A growable Int32 array, for building large index structures without boxing numbers. */
export class IntVec {
  data: Int32Array;
  length = 0;

  constructor(capacity = 16) {
    this.data = new Int32Array(Math.max(4, capacity));
  }

  push(x: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = x;
  }

  get(i: number): number {
    return this.data[i]!;
  }

  /** A trimmed copy of the contents. */
  toArray(): Int32Array {
    return this.data.slice(0, this.length);
  }
}
