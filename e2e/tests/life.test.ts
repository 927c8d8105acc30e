// Organisational life (issue 5: LIFE-1). In the console, lw_secretary (secretary of 老围社区第1网格
// 党支部) plans yesterday's branch general meeting on 三会一课, records it as held with everybody
// present (the quorum shows as valid while marking), and confirms the record; the compliance page
// ranks the branch and its drawer shows this quarter's general meeting done. The demo member of that
// branch sees the meeting and their own attendance on the phone at /m/life.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { openBrowser, step, type Session } from '../support/browser.ts';
import { DEMO_PASSWORD, startServer, type RunningServer } from '../support/server.ts';
import { assertText, chooseOption, login, rowsWith, tableLoaded } from '../support/ui.ts';

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

const BRANCH = '老围社区第1网格党支部';

test('a secretary records a general meeting with its quorum; compliance counts it; the member sees their attendance', { timeout: 240_000 }, async () => {
  const { page } = s;
  const title = `党员大会（浏览器测试 ${Date.now() % 100000}）`;
  // yesterday at 10:00 in the browser's time zone (Asia/Shanghai), typed as the picker shows it
  const y = new Date(Date.now() - 86_400_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const when = `${y.getFullYear()}-${pad(y.getMonth() + 1)}-${pad(y.getDate())} 10:00`;
  const quarter = Math.floor(y.getMonth() / 3) + 1;

  await step(s, 'the secretary plans the meeting on 三会一课', async () => {
    await login(page, 'lw_secretary');
    await page.getByTestId('menu-group-life').click();
    await page.getByTestId('menu-life-meetings').click();
    await page.waitForURL(/\/life\/meetings$/);
    await tableLoaded(page, 'meetings-table');
    await page.getByTestId('meetings-plan').click();
    const form = page.getByTestId('meeting-form');
    await form.getByTestId('meeting-form-org').click();
    await page.locator('.el-tree-node__content:visible', { hasText: BRANCH }).first().click();
    await chooseOption(page, 'meeting-form-kind', '支部党员大会');
    await form.getByTestId('meeting-form-title').fill(title);
    const starts = form.getByTestId('meeting-form-starts').locator('input');
    await starts.fill(when);
    await starts.press('Enter');
    await form.getByTestId('meeting-form-place').fill('老围社区党群服务中心');
    await form.getByTestId('meeting-form-submit').click();
    await page.waitForURL(/\/life\/meetings\/\d+$/);
    await assertText(page.getByTestId('meeting-title'), title);
    await assertText(page.getByTestId('meeting-status'), '计划中');
  });

  await step(s, 'records it as held with everybody present: the quorum is valid', async () => {
    await page.getByTestId('meeting-record').click();
    const dialog = page.getByTestId('attendance-form');
    await dialog.getByTestId('record-minutes').fill('支部书记主持，传达学习上级会议精神。');
    await dialog.getByTestId('attendance-all-present').click();
    await assertText(dialog.getByTestId('attendance-quorum'), '有效（超过半数）');
    await dialog.getByTestId('attendance-submit').click();
    await assertText(page.getByTestId('meeting-status'), '已召开');
    await assertText(page.getByTestId('meeting-quorum-detail'), '有效（超过半数）');
    await assertText(page.getByTestId('meeting-counts'), '计入合规');
    const tally = await page.getByTestId('meeting-tally').innerText();
    const m = /应到 (\d+) \/ 实到 (\d+)/.exec(tally);
    assert.ok(m && Number(m[1]) > 0 && m[1] === m[2], `everybody present: ${tally}`);
  });

  await step(s, 'confirms the record: it can no longer be changed', async () => {
    await page.getByTestId('meeting-lock').click();
    await page.locator('.el-message-box__btns .el-button--primary').click();
    await page.getByTestId('meeting-locked').waitFor();
    assert.equal(await page.getByTestId('meeting-edit').count(), 0);
    assert.equal(await page.getByTestId('meeting-attendance').count(), 0);
  });

  await step(s, 'the compliance page ranks the branch; its drawer shows the quarter’s general meeting done', async () => {
    await page.getByTestId('menu-life-compliance').click();
    await page.waitForURL(/\/life\/compliance$/);
    await page.getByTestId('compliance-year').locator('input').fill(String(y.getFullYear()));
    await page.getByTestId('compliance-search').click();
    await tableLoaded(page, 'compliance-table');
    const row = rowsWith(page, 'compliance-table', BRANCH).first();
    await row.waitFor();
    await row.getByTestId('compliance-open').click();
    const drawer = page.getByTestId('branch-compliance');
    const slot = drawer.locator('.el-table__body-wrapper tr.el-table__row', { hasText: `第${quarter}季度` }).filter({ hasText: '支部党员大会' });
    await assertText(slot, '已完成');
    await assertText(slot, title);
  });

  phone = await s.browser.newContext({ baseURL: server.url, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  phone.setDefaultTimeout(15_000);
  const mp: Page = await phone.newPage();
  mp.on('pageerror', (e) => s.log.push(`mobile page error: ${e.message}`));
  const ms: Session = { ...s, context: phone, page: mp };

  await step(ms, 'the member sees the meeting and their own attendance on the phone', async () => {
    await mp.goto('/m/login');
    await mp.locator('.van-tab', { hasText: '工作人员' }).click();
    await mp.locator('input[name=username]').fill('member');
    await mp.locator('input[name=password]').fill(DEMO_PASSWORD);
    await mp.locator('[data-test=login-staff]').click();
    await mp.waitForURL((u) => !u.pathname.startsWith('/m/login'));
    await mp.goto('/m/me');
    await mp.locator('[data-test=me-life]').click();
    await mp.waitForURL(/\/m\/life$/);
    const item = mp.locator('[data-test=my-meeting]', { hasText: title });
    await assertText(item, '我的考勤：出席');
    await item.click();
    await assertText(mp.locator('[data-test=meeting-mine]'), '出席');
    await mp.goto('/m/study');
    await mp.locator('[data-test=study-meetings]').waitFor();
  });
});
