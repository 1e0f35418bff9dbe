/**
 * Latency and throughput of client ops: quantiles of latency by f and completion type, and
 * completions per second over time by type. Informational (always valid); the report draws it.
 */
import type { SyncChecker } from '../src/core/checker.ts';
import type { History } from '../src/core/op.ts';
import type { CheckResult } from '../src/core/validity.ts';

export const QUANTILES = [0.5, 0.9, 0.95, 0.99, 1] as const;

export interface LatencySummary {
  count: number;
  /** Milliseconds, keyed "0.5", "0.9", "0.95", "0.99", "1". */
  quantilesMs: Record<string, number>;
  meanMs: number;
}

export interface ThroughputBucket {
  /** Start of the bucket, seconds since the test started. */
  t: number;
  ok: number;
  fail: number;
  info: number;
}

/** Quantiles by the nearest-rank method over a sorted copy. */
export function summarize(latenciesNs: Float64Array): LatencySummary {
  const sorted = latenciesNs.slice().sort();
  const quantilesMs: Record<string, number> = {};
  let sum = 0;
  for (const x of sorted) sum += x;
  for (const q of QUANTILES) {
    const rank = sorted.length === 0 ? -1 : Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
    quantilesMs[String(q)] = rank < 0 ? 0 : round(sorted[rank]! / 1e6);
  }
  return { count: sorted.length, quantilesMs, meanMs: sorted.length ? round(sum / sorted.length / 1e6) : 0 };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function perf(opts: { bucketSeconds?: number } = {}): SyncChecker {
  const bucketNs = (opts.bucketSeconds ?? 1) * 1e9;
  return {
    name: 'perf',
    check(history: History): CheckResult {
      const openAt = new Map<number, number>();
      const samples = new Map<string, number[]>();
      const buckets: ThroughputBucket[] = [];
      for (const op of history) {
        if (typeof op.process !== 'number') continue;
        if (op.type === 'invoke') {
          openAt.set(op.process, op.time);
          continue;
        }
        const start = openAt.get(op.process);
        if (start === undefined) continue;
        openAt.delete(op.process);
        const key = `${op.f} ${op.type}`;
        let list = samples.get(key);
        if (!list) samples.set(key, (list = []));
        list.push(op.time - start);
        const b = Math.floor(op.time / bucketNs);
        while (buckets.length <= b) buckets.push({ t: (buckets.length * bucketNs) / 1e9, ok: 0, fail: 0, info: 0 });
        buckets[b]![op.type]++;
      }
      const latency: Record<string, Record<string, LatencySummary>> = {};
      for (const [key, list] of [...samples].sort(([a], [b]) => a.localeCompare(b))) {
        const [f, type] = key.split(' ') as [string, string];
        (latency[f] ??= {})[type] = summarize(Float64Array.from(list));
      }
      const durationS = history.length ? history[history.length - 1]!.time / 1e9 : 0;
      const completed = buckets.reduce((n, b) => n + b.ok + b.fail + b.info, 0);
      return {
        valid: true,
        informational: true,
        latency,
        throughput: buckets,
        durationS: round(durationS),
        opsPerSecond: durationS > 0 ? round(completed / durationS) : 0,
        measurement: `${durationS > 0 ? round(completed / durationS) : 0} ops/s; ${Object.entries(latency)
          .flatMap(([f, byType]) => (byType['ok'] ? [`${f} ok p50 ${byType['ok'].quantilesMs['0.5'] ?? '?'} ms p99 ${byType['ok'].quantilesMs['0.99'] ?? '?'} ms`] : []))
          .join('; ')}`,
      };
    },
  };
}
