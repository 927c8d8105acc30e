// Chromium through playwright-core (Debian's /usr/bin/chromium: nothing is downloaded).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from './server.ts';

export const ARTIFACTS = join(ROOT, 'e2e/artifacts');

const ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
];

export interface Session {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors and failed requests seen by the page, for failure reports. */
  log: string[];
  close(): Promise<void>;
}

export async function openBrowser(baseURL: string): Promise<Session> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: ARGS,
  });
  const context = await browser.newContext({ baseURL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1440, height: 900 } });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);
  const page = await context.newPage();
  const log: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') log.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => log.push(`page error: ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 500) log.push(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`); });
  return {
    browser, context, page, log,
    async close() {
      await context.close().catch(() => {});
      await browser.close().catch(() => {});
    },
  };
}

/** Saves a full-page screenshot into e2e/artifacts/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string | null> {
  try {
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, `${name.replace(/[^\w.-]+/g, '_')}-${Date.now()}.png`);
    await page.screenshot({ path: file, fullPage: true, timeout: 10_000 });
    return file;
  } catch {
    return null;
  }
}

/**
 * Runs one test step; on failure saves a screenshot and adds the page's URL, the screenshot's path
 * and the browser's errors to the error message.
 */
export async function step<T>(session: Session, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const shot = await screenshot(session.page, name);
    const e = err instanceof Error ? err : new Error(String(err));
    const extra = [`step: ${name}`, `url: ${session.page.url()}`];
    if (shot) extra.push(`screenshot: ${shot}`);
    if (session.log.length) extra.push('browser:', ...session.log.slice(-10).map((l) => `  ${l}`));
    e.message = `${e.message}\n${extra.join('\n')}`;
    throw e;
  }
}
