/**
 * Small time series computed in Node for the charts: latency quantiles and throughput per time
 * bucket. The bucket width is a round number chosen so a run spans about 200 buckets.
 */
import { TYPE_CODE, type OpTable } from './op-table.ts';

export const QUANTILE_SERIES = [
  ['p50', 0.5],
  ['p95', 0.95],
  ['p99', 0.99],
  ['max', 1],
] as const;

/** A round bucket width in ms (1, 2 or 5 × 10^k) giving about `target` buckets over `spanMs`. */
export function bucketWidthMs(spanMs: number, target = 200): number {
  const raw = Math.max(spanMs / target, 1);
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

export interface QuantileSeries {
  bucketMs: number;
  /** Bucket starts, seconds. */
  t: number[];
  /** Latency in ms per quantile name; null where a bucket has no ok op. */
  q: Record<string, Array<number | null>>;
}

/** Quantiles (nearest rank) of ok client-op latency, bucketed by invocation time. */
export function latencyQuantiles(table: OpTable): QuantileSeries {
  const bucketMs = bucketWidthMs(table.endMs);
  const count = Math.max(1, Math.ceil((table.endMs + 1e-9) / bucketMs));
  const buckets: number[][] = Array.from({ length: count }, () => []);
  for (let k = 0; k < table.n; k++) {
    if (table.lane[k] === table.nemesisLane || table.type[k] !== TYPE_CODE.ok) continue;
    const b = Math.min(count - 1, Math.floor(table.t0[k]! / bucketMs));
    buckets[b]!.push(table.t1[k]! - table.t0[k]!);
  }
  const q: Record<string, Array<number | null>> = {};
  for (const [name] of QUANTILE_SERIES) q[name] = [];
  for (const list of buckets) {
    list.sort((a, b) => a - b);
    for (const [name, p] of QUANTILE_SERIES) {
      const rank = Math.min(list.length - 1, Math.max(0, Math.ceil(p * list.length) - 1));
      q[name]!.push(list.length ? Math.round(list[rank]! * 1000) / 1000 : null);
    }
  }
  return { bucketMs, t: buckets.map((_, i) => (i * bucketMs) / 1000), q };
}

export interface ThroughputSeries {
  bucketMs: number;
  t: number[];
  /** Completions per second of each type, by completion time. */
  ok: number[];
  fail: number[];
  info: number[];
}

export function throughput(table: OpTable): ThroughputSeries {
  const bucketMs = bucketWidthMs(table.endMs);
  const count = Math.max(1, Math.ceil((table.endMs + 1e-9) / bucketMs));
  const counts = { ok: new Float64Array(count), fail: new Float64Array(count), info: new Float64Array(count) };
  for (let k = 0; k < table.n; k++) {
    const type = table.type[k]!;
    if (table.lane[k] === table.nemesisLane || type === TYPE_CODE.none) continue;
    const b = Math.min(count - 1, Math.floor(table.t1[k]! / bucketMs));
    const series = type === TYPE_CODE.ok ? counts.ok : type === TYPE_CODE.fail ? counts.fail : counts.info;
    series[b]!++;
  }
  const perS = (a: Float64Array): number[] => Array.from(a, (c) => Math.round((c * 1000 * 100) / bucketMs) / 100);
  return { bucketMs, t: Array.from({ length: count }, (_, i) => (i * bucketMs) / 1000), ok: perS(counts.ok), fail: perS(counts.fail), info: perS(counts.info) };
}
