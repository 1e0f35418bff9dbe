/**
 * The in-process stores as DB definitions, one per workload family, each with its deliberate
 * flaws as bug flags, and the two register stores `inprocess:atom` (linearizable) and
 * `inprocess:stale-atom`. Their nodes are node logic running in the simulator inside the
 * controller, in step with the wall clock (src/inprocess/), so they need no cluster
 * (`--provider none`) and every workload and checker can be exercised end to end anywhere,
 * without root.
 */
import type { DbDefinition } from '../core/parts.ts';
import { UsageError } from '../core/errors.ts';
import { opt } from '../options/schema.ts';
import { defineDb } from '../plugins/define.ts';
import type { InProcessStore } from '../inprocess/model-node.ts';
import type { SetFlaw } from '../inprocess/set-store.ts';
import type { CounterFlaw } from '../inprocess/counter-store.ts';
import type { BankFlaw } from '../inprocess/bank-store.ts';
import type { QueueFlaw } from '../inprocess/queue-store.ts';
import type { UniqueIdsFlaw } from '../inprocess/unique-ids-store.ts';
import type { KeyedSetFlaw } from '../inprocess/keyed-set-store.ts';
import type { LongForkFlaw } from '../inprocess/long-fork-store.ts';

/** The bank the workload and every bank client assume: accounts 0..4 holding 10 each. */
const BANK_ACCOUNTS = [0, 1, 2, 3, 4];
const BANK_BALANCE = 10;

interface InProcessSpec {
  workloads: readonly string[];
  /** Flaw name → what the checkers should find. */
  flaws: Readonly<Record<string, string>>;
  /** Builds the store (importing its module: a run loads only the store it uses). */
  make(flaw: string | undefined): Promise<InProcessStore>;
  loadBalanced?: boolean;
}

function onlyFlaw(bugs: readonly string[]): string | undefined {
  if (bugs.length > 1) throw new UsageError(`in-process stores take one bug flag at a time, got ${bugs.join(', ')}`);
  return bugs[0];
}

function inProcess(name: string, what: string, spec: InProcessSpec): DbDefinition {
  return defineDb({
    name,
    description: `in-process ${what} store (no cluster); flaws as bug flags`,
    providers: ['none'],
    workloads: spec.workloads,
    bugs: spec.flaws,
    expect: 'valid without a bug flag; invalid with one',
    async create({ test, bugs }) {
      const store = await spec.make(onlyFlaw(bugs));
      const { inProcessClients } = await import('../inprocess/inprocess-clients.ts');
      const factory = inProcessClients(store, { seed: test.seed ^ 0x51d, nodes: test.nodes, loadBalanced: spec.loadBalanced ?? false });
      return { db: null, client: (w) => (spec.workloads.includes(w) ? factory : undefined) };
    },
  });
}

function register(name: string, stale: boolean, description: string, expect: string): DbDefinition {
  return defineDb({
    name,
    optionPrefix: 'inprocess',
    description,
    providers: ['none'],
    workloads: ['register'],
    expect,
    options: { 'latency-ms': opt.number({ doc: 'longest one-way latency of a message between nodes, ms', default: 1, min: 0, aliases: ['latency-ms'] }) },
    async create({ options, test }) {
      const store = (await import('../inprocess/register-store.ts')).registerStore(stale ? 'follower-reads' : undefined);
      const { inProcessClients } = await import('../inprocess/inprocess-clients.ts');
      const factory = inProcessClients(store, { seed: test.seed ^ 0x5eed, nodes: test.nodes, latencyMs: options['latency-ms'] });
      return { db: null, client: (w) => (w === 'register' ? factory : undefined) };
    },
  });
}

export const IN_PROCESS_DBS: readonly DbDefinition[] = [
  register('inprocess:atom', false, "a linearizable register inside the controller process (no cluster): the pipeline's own test", 'valid'),
  register('inprocess:stale-atom', true, 'a register whose reads come from lagging per-node replicas (no cluster)', 'invalid: stale reads make the register history non-linearizable'),
  inProcess('inprocess:set', 'grow-only set', {
    workloads: ['set'],
    flaws: { lossy: 'acknowledges some adds without keeping them (set-full: lost)', 'stale-reads': 'reads from lagging replicas (set-full: stale, with --opt set.linearizable=true)', duplicates: 'reads sometimes list an element twice (set-full: duplicated)' },
    make: async (f) => (await import('../inprocess/set-store.ts')).setStore(f as SetFlaw | undefined),
  }),
  inProcess('inprocess:counter', 'counter', {
    workloads: ['counter'],
    flaws: { 'lost-increments': 'drops some acknowledged increments (counter: read below range)', 'double-apply': 'applies some increments twice (counter: read above range)' },
    make: async (f) => (await import('../inprocess/counter-store.ts')).counterStore(f as CounterFlaw | undefined),
  }),
  inProcess('inprocess:bank', 'bank', {
    workloads: ['bank'],
    flaws: { 'torn-transfers': 'reads can see half a transfer (bank: wrong total)', overdraft: 'transfers may overdraw (bank: negative balance)' },
    make: async (f) => (await import('../inprocess/bank-store.ts')).bankStore(BANK_ACCOUNTS, BANK_BALANCE, f as BankFlaw | undefined),
  }),
  inProcess('inprocess:queue', 'queue', {
    workloads: ['queue'],
    flaws: { redeliver: 'delivers some messages twice (queue: duplicated, with --opt queue.delivery=exactly-once or at-most-once)', lossy: 'drops some enqueued messages (queue: lost)' },
    make: async (f) => (await import('../inprocess/queue-store.ts')).queueStore({ dedupe: true, ...(f ? { flaw: f as QueueFlaw } : {}) }),
  }),
  inProcess('inprocess:unique-ids', 'unique id', {
    workloads: ['unique-ids'],
    flaws: { 'node-local-counter': 'each node counts on its own (unique-ids: duplicates)' },
    make: async (f) => (await import('../inprocess/unique-ids-store.ts')).uniqueIdsStore(f as UniqueIdsFlaw | undefined),
  }),
  inProcess('inprocess:kv', 'replicated key-value', {
    workloads: ['session', 'causal'],
    flaws: { 'async-replicas': 'replicas learn writes asynchronously, clients move between nodes (session guarantees and causal order broken)' },
    make: async (f) => (await import('../inprocess/keyed-set-store.ts')).keyedSetStore(f as KeyedSetFlaw | undefined),
    loadBalanced: true,
  }),
  inProcess('inprocess:long-fork', 'snapshot', {
    workloads: ['long-fork'],
    flaws: { 'parallel-snapshots': 'concurrent writes become visible in different orders on different nodes (long-fork)' },
    make: async (f) => (await import('../inprocess/long-fork-store.ts')).longForkStore(f as LongForkFlaw | undefined),
    loadBalanced: true,
  }),
];
