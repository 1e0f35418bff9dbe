/**
 * The per-region panel in headless Chromium: a run with a topology (test.json `topology`) gets a
 * Regions section, linked from the navigation, with the round-trip matrix, a row per region and
 * phase from the regions checker, and its lost updates linked to their ops; it is there with
 * JavaScript off too, and the page makes no request. A run without a topology has no such panel.
 * Screenshot: results/screenshots/report-regions.png.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Op } from '../../src/core/op.ts';
import type { Topology } from '../../src/core/topology.ts';
import { writeHtmlReport } from '../../src/report/html/build.ts';
import { loadRunData } from '../../src/report/html/run-data.ts';
import { perf } from '../../checkers/perf.ts';
import { stats } from '../../checkers/stats.ts';
import { regions } from '../../checkers/regions/regions.ts';
import { HAVE_CHROMIUM, CHROMIUM, launchBrowser, openPage } from './browser.ts';
import { buildRunDir, registerHistory, removeRun, type BuiltRun } from './fixtures.ts';

const screenshots = join(resolve(import.meta.dirname, '../..'), 'results', 'screenshots');

const topology: Topology = {
  name: 'two-regions-asym',
  regions: [
    { name: 'us-east', nodes: ['n1', 'n2'] },
    { name: 'eu-west', nodes: ['n3'] },
  ],
  links: [{ between: ['us-east', 'eu-west'], oneWayMs: [60, 20], jitterMs: 4 }],
};

/** The fixture's register history with its partitions cutting eu-west off, then a write and two CASes from its value that both succeed. */
function regionHistory(): Op[] {
  const base = registerHistory({ ops: 600, concurrency: 6, seed: 3, faultEveryMs: 30 }).map((op) =>
    op.f === 'start-partition' ? { ...op, value: { shape: 'region', sides: [['eu-west'], ['us-east']], grudge: { n3: ['n1', 'n2'], n1: ['n3'], n2: ['n3'] } } } : op,
  );
  const t = base[base.length - 1]!.time;
  const tail: Omit<Op, 'index'>[] = [
    { time: t + 1e6, process: 1000, type: 'invoke', f: 'write', value: 9000, node: 'n1' },
    { time: t + 2e6, process: 1000, type: 'ok', f: 'write', value: 9000, node: 'n1' },
    { time: t + 3e6, process: 1000, type: 'invoke', f: 'cas', value: [9000, 9001], node: 'n1' },
    { time: t + 4e6, process: 1001, type: 'invoke', f: 'cas', value: [9000, 9002], node: 'n3' },
    { time: t + 5e6, process: 1000, type: 'ok', f: 'cas', value: [9000, 9001], node: 'n1' },
    { time: t + 6e6, process: 1001, type: 'ok', f: 'cas', value: [9000, 9002], node: 'n3' },
  ];
  return [...base, ...tail.map((op, i) => ({ ...op, index: base.length + i }) as Op)];
}

describe.skipIf(!HAVE_CHROMIUM)(`the per-region panel in headless Chromium (${CHROMIUM})`, () => {
  let browser: Browser;
  let withTopology: BuiltRun;
  let without: BuiltRun;

  beforeAll(async () => {
    const history = regionHistory();
    withTopology = await buildRunDir('regions', history, [stats(), perf(), regions({ regions: topology.regions })], { workload: 'register', concurrency: 6, nemesis: ['partition'], topology: 'two-regions-asym' });
    const testPath = join(withTopology.runDir, 'test.json');
    writeFileSync(testPath, JSON.stringify({ ...JSON.parse(readFileSync(testPath, 'utf8')), topology }, null, 2));
    without = await buildRunDir('no-regions', history, [stats(), perf()], { workload: 'register', concurrency: 6, nemesis: ['partition'] });
    for (const run of [withTopology, without]) writeHtmlReport(run.runDir, await loadRunData(run.runDir));
    mkdirSync(screenshots, { recursive: true });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    for (const run of [withTopology, without]) if (run) removeRun(run);
  });

  it('shows the regions, the WAN matrix, each region by phase, and the lost updates linked to their ops', async () => {
    const { page, errors, network, close } = await openPage(browser, join(withTopology.runDir, 'report.html'));
    await page.waitForSelector('body[data-charts="ready"]', { timeout: 30_000 });
    expect(await page.getAttribute('nav a[href="#regions"]', 'href')).toBe('#regions');
    expect(await page.textContent('#regions h2')).toBe('Regions');
    expect(await page.textContent('#regions p')).toContain('two-regions-asym');
    const matrix = await page.$$eval('#regions table.wan-matrix tr', (rows) => rows.map((r) => [...r.children].map((c) => (c.textContent ?? '').trim())));
    expect(matrix[0]).toEqual(['round trip', 'us-east', 'eu-west']);
    expect(matrix[1]![2]).toContain('80 ms');
    expect(matrix[1]![2]).toContain('60 ms there, 20 ms back');
    expect(matrix[2]![1]).toContain('20 ms there, 60 ms back');
    expect(await page.$$eval('#regions th[data-region]', (ths) => ths.map((t) => t.getAttribute('data-region')))).toEqual(['us-east', 'eu-west']);
    const cutOff = await page.$$eval('#regions tr.phase-cutOff', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((c) => (c.textContent ?? '').trim())));
    // us-east is never the cut-off side; eu-west is, and its ops there are counted.
    expect(cutOff[0]!.slice(0, 2)).toEqual(['its region cut off', '0']);
    expect(Number(cutOff[1]![1])).toBeGreaterThan(0);
    expect(await page.textContent('#regions .lost-updates')).toContain('Lost updates: 1 (1 across regions');
    const links = await page.$$eval('#regions .lost-update-examples a', (as) => as.map((a) => a.getAttribute('data-op')));
    expect(links).toHaveLength(2);
    expect(await page.textContent('#regions .lost-update-examples li')).toBe(`op ${links[0]} lost to op ${links[1]}`);
    await page.click('#regions .lost-update-examples a');
    const opened = JSON.parse((await page.textContent('#op-detail pre.detail-invoke'))!) as Op;
    // The lost update is n1's (its CAS completed first, yet the final state 9002 came from n3's).
    expect(opened).toMatchObject({ index: Number(links[0]), f: 'cas', node: 'n1', value: [9000, 9001] });
    await page.locator('#regions').screenshot({ path: join(screenshots, 'report-regions.png') });
    expect(errors).toEqual([]);
    expect(network).toEqual([]);
    await close();
  });

  it('is there with JavaScript off', async () => {
    const { page, close } = await openPage(browser, join(withTopology.runDir, 'report.html'), { javaScriptEnabled: false });
    expect(await page.$$('#regions tr.phase-overall')).toHaveLength(2);
    await close();
  });

  it('a run without a topology has no Regions panel', async () => {
    const { page, close } = await openPage(browser, join(without.runDir, 'report.html'));
    expect(await page.$('#regions')).toBeNull();
    expect(await page.$('nav a[href="#regions"]')).toBeNull();
    await close();
  });
});
