// The residents' mobile pages at /m/ on a phone-sized screen: a resident logs in by phone number and
// one-time code (read from the developer SMS inbox), reports a sanitation problem with a photo and a
// point (GPS, then a tap on the map), and finds it under 我的上报 with its timeline.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { openBrowser, step, type Session } from '../support/browser.ts';
import { DEMO_PASSWORD, startServer, type RunningServer } from '../support/server.ts';

let server: RunningServer;
let s: Session;
let phone: BrowserContext;

// a valid 1×1 PNG
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

before(async () => {
  server = await startServer();
  s = await openBrowser(server.url);
}, { timeout: 150_000 });

after(async () => {
  await phone?.close().catch(() => {});
  await s?.close();
  await server?.stop();
});

async function gridCentre(): Promise<{ lng: number; lat: number }> {
  const tok = await fetch(`${server.url}/api/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'gy_command', password: DEMO_PASSWORD }) });
  const { token } = (await tok.json()) as { token: string };
  const get = async <T>(path: string) => (await (await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } })).json()) as T;
  const grids = await get<{ items: { id: string; name: string }[] }>('/api/places?kind=grid&q=%E8%80%81%E5%9B%B4%E7%A4%BE%E5%8C%BA&pageSize=50');
  const row = grids.items.find((p) => p.name.startsWith('老围社区'));
  assert.ok(row, 'a grid of 老围社区');
  const place = await get<{ bbox: [number, number, number, number] }>(`/api/places/${row.id}`);
  const [w, so, e, n] = place.bbox;
  return { lng: (w + e) / 2, lat: (so + n) / 2 };
}

async function latestCode(number: string): Promise<string> {
  for (let i = 0; i < 20; i++) {
    const inbox = (await (await fetch(`${server.url}/api/dev/sms`)).json()) as { phone: string; text: string }[];
    const msg = inbox.find((m) => m.phone === number);
    if (msg) return /(\d{6})/.exec(msg.text)![1]!;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no SMS to ${number}`);
}

test('a resident logs in by phone, reports with a photo and a point, and sees it in 我的上报', { timeout: 180_000 }, async () => {
  const at = await gridCentre();
  phone = await s.browser.newContext({
    baseURL: server.url, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    geolocation: { longitude: at.lng, latitude: at.lat }, permissions: ['geolocation'],
  });
  phone.setDefaultTimeout(15_000);
  const page: Page = await phone.newPage();
  page.on('pageerror', (e) => s.log.push(`page error: ${e.message}`));
  const session: Session = { ...s, context: phone, page };
  const number = '13812345678';
  const description = '楼道里堆满垃圾和小广告（手机端测试）';

  await step(session, 'log in by phone and code', async () => {
    await page.goto('/m/');
    await page.waitForURL(/\/m\/login/);
    await page.getByPlaceholder('请输入手机号').fill(number);
    await page.locator('[data-test=send-code]').click();
    await page.getByPlaceholder('6 位验证码').fill(await latestCode(number));
    await page.locator('[data-test=login-phone]').click();
    await page.waitForURL(/\/m\/report/);
  });

  await step(session, 'report with a photo and a point', async () => {
    await page.locator('[data-test=category-sanitation]').click();
    await page.getByPlaceholder('请描述问题（至少 2 个字）').fill(description);
    await page.locator('.photos input[type=file]').first().setInputFiles({ name: 'hallway.png', mimeType: 'image/png', buffer: PNG });
    await page.locator('.van-uploader__preview').first().waitFor();
    await page.getByRole('button', { name: '使用当前定位' }).click();
    await page.locator('[data-test=point]').waitFor();
    // a tap on the map picks the point under the finger (here: the middle, where the GPS put the map)
    await page.locator('[data-test=map] canvas').click();
    await page.locator('[data-test=submit]:not([disabled])').click();
    const anyway = page.locator('[data-test=report-anyway]');
    const dialog = page.locator('.van-dialog__confirm');
    await Promise.race([anyway.waitFor({ state: 'visible' }), dialog.waitFor({ state: 'visible' })]);
    if (await anyway.isVisible()) await anyway.click();
    await page.getByText('上报成功').waitFor();
    await dialog.click();
    await page.waitForURL(/\/m\/cases\//);
    await page.getByText(description).waitFor();
  });

  await step(session, 'see it in 我的上报 with its timeline', async () => {
    await page.locator('.van-tabbar-item', { hasText: '我的上报' }).click();
    await page.waitForURL(/\/m\/mine/);
    const item = page.locator('[data-test=my-case]', { hasText: description });
    await item.waitFor();
    await item.click();
    await page.locator('.van-step', { hasText: '上报' }).first().waitFor();
    assert.ok(await page.locator('.thumbs img').count() >= 1, 'the photo is shown');
  });
});
