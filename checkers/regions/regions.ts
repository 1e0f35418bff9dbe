/**
 * Regions: availability and latency per region of a run with a topology, and the lost updates
 * multi-leader replication pays for staying available. An op belongs to the region of the node its
 * client talked to (`op.node`); the clients of a region's nodes are that region's clients.
 *
 * Each region's ops are split into phases by when they were invoked: outside any fault, during a
 * region partition on the cut-off side (its region was cut off), during a region partition on
 * the other side. A region partition is a fault whose start completed with `sides` (the regions
 * on each side, the cut-off side first: the partition nemesis's `region` and `wan-split` shapes).
 * Per phase: {ops, ok, fail, info} and `casMismatch` (failed compare-and-sets whose error is
 * `cas-mismatch`: the store answered, the register held another value), `availability` =
 * (ok + casMismatch) / ops, the fraction of ops the store answered; and latency quantiles of
 * those answered ops.
 *
 * Lost updates (register histories): every value is written once, so in a linearizable store
 * at most one compare-and-set from a given value can succeed; each further success from the same
 * value is an update made against a state another update had already replaced, which the store
 * then lost (a last-writer-wins store keeps one of them). `lostUpdates.total` counts them,
 * `crossRegion` those whose CASes came from different regions.
 *
 * Informational: always valid; the report draws it as the per-region panel.
 */
import type { SyncChecker } from '../../src/core/checker.ts';
import type { FaultStyle } from '../../src/core/nemesis.ts';
import { isClientOp, type History, type Op } from '../../src/core/op.ts';
import type { CheckResult } from '../../src/core/validity.ts';
import { completionIndex } from '../../src/history/pairs.ts';
import type { Availability } from '../availability/availability.ts';
import { faultWindows } from '../fault-windows.ts';
import { summarize, type LatencySummary } from '../perf.ts';

export interface RegionsOptions {
  /** The regions in order, with their nodes (a placed topology's `regions`). */
  regions: readonly { readonly name: string; readonly nodes: readonly string[] }[];
  styles?: readonly FaultStyle[];
}

export interface RegionPhase extends Availability {
  /** Failed compare-and-sets the store answered with `cas-mismatch` (counted as available). */
  casMismatch: number;
  /** Latency of the answered ops (ok, and cas-mismatch). */
  latency: LatencySummary;
}

export const REGION_PHASES = ['overall', 'outsideFaults', 'cutOff', 'otherSide'] as const;
export type RegionPhaseName = (typeof REGION_PHASES)[number];

export interface RegionRow extends Record<RegionPhaseName, RegionPhase> {
  region: string;
  nodes: string[];
  /** Successful compare-and-sets of this region's clients that were part of a lost update. */
  casInLostUpdates: number;
}

export interface LostUpdates {
  total: number;
  crossRegion: number;
  /** Lost updates whose compare-and-sets were invoked during a region partition. */
  duringRegionPartitions: number;
  /** Up to 20 groups: history indexes of the invocations of CASes from one value that all succeeded. */
  examples: number[][];
}

export interface RegionsResult extends CheckResult {
  regions: RegionRow[];
  /** Region partitions: start and end (ms since the test started) and the regions on each side. */
  partitions: { startMs: number; endMs: number; sides: [string[], string[]] }[];
  lostUpdates: LostUpdates;
}

interface Sample {
  ok: number;
  fail: number;
  info: number;
  casMismatch: number;
  latenciesNs: number[];
}

function emptySample(): Sample {
  return { ok: 0, fail: 0, info: 0, casMismatch: 0, latenciesNs: [] };
}

function phase(s: Sample): RegionPhase {
  const ops = s.ok + s.fail + s.info;
  const answered = s.ok + s.casMismatch;
  return { ops, ok: s.ok, fail: s.fail, info: s.info, casMismatch: s.casMismatch, availability: ops > 0 ? answered / ops : null, latency: summarize(Float64Array.from(s.latenciesNs)) };
}

/** A compare-and-set the store refused because the register held another value: an answer. */
function isCasMismatch(op: Op, done: Op | undefined): boolean {
  return op.f === 'cas' && done?.type === 'fail' && /^cas-mismatch\b/.test(typeof done.error === 'string' ? done.error : '');
}

function sidesOf(value: unknown): [string[], string[]] | undefined {
  const sides = (value as { sides?: unknown } | null)?.sides;
  if (!Array.isArray(sides) || sides.length !== 2 || !sides.every((s) => Array.isArray(s) && s.every((r) => typeof r === 'string'))) return undefined;
  return [sides[0] as string[], sides[1] as string[]];
}

/** The register key and the value a compare-and-set expected, unkeyed `[from, to]` or keyed `[k, [from, to]]`. */
function casFrom(op: Op): { key: string; from: string } | undefined {
  const v = op.value;
  if (!Array.isArray(v) || v.length !== 2) return undefined;
  if (Array.isArray(v[1]) && v[1].length === 2) return { key: JSON.stringify(v[0]), from: JSON.stringify(v[1][0]) };
  return { key: 'null', from: JSON.stringify(v[0]) };
}

export function regions(opts: RegionsOptions) {
  return {
    name: 'regions',
    check(history: History): RegionsResult {
      const regionOfNode = new Map<string, string>();
      for (const r of opts.regions) for (const n of r.nodes) regionOfNode.set(n, r.name);
      const windows = faultWindows(history, opts.styles);
      const partitions = windows.flatMap((w) => {
        const sides = sidesOf(history[w.startIndex]?.value);
        return sides ? [{ start: w.start, end: w.end, sides }] : [];
      });
      const inWindow = (t: number, w: { start: number; end: number }): boolean => t >= w.start && t <= w.end;
      const samples = new Map(opts.regions.map((r) => [r.name, Object.fromEntries(REGION_PHASES.map((p) => [p, emptySample()])) as Record<RegionPhaseName, Sample>]));
      const partner = completionIndex(history);
      const casGroups = new Map<string, { invoke: number; region: string | undefined; duringCut: boolean }[]>();
      for (let i = 0; i < history.length; i++) {
        const op = history[i]!;
        if (op.type !== 'invoke' || !isClientOp(op)) continue;
        const c = partner[i]!;
        const done = c >= 0 ? history[c]! : undefined;
        const type = done && done.type !== 'invoke' ? done.type : 'info';
        const region = op.node !== undefined ? regionOfNode.get(op.node) : undefined;
        const duringCut = partitions.some((w) => inWindow(op.time, w));
        if (op.f === 'cas' && type === 'ok') {
          const from = casFrom(op);
          if (from) {
            const k = `${from.key} ${from.from}`;
            casGroups.set(k, [...(casGroups.get(k) ?? []), { invoke: i, region, duringCut }]);
          }
        }
        const s = region !== undefined ? samples.get(region) : undefined;
        if (!s) continue;
        const into: RegionPhaseName[] = ['overall'];
        if (!windows.some((w) => inWindow(op.time, w))) into.push('outsideFaults');
        const cut = partitions.find((w) => inWindow(op.time, w));
        if (cut?.sides[0].includes(region!)) into.push('cutOff');
        else if (cut?.sides[1].includes(region!)) into.push('otherSide');
        const mismatch = isCasMismatch(op, done);
        for (const p of into) {
          const x = s[p];
          x[type]++;
          if (mismatch) x.casMismatch++;
          if (type === 'ok' || mismatch) x.latenciesNs.push(done!.time - op.time);
        }
      }
      const lost: LostUpdates = { total: 0, crossRegion: 0, duringRegionPartitions: 0, examples: [] };
      const casInLost = new Map<string, number>();
      for (const group of casGroups.values()) {
        if (group.length < 2) continue;
        lost.total += group.length - 1;
        if (new Set(group.map((g) => g.region)).size > 1) lost.crossRegion += group.length - 1;
        if (group.some((g) => g.duringCut)) lost.duringRegionPartitions += group.length - 1;
        if (lost.examples.length < 20) lost.examples.push(group.map((g) => g.invoke));
        for (const g of group) if (g.region !== undefined) casInLost.set(g.region, (casInLost.get(g.region) ?? 0) + 1);
      }
      const rows: RegionRow[] = opts.regions.map((r) => {
        const s = samples.get(r.name)!;
        return {
          region: r.name,
          nodes: [...r.nodes],
          overall: phase(s.overall),
          outsideFaults: phase(s.outsideFaults),
          cutOff: phase(s.cutOff),
          otherSide: phase(s.otherSide),
          casInLostUpdates: casInLost.get(r.name) ?? 0,
        };
      });
      const pct = (p: RegionPhase): string => (p.availability === null ? '-' : `${(p.availability * 100).toFixed(1)}%`);
      const perRegion = rows.map((r) => `${r.region} answered ${pct(r.overall)} p50 ${r.overall.latency.quantilesMs['0.5']} ms${partitions.length ? `, cut off ${pct(r.cutOff)}` : ''}`);
      return {
        valid: true,
        informational: true,
        measurement: [...perRegion, `lost updates ${lost.total}`].join('; '),
        regions: rows,
        partitions: partitions.map((w) => ({ startMs: w.start / 1e6, endMs: w.end / 1e6, sides: w.sides })),
        lostUpdates: lost,
      };
    },
  } satisfies SyncChecker;
}
