/**
 * Report benchmark: builds a run of N client ops (an op is an invocation plus its completion;
 * default 1,000,000, i.e. 2,000,000 history events) with partition / kill windows and one stale
 * read, checks it with the linearizability, stats and perf checkers, then times report.html
 * generation (reading history.jsonl included) and, in headless Chromium (several rounds), the
 * first render (summary, timeline and the three charts drawn: a usable page), the whole op table
 * read, DOMContentLoaded, opening an op, and timeline redraws while scrolling and zoomed all the
 * way out. Wall times since navigation start, the page's own ms per step, and the CPU time of the
 * renderer's main thread until the first render and until the table is read (from a trace, so a
 * busy machine, which stretches wall time, does not change it much). Prints the numbers, the
 * report's size, and how much of it comes before the first render.
 * Run: npx tsx bench/report.ts [ops] [concurrency] [rounds]
 */
import { readFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { Browser } from 'playwright-core';
import { join } from 'node:path';
import { analyzeRun } from '../src/report/html/analysis.ts';
import { writeHtmlReport } from '../src/report/html/build.ts';
import { loadRunData } from '../src/report/html/run-data.ts';
import { writeSummaryJson } from '../src/report/summary-json.ts';
import { HAVE_CHROMIUM, launchBrowser, openPage } from '../test/report/browser.ts';
import { buildRunDir, registerCheckers, registerHistory, removeRun } from '../test/report/fixtures.ts';

const ops = Number(process.argv[2] ?? 1_000_000);
const concurrency = Number(process.argv[3] ?? 10);
const rounds = Number(process.argv[4] ?? 3);

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

const t = performance.now();
const history = registerHistory({ ops, concurrency, seed: 1, staleRead: true, faultEveryMs: 5000 });
const run = await buildRunDir('bench-report', history, registerCheckers(), { workload: 'register', concurrency, nemesis: ['partition', 'kill'] });
console.log(`setup: ${history.length} events (${ops} ops), checked in ${((performance.now() - t) / 1000).toFixed(1)} s, valid=${String(run.results['valid'])}`);
console.log(`history.jsonl: ${mb(statSync(join(run.runDir, 'history.jsonl')).size)}`);

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/**
 * CPU ms of the renderer main thread's tasks that started before each of `marks` (performance.mark
 * names), from a Chromium trace; the task that holds a mark counts whole.
 */
function mainThreadCpu(trace: Buffer, marks: string[]): Record<string, number> {
  const parsed = JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const at = new Map(events.filter((e) => marks.includes(e.name)).map((e) => [e.name, e]));
  const first = at.get(marks[0]!);
  const out: Record<string, number> = {};
  if (!first) return out;
  const tasks = events.filter((e) => e.pid === first.pid && e.tid === first.tid && e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask');
  for (const [name, mark] of at) out[name] = tasks.filter((e) => e.ts <= mark.ts).reduce((sum, e) => sum + (e.tdur ?? 0), 0) / 1000;
  return out;
}

async function browserRound(browser: Browser, path: string, round: number, failing: number): Promise<void> {
  await browser.startTracing(undefined, { categories: ['toplevel', 'blink.user_timing'] });
  const w = await openPage(browser, path);
  const { page } = w;
  await page.waitForFunction('document.body.dataset.charts === "ready" && document.body.dataset.table === "ready" && document.readyState === "complete"', undefined, { timeout: 300_000, polling: 50 });
  const cpu = mainThreadCpu(await browser.stopTracing(), ['faultline-charts', 'faultline-table']);
  const times = await page.evaluate<{ first: number; charts: number; table: number; dcl: number; spent: Record<string, number>; head: number }>(
    `({ first: window.faultlineReport.firstRenderMs, charts: window.faultlineReport.chartsMs, table: window.faultlineReport.tableMs, spent: window.faultlineReport.spent, head: window.faultlineReport.headPairs, dcl: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd })`,
  );
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
  const ms = (v: number | undefined): string => (v === undefined ? '?' : v.toFixed(0));
  const spent = Object.entries(times.spent).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ');
  console.log(
    `chromium round ${round} (load ${loadavg()[0]!.toFixed(1)}): first render ${ms(times.first)} ms, charts drawn ${ms(times.charts)} ms (main-thread cpu ${ms(cpu['faultline-charts'])} ms), ` +
      `whole table read ${ms(times.table)} ms (cpu ${ms(cpu['faultline-table'])} ms), DOMContentLoaded ${ms(times.dcl)} ms; first render from ${times.head} pairs\n` +
      `  page ms per step: ${spent}\n` +
      `  open op ${ms(open)} ms, scroll redraw median ${ms(scroll[5])} ms (max ${ms(scroll[9])}), fully zoomed out redraw ${ms(zoomOut)} ms (${drawn} rects), console errors ${w.errors.length}, requests ${w.network.length}`,
  );
  await w.close();
}

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
  const html = readFileSync(path, 'utf8');
  const firstPart = html.indexOf('<script type="application/octet-stream"');
  console.log(`report.html: ${mb(statSync(path).size)}, of which ${mb(firstPart)} before the first render (the rest: the whole op table and the event details)`);

  if (!HAVE_CHROMIUM) {
    console.log('chromium not found: browser timings skipped');
  } else {
    const failing = ((run.results['checkers'] as Record<string, Record<string, unknown>>)['linearizable']!['counterexample'] as { op: { index: number } } | undefined)?.op.index ?? 0;
    const browser = await launchBrowser();
    try {
      for (let round = 1; round <= rounds; round++) await browserRound(browser, path, round, failing);
    } finally {
      await browser.close();
    }
  }
} finally {
  removeRun(run);
}
