// Small helpers for the console's Element Plus widgets.
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { DEMO_PASSWORD } from './server.ts';

/** Logs in through the login page and waits for the layout. */
export async function login(page: Page, username: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/login');
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  await page.getByTestId('user-menu').waitFor();
}

/** Logs out through the user menu and waits for the login page. */
export async function logout(page: Page): Promise<void> {
  await page.getByTestId('user-menu').click();
  await page.getByTestId('logout').click();
  await page.waitForURL((u) => u.pathname.startsWith('/login'));
  await page.getByTestId('login-username').waitFor();
}

/** Opens an el-select (by the test id on its wrapper) and picks the option containing `text`. */
export async function chooseOption(page: Page, testid: string, text: string, search?: string): Promise<void> {
  const select = page.getByTestId(testid);
  await select.click();
  const input = select.locator('input[role=combobox]');
  if (search !== undefined) await input.fill(search);
  const listId = await input.getAttribute('aria-controls');
  assert.ok(listId, `the select ${testid} has no option list`);
  await page.locator(`[id="${listId}"]`).locator('.el-select-dropdown__item', { hasText: text }).first().click();
}

/** The body rows of an el-table (by its test id) that contain `text`. */
export function rowsWith(page: Page, testid: string, text: string): Locator {
  return page.getByTestId(testid).locator('.el-table__body-wrapper tr.el-table__row', { hasText: text });
}

/** Waits until the table identified by `testid` is no longer loading. */
export async function tableLoaded(page: Page, testid: string): Promise<void> {
  await page.getByTestId(testid).locator('.el-loading-mask').waitFor({ state: 'hidden' }).catch(() => {});
}

/** Waits until the element's text contains `text` (10 s), then fails with what it showed. */
export async function assertText(loc: Locator, text: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  let last = '';
  while (Date.now() < deadline) {
    last = await loc.innerText().catch(() => '');
    if (last.includes(text)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`expected "${text}" in: ${last}`);
}

/** Waits until the locator matches exactly `n` elements (10 s). */
export async function waitForCount(loc: Locator, n: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  let count = -1;
  while (Date.now() < deadline) {
    count = await loc.count();
    if (count === n) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`expected ${n} rows, saw ${count}`);
}

/** Waits until the element's text satisfies `ok` (10 s) and returns it. */
export async function waitForText(loc: Locator, ok: (text: string) => boolean, what: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  let last = '';
  while (Date.now() < deadline) {
    last = (await loc.innerText().catch(() => '')).trim();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  return assert.fail(`expected ${what}, saw: ${last}`);
}
