/**
 * Benchmark of the list-append and rw-register checkers: builds histories with the in-process
 * stores (10 client threads, 1–4 micro-ops per txn, 10 active keys, ≤32 appends per key) and
 * times the check, printing txns, wall and CPU time (the machine may be shared), throughput and
 * memory.
 *
 *   npx tsx bench/elle.ts                 # 10k, 100k txns
 *   npx tsx bench/elle.ts 1000000         # the sizes given, in txns
 *   node --max-old-space-size=4096 --import tsx bench/elle.ts 1000000
 */
import type { History } from '../src/core/op.ts';
import { runClients } from '../src/inprocess/client-histories.ts';
import { serializableTxnStore, type TxnKind } from '../src/inprocess/txn-serializable.ts';
import { snapshotTxnStore } from '../src/inprocess/txn-snapshot.ts';
import { TxnSource } from '../workloads/list-append/txn-source.ts';
import { listAppend, rwRegister } from '../checkers/elle/index.ts';

function history(kind: TxnKind, txns: number, store: 'serializable' | 'snapshot'): History {
  const source = new TxnSource(kind === 'list-append' ? 'append' : 'w', { keyCount: 10, maxWritesPerKey: 32 });
  return runClients({
    seed: 42,
    store: store === 'serializable' ? serializableTxnStore(kind) : snapshotTxnStore(kind),
    threads: 10,
    nodes: ['n1'],
    ops: txns,
    infoRate: 0.01,
    nextOp: (r) => source.next(r),
  });
}

const mb = (x: number): string => `${Math.round(x / 1048576)} MB`;

async function bench(kind: TxnKind, txns: number, store: 'serializable' | 'snapshot'): Promise<void> {
  const t0 = performance.now();
  const h = history(kind, txns, store);
  const built = performance.now() - t0;
  const checker = kind === 'list-append' ? listAppend() : rwRegister();
  const t1 = performance.now();
  const c1 = process.cpuUsage();
  const r = await checker.check(h, {});
  const ms = performance.now() - t1;
  const cpu = process.cpuUsage(c1);
  const m = process.memoryUsage();
  const stats = r.stats as Record<string, number>;
  console.log(
    [
      `${kind.padEnd(11)} ${store.padEnd(12)} ${String(txns).padStart(8)} txns`,
      `check ${ms.toFixed(0).padStart(6)} ms (cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms)`,
      `${Math.round(txns / (ms / 1000))
        .toString()
        .padStart(8)} txn/s`,
      `edges ${stats.edges}`,
      `valid ${String(r.valid)}${r.anomalyTypes ? ' ' + (r.anomalyTypes as string[]).join(',') : ''}`,
      `(history built in ${built.toFixed(0)} ms; rss ${mb(m.rss)}, heap ${mb(m.heapUsed)})`,
    ].join('  '),
  );
}

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
for (const n of sizes.length > 0 ? sizes : [10_000, 100_000]) {
  await bench('list-append', n, 'serializable');
  await bench('rw-register', n, 'serializable');
  await bench('list-append', n, 'snapshot');
}
