/**
 * The DB registry: names usable with `--db`, what each is, and how to build it. A DB entry gives
 * the DB adapter (null for in-process stores, which need no cluster) and a client per workload.
 */
import type { ClientFactory } from '../core/client.ts';
import type { DB } from '../core/db.ts';
import type { TestOptions } from '../core/test.ts';
import { UsageError } from '../core/errors.ts';
import { atomStore } from '../inprocess/atom.ts';
import { makeRng } from '../generator/index.ts';
import { REFERENCE_DBS } from './reference/entries.ts';
import { IN_PROCESS_DBS } from './inprocess.ts';
import { ETCD_DB_ENTRY } from './etcd/index.ts';
import { CONSUL_DB_ENTRY } from './consul/index.ts';

export interface DbInstance {
  /** The adapter that sets nodes up; null for in-process stores. */
  db: DB | null;
  /** The client for a workload, or undefined when this DB cannot serve it. */
  client(workload: string): ClientFactory | undefined;
  /** Fetches and checks what the nodes will need (release archives) before any node exists; bad input is a UsageError. */
  prepare?(): Promise<void>;
}

export interface DbEntry {
  description: string;
  /** Providers this DB runs on ("none" for in-process). */
  providers: readonly string[];
  /** Workloads it serves. */
  workloads: readonly string[];
  /** Bug flags and what each should make the checkers find. */
  bugs: Readonly<Record<string, string>>;
  /** What the checkers should conclude about it. */
  expect: string;
  /** `--opt` keys the DB reads, with what each does. */
  options?: Readonly<Record<string, string>>;
  make(opts: TestOptions): DbInstance;
}

function inProcessRegister(stale: boolean) {
  return (opts: TestOptions): DbInstance => {
    const rng = makeRng(opts.seed ^ 0x5eed);
    const store = atomStore({ stale, random: () => rng.next(), maxLatencyMs: Number(opts.options['latency-ms'] ?? 1) });
    return { db: null, client: (w) => (w === 'register' ? store : undefined) };
  };
}

export const DBS: Record<string, DbEntry> = {
  ...REFERENCE_DBS,
  etcd: ETCD_DB_ENTRY,
  consul: CONSUL_DB_ENTRY,
  ...IN_PROCESS_DBS,
  'inprocess:atom': {
    description: 'a linearizable register inside the controller process (no cluster): the pipeline\'s own test',
    providers: ['none'],
    workloads: ['register'],
    bugs: {},
    expect: 'valid',
    make: inProcessRegister(false),
  },
  'inprocess:stale-atom': {
    description: 'a register whose reads come from lagging per-node replicas (no cluster)',
    providers: ['none'],
    workloads: ['register'],
    bugs: {},
    expect: 'invalid: stale reads make the register history non-linearizable',
    make: inProcessRegister(true),
  },
};

export function dbEntry(name: string): DbEntry {
  const entry = DBS[name];
  if (!entry) throw new UsageError(`unknown db ${JSON.stringify(name)}; known: ${Object.keys(DBS).sort().join(', ')}`);
  return entry;
}
