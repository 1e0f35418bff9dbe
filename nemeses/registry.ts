/**
 * The package builder the runner uses (Faultline's own fault kinds are nemeses/definitions.ts): `makeNemesisPackage(kinds, opts)` checks everything it can
 * before any cluster exists (targets naming missing nodes, clock against a DB that does not honour
 * a faked clock, kill against a DB that cannot restart, faults without a cluster) and returns one
 * NemesisPackage: nemesis, start/stop generator, heal-all final generator and report styles. With
 * a schedule it replays that instead of drawing new faults. A user's fault kind is a definition
 * of the same shape (`defineNemesis`).
 */
import type { DB } from '../src/core/db.ts';
import type { TestInfo } from '../src/core/context.ts';
import { UsageError } from '../src/core/errors.ts';
import type { Generator } from '../src/core/generator.ts';
import type { FaultStyle, Nemesis, NemesisPackage } from '../src/core/nemesis.ts';
import type { NemesisDefinition, TargetChoice } from '../src/core/parts.ts';
import { any, lift } from '../src/generator/index.ts';
import { optionValues } from '../src/options/parse.ts';
import { CombinedNemesis } from './combined.ts';
import { BUILTIN_NEMESES } from './definitions.ts';
import { rngFor, startStop, type Spacing } from './generators.ts';
import { replaySchedule, type Schedule } from './schedule.ts';
import { TARGET_KINDS, parseTargetSpec } from './targets.ts';

/**
 * Kinds healed after every other kind: a member is added back only once the rest of the cluster
 * answers (etcd refuses the add while a voting member is down or cut off).
 */
const HEALED_LAST: ReadonlySet<string> = new Set(['membership']);

export { BUILTIN_NEMESES, NEMESIS_PACKAGE_OPTIONS } from './definitions.ts';

export interface NemesisOptions {
  /** Node names of the cluster-to-be. */
  nodes: readonly string[];
  db: DB | null;
  /** True when the stores live in the controller: there is no cluster to inject faults into. */
  inProcess?: boolean;
  /** The provider's name (some faults are refused on some providers). */
  provider?: string;
  /** Mean seconds between fault ops (default 10). */
  intervalS?: number;
  spacing?: Spacing;
  /** Seed for the faults drawn and for choices made while they are applied (default 0). */
  seed?: number;
  /** Targets for kill, pause, clock and packet: one, minority, majority, primaries, all, or "n1,n3". */
  targets?: string;
  /** Options of each fault kind by name, typed values or text (e.g. `{ partition: { shapes: ['one'] } }`). */
  options?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Replay these faults at their recorded offsets instead of drawing new ones. */
  schedule?: Schedule;
  /** The test, for the kinds' build context (defaults from `nodes` and `seed`). */
  test?: TestInfo;
}

function targetChoices(o: NemesisOptions): TargetChoice[] {
  if (o.targets) return [parseTargetSpec(o.targets, o.nodes)];
  return TARGET_KINDS.filter((k) => k !== 'primaries' || o.db?.primaries !== undefined);
}

/** The fault kinds a schedule uses (from its `start-<kind>` / `stop-<kind>` ops). */
export function scheduleKinds(s: Schedule): string[] {
  const kinds = new Set<string>();
  for (const e of s.entries) {
    const kind = /^(?:start|stop)-(.+)$/.exec(e.f)?.[1];
    if (!kind) throw new UsageError(`schedule entry ${e.f}: not a start-<kind> or stop-<kind> op`);
    kinds.add(kind);
  }
  return [...kinds];
}

/**
 * One package of the given fault kinds (definitions, or names of Faultline's own); null when
 * there is nothing to do. Throws a UsageError for what cannot work.
 */
export function makeNemesisPackage(kinds: readonly (string | NemesisDefinition)[], o: NemesisOptions): NemesisPackage | null {
  const wanted = [...kinds, ...(o.schedule ? scheduleKinds(o.schedule) : [])];
  const defs: NemesisDefinition[] = [];
  for (const k of wanted) {
    const def = typeof k === 'string' ? BUILTIN_NEMESES.find((d) => d.name === k) : k;
    if (!def) throw new UsageError(`unknown nemesis ${JSON.stringify(k)} (available: ${BUILTIN_NEMESES.map((d) => d.name).join(', ')})`);
    if (!defs.some((d) => d.name === def.name)) defs.push(def);
  }
  if (defs.length === 0) return null;
  if (o.inProcess) throw new UsageError(`nemesis ${defs.map((d) => d.name).join(',')}: the stores live in the controller (provider "none"); there is no cluster to inject faults into; use --nemesis none`);
  const intervalS = o.intervalS ?? 10;
  if (!(intervalS > 0)) throw new UsageError(`nemesis interval must be a positive number of seconds, got ${o.intervalS}`);
  const seed = o.seed ?? 0;
  const test: TestInfo = o.test ?? { name: 'nemesis', nodes: o.nodes, concurrency: 1, timeLimitS: 0, opTimeoutMs: 5000, seed, options: {} };
  const targets = targetChoices(o);
  const built = defs.map((def) => {
    // Each kind draws what it applies (grudge members, victims) from its own stream, so one
    // kind's faults do not shift another's when their ops interleave differently.
    const options = optionValues(`nemesis ${def.name}`, def.options ?? {}, o.options?.[def.name] ?? {});
    const provider = { name: o.provider ?? (o.inProcess ? 'none' : 'local'), inProcess: o.inProcess === true };
    const kind = def.create({ options, test, db: o.db, provider, targets, rng: rngFor(seed, `apply-${def.name}`) });
    return { def, ...kind };
  });
  const styles: FaultStyle[] = built.map((b) => ({ name: b.def.name, color: b.def.color ?? '#D0D0D0', start: [`start-${b.def.name}`], stop: [`stop-${b.def.name}`] }));
  const generator: Generator = o.schedule
    ? replaySchedule(o.schedule)
    : any(...built.map((b) => startStop({ intervalS, name: b.def.name, start: (r) => b.start(r), seed, ...(o.spacing ? { spacing: o.spacing } : {}) })));
  // Heals run in this order, at the end of the run and at teardown.
  const healOrder = [...built].sort((a, b) => Number(HEALED_LAST.has(a.def.name)) - Number(HEALED_LAST.has(b.def.name)));
  const finalGenerator: Generator = lift(healOrder.map((b) => ({ f: `stop-${b.def.name}` })));
  return {
    nemesis: built.length === 1 ? (built[0]!.nemesis as Nemesis) : new CombinedNemesis(healOrder.map((b) => b.nemesis)),
    generator,
    finalGenerator,
    styles,
  };
}
