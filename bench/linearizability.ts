/**
 * Linearizability checker benchmark on the shared corpus (run: npx tsx bench/linearizability.ts).
 * Per file: parse once (not timed), one cold check, then repeats until 300 ms or 200 runs; prints
 * min and median ms, the verdict and configurations explored, then totals per set and the peak
 * RSS. Porcupine's figures (Go, same kind of VM) are printed alongside as the baseline.
 * Files absent from ../shared/corpus (or $FAULTLINE_CORPUS) are listed as skipped.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Op } from '../src/core/op.ts';
import { loadHistory } from '../src/history/importers/index.ts';
import { linearizable, parseModelInit, type LinearizableOptions } from '../checkers/linearizable/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpus = process.env['FAULTLINE_CORPUS'] ?? path.resolve(root, '../shared/corpus');
const REPEAT_MS = 300;
const MAX_RUNS = 200;

interface Case {
  set: string;
  file: string;
  opts: LinearizableOptions;
  /** Porcupine's median in ms, when known. */
  porcupine?: number;
}

interface Timing {
  min: number;
  median: number;
  valid: unknown;
  configs: number;
}

async function time(history: Op[], opts: LinearizableOptions): Promise<Timing> {
  const run = async (): Promise<{ ms: number; r: Record<string, unknown> }> => {
    const t = performance.now();
    const r = await linearizable(opts).check(history, {});
    return { ms: performance.now() - t, r };
  };
  const cold = await run();
  const times = [cold.ms];
  const started = performance.now();
  while (performance.now() - started < REPEAT_MS && times.length < MAX_RUNS) times.push((await run()).ms);
  times.sort((a, b) => a - b);
  const stats = cold.r['stats'] as { configs: number };
  return { min: times[0]!, median: times[Math.floor(times.length / 2)]!, valid: cold.r['valid'], configs: stats.configs };
}

function cases(): { present: Case[]; absent: string[] } {
  const out: Case[] = [];
  const absent: string[] = [];
  const add = (c: Case): void => {
    if (existsSync(path.join(corpus, c.file))) out.push(c);
    else absent.push(c.file);
  };
  for (let i = 0; i < 50; i++) add({ set: 'etcd', file: `porcupine/etcd/etcd_${String(i).padStart(3, '0')}.log`, opts: { model: 'etcd-register', init: null } });
  const kvPorcupine: Record<string, number> = { 'c01-ok': 0.04, 'c01-bad': 0.08, 'c10-ok': 0.48, 'c10-bad': 0.25, 'c50-ok': 193, 'c50-bad': 24 };
  for (const [name, ms] of Object.entries(kvPorcupine)) add({ set: 'kv', file: `porcupine/kv/${name}.txt`, opts: { model: 'kv', init: '' }, porcupine: ms });
  const unpartitioned: Record<string, number> = { 'c01-ok': 0.35, 'c01-bad': 0.35, 'c10-ok': 2345, 'c10-bad': 2200 };
  for (const [name, ms] of Object.entries(unpartitioned)) add({ set: 'kv-unpartitioned', file: `porcupine/kv/${name}.txt`, opts: { model: 'kv-unpartitioned', init: '' }, porcupine: ms });
  for (const dir of ['cas-register/good', 'cas-register/bad', 'multi-register/good', 'mutex/bad']) {
    const full = path.join(corpus, 'knossos/data', dir);
    if (!existsSync(full)) {
      absent.push(`knossos/data/${dir}/`);
      continue;
    }
    const model = dir.split('/')[0]!;
    const init = parseModelInit(model, model === 'multi-register' ? '{:x 0 :y 0}' : model === 'mutex' ? 'unlocked' : '0');
    for (const f of readdirSync(full).sort()) add({ set: 'knossos', file: `knossos/data/${dir}/${f}`, opts: { model, init } });
  }
  return { present: out, absent };
}

const PORCUPINE_TOTALS: Record<string, string> = { etcd: '289 ms (etcd_000..049)', kv: '218 ms', 'kv-unpartitioned': '4.5 s', knossos: '18.9 ms' };

async function main(): Promise<void> {
  const { present, absent } = cases();
  const totals = new Map<string, { median: number; min: number; files: number }>();
  let peakRss = process.memoryUsage().rss;
  console.log(`${'file'.padEnd(48)} ${'verdict'.padEnd(8)} ${'configs'.padStart(9)} ${'min ms'.padStart(9)} ${'median'.padStart(9)}  porcupine`);
  for (const c of present) {
    const { history } = await loadHistory(path.join(corpus, c.file));
    const t = await time(history, c.opts);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const tot = totals.get(c.set) ?? { median: 0, min: 0, files: 0 };
    totals.set(c.set, { median: tot.median + t.median, min: tot.min + t.min, files: tot.files + 1 });
    if (c.set !== 'knossos' || t.median > 2) {
      const verdict = t.valid === true ? 'ok' : t.valid === false ? 'illegal' : 'unknown';
      console.log(`${`${c.set}: ${c.file.split('/').pop()}`.padEnd(48)} ${verdict.padEnd(8)} ${String(t.configs).padStart(9)} ${t.min.toFixed(2).padStart(9)} ${t.median.toFixed(2).padStart(9)}  ${c.porcupine !== undefined ? `${c.porcupine} ms` : ''}`);
    }
  }
  console.log('\ntotals (sum over files)');
  for (const [set, t] of totals) {
    console.log(`  ${set.padEnd(18)} ${String(t.files).padStart(4)} files  median-sum ${t.median.toFixed(1).padStart(8)} ms  min-sum ${t.min.toFixed(1).padStart(8)} ms  (Porcupine: ${PORCUPINE_TOTALS[set] ?? '-'})`);
  }
  // Counterexample mode on the hardest invalid history: the checker's default already builds it.
  const bad = path.join(corpus, 'porcupine/kv/c50-bad.txt');
  if (existsSync(bad)) {
    const { history } = await loadHistory(bad);
    const t = performance.now();
    const r = await linearizable({ model: 'kv', init: '' }).check(history, {});
    const ce = r['counterexample'] as { partition: unknown; partials: unknown[] } | undefined;
    console.log(`\nc50-bad full counterexample: ${(performance.now() - t).toFixed(1)} ms, valid=${String(r.valid)}, key ${String(ce?.partition)}, ${ce?.partials.length ?? 0} partial linearizations (Porcupine: did not finish in 20 s)`);
  }
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  console.log(`peak RSS ${(peakRss / 1048576).toFixed(0)} MB (maxRSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB)`);
  if (absent.length > 0) console.log(`\nskipped (absent from ${corpus}): ${absent.length} files, e.g. ${absent.slice(0, 3).join(', ')}`);
}

await main();
