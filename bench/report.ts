/**
 * Report benchmark: builds a run of N client ops (an op is an invocation plus its completion;
 * default 1,000,000, i.e. 2,000,000 history events) with partition / kill windows and one stale
 * read, checks it with the linearizability, stats and perf checkers, then times report.html
 * generation (reading history.jsonl included) and, in headless Chromium, the first render
 * (summary + timeline drawn), all charts drawn, opening an op, and timeline redraws while
 * scrolling and zoomed all the way out. Prints the numbers and the report's size.
 * Run: npx tsx bench/report.ts [ops] [concurrency]
 */
import { statSync } from 'node:fs';
import type { CDPSession } from 'playwright-core';
import { join } from 'node:path';
import { analyzeRun } from '../src/report/html/analysis.ts';
import { writeHtmlReport } from '../src/report/html/build.ts';
import { loadRunData } from '../src/report/html/run-data.ts';
import { writeSummaryJson } from '../src/report/summary-json.ts';
import { HAVE_CHROMIUM, launchBrowser, openPage } from '../test/report/browser.ts';
import { buildRunDir, registerCheckers, registerHistory, removeRun } from '../test/report/fixtures.ts';

const ops = Number(process.argv[2] ?? 1_000_000);
const concurrency = Number(process.argv[3] ?? 10);

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

const t = performance.now();
const history = registerHistory({ ops, concurrency, seed: 1, staleRead: true, faultEveryMs: 5000 });
const run = await buildRunDir('bench-report', history, registerCheckers(), { workload: 'register', concurrency, nemesis: ['partition', 'kill'] });
console.log(`setup: ${history.length} events (${ops} ops), checked in ${((performance.now() - t) / 1000).toFixed(1)} s, valid=${String(run.results['valid'])}`);
console.log(`history.jsonl: ${mb(statSync(join(run.runDir, 'history.jsonl')).size)}`);

/** CPU seconds of this process since `from` (less sensitive than wall time to a busy machine). */
function cpuS(from: NodeJS.CpuUsage): string {
  const u = process.cpuUsage(from);
  return ((u.user + u.system) / 1e6).toFixed(2);
}

try {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const data = await loadRunData(run.runDir);
  const t1 = performance.now();
  const c1 = process.cpuUsage();
  const an = analyzeRun(data);
  const t2 = performance.now();
  const c2 = process.cpuUsage();
  const path = writeHtmlReport(run.runDir, an);
  const t3 = performance.now();
  writeSummaryJson(run.runDir, an);
  const t4 = performance.now();
  console.log(
    `report generation: wall ${((t3 - t0) / 1000).toFixed(2)} s, cpu ${cpuS(c0)} s ` +
      `(read history ${((t1 - t0) / 1000).toFixed(2)} s wall; from the history in memory: wall ${((t3 - t1) / 1000).toFixed(2)} s, cpu ${cpuS(c1)} s, ` +
      `of which analyse ${((t2 - t1) / 1000).toFixed(2)} s wall, render+write ${((t3 - t2) / 1000).toFixed(2)} s wall / ${cpuS(c2)} s cpu); summary.json ${(t4 - t3).toFixed(0)} ms`,
  );
  console.log(`report.html: ${mb(statSync(path).size)}`);

  if (!HAVE_CHROMIUM) {
    console.log('chromium not found: browser timings skipped');
  } else {
    const browser = await launchBrowser();
    try {
      for (let round = 1; round <= 2; round++) {
        let cdp: CDPSession | undefined;
        const w = await openPage(browser, path, {
          beforeLoad: async (page) => {
            cdp = await page.context().newCDPSession(page);
            await cdp.send('Performance.enable');
          },
        });
        const { page } = w;
        await page.waitForFunction('document.body.dataset.charts === "ready"', undefined, { timeout: 300_000, polling: 50 });
        const times = await page.evaluate<{ first: number; charts: number; dcl: number }>(
          `({ first: window.faultlineReport.firstRenderMs, charts: window.faultlineReport.chartsMs, dcl: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd })`,
        );
        // CPU time of the renderer's main thread until every chart is drawn: load, parse, first render and charts.
        const metrics = Object.fromEntries((await cdp!.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
        const failing = ((run.results['checkers'] as Record<string, Record<string, unknown>>)['linearizable']!['counterexample'] as { op: { index: number } } | undefined)?.op.index ?? 0;
        const open = await page.evaluate<number>(`(() => { const s = performance.now(); window.faultlineReport.selectOp(${failing}, true); return performance.now() - s; })()`);
        const scroll = await page.evaluate<number[]>(`(async () => {
          const el = document.getElementById('tl-scroll');
          const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
          const out = [];
          for (let i = 1; i <= 10; i++) {
            const s = performance.now();
            el.scrollTop = (el.scrollHeight * i) / 11;
            await frame(); await frame();
            out.push(performance.now() - s);
          }
          return out;
        })()`);
        const zoomOut = await page.evaluate<number>(`(async () => {
          const btn = document.querySelector('[data-zoom="out"]');
          const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
          for (let i = 0; i < 40; i++) btn.click();
          await frame();
          const s = performance.now();
          document.getElementById('tl-scroll').scrollTop += 1;
          await frame(); await frame();
          return performance.now() - s;
        })()`);
        const drawn = await page.getAttribute('#timeline', 'data-drawn');
        scroll.sort((a, b) => a - b);
        console.log(
          `chromium round ${round}: DOMContentLoaded ${times.dcl.toFixed(0)} ms, first render ${times.first.toFixed(0)} ms, all charts ${times.charts.toFixed(0)} ms, open op ${open.toFixed(0)} ms, ` +
            `scroll redraw median ${scroll[5]!.toFixed(0)} ms (max ${scroll[9]!.toFixed(0)}), fully zoomed out redraw ${zoomOut.toFixed(0)} ms (${drawn} rects), ` +
            `renderer main-thread cpu until charts drawn ${(metrics['ThreadTime'] ?? NaN).toFixed(2)} s (renderer process ${(metrics['ProcessTime'] ?? NaN).toFixed(2)} s), console errors ${w.errors.length}, requests ${w.network.length}`,
        );
        await w.close();
      }
    } finally {
      await browser.close();
    }
  }
} finally {
  removeRun(run);
}
