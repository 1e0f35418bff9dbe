/**
 * Contexts: the threads a generator may use, which are free, which process each runs as.
 *
 * `ThreadTable` is the mutable bookkeeping behind the contexts that simulate() and the runner's
 * interpreter hand to generators; the helpers below are what combinators use to read and narrow
 * a context.
 */
import type { GenContext, Rng, Thread } from '../core/generator.ts';
import type { ProcessId } from '../core/op.ts';

/** The thread a process runs on: client process p on thread p % concurrency. */
export function processThread(ctx: GenContext, process: ProcessId): Thread {
  return typeof process === 'number' ? process % ctx.concurrency : process;
}

/** Whether `thread` is one of the context's free threads. */
export function isFree(ctx: GenContext, thread: Thread): boolean {
  return ctx.freeThreads.includes(thread);
}

/** The process of a free thread chosen at random (fair between threads), or undefined when none is free. */
export function someFreeProcess(ctx: GenContext): ProcessId | undefined {
  const free = ctx.freeThreads;
  if (free.length === 0) return undefined;
  const thread = free.length === 1 ? free[0]! : free[ctx.rng.int(free.length)]!;
  return ctx.workers.get(thread);
}

/**
 * Narrows contexts to the threads satisfying a predicate. Keeps the last input and output so
 * that asking repeatedly with an unchanged context does not filter again.
 */
export class ThreadFilter {
  readonly #accepts: (thread: Thread) => boolean;
  #allIn: readonly Thread[] | null = null;
  #allOut: readonly Thread[] = [];
  #freeIn: readonly Thread[] | null = null;
  #freeOut: readonly Thread[] = [];

  constructor(accepts: (thread: Thread) => boolean) {
    this.#accepts = accepts;
  }

  accepts(thread: Thread): boolean {
    return this.#accepts(thread);
  }

  /** `ctx` with only the accepted threads in `allThreads` and `freeThreads`. */
  apply(ctx: GenContext): GenContext {
    if (ctx.allThreads !== this.#allIn) {
      this.#allIn = ctx.allThreads;
      this.#allOut = ctx.allThreads.filter(this.#accepts);
    }
    if (ctx.freeThreads !== this.#freeIn) {
      this.#freeIn = ctx.freeThreads;
      this.#freeOut = ctx.freeThreads.filter(this.#accepts);
    }
    return {
      time: ctx.time,
      freeThreads: this.#freeOut,
      workers: ctx.workers,
      allThreads: this.#allOut,
      concurrency: ctx.concurrency,
      rng: ctx.rng,
    };
  }
}

/**
 * The threads of a run (clients 0..concurrency-1, then the nemesis), which are busy, and the
 * process each runs as. After an `info` completion a client thread moves to process +
 * concurrency, as Jepsen does; the nemesis thread always runs as "nemesis".
 */
export class ThreadTable {
  readonly concurrency: number;
  readonly allThreads: readonly Thread[];
  readonly workers = new Map<Thread, ProcessId>();
  readonly #busy: boolean[];
  #free: readonly Thread[] | null = null;
  #busyCount = 0;

  constructor(concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    }
    this.concurrency = concurrency;
    const threads: Thread[] = [];
    for (let t = 0; t < concurrency; t++) {
      threads.push(t);
      this.workers.set(t, t);
    }
    threads.push('nemesis');
    this.workers.set('nemesis', 'nemesis');
    this.allThreads = threads;
    this.#busy = new Array<boolean>(concurrency + 1).fill(false);
  }

  /** Index of a thread in `allThreads` (the nemesis is last). */
  slot(thread: Thread): number {
    return thread === 'nemesis' ? this.concurrency : thread;
  }

  threadOf(process: ProcessId): Thread {
    return typeof process === 'number' ? process % this.concurrency : process;
  }

  isFree(thread: Thread): boolean {
    return !this.#busy[this.slot(thread)];
  }

  get busyCount(): number {
    return this.#busyCount;
  }

  /**
   * The thread an invocation runs on; throws when that thread is unknown, busy, or runs another
   * process (a generator must only give ops to free threads, under their current process).
   */
  dispatchThread(process: ProcessId, f: string): Thread {
    const thread = this.threadOf(process);
    const current = this.workers.get(thread);
    if (current === undefined) throw new Error(`the generator emitted ${f} for process ${process}, which has no thread`);
    if (current !== process) throw new Error(`the generator emitted ${f} for process ${process}, but thread ${thread} now runs process ${current}`);
    if (!this.isFree(thread)) throw new Error(`the generator emitted ${f} for process ${process}, whose thread ${thread} is busy`);
    return thread;
  }

  /** Marks a free thread busy. */
  acquire(thread: Thread): void {
    const s = this.slot(thread);
    if (this.#busy[s]) throw new Error(`thread ${thread} is already busy`);
    this.#busy[s] = true;
    this.#busyCount++;
    this.#free = null;
  }

  /** Marks a busy thread free; `crashed` (an info completion) moves a client thread to its next process. */
  release(thread: Thread, crashed: boolean): void {
    const s = this.slot(thread);
    if (!this.#busy[s]) throw new Error(`thread ${thread} is not busy`);
    this.#busy[s] = false;
    this.#busyCount--;
    this.#free = null;
    if (crashed && thread !== 'nemesis') {
      this.workers.set(thread, (this.workers.get(thread) as number) + this.concurrency);
    }
  }

  /** The free threads, ascending; the same array until a thread is acquired or released. */
  freeThreads(): readonly Thread[] {
    if (this.#free === null) this.#free = this.allThreads.filter((_, i) => !this.#busy[i]);
    return this.#free;
  }

  context(time: number, rng: Rng): GenContext {
    return {
      time,
      freeThreads: this.freeThreads(),
      workers: this.workers,
      allThreads: this.allThreads,
      concurrency: this.concurrency,
      rng,
    };
  }
}
