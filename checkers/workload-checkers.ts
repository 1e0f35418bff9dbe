/**
 * The workload checkers by command-line name, each with a one-line description and a factory
 * taking the options given on the command line (`--opt key=value`, values as strings) or in a
 * test file (typed values). Unknown names and bad option values are UsageErrors.
 */
import type { Checker } from '../src/core/checker.ts';
import { UsageError } from '../src/core/errors.ts';
import { availability } from './availability/availability.ts';
import { bank } from './bank/bank.ts';
import { causalReverse } from './causal/causal-reverse.ts';
import { counter } from './counter/counter.ts';
import { longFork } from './long-fork/long-fork.ts';
import { queue, type Delivery } from './queue/queue.ts';
import { SESSION_GUARANTEES, sessionGuarantees, type SessionGuarantee } from './session/session-guarantees.ts';
import { setFull } from './set/set-full.ts';
import { staleReads } from './stale-reads/stale-reads.ts';
import { uniqueIds } from './unique-ids/unique-ids.ts';

export type CheckerOptions = Readonly<Record<string, unknown>>;

export interface WorkloadCheckerEntry {
  description: string;
  /** Option names the factory understands. */
  options: readonly string[];
  create(opts: CheckerOptions): Checker;
}

function bool(name: string, v: unknown): boolean | undefined {
  if (v === undefined || typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new UsageError(`option ${name} must be true or false, got ${JSON.stringify(v)}`);
}

function num(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new UsageError(`option ${name} must be a number, got ${JSON.stringify(v)}`);
  return n;
}

/** A list given as an array or as comma-separated text. */
function list(name: string, v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  throw new UsageError(`option ${name} must be a comma-separated list, got ${JSON.stringify(v)}`);
}

function oneOf<T extends string>(name: string, v: unknown, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  throw new UsageError(`option ${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
}

/** Copies only the options that were given, so optional properties stay absent. */
function defined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}

const DELIVERIES: readonly Delivery[] = ['at-least-once', 'at-most-once', 'exactly-once'];

export const WORKLOAD_CHECKERS: Readonly<Record<string, WorkloadCheckerEntry>> = {
  'set-full': {
    description: 'grow-only set: lost, stale, never-read and duplicated elements, time to stable visibility',
    options: ['linearizable'],
    create: (o) => setFull(defined({ linearizable: bool('linearizable', o['linearizable']) })),
  },
  counter: {
    description: 'counter (G or PN): every read within the range the ok / info increments allow',
    options: ['initial'],
    create: (o) => counter(defined({ initial: num('initial', o['initial']) })),
  },
  bank: {
    description: 'bank transfers: total conserved and no negative balance in any read',
    options: ['accounts', 'total', 'negativeBalances'],
    create: (o) =>
      bank(defined({ accounts: list('accounts', o['accounts']), total: num('total', o['total']), negativeBalances: bool('negativeBalances', o['negativeBalances']) })),
  },
  queue: {
    description: 'queue delivery: lost, duplicated and unexpected messages, retries and deduplication',
    options: ['delivery'],
    create: (o) => queue(defined({ delivery: oneOf('delivery', o['delivery'], DELIVERIES) })),
  },
  'unique-ids': {
    description: 'every generated id distinct',
    options: [],
    create: () => uniqueIds(),
  },
  session: {
    description: 'read-your-writes, monotonic reads, monotonic writes, writes-follow-reads per session',
    options: ['guarantees'],
    create: (o) => {
      const g = list('guarantees', o['guarantees'])?.map((x) => oneOf('guarantees', x, SESSION_GUARANTEES) as SessionGuarantee);
      return sessionGuarantees(defined({ guarantees: g }));
    },
  },
  'causal-reverse': {
    description: 'no read sees a write without the writes that came before it',
    options: [],
    create: () => causalReverse(),
  },
  'long-fork': {
    description: 'no two reads observe concurrent writes in opposite orders (snapshot isolation)',
    options: [],
    create: () => longFork(),
  },
  'stale-reads': {
    description: 'how stale non-linearizable register reads were, in versions and milliseconds',
    options: ['initial'],
    create: (o) => staleReads(o['initial'] === undefined ? {} : { initial: o['initial'] }),
  },
  availability: {
    description: 'fraction of ok ops overall and in each fault window',
    options: ['minAvailability'],
    create: (o) => availability(defined({ minAvailability: num('minAvailability', o['minAvailability']) })),
  },
};

export const WORKLOAD_CHECKER_NAMES: readonly string[] = Object.keys(WORKLOAD_CHECKERS);

/** The checker called `name`, built from `opts`; a UsageError for unknown names or options. */
export function makeWorkloadChecker(name: string, opts: CheckerOptions = {}): Checker {
  const entry = WORKLOAD_CHECKERS[name];
  if (!entry) throw new UsageError(`unknown checker ${JSON.stringify(name)}; known: ${WORKLOAD_CHECKER_NAMES.join(', ')}`);
  for (const k of Object.keys(opts)) {
    if (!entry.options.includes(k)) throw new UsageError(`checker ${name} has no option ${JSON.stringify(k)}${entry.options.length ? `; it takes ${entry.options.join(', ')}` : ''}`);
  }
  return entry.create(opts);
}
