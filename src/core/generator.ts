/**
 * The Generator protocol (types only; combinators live in src/generator/).
 *
 * Generators are immutable values in the spirit of Jepsen's generator library. Asked for an op
 * in a context, a generator answers with nothing (exhausted), `pending` (nothing to do now, ask
 * again after the next event, or at `wakeAt`), or an invocation to run on one free thread at or
 * after a time, together with the generator that follows. Every event (invocation and
 * completion) is passed back through `update`. Randomness comes only from `ctx.rng`, so a seed
 * fixes the op sequence.
 *
 * Who keeps which generator:
 * - an invocation's `gen` is kept only if that invocation is dispatched; an invocation whose
 *   `time` is in the future is not dispatched yet, and the caller asks the old generator again
 *   when that time comes or an event arrives, whichever is first;
 * - a `pending` answer's `gen` is always kept: it may record that a wait began (a sleep's end);
 * - `null` is final: an exhausted generator stays exhausted.
 */
import type { Op, ProcessId } from './op.ts';

/** A worker thread: client threads are 0..concurrency-1; the nemesis thread is "nemesis". */
export type Thread = number | 'nemesis';

/** A seeded pseudo-random source. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

/**
 * What a generator may know about the world when asked for an op or told of an event. A context
 * is only valid during the call it is passed to: generators must not keep it.
 */
export interface GenContext {
  /** Current time, nanoseconds since the test started. */
  readonly time: number;
  /** Threads (of `allThreads`) that are idle right now, in ascending order (clients first, then "nemesis"). */
  readonly freeThreads: readonly Thread[];
  /** The process each thread currently runs as (changes after an `info`); may list threads outside `allThreads`. */
  readonly workers: ReadonlyMap<Thread, ProcessId>;
  /** The threads this generator may use, busy or not (combinators such as `clients` narrow it). */
  readonly allThreads: readonly Thread[];
  /** Client threads of the whole test: client process p runs on thread p % concurrency. */
  readonly concurrency: number;
  readonly rng: Rng;
}

/** What a generator emits: an invocation for a process, to start no earlier than `time`. */
export interface Invocation {
  type: 'invoke';
  f: string;
  value: unknown;
  process: ProcessId;
  /** Nanoseconds since the test started. */
  time: number;
  /** The phase of the test the op belongs to, recorded in the history: "final" for final reads. */
  phase?: string;
}

/** The partial op a user writes: `{f, value}` plus anything the generator fills in. */
export interface OpTemplate {
  f: string;
  value?: unknown;
  process?: ProcessId;
  time?: number;
}

/** "Nothing to do now": ask again after the next event, or at `wakeAt` (ns) if nothing happens first. */
export interface Pending {
  op: 'pending';
  gen: Generator;
  wakeAt?: number | undefined;
}

export type GenResult = null | { op: Invocation; gen: Generator } | Pending;

export interface Generator {
  op(test: GenTest, ctx: GenContext): GenResult;
  update(test: GenTest, ctx: GenContext, event: Op): Generator;
}

/** What generators may read from the test: its options (node names, concurrency, ...). */
export type GenTest = Readonly<Record<string, unknown>>;
