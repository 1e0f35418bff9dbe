/**
 * Headless Chromium for report tests and benchmarks: Debian's chromium driven by playwright-core
 * (each launch gets a fresh temporary profile, removed on close), and pages in their own context
 * that record console errors, page errors and every request that is not for a file: URL.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

export interface WatchedPage {
  page: Page;
  /** Console errors and uncaught page errors. */
  errors: string[];
  /** URLs of requests other than file: ones. */
  network: string[];
  close(): Promise<void>;
}

/**
 * Opens a URL (or a local file path) in a new context; `javaScriptEnabled` defaults to true.
 * `beforeLoad` runs on the page before it navigates (e.g. to start collecting metrics).
 */
export async function openPage(browser: Browser, target: string, opts: { javaScriptEnabled?: boolean; beforeLoad?: (page: Page) => Promise<void> } = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1300, height: 900 }, javaScriptEnabled: opts.javaScriptEnabled ?? true });
  const page = await context.newPage();
  const errors: string[] = [];
  const network: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) network.push(r.url());
  });
  await opts.beforeLoad?.(page);
  await page.goto(/^[a-z]+:/.test(target) ? target : pathToFileURL(target).href);
  return { page, errors, network, close: () => context.close() };
}
