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
 * Reads that return an element twice (`duplicated`) or one never added, or whose add failed
 * (`unexpected`), are errors too.
 * Evidence: counts (`attempted`, `acknowledged`, `stableCount`, `staleCount`, `lostCount`,
 * `neverReadCount`, `duplicatedCount`, `unexpectedCount`), up to 100 examples each (`lost`,
 * `stale` (worst first), `neverRead`, `duplicated`, `unexpected`), and `stableLatencies`,
 * `lostLatencies` (count, quantilesMs, meanMs). Anomaly types: `lost`, `duplicated`,
 * `unexpected`, and `stale` when linearizable.
 */
import type { Checker } from '../../src/core/checker.ts';
import { HistoryError } from '../../src/core/errors.ts';
import type { History, Op } from '../../src/core/op.ts';
import type { CheckResult } from '../../src/core/validity.ts';
import { completionIndex } from '../../src/history/pairs.ts';
import { summarize } from '../perf.ts';
import { countBelow } from '../sorted-search.ts';
import { resolveInto, valueIndex, type ValueIndex } from '../value-index.ts';

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

interface SetReads {
  key: SetKey;
  inv: number[];
  comp: number[];
  values: unknown[][];
  index: number[];
}

/** Everything known about one added (or observed) element. */
class Elements {
  readonly keyOf: SetKey[] = [];
  readonly element: Scalar[] = [];
  readonly addInvoke: number[] = [];
  readonly addIndex: number[] = [];
  /** 'ok' | 'info' | 'fail'; pending adds count as info. */
  readonly addType: string[] = [];
  readonly known: number[] = [];
  private readonly ids = new Map<SetKey, Map<unknown, number>>();

  /** Element → id for one set (undefined when nothing was added to it). */
  indexOf(key: SetKey): ValueIndex | undefined {
    const ids = this.ids.get(key);
    return ids && valueIndex(ids);
  }

  add(key: SetKey, e: Scalar, op: Op, completion: Op | undefined): void {
    let byKey = this.ids.get(key);
    if (!byKey) this.ids.set(key, (byKey = new Map()));
    const type = completion?.type ?? 'info';
    const okTime = type === 'ok' ? completion!.time : Infinity;
    const existing = byKey.get(e);
    if (existing !== undefined) {
      // Added again: the element is as good as its best add.
      if (type === 'ok' || (type === 'info' && this.addType[existing] === 'fail')) this.addType[existing] = type;
      this.known[existing] = Math.min(this.known[existing]!, okTime);
      return;
    }
    byKey.set(e, this.keyOf.length);
    this.keyOf.push(key);
    this.element.push(e);
    this.addInvoke.push(op.time);
    this.addIndex.push(op.index);
    this.addType.push(type);
    this.known.push(okTime);
  }
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

export function setFull(opts: SetFullOptions = {}) {
  return {
    name: 'set-full',
    check(history: History): CheckResult {
      const partner = completionIndex(history);
      const els = new Elements();
      const readsByKey = new Map<SetKey, SetReads>();
      let attempted = 0;
      for (let i = 0; i < history.length; i++) {
        const op = history[i]!;
        if (op.type !== 'invoke') continue;
        const c = partner[i]!;
        const completion = c >= 0 ? history[c] : undefined;
        if (op.f === 'add') {
          attempted++;
          const [key, e] = parseAdd(op);
          els.add(key, e, op, completion);
        } else if (op.f === 'read') {
          const key = parseReadKey(op);
          if (completion?.type !== 'ok') continue;
          let r = readsByKey.get(key);
          if (!r) readsByKey.set(key, (r = { key, inv: [], comp: [], values: [], index: [] }));
          r.inv.push(op.time);
          r.comp.push(completion.time);
          r.values.push(parseReadResult(completion, key));
          r.index.push(completion.index);
        }
      }

      const n = els.element.length;
      const firstPresent = new Int32Array(n).fill(-1);
      const lastPresent = new Int32Array(n).fill(-1);
      const lastAbsent = new Int32Array(n).fill(-1);
      const runStart = new Int32Array(n).fill(-1);
      const known = els.known;
      const duplicated: Array<{ element: unknown; count: number; index: number }> = [];
      const unexpected: Array<{ element: unknown; index: number; reason: string }> = [];
      let duplicatedCount = 0;
      let unexpectedCount = 0;
      const show = (key: SetKey, e: unknown): unknown => (key === null ? e : [key, e]);

      let scratch = new Int32Array(1024);
      for (const reads of readsByKey.values()) {
        const key = reads.key;
        const index = els.indexOf(key);
        for (let r = 0; r < reads.values.length; r++) {
          let dupCount: Map<number, number> | undefined;
          const values = reads.values[r]!;
          if (scratch.length < values.length) scratch = new Int32Array(2 * values.length);
          resolveInto(index, values, scratch, 0);
          for (let q = 0; q < values.length; q++) {
            const e = values[q];
            const id = scratch[q]!;
            if (id < 0) {
              unexpectedCount++;
              if (unexpected.length < MAX_EXAMPLES) unexpected.push({ element: show(key, e), index: reads.index[r]!, reason: 'never added' });
              continue;
            }
            if (lastPresent[id] === r) {
              dupCount ??= new Map();
              dupCount.set(id, (dupCount.get(id) ?? 1) + 1);
              continue;
            }
            if (firstPresent[id] === -1) {
              firstPresent[id] = r;
              known[id] = Math.min(known[id]!, reads.comp[r]!);
              if (els.addType[id] === 'fail') {
                unexpectedCount++;
                if (unexpected.length < MAX_EXAMPLES) unexpected.push({ element: show(key, e), index: reads.index[r]!, reason: 'its add failed' });
              }
            }
            // A run of reads seeing the element is broken when a read in the gap before this
            // one began after the element was known; the latest such read is the one before.
            if (lastPresent[id] !== r - 1 && r > 0 && reads.inv[r - 1]! > known[id]!) {
              lastAbsent[id] = r - 1;
              runStart[id] = r;
            } else if (runStart[id] === -1) {
              runStart[id] = r;
            }
            lastPresent[id] = r;
          }
          for (const [id, count] of dupCount ?? []) {
            duplicatedCount++;
            if (duplicated.length < MAX_EXAMPLES) duplicated.push({ element: show(key, els.element[id]), count, index: reads.index[r]! });
          }
        }
      }

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
      const noReads: SetReads = { key: null, inv: [], comp: [], values: [], index: [] };
      for (let id = 0; id < n; id++) {
        if (els.addType[id] === 'ok') acknowledged++;
        const k = known[id]!;
        if (k === Infinity) continue; // never acknowledged nor seen: may never have happened
        const reads = readsByKey.get(els.keyOf[id]!) ?? noReads;
        const R = reads.inv.length;
        const lp = lastPresent[id]!;
        const element = (): unknown => show(els.keyOf[id]!, els.element[id]);
        if (lp < R - 1 && R > 0 && reads.inv[R - 1]! > k) {
          lostCount++;
          const from = countBelow(reads.inv, k, true, lp + 1);
          lostNs.push(Math.max(0, reads.inv[from]! - els.addInvoke[id]!));
          if (lost.length < MAX_EXAMPLES) {
            lost.push({ element: element(), addIndex: els.addIndex[id]!, lastSeenIndex: lp >= 0 ? reads.index[lp]! : null, missedFromIndex: reads.index[from]! });
          }
        } else if (lp === -1) {
          neverReadCount++;
          if (neverRead.length < MAX_EXAMPLES) neverRead.push(element());
        } else {
          stableCount++;
          stableNs.push(Math.max(0, reads.inv[runStart[id]!]! - els.addInvoke[id]!));
          const la = lastAbsent[id]!;
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
          return { element: show(els.keyOf[id]!, els.element[id]), addIndex: els.addIndex[id]!, staleMs: staleMs[i]!, lastMissIndex: staleMiss[i]! };
        });

      const anomalyTypes: string[] = [];
      if (lostCount > 0) anomalyTypes.push('lost');
      if (duplicatedCount > 0) anomalyTypes.push('duplicated');
      if (unexpectedCount > 0) anomalyTypes.push('unexpected');
      if (opts.linearizable && staleCount > 0) anomalyTypes.push('stale');
      const result: CheckResult = {
        valid: anomalyTypes.length === 0,
        attempted,
        acknowledged,
        stableCount,
        staleCount,
        lostCount,
        neverReadCount,
        duplicatedCount,
        unexpectedCount,
        lost,
        stale,
        neverRead,
        duplicated,
        unexpected,
        stableLatencies: summarize(Float64Array.from(stableNs)),
        lostLatencies: summarize(Float64Array.from(lostNs)),
      };
      if (anomalyTypes.length > 0) result.anomalyTypes = anomalyTypes;
      else if (attempted > 0 && stableCount === 0) {
        result.valid = 'unknown';
        result.error = 'no element was read after it was added';
      }
      return result;
    },
  } satisfies Checker;
}
