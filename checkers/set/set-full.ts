/**
 * Set-full: a grow-only set checked element by element, as Jepsen's set-full does.
 *
 * Ops: `{f: "add", value: e}` and `{f: "read", value: null}` completing ok with the elements
 * (an array). For many independent sets use tuples: `add [k, e]`, `read [k, null]` completing
 * `[k, [e...]]`. Elements are numbers or strings.
 *
 * An element is *known* from the completion of its ok add, or from the completion of the first
 * read that saw it, whichever is earlier. A read *misses* an element when it does not contain it
 * and was invoked after the element was known (reads concurrent with the add do not count).
 * Reads are ordered by invocation. Per element:
 * - stable: the last read that could miss it saw it; `stable latency` runs from the add's
 *   invocation to the invocation of the first read of the final unbroken run of reads seeing it;
 * - stale: stable, but some read missed it after it was known (a linearizability violation;
 *   only invalid with `linearizable: true`); `staleMs` = last missing read's invocation − known;
 * - lost: known, but the last read that could miss it missed it; `lost latency` runs from the
 *   add's invocation to the first read of the final run of misses;
 * - never-read: known, but no read began after that.
 * Reads that return an element twice (`duplicated`), or one not added before the read completed
 * or whose every add before then failed (`unexpected`), are errors too.
 * Evidence: counts (`attempted`, `acknowledged`, `stableCount`, `staleCount`, `lostCount`,
 * `neverReadCount`, `duplicatedCount`, `unexpectedCount`), up to 100 examples each (`lost`,
 * `stale` (worst first), `neverRead`, `duplicated`, `unexpected`), and `stableLatencies`,
 * `lostLatencies` (count, quantilesMs, meanMs). Anomaly types: `lost`, `duplicated`,
 * `unexpected`, and `stale` when linearizable. Checks op by op too: every element is remembered
 * until the end; duplicated and unexpected elements are definite when their read is judged, and
 * with `linearizable` so is a read missing an element known before it began.
 */
import { HistoryError } from '../../src/core/errors.ts';
import type { Op } from '../../src/core/op.ts';
import type { CheckResult } from '../../src/core/validity.ts';
import { InvocationOrder } from '../invocation-order.ts';
import { WakeQueue } from '../linearizable/wake-queue.ts';
import { foldChecker, type Fold } from '../online.ts';
import { summarize } from '../perf.ts';
import { countBelow } from '../sorted-search.ts';

const MAX_EXAMPLES = 100;

export interface SetFullOptions {
  /** Treat stale elements as violations (a linearizable set never misses a known element). */
  linearizable?: boolean;
}

type Scalar = number | string;
/** null for the single unkeyed set. */
type SetKey = Scalar | null;

function isScalar(v: unknown): v is Scalar {
  return typeof v === 'number' || typeof v === 'string';
}

/** Everything known about one added element, by element id (in the order of first adds). */
class Elements {
  readonly keyOf: SetKey[] = [];
  readonly element: Scalar[] = [];
  readonly addInvoke: number[] = [];
  readonly addIndex: number[] = [];
  /** 'ok' | 'info' | 'fail' (the best of its adds); never-completed adds count as info. */
  readonly addType: string[] = [];
  /** The invocation index of its first add that did not fail (Infinity: none yet). */
  readonly firstNotFailed: number[] = [];
  readonly known: number[] = [];
  /** Read ordinals (per set) of its first and last sighting, the last read missing it before its final run of sightings, and that run's first read (-1: none). */
  readonly firstPresent: number[] = [];
  readonly lastPresent: number[] = [];
  readonly lastAbsent: number[] = [];
  readonly runStart: number[] = [];

  get count(): number {
    return this.keyOf.length;
  }

  /** Records an add of `e` to `set`; returns the element's id. */
  add(set: SetState, key: SetKey, e: Scalar, op: Op, completion: Op | undefined): number {
    const type = completion?.type ?? 'info';
    const okTime = type === 'ok' ? completion!.time : Infinity;
    const notFailed = type === 'fail' ? Infinity : op.index;
    const existing = set.ids.get(e);
    if (existing !== undefined) {
      // Added again: the element is as good as its best add.
      if (type === 'ok' || (type === 'info' && this.addType[existing] === 'fail')) this.addType[existing] = type;
      this.known[existing] = Math.min(this.known[existing]!, okTime);
      this.firstNotFailed[existing] = Math.min(this.firstNotFailed[existing]!, notFailed);
      return existing;
    }
    const id = this.keyOf.length;
    set.ids.set(e, id);
    this.keyOf.push(key);
    this.element.push(e);
    this.addInvoke.push(op.time);
    this.addIndex.push(op.index);
    this.addType.push(type);
    this.firstNotFailed.push(notFailed);
    this.known.push(okTime);
    this.firstPresent.push(-1);
    this.lastPresent.push(-1);
    this.lastAbsent.push(-1);
    this.runStart.push(-1);
    return id;
  }
}

/** One set: its elements and, per ok read in invocation order, when it began and where it completed. */
interface SetState {
  ids: Map<unknown, number>;
  inv: number[];
  index: number[];
  /** Elements by the time they became known, for counting those known before a read began (linearizable only). */
  knownQueue: WakeQueue<number> | undefined;
  knownBefore: number;
}

function parseAdd(op: Op): [SetKey, Scalar] {
  const v = op.value;
  if (isScalar(v)) return [null, v];
  if (Array.isArray(v) && v.length === 2 && isScalar(v[0]) && isScalar(v[1])) return [v[0], v[1]];
  throw new HistoryError(`add value must be an element (number or string) or [key, element], got ${JSON.stringify(v)}`, op.index);
}

function parseReadKey(op: Op): SetKey {
  const v = op.value;
  if (v === null || v === undefined) return null;
  if (Array.isArray(v) && v.length === 2 && isScalar(v[0]) && v[1] == null) return v[0];
  throw new HistoryError(`read must be invoked with null or [key, null], got ${JSON.stringify(v)}`, op.index);
}

function parseReadResult(op: Op, key: SetKey): unknown[] {
  const v = op.value;
  if (key === null) {
    if (Array.isArray(v)) return v;
  } else if (Array.isArray(v) && v.length === 2 && v[0] === key && Array.isArray(v[1])) {
    return v[1] as unknown[];
  }
  const want = key === null ? 'an array of elements' : `[${JSON.stringify(key)}, [elements...]]`;
  throw new HistoryError(`ok read must return ${want}, got ${JSON.stringify(v)}`, op.index);
}

interface CompletedRead {
  key: SetKey;
  invTime: number;
  completion: Op;
  values: unknown[];
}

/**
 * The check as a fold over ops (see checkers/online.ts). Adds settle in invocation order
 * (../invocation-order.ts); reads are judged in invocation order, each once the adds invoked
 * before it completed have settled, against those adds only. Every element is remembered until
 * the end (a later read decides whether it was lost), and per read only when it began and where
 * it completed, not what it returned. Duplicated and unexpected elements are definite when
 * judged; with `linearizable`, so is a read that misses a known element (stale or lost, either
 * way a violation).
 */
class SetFullFold implements Fold {
  private readonly linearizable: boolean;
  private readonly els = new Elements();
  private readonly sets = new Map<SetKey, SetState>();
  private readonly order = new InvocationOrder((invoke, completion) => this.settle(invoke, completion), (op) => op.f === 'add' || op.f === 'read');
  /** Invocation indices of the adds not settled yet, from `addHead` on. */
  private unsettledAdds: number[] = [];
  private addHead = 0;
  private waiting: CompletedRead[] = [];
  private waitHead = 0;
  private attempted = 0;
  private misses = 0;
  private duplicatedCount = 0;
  private unexpectedCount = 0;
  private readonly duplicated: Array<{ element: unknown; count: number; index: number }> = [];
  private readonly unexpected: Array<{ element: unknown; index: number; reason: string }> = [];

  constructor(opts: SetFullOptions) {
    this.linearizable = opts.linearizable ?? false;
  }

  get violated(): boolean {
    return this.duplicatedCount > 0 || this.unexpectedCount > 0 || this.misses > 0;
  }

  feed(op: Op): void {
    if (op.type === 'invoke') {
      if (op.f === 'add') {
        parseAdd(op);
        this.unsettledAdds.push(op.index);
      } else if (op.f === 'read') parseReadKey(op);
    }
    this.order.feed(op);
    this.judgeReady();
  }

  private setState(key: SetKey): SetState {
    let s = this.sets.get(key);
    if (!s) this.sets.set(key, (s = { ids: new Map(), inv: [], index: [], knownQueue: this.linearizable ? new WakeQueue() : undefined, knownBefore: 0 }));
    return s;
  }

  private settle(op: Op, completion: Op | undefined): void {
    if (op.f === 'add') {
      this.attempted++;
      this.addHead++;
      if (this.addHead > 1024 && this.addHead * 2 > this.unsettledAdds.length) {
        this.unsettledAdds = this.unsettledAdds.slice(this.addHead);
        this.addHead = 0;
      }
      const [key, e] = parseAdd(op);
      const set = this.setState(key);
      const id = this.els.add(set, key, e, op, completion);
      this.whenKnown(set, id);
    } else if (completion?.type === 'ok') {
      const key = parseReadKey(op);
      this.waiting.push({ key, invTime: op.time, completion, values: parseReadResult(completion, key) });
    }
  }

  /** Counts the element among those known before later reads began (linearizable only). */
  private whenKnown(set: SetState, id: number): void {
    const k = this.els.known[id]!;
    if (set.knownQueue && k !== Infinity) set.knownQueue.add(k, id);
  }

  /** Judges, in invocation order, the reads whose adds (invoked before they completed) have settled. */
  private judgeReady(): void {
    while (this.waitHead < this.waiting.length) {
      const read = this.waiting[this.waitHead]!;
      const nextAdd = this.unsettledAdds[this.addHead];
      if (nextAdd !== undefined && nextAdd < read.completion.index) break;
      this.waitHead++;
      this.judge(read);
    }
    if (this.waitHead > 1024 && this.waitHead * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.waitHead);
      this.waitHead = 0;
    }
  }

  private judge(read: CompletedRead): void {
    const { key, invTime, completion, values } = read;
    const els = this.els;
    const set = this.setState(key);
    const r = set.inv.length;
    const previousInv = r > 0 ? set.inv[r - 1]! : -Infinity;
    set.inv.push(invTime);
    set.index.push(completion.index);
    if (set.knownQueue) set.knownBefore += set.knownQueue.due(invTime).length;
    const show = (e: unknown): unknown => (key === null ? e : [key, e]);
    let dupCount: Map<number, number> | undefined;
    let seenKnown = 0;
    for (const e of values) {
      const id = set.ids.get(e);
      if (id === undefined || els.addIndex[id]! > completion.index) {
        this.unexpectedCount++;
        if (this.unexpected.length < MAX_EXAMPLES) this.unexpected.push({ element: show(e), index: completion.index, reason: 'never added' });
        continue;
      }
      if (els.lastPresent[id] === r) {
        dupCount ??= new Map();
        dupCount.set(id, (dupCount.get(id) ?? 1) + 1);
        continue;
      }
      if (els.known[id]! < invTime) seenKnown++;
      if (els.firstPresent[id] === -1) {
        els.firstPresent[id] = r;
        if (completion.time < els.known[id]!) {
          els.known[id] = completion.time;
          this.whenKnown(set, id);
        }
        if (els.firstNotFailed[id]! > completion.index) {
          this.unexpectedCount++;
          if (this.unexpected.length < MAX_EXAMPLES) this.unexpected.push({ element: show(e), index: completion.index, reason: 'its add failed' });
        }
      }
      // A run of reads seeing the element is broken when a read in the gap before this one
      // began after the element was known; the latest such read is the one before.
      if (els.lastPresent[id] !== r - 1 && r > 0 && previousInv > els.known[id]!) {
        els.lastAbsent[id] = r - 1;
        els.runStart[id] = r;
      } else if (els.runStart[id] === -1) {
        els.runStart[id] = r;
      }
      els.lastPresent[id] = r;
    }
    for (const [id, count] of dupCount ?? []) {
      this.duplicatedCount++;
      if (this.duplicated.length < MAX_EXAMPLES) this.duplicated.push({ element: show(els.element[id]), count, index: completion.index });
    }
    // An element known before the read began and missing from it is stale or lost.
    if (seenKnown < set.knownBefore) this.misses++;
  }

  result(): CheckResult {
    this.order.finish();
    this.judgeReady();
    const els = this.els;
    const n = els.count;
    const stableNs: number[] = [];
    const lostNs: number[] = [];
    const lost: Array<{ element: unknown; addIndex: number; lastSeenIndex: number | null; missedFromIndex: number }> = [];
    const staleIds: number[] = [];
    const staleMs: number[] = [];
    const staleMiss: number[] = [];
    const neverRead: unknown[] = [];
    let stableCount = 0;
    let staleCount = 0;
    let lostCount = 0;
    let neverReadCount = 0;
    let acknowledged = 0;
    const noReads: SetState = { ids: new Map(), inv: [], index: [], knownQueue: undefined, knownBefore: 0 };
    const show = (id: number): unknown => (els.keyOf[id] === null ? els.element[id] : [els.keyOf[id], els.element[id]]);
    for (let id = 0; id < n; id++) {
      if (els.addType[id] === 'ok') acknowledged++;
      const k = els.known[id]!;
      if (k === Infinity) continue; // never acknowledged nor seen: may never have happened
      const reads = this.sets.get(els.keyOf[id]!) ?? noReads;
      const R = reads.inv.length;
      const lp = els.lastPresent[id]!;
      if (lp < R - 1 && R > 0 && reads.inv[R - 1]! > k) {
        lostCount++;
        const from = countBelow(reads.inv, k, true, lp + 1);
        lostNs.push(Math.max(0, reads.inv[from]! - els.addInvoke[id]!));
        if (lost.length < MAX_EXAMPLES) {
          lost.push({ element: show(id), addIndex: els.addIndex[id]!, lastSeenIndex: lp >= 0 ? reads.index[lp]! : null, missedFromIndex: reads.index[from]! });
        }
      } else if (lp === -1) {
        neverReadCount++;
        if (neverRead.length < MAX_EXAMPLES) neverRead.push(show(id));
      } else {
        stableCount++;
        stableNs.push(Math.max(0, reads.inv[els.runStart[id]!]! - els.addInvoke[id]!));
        const la = els.lastAbsent[id]!;
        if (la >= 0) {
          staleCount++;
          staleIds.push(id);
          staleMs.push((reads.inv[la]! - k) / 1e6);
          staleMiss.push(reads.index[la]!);
        }
      }
    }
    const stale = [...staleIds.keys()]
      .sort((a, b) => staleMs[b]! - staleMs[a]!)
      .slice(0, MAX_EXAMPLES)
      .map((i) => {
        const id = staleIds[i]!;
        return { element: show(id), addIndex: els.addIndex[id]!, staleMs: staleMs[i]!, lastMissIndex: staleMiss[i]! };
      });

    const anomalyTypes: string[] = [];
    if (lostCount > 0) anomalyTypes.push('lost');
    if (this.duplicatedCount > 0) anomalyTypes.push('duplicated');
    if (this.unexpectedCount > 0) anomalyTypes.push('unexpected');
    if (this.linearizable && staleCount > 0) anomalyTypes.push('stale');
    const result: CheckResult = {
      valid: anomalyTypes.length === 0,
      attempted: this.attempted,
      acknowledged,
      stableCount,
      staleCount,
      lostCount,
      neverReadCount,
      duplicatedCount: this.duplicatedCount,
      unexpectedCount: this.unexpectedCount,
      lost,
      stale,
      neverRead,
      duplicated: this.duplicated,
      unexpected: this.unexpected,
      stableLatencies: summarize(Float64Array.from(stableNs)),
      lostLatencies: summarize(Float64Array.from(lostNs)),
    };
    if (anomalyTypes.length > 0) result.anomalyTypes = anomalyTypes;
    else if (this.attempted > 0 && stableCount === 0) {
      result.valid = 'unknown';
      result.error = 'no element was read after it was added';
    }
    return result;
  }
}

/** The set-full checker; it also checks op by op (`begin`). */
export function setFull(opts: SetFullOptions = {}) {
  return foldChecker('set-full', () => new SetFullFold(opts));
}
