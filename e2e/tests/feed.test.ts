// My branch, its feed and commitments (issue 5: MEM-2, MEM-10). In the console, lw_secretary (secretary
// of 老围社区第1网格党支部) posts a notice on 支部动态; the demo member of that branch logs in on a
// phone at /m/, sees the unread badge on the 支部 tab, the branch with its organisations above, and the
// notice in the feed; a second notice arrives live on the open feed page. The member publishes this
// year's commitments; the secretary confirms them on the member file; the member's page shows them confirmed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { openBrowser, step, type Session } from '../support/browser.ts';
import { DEMO_PASSWORD, startServer, type RunningServer } from '../support/server.ts';
import { assertText, login, rowsWith, tableLoaded } from '../support/ui.ts';

let server: RunningServer;
let s: Session;
let phone: BrowserContext;

before(async () => {
  server = await startServer();
  s = await openBrowser(server.url);
}, { timeout: 150_000 });

after(async () => {
  await phone?.close().catch(() => {});
  await s?.close();
  await server?.stop();
});

async function tokenOf(username: string): Promise<string> {
  const res = await fetch(`${server.url}/api/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
  return ((await res.json()) as { token: string }).token;
}
async function apiAs<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
  return (await res.json()) as T;
}

test('a secretary posts to the branch feed; the member sees the branch, the feed live, and has commitments confirmed', { timeout: 240_000 }, async () => {
  const { page } = s;
  const notice = `支部通知：本周六主题党日（浏览器测试 ${Date.now() % 100000}）`;
  const liveNotice = '实时通知：党员大会改到周日';
  const commitment = '带头参与垃圾分类志愿服务（浏览器测试）';

  await step(s, 'the secretary posts a notice on 支部动态', async () => {
    await login(page, 'lw_secretary');
    await page.getByTestId('menu-group-orgs').click();
    await page.getByTestId('menu-feed').click();
    await page.waitForURL(/\/feed$/);
    await tableLoaded(page, 'feed-table');
    await page.getByTestId('feed-post').click();
    await page.getByTestId('notice-title').fill(notice);
    await page.getByTestId('notice-body').fill('上午九点，社区党群服务中心，请准时参加。');
    // with the day's programme as a PDF
    await page.getByTestId('notice-documents-input').setInputFiles({ name: '主题党日安排.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1') });
    await assertText(page.getByTestId('notice-documents-item'), '主题党日安排.pdf');
    await page.getByTestId('notice-submit').click();
    await rowsWith(page, 'feed-table', notice).first().waitFor();
    assert.equal(await rowsWith(page, 'feed-table', notice).locator('[data-testid=feed-withdraw]').count(), 1, 'the author may withdraw it');
  });

  phone = await s.browser.newContext({ baseURL: server.url, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  phone.setDefaultTimeout(15_000);
  const m: Page = await phone.newPage();
  m.on('pageerror', (e) => s.log.push(`mobile page error: ${e.message}`));
  const ms: Session = { ...s, context: phone, page: m };

  await step(ms, 'the member logs in and sees the branch with the unread badge', async () => {
    await m.goto('/m/login');
    await m.locator('.van-tab', { hasText: '工作人员' }).click();
    await m.locator('input[name=username]').fill('member');
    await m.locator('input[name=password]').fill(DEMO_PASSWORD);
    await m.locator('[data-test=login-staff]').click();
    await m.waitForURL((u) => !u.pathname.startsWith('/m/login'));
    const tab = m.locator('[data-test=tab-branch]');
    await tab.locator('.van-badge').waitFor();
    await tab.click();
    await m.waitForURL(/\/m\/branch/);
    await assertText(m.locator('[data-test=branch-name]'), '老围社区第1网格党支部');
    await assertText(m.locator('[data-test=branch-above]'), '中共深圳市委员会');
  });

  await step(ms, 'the feed shows the notice as unread; a new notice arrives live', async () => {
    await m.locator('[data-test=branch-feed]').click();
    await m.waitForURL(/\/m\/feed/);
    const item = m.locator('[data-test=feed-unread]', { hasText: notice });
    await item.waitFor();
    // the programme is there to download, under its name
    const doc = item.locator('[data-test=feed-document]');
    await assertText(doc, '主题党日安排.pdf');
    const href = await doc.getAttribute('href');
    const download = await m.evaluate(async (url) => { const r = await fetch(url!); return { status: r.status, disposition: r.headers.get('content-disposition') }; }, href);
    assert.equal(download.status, 200);
    assert.match(download.disposition ?? '', /^attachment; .*filename\*=UTF-8''%E4%B8%BB/);
    // posted while the page is open: the stream brings it without a reload
    const secretary = await tokenOf('lw_secretary');
    const me = await apiAs<{ scopes: { kind: string; id: string }[] }>(secretary, 'GET', '/api/auth/me');
    const branchId = me.scopes.find((x) => x.kind === 'org')!.id;
    await apiAs(secretary, 'POST', `/api/orgs/${branchId}/feed`, { title: liveNotice });
    await m.locator('[data-test=feed-title]', { hasText: liveNotice }).waitFor();
  });

  await step(ms, 'the member publishes this year’s commitments', async () => {
    await m.goto('/m/commitments');
    const year = new Date().getFullYear();
    await m.locator(`[data-test=commit-new-${year}]`).click();
    await m.locator('[data-test=commit-item-0] textarea').fill(commitment);
    await m.locator('[data-test=commit-submit]').click();
    await assertText(m.locator(`[data-test=commit-set-${year}]`), commitment);
    await assertText(m.locator(`[data-test=commit-set-${year}]`), '已公开');
  });

  await step(s, 'the secretary confirms them on the member file', async () => {
    const memberId = (await apiAs<{ memberId: string }>(await tokenOf('member'), 'GET', '/api/auth/me')).memberId;
    assert.ok(memberId, 'the demo member account is linked to a member');
    await page.goto(`/members/${memberId}`);
    const card = page.getByTestId('member-commitments');
    await assertText(card, commitment);
    await card.getByTestId('commitments-lock').click();
    await page.locator('.el-message-box__btns .el-button--primary').click();
    await assertText(card, '支部已确认');
  });

  await step(ms, 'the member sees them confirmed and can no longer change them', async () => {
    await m.reload();
    const year = new Date().getFullYear();
    await assertText(m.locator(`[data-test=commit-set-${year}]`), '支部已确认');
    assert.equal(await m.locator('[data-test=commit-edit]').count(), 0);
  });
});
