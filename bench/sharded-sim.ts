/**
 * Detection power against the sharded store's bug flags in the simulator (no root): for each
 * flag, in how many seeds the workload's checker finds it under partitions, kills and
 * rebalancing, and in how many the correct store comes out valid. Run by `bench/detection.ts --sim`.
 */
import { SHARDED_BUGS, type ShardedBug } from '../src/stores/sharded/node.ts';
import { runShardedSim } from '../src/stores/sharded/sim-run.ts';

export async function shardedSimDetection(o: { seconds: number; seeds: number; only: readonly string[] | undefined }): Promise<void> {
  type Row = { id: string; bug: ShardedBug | null; workload: 'list-append' | 'rw-register' };
  const all: Row[] = [
    { id: 'sharded/list-append', bug: null, workload: 'list-append' },
    { id: 'sharded/rw-register', bug: null, workload: 'rw-register' },
    ...SHARDED_BUGS.map((bug): Row => ({ id: `sharded/${bug}`, bug, workload: 'list-append' })),
  ];
  const rows = all.filter(r => !o.only || o.only.some(x => r.id.includes(x)));
  console.log(`sharded store in the simulator: ${rows.length} cases x ${o.seeds} seeds, ${o.seconds} s simulated, faults partition + kill + rebalance every 1 s`);
  console.log(`${'case'.padEnd(36)} ${'as expected'.padStart(11)}  per seed  wall s/run  ok/fail/info per run  anomalies seen`);
  for (const r of rows) {
    let good = 0;
    let marks = '';
    let wall = 0;
    const seen = new Set<string>();
    const totals = { ok: 0, fail: 0, info: 0 };
    for (let seed = 1; seed <= o.seeds; seed++) {
      const t0 = performance.now();
      const out = await runShardedSim({ seed, workload: r.workload, bugs: r.bug ? [r.bug] : [], seconds: o.seconds });
      wall += (performance.now() - t0) / 1000;
      const types = Array.isArray(out.check.anomalyTypes) ? (out.check.anomalyTypes as string[]) : [];
      for (const t of types) seen.add(t);
      for (const k of ['ok', 'fail', 'info'] as const) totals[k] += out.counts[k];
      const expected = r.bug ? out.check.valid === false : out.check.valid === true;
      good += expected ? 1 : 0;
      marks += expected ? '+' : '-';
    }
    const per = (n: number): string => String(Math.round(n / o.seeds));
    console.log(
      `${(r.bug ? `${r.id} (found)` : `${r.id} (valid)`).padEnd(36)} ${`${good}/${o.seeds}`.padStart(11)}  ${marks.padEnd(8)}  ${(wall / o.seeds).toFixed(1).padStart(10)}  ${`${per(totals.ok)}/${per(totals.fail)}/${per(totals.info)}`.padStart(21)}  ${[...seen].sort().join(', ') || '-'}`,
    );
  }
}
