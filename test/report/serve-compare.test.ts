/**
 * The results browser in headless Chromium over real runs (checked, with report.html and
 * summary.json): a test's history lists its runs, "compare" shows the two side by side with
 * verdicts, anomaly counts, latency quantiles and both fault schedules; the pages' inline
 * scripts run under the served Content-Security-Policy without errors or requests.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRunData } from '../../src/report/html/run-data.ts';
import { writeRunReports } from '../../src/report/html/run-reports.ts';
import { startServer, type RunningServer } from '../../src/report/serve/server.ts';
import { CHROMIUM, HAVE_CHROMIUM, launchBrowser, openPage } from './browser.ts';
import { buildRunDir, registerCheckers, registerHistory, removeRun, type BuiltRun } from './fixtures.ts';

describe.skipIf(!HAVE_CHROMIUM)(`comparing runs in the results browser (${CHROMIUM})`, () => {
  let browser: Browser;
  let first: BuiltRun;
  let srv: RunningServer;

  beforeAll(async () => {
    const opts = { workload: 'register', concurrency: 3, nemesis: ['partition', 'kill'] };
    first = await buildRunDir('reg', registerHistory({ ops: 800, concurrency: 3, seed: 1, faultEveryMs: 40 }), registerCheckers(), opts, undefined, '20261125T100000.000Z');
    const second = await buildRunDir('reg', registerHistory({ ops: 800, concurrency: 3, seed: 2, staleRead: true, faultEveryMs: 25 }), registerCheckers(), opts, first.root, '20261125T110000.000Z');
    for (const run of [first, second]) writeRunReports(run.runDir, await loadRunData(run.runDir));
    srv = await startServer({ root: first.root });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
    if (first) removeRun(first);
  });

  it("opens a test's history and compares its last two runs", async () => {
    const { page, errors, network, close } = await openPage(browser, `${srv.url}tests/reg/`);
    try {
      expect(await page.locator('#test-runs tbody tr').count()).toBe(2);
      expect(await page.locator('#verdict-strip a').evaluateAll((as) => as.map((a) => a.className))).toEqual(['valid', 'invalid']);
      await Promise.all([page.waitForNavigation(), page.click('form button[type="submit"]')]);
      const url = new URL(page.url());
      expect([url.pathname, url.searchParams.get('a'), url.searchParams.get('b')]).toEqual(['/compare', 'reg/20261125T100000.000Z', 'reg/20261125T110000.000Z']);
      expect(await page.textContent('#compare-overview tr.differs')).toContain('valid');
      expect(await page.locator('#compare-checkers tr.differs[data-checker="linearizable"]').count()).toBe(1);
      expect(await page.textContent('#compare-anomalies tr[data-type="nonlinearizable"]')).toContain('+1');
      expect(await page.locator('#compare-latency tr[data-f="read"]').count()).toBe(4);
      expect(await page.locator('svg.schedule rect').count()).toBeGreaterThan(2);
      expect(errors).toEqual([]);
      expect(network.filter((u) => !u.startsWith(srv.url))).toEqual([]);
    } finally {
      await close();
    }
  });

  it('filters the run list with its inline script under the served policy', async () => {
    const { page, errors, close } = await openPage(browser, srv.url);
    try {
      expect(await page.textContent('#pass-rates')).toContain('reference:raft');
      await page.fill('#q', 'nonlinearizable');
      expect(await page.locator('#runs tbody tr:visible').count()).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
