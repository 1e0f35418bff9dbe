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
 * Reads of a value no write produced (`unexpected-value`) or written only after the read ended
 * (`future-read`) are reported too. Reads of a value written more than once are skipped
 * (`ambiguousReads`).
 * Evidence: `reads`, `staleCount`, `anomalyCounts` (reads per anomaly type), `byVersions`
 * ({versions: reads}), `staleness` (count, quantilesMs, meanMs), `worst` (up to 20 stale reads,
 * stalest first: `{index, invokeIndex, node, key, value, versions, staleMs, writeIndex,
 * supersededBy, missedValue}`: the read's completion and invocation, the node that answered, the
 * value read and the invocation of its write (null: the initial value), the first write it
 * missed and that write's value), `impossible` (up to 100). Anomaly types: `stale-read`,
 * `unexpected-value`, `future-read`.
 */
import type { Checker } from '../../src/core/checker.ts';
import { HistoryError } from '../../src/core/errors.ts';
import type { History, Op } from '../../src/core/op.ts';
import type { CheckResult } from '../../src/core/validity.ts';
import { completionIndex } from '../../src/history/pairs.ts';
import { summarize } from '../perf.ts';
import { countBelow } from '../sorted-search.ts';

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

interface KeyWrites {
  /** value → write number, or -1 when written more than once. */
  byValue: Map<Value, number>;
  inv: number[];
  /** Completion index of an ok write; Infinity when it may or may not have happened. */
  comp: number[];
  reads: Array<{ inv: number; comp: number; value: Value }>;
}

/** Fenwick tree over positions 0..n-1 counting inserted points. */
class Fenwick {
  private readonly t: Int32Array;
  constructor(n: number) {
    this.t = new Int32Array(n + 1);
  }
  add(i: number): void {
    for (i++; i < this.t.length; i += i & -i) this.t[i]!++;
  }
  /** Points at positions < i. */
  prefix(i: number): number {
    let s = 0;
    for (; i > 0; i -= i & -i) s += this.t[i]!;
    return s;
  }
}

export function staleReads(opts: StaleReadsOptions = {}) {
  const initial = (opts.initial ?? null) as Value;
  return {
    name: 'stale-reads',
    check(history: History): CheckResult {
      const partner = completionIndex(history);
      const keys = new Map<Key, KeyWrites>();
      const keyOf = (k: Key): KeyWrites => {
        let kw = keys.get(k);
        if (!kw) {
          // The initial value acts as a write that completed before the history began.
          keys.set(k, (kw = { byValue: new Map([[initial, 0]]), inv: [-2], comp: [-1], reads: [] }));
        }
        return kw;
      };
      for (let i = 0; i < history.length; i++) {
        const op = history[i]!;
        if (op.type !== 'invoke') continue;
        const c = partner[i]!;
        const type = c >= 0 ? history[c]!.type : 'info';
        if (op.f === 'write' || op.f === 'cas') {
          const [k, v] = parseWrite(op);
          if (type === 'fail') continue;
          const kw = keyOf(k);
          kw.byValue.set(v, kw.byValue.has(v) ? -1 : kw.inv.length);
          kw.inv.push(i);
          kw.comp.push(type === 'ok' ? c : Infinity);
        } else if (op.f === 'read' && type === 'ok') {
          const [k, v] = parseRead(op, history[c]!);
          if (v === null && opts.nilReadsUnknown) continue;
          keyOf(k).reads.push({ inv: i, comp: c, value: v });
        }
      }

      let reads = 0;
      let ambiguousReads = 0;
      const byVersions: Record<string, number> = {};
      const staleNs: number[] = [];
      const worst: StaleRead[] = [];
      const impossible: Array<{ kind: string; index: number; key: Key; value: Value }> = [];
      const anomalyCounts: Record<string, number> = {};
      const found = (kind: string): void => {
        anomalyCounts[kind] = (anomalyCounts[kind] ?? 0) + 1;
      };
      for (const [key, kw] of keys) {
        const n = kw.inv.length;
        // Ok writes by completion (for the counting sweep) and all writes by invocation with
        // the suffix minimum of completion (for the earliest superseding write).
        const okByComp = [...Array(n).keys()].filter((w) => kw.comp[w] !== Infinity).sort((a, b) => kw.comp[a]! - kw.comp[b]!);
        const byInv = [...Array(n).keys()].sort((a, b) => kw.inv[a]! - kw.inv[b]!);
        const invSorted = byInv.map((w) => kw.inv[w]!);
        const suffixMin = new Array<number>(n + 1).fill(Infinity);
        const suffixArg = new Array<number>(n + 1).fill(-1);
        for (let j = n - 1; j >= 0; j--) {
          const w = byInv[j]!;
          const better = kw.comp[w]! < suffixMin[j + 1]!;
          suffixMin[j] = better ? kw.comp[w]! : suffixMin[j + 1]!;
          suffixArg[j] = better ? w : suffixArg[j + 1]!;
        }
        const tree = new Fenwick(n);
        let inserted = 0;
        const queries = kw.reads.slice().sort((a, b) => a.inv - b.inv);
        for (const q of queries) {
          reads++;
          while (inserted < okByComp.length && kw.comp[okByComp[inserted]!]! < q.inv) {
            tree.add(countBelow(invSorted, kw.inv[okByComp[inserted]!]!, true) - 1);
            inserted++;
          }
          const w = kw.byValue.get(q.value);
          if (w === undefined || w === -1) {
            if (w === -1) ambiguousReads++;
            else {
              found('unexpected-value');
              if (impossible.length < MAX_EXAMPLES) impossible.push({ kind: 'unexpected-value', index: q.comp, key, value: q.value });
            }
            continue;
          }
          if (kw.inv[w]! > q.comp) {
            found('future-read');
            if (impossible.length < MAX_EXAMPLES) impossible.push({ kind: 'future-read', index: q.comp, key, value: q.value });
            continue;
          }
          const after = kw.comp[w]!;
          if (after === Infinity) continue;
          // Ok writes completed before the read began, invoked after w completed.
          const from = countBelow(invSorted, after, true);
          const versions = inserted - tree.prefix(from);
          if (versions <= 0) continue;
          const first = suffixArg[from]!;
          const ns = history[q.inv]!.time - history[kw.comp[first]!]!.time;
          staleNs.push(ns);
          byVersions[versions] = (byVersions[versions] ?? 0) + 1;
          found('stale-read');
          worst.push({ index: q.comp, invokeIndex: q.inv, node: nodeOf(history[q.comp]!, history[q.inv]!), key, value: q.value, versions, staleMs: ns / 1e6, writeIndex: w === 0 ? null : kw.inv[w]!, supersededBy: kw.inv[first]!, missedValue: null });
          if (worst.length > 4 * MAX_WORST) worst.sort((a, b) => b.staleMs - a.staleMs).length = MAX_WORST;
        }
      }
      worst.sort((a, b) => b.staleMs - a.staleMs);
      if (worst.length > MAX_WORST) worst.length = MAX_WORST;
      for (const s of worst) s.missedValue = parseWrite(history[s.supersededBy]!)[1];
      const kinds = Object.keys(anomalyCounts).sort();
      const result: CheckResult = {
        valid: kinds.length === 0,
        reads,
        staleCount: staleNs.length,
        anomalyCounts,
        ambiguousReads,
        byVersions,
        staleness: summarize(Float64Array.from(staleNs)),
        worst,
        impossible,
      };
      if (kinds.length > 0) result.anomalyTypes = kinds;
      return result;
    },
  } satisfies Checker;
}
