/**
 * The interactive report in headless Chromium: for a valid run and for invalid runs from the real
 * linearizability and list-append checkers, no console errors and no requests leave the file; the
 * summary and every anomaly panel are there (also with JavaScript off); clicking an anomaly op
 * scrolls the timeline to it and opens it; the results browser lists and filters runs and serves
 * their reports. Screenshots go to results/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultWindows } from '../../checkers/fault-windows.ts';
import { writeHtmlReport } from '../../src/report/html/build.ts';
import { loadRunData } from '../../src/report/html/run-data.ts';
import { startServer } from '../../src/report/serve/server.ts';
import type { Browser } from 'playwright-core';
import { HAVE_CHROMIUM, CHROMIUM, launchBrowser, openPage } from './browser.ts';
import { buildRunDir, removeRun, g1cHistory, listAppendCheckers, registerCheckers, registerHistory, type BuiltRun } from './fixtures.ts';

const projectRoot = resolve(import.meta.dirname, '../..');
const screenshots = join(projectRoot, 'results', 'screenshots');

type Rec = Record<string, unknown>;

describe.skipIf(!HAVE_CHROMIUM)(`report.html in headless Chromium (${CHROMIUM})`, () => {
  let browser: Browser;
  let valid: BuiltRun;
  let stale: BuiltRun;
  let g1c: BuiltRun;

  beforeAll(async () => {
    valid = await buildRunDir('register-valid', registerHistory({ ops: 3000, concurrency: 5, seed: 7, faultEveryMs: 40 }), registerCheckers(), { workload: 'register', concurrency: 5, nemesis: ['partition', 'kill'] });
    stale = await buildRunDir('register-stale', registerHistory({ ops: 3000, concurrency: 5, seed: 7, staleRead: true, faultEveryMs: 40 }), registerCheckers(), { workload: 'register', concurrency: 5, nemesis: ['partition', 'kill'] });
    g1c = await buildRunDir('append-g1c', g1cHistory(), listAppendCheckers(), { workload: 'list-append', concurrency: 3, nemesis: [] });
    for (const run of [valid, stale, g1c]) {
      writeHtmlReport(run.runDir, await loadRunData(run.runDir));
    }
    mkdirSync(screenshots, { recursive: true });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    for (const run of [valid, stale, g1c]) if (run) removeRun(run);
  });

  async function open(run: BuiltRun) {
    const watched = await openPage(browser, join(run.runDir, 'report.html'));
    await watched.page.waitForSelector('body[data-charts="ready"]', { timeout: 30_000 });
    return watched;
  }

  it('shows a valid run: verdict, parameters, replay command, charts, timeline and fault coverage', async () => {
    expect(valid.results['valid']).toBe(true);
    const { page, errors, network, close } = await open(valid);
    expect(await page.textContent('#summary .lead .verdict')).toBe('VALID');
    expect(await page.textContent('#summary .replay')).toContain('--seed 42');
    expect(await page.textContent('#summary .params')).toContain('register');
    expect(await page.$$('#anomalies .anomaly-panel')).toHaveLength(0);
    expect(await page.$$('#charts canvas')).toHaveLength(3);
    expect(Number(await page.getAttribute('#timeline', 'data-drawn'))).toBeGreaterThan(0);
    const windows = faultWindows(valid.history);
    expect(windows.length).toBeGreaterThan(1);
    expect(await page.$$('#faults table.fault-windows tr')).toHaveLength(windows.length + 1);
    expect(await page.textContent('#logs')).toContain('db.log');
    await page.screenshot({ path: join(screenshots, 'report-valid.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(network).toEqual([]);
    await close();
  });

  it('shows a linearizability counterexample and scrolls the timeline to its op on click', async () => {
    const lin = (stale.results['checkers'] as Rec)['linearizable'] as Rec;
    expect(lin['valid']).toBe(false);
    const failing = ((lin['counterexample'] as Rec)['op'] as Rec)['index'] as number;
    const { page, errors, network, close } = await open(stale);
    expect(await page.textContent('#summary .lead .verdict')).toBe('INVALID');
    const panel = page.locator('#anomalies .anomaly-panel[data-checker="linearizable"]');
    expect(await panel.count()).toBe(1);
    expect(await panel.locator('.explanation').textContent()).toContain(String((lin['counterexample'] as Rec)['reason']));
    expect(await panel.locator('svg.intervals rect.op.failing').count()).toBe(1);
    await page.screenshot({ path: join(screenshots, 'report-invalid.png'), fullPage: true });

    const before = await page.evaluate<number>('document.getElementById("tl-scroll").scrollTop');
    await panel.locator(`a.op-link[data-op="${failing}"]`).first().click();
    await page.waitForSelector(`#timeline[data-selected-op="${failing}"]`);
    const view = await page.evaluate<{ from: number; to: number; scrollTop: number; timelineTop: number }>(`({
      from: Number(document.getElementById('timeline').dataset.viewFrom),
      to: Number(document.getElementById('timeline').dataset.viewTo),
      scrollTop: document.getElementById('tl-scroll').scrollTop,
      timelineTop: document.getElementById('timeline').getBoundingClientRect().top,
    })`);
    const failingMs = stale.history[failing]!.time / 1e6;
    expect(view.scrollTop).not.toBe(before);
    expect(failingMs).toBeGreaterThanOrEqual(view.from);
    expect(failingMs).toBeLessThanOrEqual(view.to);
    expect(Math.abs(view.timelineTop)).toBeLessThan(200);
    const detail = JSON.parse((await page.textContent('#op-detail pre.detail-invoke'))!) as Rec;
    expect(detail).toEqual({ ...stale.history[failing] });
    await page.screenshot({ path: join(screenshots, 'report-invalid-timeline.png') });
    expect(errors).toEqual([]);
    expect(network).toEqual([]);
    await close();
  });

  it('selects the op under the pointer when the timeline is clicked', async () => {
    const { page, errors, close } = await open(stale);
    const target = stale.history.findIndex((op, i) => i > 2000 && op.type === 'invoke' && op.process !== 'nemesis');
    expect(await page.evaluate(`window.faultlineReport.selectOp(${target}, true)`)).toBe(true);
    await page.waitForSelector(`#timeline[data-selected-op="${target}"]`);
    // The selected op starts a third of the way down the timeline, in its thread's lane.
    const box = (await page.locator('#tl-scroll').boundingBox())!;
    const lanes = await page.locator('#tl-head span').count();
    const lane = 1 + ((stale.history[target]!.process as number) % 5);
    const laneWidth = (box.width - 64) / lanes;
    await page.evaluate(`document.getElementById('op-detail').textContent = ''`);
    await page.mouse.click(box.x + 64 + laneWidth * (lane + 0.5), box.y + 480 / 3 + 3);
    const detail = JSON.parse((await page.textContent('#op-detail pre.detail-invoke'))!) as Rec;
    expect(detail['index']).toBe(target);
    expect(errors).toEqual([]);
    await close();
  });

  it('draws a transactional cycle as a labelled graph and links its transactions to the timeline', async () => {
    const la = (g1c.results['checkers'] as Rec)['list-append'] as Rec;
    expect(la['anomalyTypes']).toEqual(['G1c']);
    const cycleCase = ((la['anomalies'] as Rec)['G1c'] as Rec[])[0]!;
    const { page, errors, network, close } = await open(g1c);
    const ruledOut = await page.textContent('#summary .not-models');
    for (const m of la['not'] as string[]) expect(ruledOut).toContain(m);
    const panel = page.locator('#anomalies .anomaly-panel[data-checker="list-append"]');
    const steps = cycleCase['steps'] as Rec[];
    expect(await panel.locator('svg.cycle text.edge-label').count()).toBe(steps.length);
    expect(await panel.locator('svg.cycle text.edge-label').allTextContents()).toEqual(steps.map((s) => expect.stringContaining(String(s['type']))));
    const first = (cycleCase['cycle'] as Rec[])[0]!;
    const invokeOfFirst = g1c.history.findIndex((op) => op.type === 'invoke' && op.process === first['process']);
    await panel.locator('svg.cycle a').first().click();
    await page.waitForSelector(`#timeline[data-selected-op="${invokeOfFirst}"]`);
    expect(await page.textContent('#op-detail pre.detail-completion')).toContain(`"index": ${first['index'] as number}`);
    await page.screenshot({ path: join(screenshots, 'report-invalid-cycle.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(network).toEqual([]);
    await close();
  });

  it('lists the runs in the results browser, filters them as one types, and opens a report over HTTP', async () => {
    const srv = await startServer({ root: stale.root });
    try {
      const { page, errors, close } = await openPage(browser, srv.url);
      expect(await page.locator('#runs tbody tr').count()).toBe(1);
      expect(await page.textContent('#runs')).toContain('nonlinearizable');
      await page.fill('#q', 'no-such-run');
      expect(await page.locator('#runs tbody tr:visible').count()).toBe(0);
      await page.fill('#q', 'register');
      expect(await page.locator('#runs tbody tr:visible').count()).toBe(1);
      await page.click('#runs a[href$="report.html"]');
      await page.waitForSelector('body[data-charts="ready"]', { timeout: 30_000 });
      expect(await page.textContent('#summary .lead .verdict')).toBe('INVALID');
      await page.click('#logs a');
      expect(await page.textContent('body')).toContain('leader elected');
      expect(errors).toEqual([]);
      await close();
    } finally {
      await srv.close();
    }
  });

  it('is readable with JavaScript disabled: summary and anomaly text are plain HTML', async () => {
    const { page, network, close } = await openPage(browser, join(stale.runDir, 'report.html'), { javaScriptEnabled: false });
    try {
      expect(await page.textContent('#summary .lead .verdict')).toBe('INVALID');
      expect(await page.textContent('#summary .anomaly-counts')).toContain('nonlinearizable');
      const reason = String(((stale.results['checkers'] as Rec)['linearizable'] as Rec)['counterexample'] && (((stale.results['checkers'] as Rec)['linearizable'] as Rec)['counterexample'] as Rec)['reason']);
      expect(await page.textContent('#anomalies')).toContain(reason);
      expect(await page.isVisible('#anomalies svg.intervals')).toBe(true);
      expect(await page.getAttribute('body', 'data-timeline')).toBeNull();
      expect(network).toEqual([]);
    } finally {
      await close();
    }
  });
});
