/**
 * Long fork: two reads that observe concurrent writes in opposite orders, the tell of parallel
 * snapshot isolation (forbidden under snapshot isolation and stronger models).
 *
 * Ops (Jepsen's long-fork shape): write transactions `{f: "write", value: [["w", k, v]]}`, each
 * key written at most once; read transactions `{f: "read", value: [["r", k, null]...]}`
 * completing ok with `[["r", k, v | null]...]`. Reads of the same set of keys form a group; a
 * read has seen a key when its value is not null. Two reads of a group are a fork when each has
 * seen a key the other has not: the writes were applied in different orders. Reads are compared
 * as bit sets sorted by size, so a group costs O(reads + distinct sets x keys), not pairwise.
 * Evidence: `readsCount`, `earlyReadCount` (nothing seen), `lateReadCount` (everything seen),
 * `forkedGroups` (also as `anomalyCounts`), `forks` (up to 100 groups: `{keys, ops: [a, b]}` with the two reads' ok ops
 * as `{index, process, node, value}`). Anomaly type: `long-fork`.
 */
import type { Checker } from '../../src/core/checker.ts';
import { HistoryError } from '../../src/core/errors.ts';
import type { History, Op } from '../../src/core/op.ts';
import type { CheckResult } from '../../src/core/validity.ts';

const MAX_EXAMPLES = 100;

type Key = number | string;

interface Group {
  keys: Key[];
  position: Map<Key, number>;
  /** Distinct seen-sets: mask text → [mask, popcount, first read op]. */
  sets: Map<string, { mask: Uint32Array; size: number; op: Op }>;
}

function microOps(op: Op, what: string): unknown[][] {
  const v = op.value;
  if (Array.isArray(v) && v.every((m) => Array.isArray(m) && m.length === 3 && (typeof m[1] === 'number' || typeof m[1] === 'string'))) return v as unknown[][];
  throw new HistoryError(`${what} must be a list of [f, key, value] micro-ops, got ${JSON.stringify(v)}`, op.index);
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function subset(a: Uint32Array, b: Uint32Array): boolean {
  for (let i = 0; i < a.length; i++) if ((a[i]! & ~b[i]!) !== 0) return false;
  return true;
}

export function longFork() {
  return {
    name: 'long-fork',
    check(history: History): CheckResult {
      const written = new Map<Key, number>();
      const groups = new Map<string, Group>();
      let readsCount = 0;
      let early = 0;
      let late = 0;
      for (const op of history) {
        if (op.f === 'write' && op.type === 'invoke') {
          for (const [f, k] of microOps(op, 'write value')) {
            if (f !== 'w') throw new HistoryError(`write transactions may only hold ["w", k, v] micro-ops, got ${JSON.stringify(f)}`, op.index);
            const prior = written.get(k as Key);
            if (prior !== undefined) throw new HistoryError(`key ${JSON.stringify(k)} is written twice (first at op ${prior}); long-fork writes each key once`, op.index);
            written.set(k as Key, op.index);
          }
        }
        if (op.f !== 'read' || op.type !== 'ok') continue;
        const mops = microOps(op, 'ok read value');
        readsCount++;
        const keys = mops.map((m) => m[1] as Key);
        const id = JSON.stringify([...keys].sort());
        let g = groups.get(id);
        if (!g) {
          const sorted = [...keys].sort();
          groups.set(id, (g = { keys: sorted, position: new Map(sorted.map((k, i) => [k, i])), sets: new Map() }));
        }
        const mask = new Uint32Array(Math.ceil(g.keys.length / 32));
        let size = 0;
        for (const [, k, v] of mops) {
          if (v === null || v === undefined) continue;
          const p = g.position.get(k as Key)!;
          mask[p >>> 5]! |= 1 << (p & 31);
          size++;
        }
        if (size === 0) early++;
        if (size === g.keys.length) late++;
        const text = mask.join(',');
        if (!g.sets.has(text)) g.sets.set(text, { mask, size: mask.reduce((s, w) => s + popcount(w), 0), op });
      }
      const forks: Array<{ keys: Key[]; ops: Array<{ index: number; process: unknown; node?: string; value: unknown }> }> = [];
      let forkedGroups = 0;
      const show = (op: Op) => (op.node === undefined ? { index: op.index, process: op.process, value: op.value } : { index: op.index, process: op.process, node: op.node, value: op.value });
      for (const g of groups.values()) {
        const sets = [...g.sets.values()].sort((a, b) => a.size - b.size);
        for (let i = 1; i < sets.length; i++) {
          const a = sets[i - 1]!;
          const b = sets[i]!;
          if (subset(a.mask, b.mask)) continue;
          forkedGroups++;
          if (forks.length < MAX_EXAMPLES) forks.push({ keys: g.keys, ops: [show(a.op), show(b.op)] });
          break;
        }
      }
      const result: CheckResult = { valid: forkedGroups === 0, readsCount, earlyReadCount: early, lateReadCount: late, forkedGroups, forks };
      if (forkedGroups > 0) {
        result.anomalyTypes = ['long-fork'];
        result.anomalyCounts = { 'long-fork': forkedGroups };
      }
      return result;
    },
  } satisfies Checker;
}
