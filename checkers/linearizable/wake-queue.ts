/**
 * Searches waiting for the known history to pass a position, soonest first: a binary min-heap
 * of (position, item). An item re-queued with a new position leaves its old entry stale; `due`
 * skips entries whose position is no longer the item's current one.
 */
export class WakeQueue<T> {
  private readonly at: number[] = [];
  private readonly items: T[] = [];
  private readonly current = new Map<T, number>();

  /** Queues `item` to wake once the position passes `at` (replacing its earlier entry). */
  add(at: number, item: T): void {
    this.current.set(item, at);
    let i = this.at.length;
    this.at.push(at);
    this.items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.at[parent]! <= at) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Forgets `item`'s entry. */
  remove(item: T): void {
    this.current.delete(item);
  }

  /** Removes and returns the items whose position is below `position`. */
  due(position: number): T[] {
    const out: T[] = [];
    while (this.at.length > 0 && this.at[0]! < position) {
      const at = this.at[0]!;
      const item = this.items[0]!;
      this.pop();
      if (this.current.get(item) !== at) continue;
      this.current.delete(item);
      out.push(item);
    }
    return out;
  }

  private pop(): void {
    const lastAt = this.at.pop()!;
    const lastItem = this.items.pop()!;
    if (this.at.length === 0) return;
    this.at[0] = lastAt;
    this.items[0] = lastItem;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.at.length && this.at[l]! < this.at[m]!) m = l;
      if (r < this.at.length && this.at[r]! < this.at[m]!) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(i: number, j: number): void {
    [this.at[i], this.at[j]] = [this.at[j]!, this.at[i]!];
    [this.items[i], this.items[j]] = [this.items[j]!, this.items[i]!];
  }
}
