/**
 * The consistency-model lattice and the anomaly taxonomy (after Elle's, with Elle's names so
 * results compare one to one): which anomalies imply which, which models imply which, which
 * anomalies each model forbids, and from those the `not` / `also-not` boundary of a set of
 * anomalies and the strongest models a history still allows.
 */
import { UsageError } from '../../src/core/errors.ts';

type Dag = ReadonlyMap<string, readonly string[]>;

function dag(edges: Record<string, readonly string[]>, rename: (s: string) => string = (s) => s): Dag {
  const out = new Map<string, string[]>();
  for (const [from, tos] of Object.entries(edges)) {
    const list = out.get(rename(from)) ?? [];
    for (const to of tos) if (!list.includes(rename(to))) list.push(rename(to));
    out.set(rename(from), list);
  }
  return out;
}

function reverse(g: Dag): Dag {
  const out = new Map<string, string[]>();
  for (const [from, tos] of g) for (const to of tos) out.set(to, [...(out.get(to) ?? []), from]);
  return out;
}

/** Everything reachable from `start` (inclusive). */
function reach(g: Dag, start: Iterable<string>): Set<string> {
  const seen = new Set<string>();
  const stack = [...start];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (seen.has(x)) continue;
    seen.add(x);
    for (const y of g.get(x) ?? []) stack.push(y);
  }
  return seen;
}

/** a → b: an anomaly a present means b is present too. */
const IMPLIED = dag({
  G0: ['G1c', 'G0-process'],
  'G0-process': ['G1c-process', 'G0-realtime'],
  'G0-realtime': ['G1c-realtime'],
  G1a: ['G1'],
  G1b: ['G1'],
  G1c: ['G1', 'G1c-process'],
  'G1c-process': ['G1c-realtime', 'G1-process'],
  'G1c-realtime': ['G1-realtime'],
  G1: ['G1-process'],
  'G1-process': ['G1-realtime'],
  'G-single-item': ['G-single', 'G-single-item-process', 'G-nonadjacent-item'],
  'G-single-item-process': ['G-single-process', 'G-single-item-realtime', 'G-nonadjacent-item-process'],
  'G-single-item-realtime': ['G-single-realtime', 'G-nonadjacent-item-realtime'],
  'G-single': ['G-nonadjacent', 'GSIb', 'G-single-process'],
  'G-single-process': ['G-nonadjacent-process', 'G-single-realtime'],
  'G-single-realtime': ['G-nonadjacent-realtime'],
  'G-nonadjacent-item': ['G-nonadjacent', 'G2-item', 'G-nonadjacent-item-process'],
  'G-nonadjacent-item-process': ['G-nonadjacent-process', 'G2-item-process', 'G-nonadjacent-item-realtime'],
  'G-nonadjacent-item-realtime': ['G2-item-realtime', 'G-nonadjacent-realtime'],
  'G-nonadjacent': ['G2', 'G-nonadjacent-process'],
  'G-nonadjacent-process': ['G2-process', 'G-nonadjacent-realtime'],
  'G-nonadjacent-realtime': ['G2-realtime'],
  G2: ['G2-process'],
  'G2-item': ['G2', 'G2-item-process'],
  'G2-item-process': ['G2-process', 'G2-item-realtime'],
  'G2-item-realtime': ['G2-realtime'],
  'G2-process': ['G2-realtime'],
  GSIa: ['GSI'],
  GSIb: ['GSI'],
  'incompatible-order': ['G1a'],
  'future-read': ['G1c'],
  'dirty-update': ['G1a'],
  'lost-update': ['write-skew', 'G2-item'],
  'write-skew': ['G2'],
});
const IMPLIED_BY = reverse(IMPLIED);

/** Friendly model names to canonical ones (Adya's PL-* names where they exist). */
const CANONICAL: Record<string, string> = {
  'consistent-view': 'PL-2+',
  'conflict-serializable': 'PL-3',
  'cursor-stability': 'PL-CS',
  'forward-consistent-view': 'PL-FCV',
  'monotonic-snapshot-read': 'PL-MSR',
  'monotonic-view': 'PL-2L',
  'read-committed': 'PL-2',
  'read-uncommitted': 'PL-1',
  'repeatable-read': 'PL-2.99',
  serializable: 'PL-3',
  'snapshot-isolation': 'PL-SI',
  'strict-serializable': 'PL-SS',
  'strong-serializable': 'PL-SS',
  'update-serializable': 'PL-3U',
  'strong-session-read-uncommitted': 'strong-session-PL-1',
  'strong-session-read-committed': 'strong-session-PL-2',
  'strong-read-uncommitted': 'strong-PL-1',
  'strong-read-committed': 'strong-PL-2',
};

/** Canonical to friendly; like Elle, PL-SS prints as strong-serializable and PL-3 as serializable. */
const FRIENDLY = new Map<string, string>(Object.entries(CANONICAL).map(([f, c]) => [c, f]));
FRIENDLY.set('PL-3', 'serializable');

export function canonicalModel(m: string): string {
  return CANONICAL[m] ?? m;
}

export function friendlyModel(m: string): string {
  return FRIENDLY.get(m) ?? m;
}

/** a → b: a history satisfying a satisfies b. Includes the session and causal models. */
const MODELS = dag(
  {
    'causal-cerone': ['read-atomic'],
    'consistent-view': ['cursor-stability', 'monotonic-view'],
    'conflict-serializable': ['view-serializable'],
    'cursor-stability': ['read-committed', 'PL-2'],
    'forward-consistent-view': ['consistent-view'],
    'PL-2': ['PL-1'],
    'PL-3': ['repeatable-read', 'update-serializable'],
    'update-serializable': ['forward-consistent-view'],
    'monotonic-atomic-view': ['read-committed'],
    'monotonic-view': ['PL-2'],
    'monotonic-snapshot-read': ['PL-2'],
    'parallel-snapshot-isolation': ['causal-cerone', 'update-atomic'],
    prefix: ['causal-cerone'],
    'read-atomic': ['monotonic-atomic-view'],
    'read-committed': ['read-uncommitted'],
    'repeatable-read': ['cursor-stability', 'monotonic-atomic-view'],
    'update-atomic': ['read-atomic'],
    serializable: ['repeatable-read', 'snapshot-isolation', 'view-serializable'],
    'session-serializable': ['1SR'],
    'snapshot-isolation': [
      'forward-consistent-view',
      'monotonic-atomic-view',
      'monotonic-snapshot-read',
      'parallel-snapshot-isolation',
      'prefix',
    ],
    'strict-serializable': [
      'PL-3',
      'serializable',
      'linearizable',
      'snapshot-isolation',
      'strong-snapshot-isolation',
      'strong-session-serializable',
    ],
    'strong-session-PL-1': ['PL-1'],
    'strong-session-PL-2': ['PL-2', 'strong-session-PL-1'],
    'strong-PL-1': ['strong-session-PL-1'],
    'strong-PL-2': ['strong-session-PL-2', 'strong-PL-1'],
    'strong-session-serializable': ['serializable', 'strong-session-snapshot-isolation'],
    'strong-session-snapshot-isolation': ['snapshot-isolation', 'strong-session-PL-2'],
    'strong-serializable': ['session-serializable'],
    'strong-snapshot-isolation': ['strong-session-snapshot-isolation', 'strong-PL-2'],
    linearizable: ['sequential'],
    sequential: ['causal'],
    causal: ['writes-follow-reads', 'PRAM'],
    PRAM: ['monotonic-reads', 'monotonic-writes', 'read-your-writes'],
  },
  canonicalModel,
);
const MODELS_IN = reverse(MODELS);

/** The anomalies each model forbids directly (on top of those of the models it implies). */
const PROSCRIBED = dag(
  {
    'causal-cerone': ['internal', 'G1a'],
    'cursor-stability': ['G1', 'G-cursor', 'lost-update'],
    'monotonic-view': ['G1', 'G-monotonic'],
    'monotonic-snapshot-read': ['G1', 'G-MSR'],
    'consistent-view': ['G1', 'G-single'],
    'forward-consistent-view': ['G1', 'G-SIb'],
    'parallel-snapshot-isolation': ['internal', 'G1a'],
    'PL-3': ['G1', 'G2', 'predicate-read-miss', 'PL-3-cycle-exists'],
    'PL-2': ['G1', 'PL-2-cycle-exists'],
    // garbage-read is ours (Elle reports none): a value nobody wrote breaks even read uncommitted.
    'PL-1': ['G0', 'duplicate-elements', 'cyclic-versions', 'garbage-read', 'PL-1-cycle-exists'],
    prefix: ['internal', 'G1a'],
    serializable: ['internal'],
    'snapshot-isolation': ['internal', 'G1', 'G-SI', 'G-nonadjacent', 'PL-SI-cycle-exists'],
    'read-atomic': ['internal', 'G1a', 'future-read'],
    'repeatable-read': ['G1', 'G2-item', 'PL-2.99-cycle-exists', 'lost-update'],
    'update-atomic': ['lost-update'],
    'strict-serializable': ['G1', 'G1c-realtime', 'G2-realtime', 'PL-SS-cycle-exists'],
    'strong-session-PL-1': ['strong-session-PL-1-cycle-exists', 'G0-process'],
    'strong-session-PL-2': ['strong-session-PL-2-cycle-exists', 'G1c-process'],
    'strong-PL-1': ['strong-PL-1-cycle-exists', 'G0-realtime'],
    'strong-PL-2': ['strong-PL-2-cycle-exists', 'G1c-realtime'],
    'strong-session-snapshot-isolation': [
      'internal',
      'G1-process',
      'G-nonadjacent-process',
      'strong-session-snapshot-isolation-cycle-exists',
    ],
    'strong-snapshot-isolation': [
      'internal',
      'G1-realtime',
      'G-nonadjacent-realtime',
      'strong-snapshot-isolation-cycle-exists',
    ],
    'strong-session-serializable': ['G1-process', 'G2-process', 'strong-session-serializable-cycle-exists'],
    'update-serializable': ['G1', 'G-update'],
  },
  canonicalModel,
);
const PROSCRIBED_BY = reverse(PROSCRIBED);

/** Every model name the lattice knows, canonical and friendly. */
export const ALL_MODELS: ReadonlySet<string> = new Set([
  ...MODELS.keys(),
  ...[...MODELS.values()].flat(),
  ...Object.keys(CANONICAL),
  ...Object.values(CANONICAL),
]);

export function validateModels(models: readonly string[]): void {
  const unknown = models.filter((m) => !ALL_MODELS.has(m));
  if (unknown.length > 0) {
    throw new UsageError(`unknown consistency model ${unknown.join(', ')}; known models: ${[...ALL_MODELS].sort().join(', ')}`);
  }
}

/** Every anomaly name the taxonomy knows. */
export const ALL_ANOMALIES: ReadonlySet<string> = new Set([
  ...IMPLIED.keys(),
  ...[...IMPLIED.values()].flat(),
  ...[...PROSCRIBED.values()].flat(),
  'empty-transaction-graph',
  'cycle-search-timeout',
]);

export function validateAnomalies(anomalies: readonly string[]): void {
  const unknown = anomalies.filter((a) => !ALL_ANOMALIES.has(a));
  if (unknown.length > 0) {
    throw new UsageError(`unknown anomaly ${unknown.join(', ')}; known anomalies: ${[...ALL_ANOMALIES].sort().join(', ')}`);
  }
}

export function allImpliedAnomalies(anomalies: Iterable<string>): Set<string> {
  return reach(IMPLIED, anomalies);
}

export function allAnomaliesImplying(anomalies: Iterable<string>): Set<string> {
  return reach(IMPLIED_BY, anomalies);
}

/** Models stronger than (or equal to) any of the given ones: they cannot hold either. */
export function allImpossibleModels(models: Iterable<string>): Set<string> {
  return reach(MODELS_IN, [...models].map(canonicalModel));
}

/** Anomalies that cannot be present if all the given models hold. */
export function anomaliesProhibitedBy(models: Iterable<string>): Set<string> {
  const direct: string[] = [];
  for (const m of reach(MODELS, [...models].map(canonicalModel))) direct.push(...(PROSCRIBED.get(m) ?? []));
  return allAnomaliesImplying(direct);
}

/** Models that cannot hold, given these anomalies are present (canonical names). */
export function anomaliesToImpossibleModels(anomalies: Iterable<string>): Set<string> {
  const direct: string[] = [];
  for (const a of allImpliedAnomalies(anomalies)) direct.push(...(PROSCRIBED_BY.get(a) ?? []));
  return allImpossibleModels(direct);
}

/** The members of `ms` that reach no other member along `g` (the extremes of the set). */
function extremes(g: Dag, ms: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const m of ms) {
    const below = reach(g, g.get(m) ?? []);
    if (![...ms].some((o) => o !== m && below.has(o))) out.add(m);
  }
  return out;
}

export interface Boundary {
  /** The weakest models ruled out (friendly names, sorted). */
  not: string[];
  /** The other models ruled out, all stronger than some member of `not`. */
  alsoNot: string[];
}

export function boundary(anomalies: Iterable<string>): Boundary {
  const impossible = anomaliesToImpossibleModels(anomalies);
  const weakest = extremes(MODELS, impossible);
  const friendly = (s: Iterable<string>): string[] => [...new Set([...s].map(friendlyModel))].sort();
  return { not: friendly(weakest), alsoNot: friendly([...impossible].filter((m) => !weakest.has(m))) };
}

/** Models some anomaly can refute; the others (linearizable, causal, ...) these checkers cannot judge. */
const REFUTABLE: ReadonlySet<string> = new Set(
  [...new Set([...MODELS.keys(), ...[...MODELS.values()].flat()])].filter((m) => anomaliesProhibitedBy([m]).size > 0),
);

/** The strongest refutable models not ruled out by these anomalies (friendly names, sorted). */
export function strongestPossibleModels(anomalies: Iterable<string>): string[] {
  const impossible = anomaliesToImpossibleModels(anomalies);
  const possible = new Set([...REFUTABLE].filter((m) => !impossible.has(m)));
  return [...new Set([...extremes(MODELS_IN, possible)].map(friendlyModel))].sort();
}

/** The anomalies a check must treat as failures, from the requested models and anomalies. */
export function prohibitedAnomalyTypes(models: readonly string[], anomalies: readonly string[]): Set<string> {
  validateModels(models);
  const out = anomaliesProhibitedBy(models);
  for (const a of allAnomaliesImplying(anomalies)) out.add(a);
  return out;
}

/** Anomalies that make a result `unknown` rather than `false`. */
export const UNKNOWN_ANOMALY_TYPES: ReadonlySet<string> = new Set(['empty-transaction-graph', 'cycle-search-timeout']);
