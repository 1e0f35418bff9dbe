/**
 * Registry entries of the in-process stores, one per workload family, each with its deliberate
 * flaws as bug flags. They need no cluster (`--provider none`), so every workload and checker can
 * be exercised end to end anywhere.
 */
import type { TestOptions } from '../core/test.ts';
import type { DbEntry } from './index.ts';
import { simClientFactory, onlyFlaw, type SimDbSpec } from '../inprocess/sim-db.ts';
import { setStore, type SetFlaw } from '../inprocess/set-store.ts';
import { counterStore, type CounterFlaw } from '../inprocess/counter-store.ts';
import { bankStore, type BankFlaw } from '../inprocess/bank-store.ts';
import { queueStore, type QueueFlaw } from '../inprocess/queue-store.ts';
import { uniqueIdsStore, type UniqueIdsFlaw } from '../inprocess/unique-ids-store.ts';
import { keyedSetStore, type KeyedSetFlaw } from '../inprocess/keyed-set-store.ts';
import { longForkStore, type LongForkFlaw } from '../inprocess/long-fork-store.ts';
import { DEFAULT_ACCOUNTS } from '../../workloads/bank/index.ts';

function entry(name: string, spec: SimDbSpec): DbEntry {
  return {
    description: `in-process ${name} store (no cluster); flaws as bug flags`,
    providers: ['none'],
    workloads: spec.workloads,
    bugs: spec.flaws,
    expect: 'valid without a bug flag; invalid with one',
    make(o: TestOptions) {
      const flaw = onlyFlaw(o);
      const factory = simClientFactory(spec.make(o, flaw), o.seed ^ 0x51d, o.nodes, spec.loadBalanced ?? false);
      return { db: null, client: (w) => (spec.workloads.includes(w) ? factory : undefined) };
    },
  };
}

export const IN_PROCESS_DBS: Record<string, DbEntry> = {
  'inprocess:set': entry('grow-only set', {
    workloads: ['set'],
    flaws: { lossy: 'acknowledges some adds without keeping them (set-full: lost)', 'stale-reads': 'reads from lagging replicas (set-full: stale, with --opt linearizable=true)', duplicates: 'reads sometimes list an element twice (set-full: duplicated)' },
    make: (o, f) => setStore(o.nodes, f as SetFlaw | undefined),
  }),
  'inprocess:counter': entry('counter', {
    workloads: ['counter'],
    flaws: { 'lost-increments': 'drops some acknowledged increments (counter: read below range)', 'double-apply': 'applies some increments twice (counter: read above range)' },
    make: (_o, f) => counterStore(f as CounterFlaw | undefined),
  }),
  'inprocess:bank': entry('bank', {
    workloads: ['bank'],
    flaws: { 'torn-transfers': 'reads can see half a transfer (bank: wrong total)', overdraft: 'transfers may overdraw (bank: negative balance)' },
    make: (_o, f) => bankStore(DEFAULT_ACCOUNTS, 10, f as BankFlaw | undefined),
  }),
  'inprocess:queue': entry('queue', {
    workloads: ['queue'],
    flaws: { redeliver: 'delivers some messages twice (queue: duplicated, with --opt delivery=exactly-once or at-most-once)', lossy: 'drops some enqueued messages (queue: lost)' },
    make: (_o, f) => queueStore({ dedupe: true, ...(f ? { flaw: f as QueueFlaw } : {}) }),
  }),
  'inprocess:unique-ids': entry('unique id', {
    workloads: ['unique-ids'],
    flaws: { 'node-local-counter': 'each node counts on its own (unique-ids: duplicates)' },
    make: (_o, f) => uniqueIdsStore(f as UniqueIdsFlaw | undefined),
  }),
  'inprocess:kv': entry('replicated key-value', {
    workloads: ['session', 'causal'],
    flaws: { 'async-replicas': 'replicas learn writes asynchronously, clients move between nodes (session guarantees and causal order broken)' },
    make: (o, f) => keyedSetStore(o.nodes, f as KeyedSetFlaw | undefined),
    loadBalanced: true,
  }),
  'inprocess:long-fork': entry('snapshot', {
    workloads: ['long-fork'],
    flaws: { 'parallel-snapshots': 'concurrent writes become visible in different orders on different nodes (long-fork)' },
    make: (o, f) => longForkStore(o.nodes, f as LongForkFlaw | undefined),
    loadBalanced: true,
  }),
};
