/**
 * Report benchmark for huge op values: a register run of 2,000 ops in which one write holds a
 * value of N MB (default 50) that a later read returns stale, so the linearizability and
 * stale-reads evidence name it. Times the check (results.json), report generation and, in
 * headless Chromium, the first render and all charts drawn; prints the size of every output.
 * Run: npx tsx bench/report-huge-values.ts [MB]
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Op } from '../src/core/op.ts';
import { writeRunReports } from '../src/report/html/run-reports.ts';
import { loadRunData } from '../src/report/html/run-data.ts';
import { HAVE_CHROMIUM, launchBrowser, openPage } from '../test/report/browser.ts';
import { buildRunDir, registerCheckers, registerHistory, removeRun } from '../test/report/fixtures.ts';

const mb = Number(process.argv[2] ?? 50);
const huge = 'x'.repeat(mb * 1_000_000);

// The first write takes the huge value; a late read returns it although many writes followed.
const history: Op[] = registerHistory({ ops: 2000, concurrency: 5, seed: 3 }).map((op) => ({ ...op }));
const firstWrite = history.find((op) => op.f === 'write' && op.type === 'invoke')!;
const writeValue = firstWrite.value;
for (const op of history) if (op.f === 'write' && op.value === writeValue) op.value = huge;
const lateRead = history.findLast((op) => op.f === 'read' && op.type === 'ok')!;
lateRead.value = huge;

const size = (dir: string, f: string): string => `${f} ${(statSync(join(dir, f)).size / 1e6).toFixed(2)} MB`;

const t0 = performance.now();
const run = await buildRunDir('bench-huge', history, registerCheckers(), { workload: 'register', concurrency: 5, nemesis: [] });
const t1 = performance.now();
try {
  const data = await loadRunData(run.runDir);
  const t2 = performance.now();
  writeRunReports(run.runDir, data);
  const t3 = performance.now();
  console.log(`${mb} MB value: checked + results.json in ${((t1 - t0) / 1000).toFixed(2)} s, read back ${((t2 - t1) / 1000).toFixed(2)} s, report.html + summary.json ${((t3 - t2) / 1000).toFixed(2)} s; valid=${String(run.results['valid'])}`);
  console.log(['history.jsonl', 'results.json', 'summary.json', 'report.html'].map((f) => size(run.runDir, f)).join(', '));
  if (!HAVE_CHROMIUM) {
    console.log('chromium not found: browser timings skipped');
  } else {
    const browser = await launchBrowser();
    try {
      for (let round = 1; round <= 2; round++) {
        const w = await openPage(browser, join(run.runDir, 'report.html'));
        await w.page.waitForFunction('document.body.dataset.charts === "ready"', undefined, { timeout: 300_000, polling: 50 });
        const times = await w.page.evaluate<{ first: number; charts: number; dcl: number }>(
          `({ first: window.faultlineReport.firstRenderMs, charts: window.faultlineReport.chartsMs, dcl: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd })`,
        );
        console.log(`chromium round ${round}: DOMContentLoaded ${times.dcl.toFixed(0)} ms, first render ${times.first.toFixed(0)} ms, all charts ${times.charts.toFixed(0)} ms, console errors ${w.errors.length}, requests ${w.network.length}`);
        await w.close();
      }
    } finally {
      await browser.close();
    }
  }
} finally {
  removeRun(run);
}
