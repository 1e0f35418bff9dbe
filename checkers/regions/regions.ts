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
 * Lost updates (register histories, every value written once; see lost-updates.ts): acknowledged
 * updates the surviving state's chain of compare-and-sets never reflected, although they happened
 * after its root (a split brain's resync drops the losing side's whole branch), and the extra
 * branches where two compare-and-sets from one value both succeeded. `lostUpdates.total` counts
 * them, `crossRegion` those that lost to an op of another region, `duringRegionPartitions` those
 * invoked while a region was cut off.
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
import { lostUpdates } from './lost-updates.ts';

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
  /** Acknowledged updates of this region's clients that were lost. */
  updatesLost: number;
}

export interface LostUpdates {
  total: number;
  crossRegion: number;
  /** Lost updates whose compare-and-sets were invoked during a region partition. */
  duringRegionPartitions: number;
  /** Up to 20 groups: the invocation indexes of lost updates, and of the op they lost to (null when unknown). */
  examples: { lost: number[]; lostTo: number | null }[];
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
      for (let i = 0; i < history.length; i++) {
        const op = history[i]!;
        if (op.type !== 'invoke' || !isClientOp(op)) continue;
        const c = partner[i]!;
        const done = c >= 0 ? history[c]! : undefined;
        const type = done && done.type !== 'invoke' ? done.type : 'info';
        const region = op.node !== undefined ? regionOfNode.get(op.node) : undefined;
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
      const lostByRegion = new Map<string, number>();
      const groups = new Map<number | undefined, number[]>();
      for (const u of lostUpdates(history)) {
        const region = u.node !== undefined ? regionOfNode.get(u.node) : undefined;
        const rivalRegion = u.rival?.node !== undefined ? regionOfNode.get(u.rival.node) : undefined;
        lost.total++;
        if (region !== undefined && rivalRegion !== undefined && region !== rivalRegion) lost.crossRegion++;
        if (partitions.some((w) => inWindow(u.invoke, w))) lost.duringRegionPartitions++;
        if (region !== undefined) lostByRegion.set(region, (lostByRegion.get(region) ?? 0) + 1);
        groups.set(u.rival?.index, [...(groups.get(u.rival?.index) ?? []), u.index]);
      }
      lost.examples = [...groups].slice(0, 20).map(([rival, us]) => ({ lost: us, lostTo: rival ?? null }));
      const rows: RegionRow[] = opts.regions.map((r) => {
        const s = samples.get(r.name)!;
        return {
          region: r.name,
          nodes: [...r.nodes],
          overall: phase(s.overall),
          outsideFaults: phase(s.outsideFaults),
          cutOff: phase(s.cutOff),
          otherSide: phase(s.otherSide),
          updatesLost: lostByRegion.get(r.name) ?? 0,
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
