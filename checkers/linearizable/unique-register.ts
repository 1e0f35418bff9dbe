/**
 * Polynomial fast path for read/write registers whose written values are unique (Gibbons &
 * Korach, "Testing shared memories"): O(n log n) instead of an exponential search.
 *
 * With unique values every read names its write, so ops group into clusters (a write and the
 * reads of its value; the initial value is a virtual write before everything). For a cluster,
 * let minRet be the earliest return and maxCall the latest invocation among its ops. If
 * minRet < maxCall the cluster must span the forward zone [minRet, maxCall]; otherwise it can
 * be placed at any single point of its backward zone [maxCall, minRet]. The history is
 * linearizable iff no read returns before its write is invoked, no two forward zones overlap,
 * and no backward zone lies inside a forward zone.
 *
 * A linearizable verdict comes with a witness (each cluster placed at its zone), which is
 * checked independently; should that check ever fail, the caller falls back to the search.
 */
import type { Model } from './model.ts';
import { builtInRegisters } from './models/register.ts';
import { valueKey } from './models/values.ts';
import type { Partition } from './prepare.ts';

export type FastVerdict =
  | { valid: true; linearization: number[] }
  | { valid: false; op: number; reason: string; related: number[] };

interface Cluster {
  /** The write entry, or -1 for the initial value. */
  write: number;
  reads: number[];
  minRet: number;
  maxCall: number;
  /** Where a backward cluster is placed in the witness: outside every forward zone. */
  point: number;
}

/** The verdict, or undefined when the partition does not qualify (or the witness fails). */
export function uniqueRegisterCheck(model: Model<any>, p: Partition): FastVerdict | undefined {
  if (!builtInRegisters.has(model)) return undefined;
  const n = p.ops.length;
  const initKey = valueKey(model.init());
  const clusters = new Map<string | number, Cluster>();
  clusters.set(initKey, { write: -1, reads: [], minRet: -1, maxCall: -1, point: -1 });
  for (let e = 0; e < n; e++) {
    const op = p.ops[e]!;
    if (op.f === 'write') {
      const k = valueKey(op.value);
      if (clusters.has(k)) return undefined;
      clusters.set(k, { write: e, reads: [], minRet: p.ret[e]!, maxCall: p.call[e]!, point: 0 });
    } else if (op.f !== 'read') {
      return undefined;
    }
  }
  for (let e = 0; e < n; e++) {
    const op = p.ops[e]!;
    if (op.f !== 'read' || p.ret[e] === Infinity) continue;
    const c = clusters.get(valueKey(op.value));
    if (!c) return { valid: false, op: p.call[e]!, reason: `read ${JSON.stringify(op.value)}, a value no op wrote`, related: [p.call[e]!] };
    if (c.write >= 0 && p.ret[e]! < p.call[c.write]!) {
      return { valid: false, op: p.call[e]!, reason: `read ${JSON.stringify(op.value)} returned before its write (op ${p.call[c.write]}) was invoked`, related: [p.call[c.write]!, p.call[e]!] };
    }
    c.reads.push(e);
    c.minRet = Math.min(c.minRet, p.ret[e]!);
    c.maxCall = Math.max(c.maxCall, p.call[e]!);
  }
  const live = [...clusters.values()].filter((c) => c.reads.length > 0 || (c.write >= 0 && p.ret[c.write] !== Infinity));
  const forward = live.filter((c) => c.minRet < c.maxCall).sort((a, b) => a.minRet - b.minRet);
  const backward = live.filter((c) => c.minRet >= c.maxCall);
  const opsOf = (c: Cluster): number[] => [...(c.write >= 0 ? [p.call[c.write]!] : []), ...c.reads.map((e) => p.call[e]!)];
  const describe = (c: Cluster): string => (c.write >= 0 ? `the value of write op ${p.call[c.write]}` : 'the initial value');
  const lateOp = (c: Cluster): number => {
    const late = c.reads.find((e) => p.call[e] === c.maxCall);
    return late !== undefined ? p.call[late]! : c.maxCall;
  };
  for (let i = 1; i < forward.length; i++) {
    const a = forward[i - 1]!;
    const b = forward[i]!;
    if (b.minRet < a.maxCall) {
      return { valid: false, op: lateOp(a), reason: `${describe(a)} and ${describe(b)} are each read after the other must have been written`, related: [...opsOf(a), ...opsOf(b)].sort((x, y) => x - y) };
    }
  }
  for (const b of backward) {
    let lo = 0;
    let hi = forward.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (forward[mid]!.minRet < b.maxCall) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    const f = found >= 0 ? forward[found]! : undefined;
    if (f && b.minRet < f.maxCall) {
      return { valid: false, op: lateOp(f), reason: `${describe(b)} must take effect while ${describe(f)} is still being read`, related: [...opsOf(f), ...opsOf(b)].sort((x, y) => x - y) };
    }
    b.point = f && b.maxCall < f.maxCall ? f.maxCall + 0.5 : b.maxCall;
  }
  // Witness: forward clusters at minRet (write first, reads at max(call, minRet)); backward
  // clusters at one point of their zone outside every forward zone. Several backward clusters
  // moved just past the same forward zone share that point: every op of each is concurrent with
  // it, so they go one whole cluster after another (ties broken by cluster, then write first).
  const placed: { point: number; cluster: number; write: number; entry: number }[] = [];
  live.forEach((c, cluster) => {
    const base = c.minRet < c.maxCall ? c.minRet : c.point;
    if (c.write >= 0) placed.push({ point: base, cluster, write: 0, entry: c.write });
    for (const r of c.reads) placed.push({ point: c.minRet < c.maxCall ? Math.max(p.call[r]!, base) : base, cluster, write: 1, entry: r });
  });
  placed.sort((a, b) => a.point - b.point || a.cluster - b.cluster || a.write - b.write);
  return { valid: true, linearization: placed.map((x) => x.entry) };
}
