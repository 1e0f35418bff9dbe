/**
 * simulate(): runs a generator against a perfect fake clock and fake clients, returning the
 * history it would produce. Used to test generators (and to preview a schedule) without any
 * cluster or real time. Deterministic: the same generator, options and seed give the same
 * history.
 */
import type { GenTest, Generator } from '../core/generator.ts';
import type { CompletionType, Op } from '../core/op.ts';
import { ThreadTable } from './context.ts';
import { lift, type GenLike } from './lift.ts';
import { earliest } from './result.ts';
import { makeRng } from './rng.ts';

/** How a simulated invocation ends. Every field is optional. */
export interface SimCompletion {
  /** Default "ok". */
  type?: CompletionType;
  /** Time from invocation to completion; defaults to SimulateOptions.latencyMs. */
  latencyMs?: number;
  /** The completion's value; defaults to the invoked value. */
  value?: unknown;
  error?: unknown;
}

export interface SimulateOptions {
  /** Client threads (the nemesis thread comes on top). Default 3. */
  concurrency?: number;
  /** Seed of ctx.rng. Default 0. */
  seed?: number;
  test?: GenTest;
  /** Latency of every op unless `complete` says otherwise; 0 (the default) completes instantly. */
  latencyMs?: number;
  /** Decides how each invocation (with its index, time and process) completes. */
  complete?: (invocation: Op) => SimCompletion;
  /** Stop asking for ops after this many invocations (in-flight ones still complete). Default 10,000. */
  maxInvocations?: number;
}

interface InFlight {
  at: number;
  invoke: Op;
  outcome: SimCompletion;
}

const NS_PER_MS = 1e6;

/**
 * The history (invocations and completions, dense indices, times in ns from 0) that `gen`
 * yields with `concurrency` client threads plus the nemesis thread. Completions due at a time
 * are processed before the generator is asked again at that time; an op completing `info`
 * moves its client thread to process + concurrency. Throws when the generator misbehaves
 * (emits an op for a busy thread or a stale process, or waits forever).
 */
export function simulate(gen: GenLike, opts: SimulateOptions = {}): Op[] {
  const table = new ThreadTable(opts.concurrency ?? 3);
  const rng = makeRng(opts.seed ?? 0);
  const test = opts.test ?? {};
  const defaultLatency = (opts.latencyMs ?? 0) * NS_PER_MS;
  const maxInvocations = opts.maxInvocations ?? 10_000;
  const maxSteps = (maxInvocations + 10) * 1000;
  const history: Op[] = [];
  const inFlight: InFlight[] = [];
  let g: Generator = lift(gen);
  let time = 0;
  let invocations = 0;
  let exhausted = false;

  const soonest = (): InFlight | undefined => {
    let best: InFlight | undefined;
    for (const f of inFlight) if (best === undefined || f.at < best.at) best = f;
    return best;
  };
  const complete = (f: InFlight): void => {
    inFlight.splice(inFlight.indexOf(f), 1);
    time = f.at;
    const inv = f.invoke;
    const type = f.outcome.type ?? 'ok';
    table.release(table.threadOf(inv.process), type === 'info');
    const event: Op = { index: history.length, time, process: inv.process, type, f: inv.f, value: 'value' in f.outcome ? f.outcome.value : inv.value };
    if (f.outcome.error !== undefined) event.error = f.outcome.error;
    history.push(event);
    g = g.update(test, table.context(time, rng), event);
  };

  for (let step = 0; ; step++) {
    if (step > maxSteps) throw new Error(`simulate: the generator made no progress in ${maxSteps} steps (at ${time} ns, ${invocations} invocations)`);
    const due = soonest();
    if (due !== undefined && due.at <= time) {
      complete(due);
      continue;
    }
    if (exhausted || invocations >= maxInvocations) {
      if (due === undefined) return history;
      complete(due);
      continue;
    }
    const ctx = table.context(time, rng);
    const r = g.op(test, ctx);
    if (r === null) {
      exhausted = true;
      continue;
    }
    if (r.op === 'pending') {
      g = r.gen;
      const next = earliest(due?.at, r.wakeAt);
      if (next === undefined) {
        throw new Error(`simulate: the generator is pending at ${time} ns with nothing in flight and no wake-up time, so it would wait forever`);
      }
      time = Math.max(time, next);
      continue;
    }
    const inv = r.op;
    if (inv.time > time) {
      // Not yet: complete what finishes first, or move the clock to the op's time and ask again.
      if (due !== undefined && due.at <= inv.time) complete(due);
      else time = inv.time;
      continue;
    }
    const thread = table.dispatchThread(inv.process, inv.f);
    g = r.gen;
    table.acquire(thread);
    const invoke: Op = { index: history.length, time, process: inv.process, type: 'invoke', f: inv.f, value: inv.value };
    history.push(invoke);
    invocations++;
    g = g.update(test, table.context(time, rng), invoke);
    const outcome = opts.complete?.(invoke) ?? {};
    inFlight.push({ at: time + (outcome.latencyMs === undefined ? defaultLatency : outcome.latencyMs * NS_PER_MS), invoke, outcome });
  }
}

/** The invocations of a history, in order (handy when testing generators). */
export function invocations(history: readonly Op[]): Op[] {
  return history.filter((op) => op.type === 'invoke');
}
