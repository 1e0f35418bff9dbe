/**
 * A big run's report is drawn in two steps, seen in headless Chromium on a run whose op table
 * has more pairs than the report's head: first, as the report script runs, the timeline from the
 * head and the latency chart from its grid; then, once the page reads the whole table, from every
 * op. To hold the page between the steps, one copy of the report lacks the line that starts the
 * second step, and the test starts it itself.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeRun } from '../../src/report/html/analysis.ts';
import { renderHtmlReport } from '../../src/report/html/build.ts';
import { loadRunData } from '../../src/report/html/run-data.ts';
import { HAVE_CHROMIUM, launchBrowser, openPage } from './browser.ts';
import { buildRunDir, registerCheckers, registerHistory, removeRun, type BuiltRun } from './fixtures.ts';

type Rec = Record<string, unknown>;

const HEAD = 300;
const TRIGGER = '<script>window.faultlineReport.tableParsed();</script>';

interface PageState {
  headPairs: number;
  latencySources: string[];
  firstRenderMs: number;
  chartsMs: number;
  tableMs: number | null;
}

describe.skipIf(!HAVE_CHROMIUM)('a report drawn from its head first, then from the whole op table', () => {
  let run: BuiltRun;
  let browser: Browser;
  let pairs: number;
  let failing: number;
  let held: string;
  let whole: string;

  beforeAll(async () => {
    run = await buildRunDir('register-two-step', registerHistory({ ops: 3000, concurrency: 5, seed: 7, staleRead: true, faultEveryMs: 40 }), registerCheckers(), { workload: 'register', concurrency: 5, nemesis: ['partition', 'kill'] });
    const an = analyzeRun(await loadRunData(run.runDir));
    pairs = an.table.n;
    failing = (((run.results['checkers'] as Rec)['linearizable'] as Rec)['counterexample'] as { op: { index: number } }).op.index;
    const html = renderHtmlReport(an, { headPairs: HEAD });
    expect(html.split(TRIGGER)).toHaveLength(2);
    whole = join(run.runDir, 'report.html');
    held = join(run.runDir, 'report-held.html');
    writeFileSync(whole, html);
    writeFileSync(held, html.replace(TRIGGER, ''));
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    if (run) removeRun(run);
  });

  it('draws the timeline from the head and the latency chart from its grid, and holds a selection until the table is read', async () => {
    expect(failing).toBeGreaterThan(2 * HEAD);
    const w = await openPage(browser, held);
    try {
      await w.page.waitForSelector('body[data-charts="ready"]', { timeout: 30_000 });
      const first = await w.page.evaluate<PageState>('window.faultlineReport');
      expect(first.headPairs).toBe(HEAD);
      expect(first.latencySources).toEqual(['grid']);
      expect(first.tableMs).toBeNull();
      expect(Number(await w.page.getAttribute('#timeline', 'data-drawn'))).toBeGreaterThan(0);
      expect(await w.page.textContent('#tl-range')).toContain('reading the ops after');
      expect(await w.page.getAttribute('body', 'data-table')).toBeNull();

      // A click on the failing op, beyond the head, waits for the table.
      await w.page.locator(`#anomalies a.op-link[data-op="${failing}"]`).first().click();
      expect(await w.page.getAttribute('#timeline', 'data-selected-op')).toBeNull();
      await w.page.evaluate('window.faultlineReport.tableParsed()');
      await w.page.waitForSelector('body[data-table="ready"]', { timeout: 30_000 });
      await w.page.waitForSelector(`#timeline[data-selected-op="${failing}"]`);
      const detail = JSON.parse((await w.page.textContent('#op-detail pre.detail-invoke'))!) as Rec;
      expect(detail).toEqual({ ...run.history[failing] });
      const after = await w.page.evaluate<PageState>('window.faultlineReport');
      expect(after.latencySources).toEqual(['grid', 'ops']);
      expect(await w.page.textContent('#tl-range')).not.toContain('reading the ops after');
      expect(w.errors).toEqual([]);
      expect(w.network).toEqual([]);
    } finally {
      await w.close();
    }
  });

  it('reads the whole table by itself once the parser reaches it, and then has every op', async () => {
    const w = await openPage(browser, whole);
    try {
      await w.page.waitForSelector('body[data-table="ready"]', { timeout: 30_000 });
      await w.page.waitForSelector('body[data-charts="ready"]', { timeout: 30_000 });
      const state = await w.page.evaluate<PageState>('window.faultlineReport');
      expect(state.headPairs).toBe(HEAD);
      expect(state.latencySources).toEqual(['grid', 'ops']);
      // The last op is on the timeline: select it by its invocation's index.
      const lastInvoke = run.history.findLastIndex((op) => op.type === 'invoke');
      expect(await w.page.evaluate(`window.faultlineReport.selectOp(${lastInvoke}, false)`)).toBe(true);
      await w.page.waitForSelector(`#timeline[data-selected-op="${lastInvoke}"]`);
      expect(await w.page.evaluate(`window.faultlineReport.selectOp(${run.history.length + 5}, false)`)).toBe(false);
      expect(pairs).toBeGreaterThan(HEAD);
      expect(w.errors).toEqual([]);
    } finally {
      await w.close();
    }
  });
});
