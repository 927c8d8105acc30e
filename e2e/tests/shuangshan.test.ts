// The Shuangshan story (shared/seeds/003-shuangshan-grid-whistle.txt; the server's version is
// apps/server/src/modules/cases/cases.story.test.ts) in the browser, end to end:
//   a resident logs in on the mobile pages with phone + one-time code (read from the developer SMS
//   inbox) and reports the hallway full of garbage and small ads with a photo and a point;
//   the street command centre files and dispatches it; the grid worker escalates it (the community
//   passes it on to the street); the street whistles three departments — 城管, 应急, 派出所; each
//   reports and submits its result from its inbox (the whistle rings the department's bell); the
//   street marks it handled and its open case page follows live as the grid worker starts the
//   on-site check; the grid worker verifies and closes it; meanwhile the resident's open case page follows every step live and the
//   notification badge counts them; the resident rates it on the mobile page; the rates page in the
//   console shows the grid at 100 %.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { openBrowser, step, type Session } from '../support/browser.ts';
import { DEMO_PASSWORD, startServer, type RunningServer } from '../support/server.ts';
import { assertText, login, logout, rowsWith, tableLoaded, waitForCount, waitForText } from '../support/ui.ts';

let server: RunningServer;
let s: Session;
let phoneContext: BrowserContext;

// a valid 1×1 PNG
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const PHONE = '13700137000';
const DESCRIPTION = '双山馨城 3 栋楼道积存垃圾，墙面贴满小广告，杂物堵塞消防通道';

before(async () => {
  server = await startServer();
  s = await openBrowser(server.url);
}, { timeout: 150_000 });

after(async () => {
  await phoneContext?.close().catch(() => {});
  await s?.close();
  await server?.stop();
});

/** The grid worker's grid (a grid of 老围社区) and the centre of its bounding box, read as gy_grid through the API. */
async function theGrid(): Promise<{ name: string; lng: number; lat: number }> {
  const tok = await fetch(`${server.url}/api/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'gy_grid', password: DEMO_PASSWORD }) });
  assert.equal(tok.status, 200);
  const { token } = (await tok.json()) as { token: string };
  const get = async <T>(path: string) => (await (await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } })).json()) as T;
  const grids = await get<{ items: { id: string; name: string }[] }>('/api/places?kind=grid&pageSize=10');
  assert.equal(grids.items.length, 1, 'gy_grid sees one grid');
  const row = grids.items[0]!;
  assert.ok(row.name.startsWith('老围社区'), row.name);
  const place = await get<{ bbox: [number, number, number, number] }>(`/api/places/${row.id}`);
  const [w, so, e, n] = place.bbox;
  return { name: row.name, lng: (w + e) / 2, lat: (so + n) / 2 };
}

/** The one-time code the developer SMS inbox holds for a number (the server sends it at once). */
async function codeFor(number: string, after: number): Promise<string> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const inbox = (await (await fetch(`${server.url}/api/dev/sms`)).json()) as { phone: string; text: string; at: string }[];
    const msg = inbox.find((m) => m.phone === number && Date.parse(m.at) >= after - 1000);
    if (msg) return /(\d{6})/.exec(msg.text)![1]!;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no SMS to ${number}`);
}

/** Opens the case page in the console and waits for its header. */
async function openCase(page: Page, id: string, number: string): Promise<void> {
  await page.goto(`/cases/${id}`);
  await assertText(page.getByTestId('case-number'), number);
}

/** One action on the console's case page through the action dialog; waits for the dialog to close. */
async function act(page: Page, button: string, note?: string): Promise<void> {
  await page.getByTestId(`case-action-${button}`).click();
  const dialog = page.getByTestId('case-action-dialog');
  await dialog.waitFor();
  if (note !== undefined) await page.getByTestId('case-action-note').fill(note);
  await page.getByTestId('case-action-submit').click();
  await dialog.waitFor({ state: 'hidden' });
}

/** Logs the console out (if someone is logged in) and in as `user`. */
async function as(page: Page, user: string): Promise<void> {
  if (await page.getByTestId('user-menu').isVisible().catch(() => false)) await logout(page);
  await login(page, user);
}

test('Shuangshan: a resident reports, the street whistles three departments, the grid verifies, the resident rates', { timeout: 300_000 }, async () => {
  const at = await theGrid();
  const GRID = at.name;
  phoneContext = await s.browser.newContext({
    baseURL: server.url, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    geolocation: { longitude: at.lng, latitude: at.lat }, permissions: ['geolocation'],
  });
  phoneContext.setDefaultTimeout(15_000);
  const phone: Page = await phoneContext.newPage();
  phone.on('pageerror', (e) => s.log.push(`mobile page error: ${e.message}`));
  const mobile: Session = { ...s, context: phoneContext, page: phone };
  const { page } = s;
  let caseId = '';
  let number = '';

  await step(mobile, 'the resident logs in with phone and code', async () => {
    await phone.goto('/m/');
    await phone.waitForURL(/\/m\/login/);
    await phone.getByPlaceholder('请输入手机号').fill(PHONE);
    const sentAt = Date.now();
    await phone.locator('[data-test=send-code]').click();
    await phone.getByText('验证码已发送').waitFor();
    await phone.getByPlaceholder('6 位验证码').fill(await codeFor(PHONE, sentAt));
    await phone.locator('[data-test=login-phone]').click();
    await phone.waitForURL(/\/m\/report/);
  });

  await step(mobile, 'the resident reports the hallway with a photo and a point', async () => {
    await phone.locator('[data-test=category-sanitation]').click();
    await phone.getByPlaceholder('请描述问题（至少 2 个字）').fill(DESCRIPTION);
    await phone.locator('.photos input[type=file]').first().setInputFiles({ name: 'hallway.png', mimeType: 'image/png', buffer: PNG });
    await phone.locator('.van-uploader__preview').first().waitFor();
    await phone.getByRole('button', { name: '使用当前定位' }).click();
    await phone.locator('[data-test=point]').waitFor();
    await phone.locator('[data-test=map] canvas').click();
    await phone.getByPlaceholder('如：某小区 3 栋楼道（选填）').fill('双山馨城 3 栋楼道');
    await phone.locator('[data-test=submit]:not([disabled])').click();
    const anyway = phone.locator('[data-test=report-anyway]');
    const dialog = phone.locator('.van-dialog__confirm');
    await Promise.race([anyway.waitFor({ state: 'visible' }), dialog.waitFor({ state: 'visible' })]);
    if (await anyway.isVisible()) await anyway.click();
    await phone.getByText('上报成功').waitFor();
    await assertText(phone.locator('.van-dialog'), GRID);
    await dialog.click();
    await phone.waitForURL(/\/m\/cases\/\d+/);
    caseId = /\/m\/cases\/(\d+)/.exec(phone.url())![1]!;
    await phone.getByText(DESCRIPTION).waitFor();
    number = await waitForText(phone.locator('.van-cell', { hasText: '案件编号' }).locator('.van-cell__value'), (t) => /^AJ\d{8}-\d{4}$/.test(t), 'the case number');
    await assertText(phone.locator('[data-test=state]'), '受理');
    assert.ok(await phone.locator('.thumbs img').count() >= 1, 'the photo is shown');
  });

  await step(s, 'the street command centre files and dispatches it', async () => {
    await as(page, 'gy_command');
    await page.getByTestId('menu-cases').click();
    await page.waitForURL('**/cases');
    await tableLoaded(page, 'case-list-table');
    const row = rowsWith(page, 'case-list-table', number);
    await waitForCount(row, 1);
    await row.getByTestId('case-open').click();
    await page.waitForURL(`**/cases/${caseId}`);
    await assertText(page.getByTestId('case-description'), DESCRIPTION);
    await page.getByTestId('case-photos').locator('img').first().waitFor();
    await act(page, 'file', '居民反映属实，予以立案');
    await assertText(page.getByTestId('case-state'), '立案');
    await act(page, 'dispatch');
    await assertText(page.getByTestId('case-state'), '派遣');
    await page.getByTestId('case-countdown').waitFor();
  });

  await step(mobile, 'the resident’s open case page followed live', async () => {
    await assertText(phone.locator('[data-test=state]'), '派遣');
    await waitForText(phone.locator('[data-test=tab-notifications] .van-badge'), (t) => Number(t) >= 3, 'three unread notifications');
  });

  await step(s, 'the grid worker cannot solve it and escalates; the community passes it to the street', async () => {
    await as(page, 'gy_grid');
    await openCase(page, caseId, number);
    await act(page, 'escalate', '楼道杂物涉及消防通道，网格内无法解决，上报社区');
    await assertText(page.getByTestId('case-header'), '社区');
    await page.getByTestId('case-action-escalate').waitFor({ state: 'detached' });
    await as(page, 'lw_community');
    await openCase(page, caseId, number);
    await act(page, 'escalate', '需街道统筹城管、应急、公安');
    await assertText(page.getByTestId('case-header'), '街道');
  });

  await step(s, 'the street whistles 城管, 应急 and 派出所', async () => {
    await as(page, 'gy_command');
    await openCase(page, caseId, number);
    await page.getByTestId('case-action-whistle').click();
    const deps = page.getByTestId('whistle-departments');
    await deps.waitFor();
    // the routing table proposes all four departments of Guiyuan for sanitation in 老围社区
    const checked = deps.locator('.el-checkbox.is-checked');
    await waitForCount(checked, 4);
    await deps.locator('.el-checkbox', { hasText: '消防救援站' }).click();
    await waitForCount(checked, 3);
    await page.getByTestId('whistle-kind-emergency').click();
    await page.getByTestId('case-action-note').fill('吹哨：城管、应急、公安立即到场，清理楼道和消防通道');
    await page.getByTestId('whistle-submit').click();
    await page.getByTestId('case-action-dialog').waitFor({ state: 'hidden' });
    await waitForCount(page.getByTestId('case-whistles').locator('.el-table__body-wrapper tr.el-table__row'), 3);
    await assertText(page.getByTestId('case-state'), '处置中');
  });

  for (const [user, name] of [['dept_cg', '城管'], ['dept_yj', '应急'], ['dept_ga', '派出所']] as const) {
    await step(s, `${name} reports and submits its result from its inbox`, async () => {
      await as(page, user);
      if (user === 'dept_cg') {
        // the whistle reached the department's bell in the top bar
        const badge = page.getByTestId('notification-count').locator('.el-badge__content');
        await waitForText(badge, (t) => Number(t) >= 1, 'an unread notification');
        await page.getByTestId('notification-bell').click();
        const panel = page.getByTestId('notification-panel');
        await assertText(panel, `案件 ${number}：应急吹哨`);
        await page.getByTestId('notification-read-all').click();
        await badge.waitFor({ state: 'hidden' });
        await waitForCount(panel.getByTestId('notification-unread'), 0);
        await page.getByTestId('notification-bell').click();
        await panel.waitFor({ state: 'hidden' });
      }
      await page.getByTestId('menu-case-inbox').click();
      await page.waitForURL('**/cases/inbox');
      const toReport = rowsWith(page, 'inbox-report-table', number);
      await waitForCount(toReport, 1);
      await assertText(toReport, '应急吹哨');
      await toReport.getByTestId('inbox-report').click();
      await page.getByTestId('case-action-note').fill(`${name}已到场`);
      await page.getByTestId('case-action-submit').click();
      await page.getByTestId('case-action-dialog').waitFor({ state: 'hidden' });
      await waitForCount(rowsWith(page, 'inbox-report-table', number), 0);
      const toFinish = rowsWith(page, 'inbox-result-table', number);
      await waitForCount(toFinish, 1);
      await toFinish.getByTestId('inbox-result').click();
      await page.getByTestId('case-action-note').fill(`${name}处置完毕：楼道清理干净`);
      await page.getByTestId('case-action-submit').click();
      await page.getByTestId('case-action-dialog').waitFor({ state: 'hidden' });
      await waitForCount(rowsWith(page, 'inbox-result-table', number), 0);
    });
  }

  await step(s, 'the street marks it handled', async () => {
    await as(page, 'gy_command');
    await openCase(page, caseId, number);
    const whistles = page.getByTestId('case-whistles');
    for (const name of ['城管', '应急', '派出所']) await assertText(whistles, `${name}处置完毕`);
    await act(page, 'handled', '当天下午楼道、消防通道清理完毕');
    await assertText(page.getByTestId('case-state'), '已处置');
    // the grid worker starts the on-site check (as on the mobile pages): the open case page follows live
    const grid = await fetch(`${server.url}/api/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'gy_grid', password: DEMO_PASSWORD }) });
    const { token } = (await grid.json()) as { token: string };
    const started = await fetch(`${server.url}/api/cases/${caseId}/verify/start`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(started.status, 200, await started.text());
    await assertText(page.getByTestId('case-state'), '核查中');
    await assertText(page.getByTestId('case-timeline'), '开始核查');
  });

  await step(s, 'the grid worker verifies on site and closes it', async () => {
    await as(page, 'gy_grid');
    await openCase(page, caseId, number);
    await assertText(page.getByTestId('case-state'), '核查中');
    await act(page, 'verify-pass', '现场核查：楼道干净，消防通道畅通');
    await assertText(page.getByTestId('case-state'), '结案');
    const timeline = page.getByTestId('case-timeline');
    for (const label of ['上报', '立案', '派遣', '上报上级', '吹哨', '部门报到']) await assertText(timeline, label);
  });

  await step(mobile, 'the resident sees it closed without reloading, and rates it', async () => {
    await assertText(phone.locator('[data-test=state]'), '结案');
    await phone.locator('[data-test=rate]').waitFor();
    await phone.locator('[data-test=rating-satisfied]').click();
    await phone.getByPlaceholder('评价说明（选填）').fill('当天就清理干净了');
    await phone.locator('[data-test=rate]').click();
    await phone.getByText('感谢您的评价').waitFor();
    await assertText(phone.locator('[data-test=state]'), '已评价');
    await phone.locator('[data-test=rate]').waitFor({ state: 'detached' });
  });

  await step(mobile, 'the resident reads the notifications', async () => {
    await phone.locator('[data-test=tab-notifications]').click();
    await phone.waitForURL(/\/m\/notifications/);
    const unread = phone.locator('[data-test=notice-unread]');
    await unread.first().waitFor();
    await assertText(phone.locator('.van-list'), number);
    await assertText(phone.locator('.van-list'), '结案');
    await phone.locator('[data-test=read-all]').click();
    await waitForCount(unread, 0);
    await phone.locator('[data-test=tab-notifications] .van-badge').waitFor({ state: 'detached' });
  });

  await step(s, 'the rates page shows the grid at 100 %', async () => {
    await as(page, 'gy_command');
    await page.getByTestId('menu-case-rates').click();
    await page.waitForURL('**/cases/rates');
    await page.getByTestId('rates-unit-grid').click();
    await tableLoaded(page, 'rates-table');
    const row = rowsWith(page, 'rates-table', GRID);
    await waitForCount(row, 1);
    await waitForText(row, (t) => (t.match(/100\.0%/g) ?? []).length >= 4, 'the grid at 100 %');
  });
});
