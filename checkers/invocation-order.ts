/**
 * Invocations with their completions, in invocation order, from a history fed op by op: what a
 * whole-history checker gets from `pairs` (src/history/pairs.ts), for checkers that fold over
 * the history (checkers/online.ts). An invocation is handed on once it and every invocation
 * before it have completed, so what is held is the window from the oldest open invocation on.
 *
 *   const order = new InvocationOrder((invoke, completion) => tally(invoke, completion), (op) => op.f === 'add');
 *   for (const op of ops) order.feed(op);
 *   order.finish();   // hands on the invocations that never completed, with completion undefined
 *
 * Pairing is by process, as in `completionIndex`: an invocation whose process invokes again
 * before completing it never completed.
 */
import type { Op } from '../src/core/op.ts';

interface Entry {
  invoke: Op;
  completion: Op | undefined;
  done: boolean;
}

export class InvocationOrder {
  private readonly emit: (invoke: Op, completion: Op | undefined) => void;
  private readonly wanted: (invoke: Op) => boolean;
  private queue: Entry[] = [];
  private head = 0;
  /** Entries handed on and dropped from the front of `queue`. */
  private dropped = 0;
  /** The open invocation of each process; null for one that is not wanted. */
  private readonly open = new Map<unknown, Entry | null>();

  /**
   * `emit` gets each wanted invocation with its completion; `wanted` picks the invocations to
   * hand on (default all). Only the wanted ones are held.
   */
  constructor(emit: (invoke: Op, completion: Op | undefined) => void, wanted: (invoke: Op) => boolean = () => true) {
    this.emit = emit;
    this.wanted = wanted;
  }

  /** How many wanted invocations were fed. */
  get invoked(): number {
    return this.queue.length + this.dropped;
  }

  feed(op: Op): void {
    const previous = this.open.get(op.process);
    if (op.type === 'invoke') {
      if (previous) previous.done = true;
      const entry = this.wanted(op) ? { invoke: op, completion: undefined, done: false } : null;
      if (entry) this.queue.push(entry);
      this.open.set(op.process, entry);
      if (previous) this.drain();
      return;
    }
    if (previous === undefined) return;
    this.open.delete(op.process);
    if (previous === null) return;
    previous.completion = op;
    previous.done = true;
    this.drain();
  }

  /** Ends the history: the invocations still open never completed. */
  finish(): void {
    for (const e of this.open.values()) if (e) e.done = true;
    this.open.clear();
    this.drain();
  }

  private drain(): void {
    while (this.head < this.queue.length) {
      const e = this.queue[this.head]!;
      if (!e.done) break;
      this.head++;
      this.emit(e.invoke, e.completion);
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.dropped += this.head;
      this.head = 0;
    }
  }
}
