/**
 * Deployment topologies on real local clusters: the leader-follower store run active-passive
 * across regions (one primary, every other region's clients cross the WAN to it) against the lww
 * store run active-active (every region writes locally): in one region (the LAN baseline), and on
 * the three-regions profile in steady state and under region partitions that cut off the first
 * primary's region (us-east) or a remote one (eu-west). Prints, per store, scenario and region:
 * availability and latency outside faults, while the region was cut off and while another was;
 * the lost updates; the verdict.
 *
 *   npx tsx bench/topologies.ts [--time-limit 60] [--seed 1] [--only lww,steady]
 *     [--results-dir DIR] [--prefix ft4] [--subnet 10.223.4.0/24]
 *
 * Needs root (local network namespaces). Partitions last one interval (10 s) every other interval.
 * Clients read-modify-write (40% reads, 40% compare-and-sets from the value the client last read),
 * so lost updates (two CASes from one value that both succeed) show where a store lets them happen.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    'time-limit': { type: 'string', default: '60' },
    seed: { type: 'string', default: '1' },
    only: { type: 'string' },
    'results-dir': { type: 'string', default: path.join(os.tmpdir(), 'faultline-topologies') },
    prefix: { type: 'string', default: 'ft4' },
    subnet: { type: 'string', default: '10.223.4.0/24' },
  },
});

const STORES = { 'active-passive': 'reference:leader-follower', 'active-active': 'reference:lww' } as const;
const REGION_CUTS = ['--nemesis-interval', '10', '--opt', 'nemesis.spacing=fixed', '--opt', 'partition.shapes=region'];
/** Scenario -> [topology, extra flags]. */
const SCENARIOS: Record<string, [string, string[]]> = {
  'steady-lan': ['single-region', ['--nemesis', 'none']],
  steady: ['three-regions', ['--nemesis', 'none']],
  'cut-us-east': ['three-regions', ['--nemesis', 'partition', ...REGION_CUTS, '--opt', 'partition.regions=us-east']],
  'cut-eu-west': ['three-regions', ['--nemesis', 'partition', ...REGION_CUTS, '--opt', 'partition.regions=eu-west']],
};
/** Read-modify-write: each client compare-and-sets from what it last read, as applications update. */
const WORKLOAD = ['--workload', 'register', '--opt', 'register.read-ratio=0.4', '--opt', 'register.cas-ratio=0.4', '--opt', 'register.cas-from=read'];

interface Phase {
  ops: number;
  availability: number | null;
  latency: { count: number; quantilesMs: Record<string, number> };
}
interface RegionRow {
  region: string;
  nodes: string[];
  outsideFaults: Phase;
  cutOff: Phase;
  otherSide: Phase;
}
interface RunJson {
  runDir?: string;
  valid?: unknown;
  anomalyTypes?: string[];
  checkers?: { regions?: { regions: RegionRow[]; lostUpdates: { total: number; crossRegion: number; duringRegionPartitions: number } } };
}

function run(argv: string[]): Promise<RunJson> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'faultline.js'), ...argv], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(out) as RunJson);
      } catch {
        reject(new Error(`exit ${code}, no JSON: ${err.trim().split('\n').at(-1) ?? ''}`));
      }
    });
  });
}

const cell = (p: Phase): string =>
  p.ops === 0 ? '-'.padStart(22) : `${((p.availability ?? 0) * 100).toFixed(1)}% ${String(p.latency.quantilesMs['0.5'] ?? '-')}/${String(p.latency.quantilesMs['0.99'] ?? '-')} ms`.padStart(22);

const only = values.only?.split(',').filter(Boolean);
console.log(`topologies: register workload (40% reads, 40% compare-and-sets from the value last read), ${values['time-limit']} s runs, seed ${values.seed}; cells: answered% p50/p99 ms of answered ops`);
console.log(`${'deployment'.padEnd(15)} ${'scenario'.padEnd(19)} ${'region'.padEnd(11)} ${'outside faults'.padStart(22)} ${'region cut off'.padStart(22)} ${'other cut off'.padStart(22)}  lost updates  verdict`);
for (const [deployment, db] of Object.entries(STORES)) {
  for (const [scenario, [topology, args]] of Object.entries(SCENARIOS)) {
    if (only && !only.every((o) => `${deployment} ${scenario}`.includes(o))) continue;
    const argv = [
      'test', '--db', db, ...WORKLOAD, '--topology', topology, ...args, '--time-limit', String(values['time-limit']), '--seed', String(values.seed),
      '--results-dir', values['results-dir'], '--name', `${deployment}-${scenario}`, '--json', '--no-progress',
      '--opt', `local.prefix=${values.prefix}`, '--opt', `local.subnet=${values.subnet}`,
    ];
    let j: RunJson;
    try {
      j = await run(argv);
    } catch (e) {
      console.log(`${deployment.padEnd(15)} ${scenario.padEnd(19)} run broke: ${(e as Error).message}`);
      continue;
    }
    const r = j.checkers?.regions;
    if (!r) {
      console.log(`${deployment.padEnd(15)} ${scenario.padEnd(19)} no regions result (${j.runDir ?? 'no run directory'})`);
      continue;
    }
    const lost = `${r.lostUpdates.total} (${r.lostUpdates.duringRegionPartitions} in cuts)`;
    r.regions.forEach((row, i) => {
      const tail = i === 0 ? `  ${lost.padEnd(12)}  ${String(j.valid)} ${(j.anomalyTypes ?? []).join(',')}` : '';
      console.log(`${deployment.padEnd(15)} ${scenario.padEnd(19)} ${row.region.padEnd(11)} ${cell(row.outsideFaults)} ${cell(row.cutOff)} ${cell(row.otherSide)}${tail}`);
    });
    console.log(`${''.padEnd(15)} ${''.padEnd(19)} ${j.runDir ?? ''}`);
  }
}
