/**
 * Stale reads of registers: for each read, how far behind it provably was, in versions and in
 * milliseconds, summarised as a distribution.
 *
 * Ops (Knossos shapes, optionally keyed as Jepsen's independent tuples): `write v` | `[k, v]`;
 * `read null` | `[k, null]` completing ok with `v` | `[k, v]`; `cas [old, new]` | `[k, [old,
 * new]]` (ok means it wrote `new`). Values must be unique per key (each write a new value);
 * `initial` (default null) is the value before any write; with `nilReadsUnknown`, ok reads of
 * null carry no value (as in Knossos histories) and are skipped.
 * A read returning v (written by W) is stale when some write W' began after W completed and
 * completed before the read began: under linearizability the read could no longer return v.
 * `versions` = how many such W' there are; `staleMs` = time from the earliest such W's
 * completion to the read's invocation (a lower bound on how long v had been overwritten).
 * Only writes invoked before a read completed can have written what it read: a read of a value
 * none of them wrote (and did not fail) is `unexpected-value`, or `future-read` when the value is
 * written later; a read of a value several of them wrote is skipped (`ambiguousReads`).
 * Evidence: `reads`, `staleCount`, `anomalyCounts` (reads per anomaly type), `byVersions`
 * ({versions: reads}), `staleness` (count, quantilesMs, meanMs), `worst` (up to 20 stale reads,
 * stalest first: `{index, invokeIndex, node, key, value, versions, staleMs, writeIndex,
 * supersededBy, missedValue}`: the read's completion and invocation, the node that answered, the
 * value read and the invocation of its write (null: the initial value), the first write it
 * missed and that write's value), `impossible` (up to 100). Anomaly types: `stale-read`,
 * `unexpected-value`, `future-read`. Checks op by op too: a read is judged once the writes
 * invoked before it completed have completed, and a violation is definite when judged.
 */
import { HistoryError } from '../../src/core/errors.ts';
import type { Op } from '../../src/core/op.ts';
import type { CheckResult } from '../../src/core/validity.ts';
import { InvocationOrder } from '../invocation-order.ts';
import { foldChecker, type Fold } from '../online.ts';
import { summarize } from '../perf.ts';

const MAX_WORST = 20;
const MAX_EXAMPLES = 100;

export interface StaleReadsOptions {
  initial?: unknown;
  /** Treat ok reads of null as "value unknown" (Knossos histories), not as a value. */
  nilReadsUnknown?: boolean;
}

type Value = number | string | null;
type Key = number | string | null;

function isValue(v: unknown): v is Value {
  return v === null || typeof v === 'number' || typeof v === 'string';
}

/** [key, written value] of a write or cas invocation. */
function parseWrite(op: Op): [Key, Value] {
  const v = op.value;
  if (op.f === 'write') {
    if (isValue(v)) return [null, v];
    if (Array.isArray(v) && v.length === 2 && isValue(v[0]) && isValue(v[1])) return [v[0], v[1]];
    throw new HistoryError(`write value must be v or [k, v], got ${JSON.stringify(v)}`, op.index);
  }
  if (Array.isArray(v) && v.length === 2 && isValue(v[0]) && isValue(v[1])) return [null, v[1]];
  if (Array.isArray(v) && v.length === 2 && isValue(v[0]) && Array.isArray(v[1]) && v[1].length === 2 && isValue(v[1][1])) return [v[0], v[1][1] as Value];
  throw new HistoryError(`cas value must be [old, new] or [k, [old, new]], got ${JSON.stringify(v)}`, op.index);
}

/** A read invoked with `[k, null]` reads key k; otherwise (null, or a value as some Knossos
 * histories have) it reads the unkeyed register and its invoked value is ignored. */
function parseRead(inv: Op, done: Op): [Key, Value] {
  const iv = inv.value;
  const v = done.value;
  const keyed = Array.isArray(iv) && iv.length === 2 && isValue(iv[0]) && iv[1] == null;
  if (!keyed && isValue(v)) return [null, v];
  if (keyed && Array.isArray(v) && v.length === 2 && v[0] === iv[0] && isValue(v[1])) return [iv[0], v[1]];
  throw new HistoryError(`ok read must return a value${keyed ? ' as [k, v]' : ''}, got ${JSON.stringify(v)}`, done.index);
}

/** One stale read, as reported in `worst`. */
export interface StaleRead {
  /** The read's completion. */
  index: number;
  invokeIndex: number;
  /** The node that answered (the completion's node, else the invocation's); null when not recorded. */
  node: string | null;
  key: Key;
  value: Value;
  /** Ok writes that completed after the value's write and before the read began. */
  versions: number;
  staleMs: number;
  /** Invocation of the write of the value read; null for the initial value. */
  writeIndex: number | null;
  /** Invocation of the first write the read missed, and the value it wrote. */
  supersededBy: number;
  missedValue: Value;
}

function nodeOf(completion: Op, invoke: Op): string | null {
  const n = completion.node ?? invoke.node;
  return typeof n === 'string' ? n : null;
}

/** A write (or cas) of one key, from its invocation on; the initial value is one too. */
interface WriteRec {
  key: Key;
  value: Value;
  /** Invocation index; -2 for the initial value. */
  inv: number;
  /** Completed ok; the initial value counts as ok, completed at index -1. */
  ok: boolean;
  failed: boolean;
  comp: number;
  compTime: number;
  /** Ok writes of the key that completed before this one (its place in `okByComp`). */
  okBefore: number;
  /** Writes of the key still open when this one completed ok. */
  openAtComp: WriteRec[];
}

interface KeyState {
  /** The writes of each value that did not fail, settled so far: null when there are several. */
  byValue: Map<Value, WriteRec | null>;
  /** Ok writes by completion. */
  okByComp: WriteRec[];
  open: Set<WriteRec>;
  /**
   * Reads of a value no write had been invoked for when they completed, by value, with their
   * example (null past the examples kept): unexpected until a write of the value appears.
   */
  unexplained: Map<Value, Array<{ kind: string } | null>>;
}

interface CompletedRead {
  invoke: Op;
  completion: Op;
  key: Key;
  value: Value;
  /** Ok writes of its key completed before it began. */
  okBefore: number;
  /** Writes (any key) invoked before it completed: it is judged once they have all settled. */
  writesBefore: number;
}

/** The key an invoked read reads: k for `[k, null]`, else the unkeyed register. */
function readKey(inv: Op): Key {
  const iv = inv.value;
  return Array.isArray(iv) && iv.length === 2 && isValue(iv[0]) && iv[1] == null ? iv[0] : null;
}

/**
 * The check as a fold over ops (see checkers/online.ts). A read is judged once every write
 * invoked before it completed has completed: only those can have written what it read. Writes
 * settle in invocation order (../invocation-order.ts); every value written is remembered (any
 * later read may return it), reads are dropped once judged. A stale read, or a read of a value
 * no write had been invoked for, is definite when judged.
 */
class StaleReadsFold implements Fold {
  private readonly initial: Value;
  private readonly nilReadsUnknown: boolean;
  private readonly keys = new Map<Key, KeyState>();
  private readonly order = new InvocationOrder((_, completion) => this.settle(completion), (op) => op.f === 'write' || op.f === 'cas');
  /** Writes in invocation order, from `head` on the ones not settled yet. */
  private unsettled: WriteRec[] = [];
  private head = 0;
  private settled = 0;
  private readonly openWrites = new Map<unknown, WriteRec>();
  private readonly openReads = new Map<unknown, { invoke: Op; okBefore: number }>();
  private waiting: CompletedRead[] = [];
  private waitHead = 0;
  private reads = 0;
  private ambiguousReads = 0;
  private readonly byVersions: Record<string, number> = {};
  private readonly staleNs: number[] = [];
  private worst: StaleRead[] = [];
  private readonly impossible: Array<{ kind: string; index: number; key: Key; value: Value }> = [];
  private readonly anomalyCounts: Record<string, number> = {};

  constructor(opts: StaleReadsOptions) {
    this.initial = (opts.initial ?? null) as Value;
    this.nilReadsUnknown = opts.nilReadsUnknown ?? false;
  }

  get violated(): boolean {
    return Object.keys(this.anomalyCounts).length > 0;
  }

  private keyState(k: Key): KeyState {
    let ks = this.keys.get(k);
    if (!ks) {
      // The initial value acts as a write that completed before the history began.
      const initial: WriteRec = { key: k, value: this.initial, inv: -2, ok: true, failed: false, comp: -1, compTime: -Infinity, okBefore: -1, openAtComp: [] };
      this.keys.set(k, (ks = { byValue: new Map([[this.initial, initial]]), okByComp: [], open: new Set(), unexplained: new Map() }));
    }
    return ks;
  }

  feed(op: Op): void {
    if (op.type === 'invoke') {
      // A process that invokes again never completes what it had open.
      const stuck = this.openWrites.get(op.process);
      if (stuck) this.keyState(stuck.key).open.delete(stuck);
      this.openWrites.delete(op.process);
      this.openReads.delete(op.process);
      if (op.f === 'write' || op.f === 'cas') this.invokeWrite(op);
      else if (op.f === 'read') this.openReads.set(op.process, { invoke: op, okBefore: this.keyState(readKey(op)).okByComp.length });
    } else {
      this.complete(op);
    }
    this.order.feed(op);
    this.judgeReady();
  }

  private invokeWrite(op: Op): void {
    const [key, value] = parseWrite(op);
    const rec: WriteRec = { key, value, inv: op.index, ok: false, failed: false, comp: Infinity, compTime: Infinity, okBefore: -1, openAtComp: [] };
    this.keyState(key).open.add(rec);
    this.openWrites.set(op.process, rec);
    this.unsettled.push(rec);
  }

  private complete(op: Op): void {
    const rec = this.openWrites.get(op.process);
    if (rec) {
      this.openWrites.delete(op.process);
      const ks = this.keyState(rec.key);
      ks.open.delete(rec);
      rec.failed = op.type === 'fail';
      if (op.type !== 'ok') return;
      rec.ok = true;
      rec.comp = op.index;
      rec.compTime = op.time;
      rec.okBefore = ks.okByComp.length;
      rec.openAtComp = [...ks.open];
      ks.okByComp.push(rec);
      return;
    }
    const read = this.openReads.get(op.process);
    if (!read) return;
    this.openReads.delete(op.process);
    if (op.type !== 'ok') return;
    const [key, value] = parseRead(read.invoke, op);
    if (value === null && this.nilReadsUnknown) return;
    this.waiting.push({ invoke: read.invoke, completion: op, key, value, okBefore: read.okBefore, writesBefore: this.order.invoked });
  }

  /** The next write in invocation order has completed (or never will): reads waiting for the writes before it are judged first. */
  private settle(completion: Op | undefined): void {
    this.judgeReady();
    const rec = this.unsettled[this.head++]!;
    this.settled++;
    if (this.head > 1024 && this.head * 2 > this.unsettled.length) {
      this.unsettled = this.unsettled.slice(this.head);
      this.head = 0;
    }
    if (completion?.type === 'fail') return;
    const ks = this.keyState(rec.key);
    ks.byValue.set(rec.value, ks.byValue.has(rec.value) ? null : rec);
    const unexplained = ks.unexplained.get(rec.value);
    if (!unexplained) return;
    // Those reads returned the value before its write was invoked.
    ks.unexplained.delete(rec.value);
    this.count('unexpected-value', -unexplained.length);
    this.count('future-read', unexplained.length);
    for (const example of unexplained) if (example) example.kind = 'future-read';
  }

  private count(kind: string, n: number): void {
    const c = (this.anomalyCounts[kind] ?? 0) + n;
    if (c > 0) this.anomalyCounts[kind] = c;
    else delete this.anomalyCounts[kind];
  }

  /** Judges, in completion order, the reads whose writes have all settled. */
  private judgeReady(): void {
    while (this.waitHead < this.waiting.length && this.waiting[this.waitHead]!.writesBefore <= this.settled) this.judge(this.waiting[this.waitHead++]!);
    if (this.waitHead > 1024 && this.waitHead * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.waitHead);
      this.waitHead = 0;
    }
  }

  private judge(q: CompletedRead): void {
    this.reads++;
    const ks = this.keyState(q.key);
    const w = ks.byValue.get(q.value);
    if (w === null) {
      this.ambiguousReads++;
      return;
    }
    if (w === undefined) {
      this.count('unexpected-value', 1);
      const example = this.impossible.length < MAX_EXAMPLES ? { kind: 'unexpected-value', index: q.completion.index, key: q.key, value: q.value } : null;
      if (example) this.impossible.push(example);
      let list = ks.unexplained.get(q.value);
      if (!list) ks.unexplained.set(q.value, (list = []));
      list.push(example);
      return;
    }
    if (!w.ok) return;
    // Ok writes that completed after w and before the read began, less those invoked before w completed.
    let versions = q.okBefore - (w.okBefore + 1);
    if (versions <= 0) return;
    for (const o of w.openAtComp) if (o.ok && o.comp < q.invoke.index) versions--;
    if (versions <= 0) return;
    let next = w.okBefore + 1;
    while (ks.okByComp[next]!.inv < w.comp) next++;
    const first = ks.okByComp[next]!;
    const ns = q.invoke.time - first.compTime;
    this.staleNs.push(ns);
    this.byVersions[versions] = (this.byVersions[versions] ?? 0) + 1;
    this.count('stale-read', 1);
    const worst = this.worst;
    worst.push({ index: q.completion.index, invokeIndex: q.invoke.index, node: nodeOf(q.completion, q.invoke), key: q.key, value: q.value, versions, staleMs: ns / 1e6, writeIndex: w.inv < 0 ? null : w.inv, supersededBy: first.inv, missedValue: first.value });
    if (worst.length > 4 * MAX_WORST) worst.sort((a, b) => b.staleMs - a.staleMs).length = MAX_WORST;
  }

  result(): CheckResult {
    this.order.finish();
    this.judgeReady();
    const worst = this.worst.sort((a, b) => b.staleMs - a.staleMs);
    if (worst.length > MAX_WORST) worst.length = MAX_WORST;
    const kinds = Object.keys(this.anomalyCounts).sort();
    const result: CheckResult = {
      valid: kinds.length === 0,
      reads: this.reads,
      staleCount: this.staleNs.length,
      anomalyCounts: this.anomalyCounts,
      ambiguousReads: this.ambiguousReads,
      byVersions: this.byVersions,
      staleness: summarize(Float64Array.from(this.staleNs)),
      worst,
      impossible: this.impossible,
    };
    if (kinds.length > 0) result.anomalyTypes = kinds;
    return result;
  }
}

/** The stale-reads checker; it also checks op by op (`begin`). */
export function staleReads(opts: StaleReadsOptions = {}) {
  return foldChecker('stale-reads', () => new StaleReadsFold(opts));
}
