/**
 * The nemesis registry and package builder for the runner: `NEMESES` (names and descriptions for
 * `faultline list`) and `makeNemesisPackage(names, opts)`, which checks everything it can before
 * any cluster exists (unknown nemesis, targets naming missing nodes, clock against a DB that
 * ignores a faked clock, kill against a DB that cannot restart, root for the local provider)
 * and returns one combined NemesisPackage: nemesis, start/stop generator, heal-all final
 * generator and report styles. With a schedule it replays that instead of drawing new faults.
 */
import type { DB, DbContext } from '../src/core/db.ts';
import { UsageError } from '../src/core/errors.ts';
import type { Generator, OpTemplate, Rng } from '../src/core/generator.ts';
import type { FaultStyle, Nemesis, NemesisPackage } from '../src/core/nemesis.ts';
import { any, lift } from '../src/generator/index.ts';
import { requireRoot } from '../src/providers/local/provider.ts';
import { ClockNemesis, checkClockSupport } from './clock.ts';
import { CombinedNemesis } from './combined.ts';
import type { NemesisContext } from './context.ts';
import { pick, rngFor, startStop, type Spacing } from './generators.ts';
import { PacketNemesis, checkPacketValue, type PacketValue } from './packet.ts';
import { PARTITION_SHAPES, PartitionNemesis, checkShape, type PartitionShape } from './partition.ts';
import { ProcessNemesis, checkProcessFaultSupport } from './process.ts';
import { replaySchedule, type Schedule } from './schedule.ts';
import { TARGET_KINDS, parseTargetSpec, type TargetKind, type TargetSpec } from './targets.ts';

export type ClockDirection = 'back' | 'forward' | 'both';

export interface NemesisOptions {
  /** Node names of the cluster-to-be. */
  nodes: readonly string[];
  db?: DB;
  /** The DB context once the cluster is up (the runner's closure). */
  dbContext: () => DbContext;
  /** Mean seconds between fault ops (default 10). */
  intervalS?: number;
  /** Gaps between fault ops: random around the interval (default) or exactly the interval. */
  spacing?: Spacing;
  /** Seed for choices made while faults are applied (default 0). */
  seed?: number;
  /** Targets for kill, pause, clock and packet: one, minority, majority, primaries, all, or "n1,n3". */
  targets?: string;
  /** Partition shapes to draw from (default: every shape the DB supports). */
  partitionShapes?: readonly string[];
  /** Fixed packet faults; default: a random one of loss, duplication, delay, rate limit. */
  packet?: Omit<PacketValue, 'links' | 'targets'>;
  /** Largest clock bump in ms (default 262144, as Jepsen). */
  maxClockDeltaMs?: number;
  /** Smallest clock bump in ms (default 16). */
  minClockDeltaMs?: number;
  /** Which way clock bumps go (default both). */
  clockDirection?: ClockDirection;
  /** The provider name: "local" requires root; "none" has no cluster to inject faults into. */
  provider?: string;
  /** Replay these faults at their recorded offsets instead of drawing new ones. */
  schedule?: Schedule;
}

interface NemesisDef {
  description: string;
  color: string;
  build(ctx: NemesisContext, o: NemesisOptions): { nemesis: Nemesis; start: (rng: Rng) => OpTemplate };
}

const DEFAULT_PACKETS: readonly Omit<PacketValue, 'links' | 'targets'>[] = [
  { loss: 0.2 },
  { duplicate: 0.2 },
  { delayMs: 50, jitterMs: 25 },
  { rateKbit: 1000 },
];

function targetKinds(o: NemesisOptions): TargetSpec[] {
  if (o.targets) return [parseTargetSpec(o.targets, o.nodes)];
  return TARGET_KINDS.filter((k: TargetKind) => k !== 'primaries' || o.db?.primaries !== undefined);
}

export const NEMESES: Readonly<Record<string, NemesisDef>> = {
  partition: {
    description: `network partitions from grudges (shapes: ${PARTITION_SHAPES.join(', ')}), applied atomically, healed exactly`,
    color: '#E9DCA0',
    build(ctx, o) {
      const shapes: PartitionShape[] = (o.partitionShapes ?? PARTITION_SHAPES.filter((s) => s !== 'primaries' || o.db?.primaries)).map(checkShape);
      if (shapes.includes('primaries') && !o.db?.primaries) throw new UsageError(`nemesis partition: shape primaries needs a db that reports its primaries`);
      return { nemesis: new PartitionNemesis(ctx), start: (rng) => ({ f: 'start-partition', value: { shape: pick(shapes, rng) } }) };
    },
  },
  kill: {
    description: 'SIGKILL the DB on target nodes, then restart it (db.kill / db.start)',
    color: '#E9A4A0',
    build(ctx, o) {
      checkProcessFaultSupport('kill', ctx);
      const kinds = targetKinds(o);
      return { nemesis: new ProcessNemesis('kill', ctx), start: (rng) => ({ f: 'start-kill', value: { targets: pick(kinds, rng) } }) };
    },
  },
  pause: {
    description: 'freeze target nodes (db.pause, else cgroup freezer, else SIGSTOP), then resume them',
    color: '#A0B1E9',
    build(ctx, o) {
      const kinds = targetKinds(o);
      return { nemesis: new ProcessNemesis('pause', ctx), start: (rng) => ({ f: 'start-pause', value: { targets: pick(kinds, rng) } }) };
    },
  },
  clock: {
    description: "bump or strobe target nodes' wall clocks (libfaketime offset files; never the machine clock), then reset",
    color: '#A0E9E3',
    build(ctx, o) {
      checkClockSupport(o.db);
      const kinds = targetKinds(o);
      // Bump sizes are powers of two between the smallest and the largest, each equally likely.
      const minExp = Math.max(4, Math.ceil(Math.log2(o.minClockDeltaMs ?? 16)));
      const maxExp = Math.max(minExp, Math.floor(Math.log2(o.maxClockDeltaMs ?? 262_144)));
      if (o.minClockDeltaMs !== undefined && o.maxClockDeltaMs !== undefined && o.minClockDeltaMs > o.maxClockDeltaMs) {
        throw new UsageError(`nemesis clock: the smallest jump (${o.minClockDeltaMs} ms) exceeds the largest (${o.maxClockDeltaMs} ms)`);
      }
      return {
        nemesis: new ClockNemesis(ctx),
        start: (rng) => {
          const direction = o.clockDirection ?? 'both';
          const sign = direction === 'back' ? -1 : direction === 'forward' ? 1 : rng.next() < 0.5 ? -1 : 1;
          const delta = sign * 2 ** (minExp + rng.int(maxExp - minExp + 1));
          const strobe = rng.next() < 0.2;
          return {
            f: 'start-clock',
            value: strobe
              ? { mode: 'strobe', targets: pick(kinds, rng), deltaMs: delta, periodMs: 1500, durationMs: 6000 }
              : { mode: 'bump', targets: pick(kinds, rng), deltaMs: delta },
          };
        },
      };
    },
  },
  packet: {
    description: 'packet loss, duplication, rate limit or delay with jitter on links of target nodes (never the controller)',
    color: '#D1E8A0',
    build(ctx, o) {
      if (o.packet) checkPacketValue(o.packet);
      const behaviours = o.packet ? [o.packet] : DEFAULT_PACKETS;
      const kinds = targetKinds(o);
      return { nemesis: new PacketNemesis(ctx), start: (rng) => ({ f: 'start-packet', value: { ...pick(behaviours, rng), targets: pick(kinds, rng) } }) };
    },
  },
};

/** Splits and checks `--nemesis partition,kill`; an empty list means no faults. */
export function parseNemesisNames(text: string | readonly string[]): string[] {
  const names = (typeof text === 'string' ? text.split(',') : text.flatMap((t) => t.split(','))).map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    if (!(n in NEMESES)) throw new UsageError(`unknown nemesis ${JSON.stringify(n)} (available: ${Object.keys(NEMESES).join(', ')})`);
  }
  return [...new Set(names)];
}

export function makeNemesisPackage(names: string | readonly string[], o: NemesisOptions): NemesisPackage | null {
  const list = parseNemesisNames(names);
  if (list.length === 0 && !o.schedule) return null;
  if (o.provider === 'none') throw new UsageError(`nemesis ${list.join(',')}: the in-process provider "none" has no cluster to inject faults into; use --provider local or ssh`);
  if (o.provider === 'local') requireRoot(`nemesis ${list.join(',')} with the local provider`);
  const intervalS = o.intervalS ?? 10;
  if (!(intervalS > 0)) throw new UsageError(`nemesis interval must be a positive number of seconds, got ${o.intervalS}`);
  const seed = o.seed ?? 0;
  // Each package draws what it applies (grudge members, victims) from its own stream, so one
  // package's faults do not shift another's when their ops interleave differently.
  const contextFor = (name: string): NemesisContext => ({
    nodes: o.nodes,
    ...(o.db ? { db: o.db } : {}),
    dbContext: o.dbContext,
    rng: rngFor(seed, `apply-${name}`),
  });
  const usedNames = o.schedule ? [...new Set([...list, ...scheduleKinds(o.schedule)])] : list;
  const built = usedNames.map((n) => ({ name: n, def: NEMESES[n] as NemesisDef, ...(NEMESES[n] as NemesisDef).build(contextFor(n), o) }));
  const styles: FaultStyle[] = built.map((b) => ({ name: b.name, color: b.def.color, start: [`start-${b.name}`], stop: [`stop-${b.name}`] }));
  const generator: Generator = o.schedule
    ? replaySchedule(o.schedule)
    : any(...built.map((b) => startStop({ intervalS, name: b.name, start: b.start, seed, ...(o.spacing ? { spacing: o.spacing } : {}) })));
  const finalGenerator: Generator = lift(built.map((b) => ({ f: `stop-${b.name}` })));
  return {
    nemesis: built.length === 1 ? (built[0]?.nemesis as Nemesis) : new CombinedNemesis(built.map((b) => b.nemesis)),
    generator,
    finalGenerator,
    styles,
  };
}

/** The nemesis kinds a schedule uses (from its `start-<kind>` / `stop-<kind>` ops). */
function scheduleKinds(s: Schedule): string[] {
  const kinds = new Set<string>();
  for (const e of s.entries) {
    const kind = /^(?:start|stop)-(.+)$/.exec(e.f)?.[1];
    if (!kind || !(kind in NEMESES)) throw new UsageError(`schedule entry ${e.f}: no nemesis handles it (available: ${Object.keys(NEMESES).join(', ')})`);
    kinds.add(kind);
  }
  return [...kinds];
}
