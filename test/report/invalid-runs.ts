/**
 * One invalid history per checker that can say INVALID, from the in-process stores with their
 * flaws switched on (clients in the simulator, with the workloads' own op generators), or built
 * by hand where no store has the flaw. Each comes with the checkers a run of that workload gets.
 */
import type { Checker } from '../../src/core/checker.ts';
import type { History } from '../../src/core/op.ts';
import { HistoryBuilder } from '../../src/inprocess/history-builder.ts';
import { runClients } from '../../src/inprocess/client-histories.ts';
import { registerStore } from '../../src/inprocess/register-store.ts';
import { keyedSetStore } from '../../src/inprocess/keyed-set-store.ts';
import { setStore } from '../../src/inprocess/set-store.ts';
import { counterStore } from '../../src/inprocess/counter-store.ts';
import { bankStore } from '../../src/inprocess/bank-store.ts';
import { queueStore } from '../../src/inprocess/queue-store.ts';
import { uniqueIdsStore } from '../../src/inprocess/unique-ids-store.ts';
import { longForkStore } from '../../src/inprocess/long-fork-store.ts';
import { snapshotTxnStore } from '../../src/inprocess/txn-snapshot.ts';
import { registerOp } from '../../workloads/register/index.ts';
import { sessionOp } from '../../workloads/session/index.ts';
import { causalOp } from '../../workloads/causal/index.ts';
import { setFinalOps, setOp } from '../../workloads/set/index.ts';
import { counterFinalOps, counterOp } from '../../workloads/counter/index.ts';
import { bankFinalOps, bankOp, DEFAULT_ACCOUNTS } from '../../workloads/bank/index.ts';
import { queueFinalOps, queueOp, queueRetry } from '../../workloads/queue/index.ts';
import { uniqueIdsOp } from '../../workloads/unique-ids/index.ts';
import { longForkOp } from '../../workloads/long-fork/index.ts';
import { TxnSource } from '../../workloads/list-append/txn-source.ts';
import { stats } from '../../checkers/stats.ts';
import { perf } from '../../checkers/perf.ts';
import { availability } from '../../checkers/availability/availability.ts';
import { linearizable } from '../../checkers/linearizable/index.ts';
import { staleReads } from '../../checkers/stale-reads/stale-reads.ts';
import { sessionGuarantees } from '../../checkers/session/session-guarantees.ts';
import { causalReverse } from '../../checkers/causal/causal-reverse.ts';
import { setFull } from '../../checkers/set/set-full.ts';
import { counter } from '../../checkers/counter/counter.ts';
import { bank } from '../../checkers/bank/bank.ts';
import { queue } from '../../checkers/queue/queue.ts';
import { uniqueIds } from '../../checkers/unique-ids/unique-ids.ts';
import { longFork } from '../../checkers/long-fork/long-fork.ts';
import { listAppend, rwRegister } from '../../checkers/elle/index.ts';
import { g1cHistory } from './fixtures.ts';

const NODES = ['n1', 'n2', 'n3'];

export interface InvalidRun {
  /** The checker that must say INVALID (its name in results.json). */
  checker: string;
  workload: string;
  history: () => History;
  /** Every checker of the run, the invalid one included. */
  checkers: () => Checker[];
}

const base = (): Checker[] => [stats(), perf()];

export const INVALID_RUNS: readonly InvalidRun[] = [
  {
    checker: 'linearizable',
    workload: 'register',
    history: () => runClients({ seed: 3, store: registerStore('follower-reads'), threads: 4, nodes: NODES, switchNodeRate: 0.3, infoRate: 0.05, ops: 300, nextOp: (rng, n) => registerOp(rng, n) }),
    checkers: () => [linearizable({ model: 'cas-register', init: null, threads: 0 }), staleReads(), ...base()],
  },
  {
    checker: 'stale-reads',
    workload: 'register',
    history: () => runClients({ seed: 4, store: registerStore('follower-reads'), threads: 4, nodes: NODES, switchNodeRate: 0.3, infoRate: 0.05, ops: 300, nextOp: (rng, n) => registerOp(rng, n) }),
    checkers: () => [staleReads(), ...base()],
  },
  {
    checker: 'session',
    workload: 'session',
    history: () => runClients({ seed: 5, store: keyedSetStore('async-replicas'), threads: 4, nodes: NODES, switchNodeRate: 0.5, infoRate: 0.05, ops: 400, nextOp: (rng, n) => sessionOp(rng, n, { opsPerGroup: 100 }) }),
    checkers: () => [sessionGuarantees(), ...base()],
  },
  {
    checker: 'causal-reverse',
    workload: 'causal',
    history: () => runClients({ seed: 6, store: keyedSetStore('async-replicas'), threads: 4, nodes: NODES, switchNodeRate: 0.5, infoRate: 0.05, ops: 400, nextOp: (rng, n) => causalOp(rng, n, { opsPerGroup: 100 }) }),
    checkers: () => [causalReverse(), ...base()],
  },
  {
    checker: 'set-full',
    workload: 'set',
    history: () => runClients({ seed: 7, store: setStore('lossy'), threads: 4, nodes: NODES, switchNodeRate: 0.2, infoRate: 0.05, ops: 300, nextOp: (rng, n) => setOp(rng, n), final: setFinalOps() }),
    checkers: () => [setFull(), ...base()],
  },
  {
    checker: 'counter',
    workload: 'counter',
    history: () => runClients({ seed: 8, store: counterStore('lost-increments'), threads: 5, nodes: ['n1'], infoRate: 0.1, ops: 300, nextOp: (rng) => counterOp(rng), final: counterFinalOps }),
    checkers: () => [counter(), ...base()],
  },
  {
    checker: 'bank',
    workload: 'bank',
    history: () => runClients({ seed: 9, store: bankStore(DEFAULT_ACCOUNTS, 10, 'torn-transfers'), threads: 5, nodes: ['n1'], infoRate: 0.05, ops: 150, nextOp: (rng) => bankOp(rng), final: bankFinalOps }),
    checkers: () => [bank({ accounts: [...DEFAULT_ACCOUNTS], total: 50 }), ...base()],
  },
  {
    checker: 'queue',
    workload: 'queue',
    history: () =>
      runClients({ seed: 10, store: queueStore({ dedupe: true, flaw: 'lossy' }), threads: 4, nodes: ['n1'], infoRate: 0.02, ops: 300, nextOp: (rng, n) => queueOp(rng, n), retry: (op) => queueRetry(op), final: queueFinalOps }),
    checkers: () => [queue(), ...base()],
  },
  {
    checker: 'unique-ids',
    workload: 'unique-ids',
    history: () => runClients({ seed: 11, store: uniqueIdsStore('node-local-counter'), threads: 4, nodes: NODES, switchNodeRate: 0.3, infoRate: 0.05, ops: 200, nextOp: uniqueIdsOp }),
    checkers: () => [uniqueIds(), ...base()],
  },
  {
    checker: 'long-fork',
    workload: 'long-fork',
    history: () => runClients({ seed: 1, store: longForkStore('parallel-snapshots'), threads: 5, nodes: NODES, switchNodeRate: 0.3, infoRate: 0.05, ops: 800, nextOp: (rng, n) => longForkOp(rng, n, { groupSize: 4 }) }),
    checkers: () => [longFork(), ...base()],
  },
  {
    checker: 'list-append',
    workload: 'list-append',
    history: () => g1cHistory(),
    checkers: () => [listAppend({ consistencyModels: ['serializable'] }), ...base()],
  },
  {
    checker: 'rw-register',
    workload: 'rw-register',
    history: () => {
      const source = new TxnSource('w', { keyCount: 3, maxWritesPerKey: 8, keyDistribution: 'uniform' });
      return runClients({ seed: 12, store: snapshotTxnStore('rw-register'), threads: 5, nodes: ['n1'], ops: 300, infoRate: 0.05, nextOp: (r) => source.next(r) });
    },
    checkers: () => [rwRegister(), ...base()],
  },
  {
    checker: 'stats',
    workload: 'register',
    history: () => new HistoryBuilder().op(0, 'write', 1, 'fail').op(1, 'read', null, 'ok', null).op(0, 'write', 2, 'info').op(2, 'read', null, 'ok', null).build(),
    checkers: () => base(),
  },
  {
    checker: 'availability',
    workload: 'register',
    history: () => new HistoryBuilder().op(0, 'write', 1, 'fail').op(1, 'read', null, 'ok', null).op(0, 'write', 2, 'fail').op(2, 'read', null, 'fail').build(),
    checkers: () => [availability({ minAvailability: 0.9 }), ...base()],
  },
];
