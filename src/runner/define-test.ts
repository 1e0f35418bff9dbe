/**
 * A runnable Test built in code, defaults filled in (the same defaults as the CLI's), for library
 * users who hold their parts as values rather than names.
 *
 * @example
 * const outcome = await run(defineTest({
 *   name: 'my-store',
 *   provider: localProvider({ nodes: 3 }),   // or any Provider; omit it for stores inside this process
 *   db: myDb,
 *   client: myClientFactory,
 *   workload: myWorkload,
 *   nemesis: makeNemesisPackage(['partition', 'kill'], { nodes: ['n1', 'n2', 'n3'], db: myDb }),
 *   nodes: ['n1', 'n2', 'n3'],
 *   timeLimitS: 30,
 * }));
 */
import type { Checker } from '../core/checker.ts';
import type { ClientFactory } from '../core/client.ts';
import type { DB } from '../core/db.ts';
import { UsageError } from '../core/errors.ts';
import type { NemesisPackage } from '../core/nemesis.ts';
import type { Provider } from '../core/provider.ts';
import type { Test } from '../core/test.ts';
import type { Topology } from '../core/topology.ts';
import type { Workload } from '../core/workload.ts';
import { inProcessCluster } from '../providers/index.ts';
import { SPEC_DEFAULTS } from './spec.ts';
import { resolve } from 'node:path';

export interface TestInput {
  /** Names the results folder: <resultsDir>/<name>/<timestamp>/. Letters, digits, ".", "_", "-". */
  name: string;
  /** Opens a client per worker. */
  client: ClientFactory;
  /** The ops, final reads and the checker. */
  workload: Workload;
  /** Sets each node up; omit (null) for a store that lives in this process. */
  db?: DB | null;
  /** Brings the nodes up and down; required with a db, else the nodes are names in this process. */
  provider?: Provider;
  /** Default n1..n5. */
  nodes?: readonly string[];
  /** Faults and their schedule (see makeNemesisPackage in faultline/nemeses); default none. */
  nemesis?: NemesisPackage | null;
  /** Checkers besides the workload's own and the standard ones. */
  checkers?: readonly Checker[];
  concurrency?: number;
  timeLimitS?: number;
  rate?: number;
  opTimeoutMs?: number;
  recoveryS?: number;
  seed?: number;
  resultsDir?: string;
  checkerTimeS?: number;
  /** Option text recorded in test.json and seen by the parts through `ctx.test.options`. */
  options?: Readonly<Record<string, string>>;
  /** Nodes in regions with WAN latency between them (see `loadTopology`); the provider must support it. */
  topology?: Topology;
}

export function defineTest(t: TestInput): Test {
  const nodes = t.nodes ?? Array.from({ length: SPEC_DEFAULTS.nodeCount }, (_, i) => `n${i + 1}`);
  const db = t.db ?? null;
  if (db && !t.provider) throw new UsageError(`test ${t.name}: db ${db.name} needs a provider to bring its nodes up`);
  const provider: Provider = t.provider ?? { name: 'none', up: async () => inProcessCluster(nodes), down: async () => {} };
  return {
    name: t.name,
    nodes,
    concurrency: t.concurrency ?? SPEC_DEFAULTS.concurrency,
    timeLimitS: t.timeLimitS ?? SPEC_DEFAULTS.timeLimitS,
    opTimeoutMs: t.opTimeoutMs ?? SPEC_DEFAULTS.opTimeoutMs,
    seed: t.seed ?? Math.floor(Math.random() * 2 ** 31),
    options: t.options ?? {},
    ...(t.topology ? { topology: t.topology } : {}),
    provider,
    db,
    client: t.client,
    workload: t.workload,
    nemesis: t.nemesis ?? null,
    checkers: t.checkers ?? [],
    rate: t.rate ?? SPEC_DEFAULTS.rate,
    recoveryS: t.recoveryS ?? SPEC_DEFAULTS.recoveryS,
    resultsDir: resolve(t.resultsDir ?? SPEC_DEFAULTS.resultsDir),
    checkerTimeS: t.checkerTimeS ?? SPEC_DEFAULTS.checkerTimeS,
  };
}
