/**
 * Every checker that can say INVALID has an evidence panel: for an invalid run of each, the
 * report in headless Chromium shows the checker's panel with case details (never "The checker
 * gave no case details"), a link for each op the checker's first case names, the glossary entry
 * of each anomaly type it reported, and a click on the first op opens it in the timeline. No
 * console errors, no requests.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionIndex } from '../../src/history/pairs.ts';
import { writeHtmlReport } from '../../src/report/html/build.ts';
import { loadRunData } from '../../src/report/html/run-data.ts';
import { CHROMIUM, HAVE_CHROMIUM, launchBrowser, openPage } from './browser.ts';
import { buildRunDir, removeRun, type BuiltRun } from './fixtures.ts';
import { INVALID_RUNS } from './invalid-runs.ts';

type Rec = Record<string, unknown>;

const first = (v: unknown): Rec => ((v as Rec[] | undefined) ?? [])[0] ?? {};
const indexes = (...xs: unknown[]): number[] => xs.flatMap((x) => (typeof x === 'number' ? [x] : x && typeof x === 'object' && typeof (x as Rec)['index'] === 'number' ? [(x as Rec)['index'] as number] : []));

/** The ops the checker's first case names (event indexes), read from its documented fields. */
const NAMED: Record<string, (r: Rec) => number[]> = {
  linearizable: (r) => indexes((r['counterexample'] as Rec)['op']),
  'stale-reads': (r) => {
    const w = first(r['worst']);
    return indexes(w['index'], w['supersededBy'], w['writeIndex']);
  },
  session: (r) => {
    const v = first(r['violations']);
    return indexes(...(v['ops'] as unknown[]), v['read']);
  },
  'causal-reverse': (r) => {
    const v = first(r['violations']);
    return indexes(...(v['ops'] as unknown[]), v['read']);
  },
  'set-full': (r) => indexes(first(r['lost'])['addIndex'], first(r['lost'])['missedFromIndex']),
  counter: (r) => indexes(first(r['errors'])['index']),
  bank: (r) => indexes(first(r['errors'])['index']),
  queue: (r) => indexes(first(r['lost'])['enqueueIndex']),
  'unique-ids': (r) => indexes(...(first(r['duplicated'])['ops'] as unknown[])),
  'long-fork': (r) => indexes(...(first(r['forks'])['ops'] as unknown[])),
  'list-append': (r) => indexes(...(first(Object.values(r['anomalies'] as Rec)[0])['cycle'] as unknown[])),
  'rw-register': (r) => indexes(...(first((r['anomalies'] as Rec)[(r['anomalyTypes'] as string[])[0]!])['cycle'] as unknown[])),
  stats: () => [],
  availability: () => [],
};

/** Text the panel must show for checkers whose cases name no op. */
const TEXT: Record<string, (r: Rec) => string> = {
  stats: (r) => `Every ${(r['neverSucceeded'] as string[])[0]} failed or timed out`,
  availability: (r) => `${(r['overall'] as Rec)['ok']} of ${(r['overall'] as Rec)['ops']} client ops succeeded`,
};

const screenshots = join(resolve(import.meta.dirname, '../..'), 'results', 'screenshots');

describe.skipIf(!HAVE_CHROMIUM)(`evidence panels in headless Chromium (${CHROMIUM})`, () => {
  let browser: Browser;
  const runs = new Map<string, BuiltRun>();

  beforeAll(async () => {
    for (const spec of INVALID_RUNS) {
      const run = await buildRunDir(`panel-${spec.checker}`, [...spec.history()], spec.checkers(), { workload: spec.workload, concurrency: 4, nemesis: [] });
      writeHtmlReport(run.runDir, await loadRunData(run.runDir));
      runs.set(spec.checker, run);
    }
    mkdirSync(screenshots, { recursive: true });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    for (const run of runs.values()) removeRun(run);
  });

  it('knows which ops each checker names', () => {
    expect(INVALID_RUNS.map((r) => r.checker).filter((c) => !NAMED[c])).toEqual([]);
  });

  it.each(INVALID_RUNS.map((r) => [r.checker] as const))('%s: the panel shows the cases with the ops the checker names', async (name) => {
    const run = runs.get(name)!;
    const r = (run.results['checkers'] as Record<string, Rec>)[name]!;
    expect(r['valid']).toBe(false);
    const { page, errors, network, close } = await openPage(browser, join(run.runDir, 'report.html'));
    try {
      await page.waitForSelector('body[data-charts="ready"]', { timeout: 30_000 });
      const panel = page.locator(`#anomalies .anomaly-panel[data-checker="${name}"]`);
      expect(await panel.count()).toBe(1);
      expect(await panel.locator('.no-cases').count()).toBe(0);
      expect(await panel.textContent()).not.toContain('The checker gave no case details');
      expect(await panel.locator('.case').count()).toBeGreaterThan(0);
      for (const type of r['anomalyTypes'] as string[]) {
        expect(await page.locator(`#anomalies .glossary[data-type="${type}"]`).count(), `glossary of ${type}`).toBeGreaterThan(0);
      }
      const text = TEXT[name];
      if (text) expect(await panel.textContent()).toContain(text(r));
      const partner = completionIndex(run.history);
      const invokeOf = (i: number): number => (run.history[i]!.type === 'invoke' ? i : partner[i]!);
      const named = NAMED[name]!(r);
      if (!text) expect(named.length).toBeGreaterThan(0);
      for (const i of named) expect(await panel.locator(`a[data-op="${invokeOf(i)}"]`).count(), `op ${i}`).toBeGreaterThan(0);
      if (named.length) {
        const target = invokeOf(named[0]!);
        await panel.locator(`a[data-op="${target}"]`).first().click();
        await page.waitForSelector(`#timeline[data-selected-op="${target}"]`);
        const detail = JSON.parse((await page.textContent('#op-detail pre.detail-invoke'))!) as Rec;
        expect(detail['index']).toBe(target);
      }
      await panel.screenshot({ path: join(screenshots, `panel-${name}.png`) });
      expect(errors).toEqual([]);
      expect(network).toEqual([]);
    } finally {
      await close();
    }
  });
});
