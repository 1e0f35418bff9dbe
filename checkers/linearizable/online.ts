/**
 * The linearizable checker fed op by op (a CheckSession, see src/core/checker.ts): memory is
 * bounded by the window of ops still concurrent with something unlinearized, not by the
 * history, and a violation is reported the moment it is definite.
 *
 * Ops are paired invocation → completion as they arrive and handed to their partition's search
 * (search.ts) in invocation order, once complete: an op whose completion has not arrived yet
 * holds back the ops invoked after it (their order matters to the search), so the window also
 * holds what is invoked while the oldest pending op is open. An op still open at `finish` is
 * indeterminate, as in a whole-history check. Fast paths (unique-value registers, kv appends)
 * need the whole partition and are not used here; the verdicts are the same.
 */
import type { CheckBudget, CheckSession } from '../../src/core/checker.ts';
import { HistoryError } from '../../src/core/errors.ts';
import type { Op } from '../../src/core/op.ts';
import type { CheckResult } from '../../src/core/validity.ts';
import { describeOp, failureOf, type PartitionOutcome } from './check-partition.ts';
import { assemble, failingWindow, opSummary, type OpSummary } from './evidence.ts';
import { defaultPrepare, describeState, type Model } from './model.ts';
import { outcomeOf } from './prepare.ts';
import { Search, limitsFor, type SearchOptions } from './search.ts';
import { WakeQueue } from './wake-queue.ts';

export interface OnlineOptions {
  model: Model<any>;
  /** Time and memory, counted from the session's start. */
  budget: CheckBudget;
  /** Aborting it cancels the searches (their partitions end unknown). */
  signal?: AbortSignal | undefined;
  /** Stop checking the other partitions once one is invalid (default true). */
  stopOnFailure?: boolean;
  /** Tuning of each partition's search (see search.ts). */
  search?: SearchOptions;
}

/** An invocation waiting for its completion, or for the ones invoked before it. */
interface Pending {
  invocation: Op;
  completion: Op | undefined;
  done: boolean;
}

interface Part {
  key: string | number | null;
  search: Search;
  ops: number;
  ms: number;
  /** Ops were added since the search last ran. */
  fresh: boolean;
  /** Set once the partition is decided (or given up); it takes no more ops then. */
  outcome: PartitionOutcome | undefined;
}

export class LinearizabilitySession implements CheckSession {
  private readonly model: Model<any>;
  private readonly limits: ReturnType<typeof limitsFor>;
  private readonly stopOnFailure: boolean;
  private readonly searchOptions: SearchOptions;
  private readonly started = performance.now();
  /** Invocations not yet handed to a search, in history order; `head` is the first one. */
  private queue: Pending[] = [];
  private head = 0;
  private readonly open = new Map<number, Pending>();
  private readonly parts = new Map<string | number | null, Part>();
  /** Searches with new ops, and searches waiting for the known history to pass a position. */
  private fresh: Part[] = [];
  private readonly waiting = new WakeQueue<Part>();
  private events = 0;
  private dropped = 0;
  private failed = false;

  constructor(opts: OnlineOptions) {
    this.model = opts.model;
    this.stopOnFailure = opts.stopOnFailure ?? true;
    this.searchOptions = opts.search ?? {};
    const cancel = new Int32Array(1);
    this.limits = limitsFor(opts.budget, this.started, cancel);
    if (opts.signal?.aborted) cancel[0] = 1;
    opts.signal?.addEventListener('abort', () => void (cancel[0] = 1), { once: true });
  }

  get violated(): boolean {
    return this.failed;
  }

  feed(op: Op): void {
    this.events++;
    if (typeof op.process !== 'number') return;
    if (op.type === 'invoke') {
      const prev = this.open.get(op.process);
      if (prev) throw new HistoryError(`process ${op.process} invoked ${op.f} while its ${prev.invocation.f} at op ${prev.invocation.index} is still open`, op.index);
      const p: Pending = { invocation: op, completion: undefined, done: false };
      this.open.set(op.process, p);
      this.queue.push(p);
      return;
    }
    const p = this.open.get(op.process);
    if (!p) throw new HistoryError(`${op.type} of ${op.f} by process ${op.process} has no open invocation`, op.index);
    if (p.invocation.f !== op.f) throw new HistoryError(`completion f ${JSON.stringify(op.f)} does not match its invocation's f ${JSON.stringify(p.invocation.f)} (op ${p.invocation.index})`, op.index);
    p.completion = op;
    p.done = true;
    this.open.delete(op.process);
    if (this.queue[this.head] !== p) return;
    while (this.head < this.queue.length && this.queue[this.head]!.done) this.release(this.queue[this.head++]!);
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.advance(this.head < this.queue.length ? this.queue[this.head]!.invocation.index : op.index + 1);
  }

  async finish(): Promise<CheckResult> {
    while (this.head < this.queue.length) this.release(this.queue[this.head++]!);
    this.queue = [];
    this.head = 0;
    for (const part of this.parts.values()) {
      if (part.outcome) continue;
      part.search.end();
      this.run(part);
    }
    const parts = [...this.parts.values()];
    const findHeld = (i: number, index: number): OpSummary | undefined => parts[i]!.search.find(index)?.tag as OpSummary | undefined;
    return assemble({
      model: this.model.name,
      outcomes: parts.map((p) => p.outcome),
      keys: parts.map((p) => p.key),
      opsPer: parts.map((p) => p.ops),
      summarize: (i, indices) => indices.map((index) => findHeld(i, index)),
      windowOf: (i, failing, related) => failingWindow(failing, parts[i]!.search.held(), related),
      budget: this.limits,
      stats: { ops: this.events, dropped: this.dropped, started: this.started },
    });
  }

  /** Hands a completed (or, at the end, still open) invocation to its partition's search. */
  private release(p: Pending): void {
    const inv = p.invocation;
    const c = p.completion;
    const prepare = this.model.prepare ?? defaultPrepare;
    const mop = prepare({ f: inv.f, invokeValue: inv.value, completionValue: c?.value, outcome: outcomeOf(c), index: inv.index });
    if (mop === null) {
      this.dropped++;
      return;
    }
    const key = this.model.partition ? this.model.partition(mop) : null;
    let part = this.parts.get(key);
    if (!part) {
      part = { key, search: new Search(this.model, this.searchOptions), ops: 0, ms: 0, fresh: false, outcome: undefined };
      this.parts.set(key, part);
      if (this.failed && this.stopOnFailure) part.outcome = this.cancelled(part);
    }
    part.ops++;
    if (part.outcome) return;
    part.search.add(mop, inv.index, mop.outcome === 'info' || c === undefined ? Infinity : c.index, opSummary(inv, c));
    if (!part.fresh) this.fresh.push(part);
    part.fresh = true;
  }

  /** Every op invoked before `horizon` has been released: run the searches that can get further. */
  private advance(horizon: number): void {
    const ready = this.fresh;
    this.fresh = [];
    for (const part of this.waiting.due(horizon)) if (!part.fresh) ready.push(part);
    for (const part of ready) {
      if (part.outcome) continue;
      part.search.advance(horizon);
      this.run(part);
    }
  }

  private run(part: Part): void {
    part.fresh = false;
    const t = performance.now();
    const status = part.search.run(this.limits);
    part.ms += performance.now() - t;
    if (status === 'pending') {
      const at = part.search.waitingFor;
      if (at < Infinity) this.waiting.add(at, part);
      else this.waiting.remove(part);
      return;
    }
    this.waiting.remove(part);
    part.outcome = this.decided(part, status);
    if (status !== 'illegal') return;
    this.failed = true;
    if (this.stopOnFailure) for (const other of this.parts.values()) other.outcome ??= this.cancelled(other);
  }

  private cancelled(part: Part): PartitionOutcome {
    return { key: part.key, valid: 'unknown', cause: 'cancelled', method: 'wgl', ops: part.ops, configs: part.search.configs, states: part.search.tr.statesSeen, ms: part.ms };
  }

  /** The outcome of a partition whose search ended. */
  private decided(part: Part, status: Exclude<ReturnType<Search['run']>, 'pending'>): PartitionOutcome {
    const s = part.search;
    const base = { key: part.key, ops: part.ops, method: 'wgl' as const, configs: s.configs, states: s.tr.statesSeen, steps: s.tr.steps, compactions: s.compactions, ms: part.ms };
    if (status === 'ok') {
      const witness = s.witness();
      return { ...base, valid: true, ...(witness ? { linearization: witness } : {}) };
    }
    const partials = s.describePartials();
    if (status !== 'illegal') return { ...base, valid: 'unknown', cause: status, partials };
    const failure = failureOf(partials, () => describeState(this.model, this.model.init()), -1, (index) => describeOp(s.find(index)?.op, index));
    return { ...base, valid: false, failure };
  }
}
