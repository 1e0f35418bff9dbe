/**
 * The simulator's event queue: a binary min-heap ordered by (time, insertion order), so events
 * due at the same instant run in the order they were scheduled. A cancelled event stays in the
 * heap with no action and is skipped when it comes up.
 */

/** Whose event it is: a node incarnation's events die with it and wait while it is paused. */
export interface EventOwner {
  alive: boolean;
  paused: boolean;
  /** What came due while paused, in order. */
  held: (() => void)[];
  /** Called after each of its events ran. */
  ran(): void;
}

export interface SimEvent {
  /** Simulated milliseconds at which it runs. */
  readonly at: number;
  /** Insertion order: breaks ties between events due at the same time. */
  readonly seq: number;
  /** What it does; null once cancelled. */
  run: (() => void) | null;
  /** Set for events whose action may start promise chains (see Simulator.takeAsyncRan). */
  readonly async: boolean;
  readonly owner: EventOwner | null;
}

export class EventQueue {
  readonly #heap: SimEvent[] = [];
  #seq = 0;

  get size(): number {
    return this.#heap.length;
  }

  /** Time of the earliest event, or Infinity when there is none. */
  nextAt(): number {
    return this.#heap[0]?.at ?? Infinity;
  }

  push(at: number, run: () => void, async: boolean, owner: EventOwner | null): SimEvent {
    const ev: SimEvent = { at, seq: this.#seq++, run, async, owner };
    const heap = this.#heap;
    let i = heap.length;
    heap.push(ev);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(ev, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = ev;
    return ev;
  }

  /** Removes and returns the earliest event. */
  pop(): SimEvent | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && before(heap[r]!, heap[l]!) ? r : l;
      if (!before(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
