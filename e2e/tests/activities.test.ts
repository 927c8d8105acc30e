// Activities, QR check-in and points (issue 5: LIFE-2, MEM-9). In the console, lw_secretary (secretary
// of 老围社区第1网格党支部) publishes an activity starting in about two minutes; the demo member of the
// branch signs up on a phone at /m/ and checks in with the code read off the organiser's check-in
// screen (a second page, refreshing its code); a stale code is refused. Once the activity has started
// the secretary confirms attendance; the member finds the points in the branch ranking.
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

/** A moment as the date pickers take it, in China time: YYYY-MM-DD HH:mm. */
function pickerText(d: Date): string {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a secretary publishes an activity; a member signs up, checks in by the QR code, sees the points in the ranking, and the ranking in the branch feed', { timeout: 420_000 }, async () => {
  const { page } = s;
  const title = `主题党日：社区清洁行动（浏览器测试 ${Date.now() % 100000}）`;
  // whole minutes (the picker's precision), at least a minute ahead: check-in opens 30 minutes before
  const startsAt = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 2 * 60_000);
  const endsAt = new Date(startsAt.getTime() + 2 * 3600_000);
  let activityId = '';

  await step(s, 'the secretary publishes the activity', async () => {
    await login(page, 'lw_secretary');
    await page.getByTestId('menu-group-activities').click();
    await page.getByTestId('menu-activities').click();
    await page.waitForURL(/\/activities$/);
    await tableLoaded(page, 'activities-table');
    await page.getByTestId('activity-create').click();
    const form = page.getByTestId('activity-form');
    await form.getByTestId('activity-form-title').fill(title);
    for (const [id, at] of [['activity-form-start', startsAt], ['activity-form-end', endsAt]] as const) {
      const input = form.getByTestId(id).locator('input');
      await input.click();
      await input.fill(pickerText(at));
      await input.press('Enter');
    }
    await form.getByTestId('activity-form-location').click(); // closes the picker's panel
    await form.getByTestId('activity-form-location').fill('老围社区党群服务中心');
    await form.getByTestId('activity-form-submit').click();
    const row = rowsWith(page, 'activities-table', title);
    await row.first().waitFor();
    await assertText(row.first(), '3 分');
    const res = await page.request.get(`/api/activities?q=${encodeURIComponent(title)}`);
    const found = ((await res.json()) as { items: { id: string; startsAt: string }[] }).items;
    assert.equal(found.length, 1);
    assert.equal(new Date(found[0]!.startsAt).getTime(), startsAt.getTime(), 'the start as typed');
    activityId = found[0]!.id;
  });

  phone = await s.browser.newContext({ baseURL: server.url, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  phone.setDefaultTimeout(15_000);
  const m: Page = await phone.newPage();
  m.on('pageerror', (e) => s.log.push(`mobile page error: ${e.message}`));
  const ms: Session = { ...s, context: phone, page: m };

  await step(ms, 'the member finds it in the menu and signs up', async () => {
    await m.goto('/m/login');
    await m.locator('.van-tab', { hasText: '工作人员' }).click();
    await m.locator('input[name=username]').fill('member');
    await m.locator('input[name=password]').fill(DEMO_PASSWORD);
    await m.locator('[data-test=login-staff]').click();
    await m.waitForURL((u) => !u.pathname.startsWith('/m/login'));
    await m.locator('[data-test=tab-activities]').click();
    await m.waitForURL(/\/m\/activities$/);
    await m.locator('[data-test=activity-card]', { hasText: title }).click();
    await m.waitForURL(new RegExp(`/m/activities/${activityId}$`));
    await assertText(m.locator('[data-test=activity-points]'), '3 积分');
    await m.locator('[data-test=signup-button]').click();
    await m.locator('[data-test=cancel-button]').waitFor();
    await assertText(m.locator('[data-test=activity-count]'), '已报名 1');
  });

  // the organiser's check-in screen, on a page of its own (the projector)
  const screen = await s.context.newPage();
  const ss: Session = { ...s, page: screen };
  const currentCode = async () => {
    const el = screen.getByTestId('checkin-code');
    await el.waitFor();
    const code = await el.getAttribute('data-code');
    assert.ok(code && /^[0-9A-Z]{8}$/.test(code), `a code on the screen: ${code}`);
    return code;
  };

  await step(ss, 'the organiser opens the check-in screen with its QR code', async () => {
    await screen.goto(`/activities/${activityId}/check-in`);
    await screen.getByTestId('checkin-qr').waitFor();
    await assertText(screen.getByTestId('checkin-title'), title);
  });

  await step(ms, 'a code from an earlier step is refused; the current one checks the member in', async () => {
    const old = await currentCode();
    await m.locator('[data-test=checkin-button]').click();
    await m.waitForURL(new RegExp(`/m/activities/${activityId}/check-in$`));
    // wait for the screen to show the next code: the one photographed before is now stale
    const deadline = Date.now() + 70_000;
    let code = old;
    while (code === old && Date.now() < deadline) {
      await sleep(1000);
      code = await currentCode();
    }
    assert.notEqual(code, old, 'the screen changed its code');
    await sleep(6000); // past the grace for a scan in flight
    code = await currentCode();
    await m.locator('[data-test=checkin-code] input').fill(old);
    await m.locator('[data-test=checkin-submit]').click();
    await assertText(m.locator('[data-test=checkin-message]'), '签到码无效或已过期');
    code = await currentCode();
    await m.locator('[data-test=checkin-code] input').fill(`${code.slice(0, 4)}-${code.slice(4)}`);
    await m.locator('[data-test=checkin-submit]').click();
    await m.waitForURL(new RegExp(`/m/activities/${activityId}$`));
    await assertText(m.locator('[data-test=checked-in]'), '签到');
    await assertText(screen.getByTestId('checkin-count'), '1');
  });

  await step(s, 'once it has started, the secretary confirms attendance', async () => {
    await sleep(Math.max(0, startsAt.getTime() - Date.now() + 1500));
    await page.bringToFront();
    await page.getByTestId('list-refresh').click();
    await tableLoaded(page, 'activities-table');
    await rowsWith(page, 'activities-table', title).first().getByTestId('activity-signups').click();
    const drawer = page.getByTestId('signups-drawer');
    const row = rowsWith(page, 'signups-table', '');
    await row.first().waitFor();
    assert.notEqual((await row.first().getByTestId('signup-checked-in').innerText()).trim(), '—', 'the member checked in');
    await drawer.getByTestId('attendance-confirm').click();
    await page.locator('.el-message-box__btns .el-button--primary').click();
    await assertText(row.first(), '出勤');
  });

  await step(ms, 'the member sees the points in the branch ranking', async () => {
    await m.goto('/m/points');
    await assertText(m.locator('[data-test=points-balance]'), '3');
    await m.locator('.van-tab', { hasText: '支部排名' }).click();
    const mine = m.locator('[data-test=ranking-row].me');
    await mine.waitFor();
    await assertText(mine, '我');
    await assertText(mine, '3');
    await m.locator('.van-tab', { hasText: '积分明细' }).click();
    await assertText(m.locator('[data-test=points-entry]').first(), '参加活动');
  });

  await step(s, 'the secretary publishes the branch ranking to the feed', async () => {
    await page.bringToFront();
    await page.goto('/points/ranking');
    await rowsWith(page, 'points-ranking-table', '3').first().waitFor();
    await page.getByTestId('points-publish').click();
    await page.locator('.el-message-box__btns .el-button--primary').click();
    await assertText(page.locator('.el-message--success'), '积分排行');
  });

  await step(ms, 'the member finds the ranking in the branch feed', async () => {
    await m.goto('/m/feed');
    const item = m.locator('[data-test=feed-title]', { hasText: '积分排行' });
    await item.first().waitFor();
  });
});
