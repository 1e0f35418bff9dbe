/**
 * Bounded outputs: a run whose register holds a 5 MB value (written, then read back stale) keeps
 * results.json, junit.xml and report.html small; the report marks where a value was cut and how
 * long it was, history.jsonl keeps the op whole, and the page still opens the op in Chromium.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linearizable } from '../../checkers/linearizable/index.ts';
import { staleReads } from '../../checkers/stale-reads/stale-reads.ts';
import { stats } from '../../checkers/stats.ts';
import { HistoryBuilder } from '../../src/inprocess/history-builder.ts';
import { loadRunData } from '../../src/report/html/run-data.ts';
import { writeRunReports } from '../../src/report/html/run-reports.ts';
import { toJunitXml } from '../../src/report/junit.ts';
import { HAVE_CHROMIUM, launchBrowser, openPage } from './browser.ts';
import { buildRunDir, removeRun, type BuiltRun } from './fixtures.ts';

const HUGE = 5_000_000;

describe('huge values', () => {
  let run: BuiltRun;
  let browser: Browser | undefined;

  beforeAll(async () => {
    const huge = 'v'.repeat(HUGE);
    const h = new HistoryBuilder().op(0, 'write', huge).op(0, 'write', 'small').wait(5).op(1, 'read', null, 'ok', huge).op(2, 'read', null, 'ok', 'small').build();
    run = await buildRunDir('huge-values', [...h], [linearizable({ model: 'register', threads: 0 }), staleReads(), stats()], { workload: 'register', concurrency: 3, nemesis: [] });
    writeRunReports(run.runDir, await loadRunData(run.runDir));
    if (HAVE_CHROMIUM) browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    if (run) removeRun(run);
  });

  it('keeps results.json, junit.xml, summary.json and report.html small, and the full op in history.jsonl', () => {
    expect(run.results['valid']).toBe(false);
    const size = (f: string): number => statSync(join(run.runDir, f)).size;
    expect(size('history.jsonl')).toBeGreaterThan(2 * HUGE);
    expect(size('results.json')).toBeLessThan(200_000);
    expect(size('summary.json')).toBeLessThan(50_000);
    expect(size('report.html')).toBeLessThan(1_000_000);
    const junit = toJunitXml({ suiteName: run.name, checkers: run.results['checkers'] as never, timestamp: new Date() });
    expect(junit.length).toBeLessThan(100_000);
    const results = readFileSync(join(run.runDir, 'results.json'), 'utf8');
    expect(results).toContain(`…[truncated: ${HUGE} chars]`);
    const html = readFileSync(join(run.runDir, 'report.html'), 'utf8');
    expect(html).toMatch(/…\[truncated: \d{7} chars\]/);
  });

  it.skipIf(!HAVE_CHROMIUM)('opens the op with the huge value, cut with its length', async () => {
    const w = await openPage(browser!, join(run.runDir, 'report.html'));
    try {
      await w.page.waitForSelector('body[data-charts="ready"]', { timeout: 30_000 });
      expect(await w.page.evaluate('window.faultlineReport.selectOp(0, false)')).toBe(true);
      await w.page.waitForSelector('#timeline[data-selected-op="0"]');
      const detail = JSON.parse((await w.page.textContent('#op-detail pre.detail-invoke'))!) as { value: string };
      expect(detail.value.length).toBeLessThan(5000);
      expect(detail.value).toMatch(/…\[truncated: \d{7} chars\]$/);
      expect(w.errors).toEqual([]);
      expect(w.network).toEqual([]);
    } finally {
      await w.close();
    }
  });
});
