// Whistle and report in the browser: a grid worker's case (created through the API) is filed and
// dispatched by the Guiyuan street command centre on the case page; after the grid and the community
// escalate it (API), the command centre whistles 城管 and 应急 as an emergency; the 城管 handler reports
// from the department inbox; the case page shows the whistles and the timeline.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openBrowser, step, type Session } from '../support/browser.ts';
import { DEMO_PASSWORD, startServer, type RunningServer } from '../support/server.ts';
import { assertText, login, logout, rowsWith, tableLoaded, waitForCount, waitForText } from '../support/ui.ts';

let server: RunningServer;
let s: Session;

before(async () => {
  server = await startServer();
  s = await openBrowser(server.url);
}, { timeout: 150_000 });

after(async () => {
  await s?.close();
  await server?.stop();
});

/** A bearer token for a demo account (POST /api/auth/token). */
async function token(username: string): Promise<string> {
  const res = await fetch(`${server.url}/api/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
  assert.equal(res.status, 200, `token for ${username}: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

async function call<T>(bearer: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

interface PlaceRow { id: string; name: string }
interface Place { id: string; name: string; bbox: number[] | null }

test('the street whistles 城管 and 应急, the department reports from its inbox', { timeout: 180_000 }, async () => {
  const { page } = s;
  const grid = await token('gy_grid');
  const command = await token('gy_command');
  const community = await token('lw_community');

  // A point inside a grid of 老围社区: the middle of the grid's bounding box.
  const grids = await call<{ items: PlaceRow[] }>(command, 'GET', '/api/places?kind=grid&q=%E8%80%81%E5%9B%B4%E7%A4%BE%E5%8C%BA&pageSize=50');
  const gridRow = grids.items.find((p) => p.name.startsWith('老围社区'));
  assert.ok(gridRow, 'a grid of 老围社区');
  const place = await call<Place>(command, 'GET', `/api/places/${gridRow.id}`);
  assert.ok(place.bbox && place.bbox.length === 4, 'the grid has a boundary');
  const [minX, minY, maxX, maxY] = place.bbox as [number, number, number, number];
  const created = await call<{ id: string; number: string; grid: { name: string } }>(grid, 'POST', '/api/cases', {
    categoryCode: 'sanitation', description: '楼道堆放杂物，堵塞消防通道（浏览器测试）', lng: (minX + maxX) / 2, lat: (minY + maxY) / 2, address: '老围新村 3 栋', source: 'grid_worker',
  });
  assert.equal(created.grid.name, gridRow.name);

  await step(s, 'file-and-dispatch', async () => {
    await login(page, 'gy_command');
    await page.getByTestId('menu-cases').click();
    await page.waitForURL('**/cases');
    await tableLoaded(page, 'case-list-table');
    const row = rowsWith(page, 'case-list-table', created.number);
    await waitForCount(row, 1);
    await assertText(row, '受理');
    await row.getByTestId('case-open').click();
    await page.waitForURL(`**/cases/${created.id}`);
    await assertText(page.getByTestId('case-number'), created.number);

    await page.getByTestId('case-action-file').click();
    await page.getByTestId('case-action-note').fill('核实属实，立案');
    await page.getByTestId('case-action-submit').click();
    await page.getByTestId('case-action-dispatch').waitFor();
    await assertText(page.getByTestId('case-header'), '立案');

    await page.getByTestId('case-action-dispatch').click();
    await page.getByTestId('case-action-submit').click();
    await page.getByTestId('case-countdown').waitFor();
    await assertText(page.getByTestId('case-header'), '派遣');
  });

  // The grid and the community cannot solve it: up to the street.
  await call(grid, 'POST', `/api/cases/${created.id}/escalate`, { note: '网格无法处置，上报社区' });
  await call(community, 'POST', `/api/cases/${created.id}/escalate`, { note: '涉及多个部门，上报街道吹哨' });

  await step(s, 'whistle', async () => {
    await page.reload();
    await assertText(page.getByTestId('case-header'), '街道');
    await page.getByTestId('case-action-whistle').click();
    const deps = page.getByTestId('whistle-departments');
    await deps.waitFor();
    // The routing table proposes all four departments of Guiyuan for sanitation in 老围社区: keep 城管 and 应急.
    const checked = deps.locator('.el-checkbox.is-checked');
    await waitForCount(checked, 4);
    await deps.locator('.el-checkbox', { hasText: '派出所' }).click();
    await deps.locator('.el-checkbox', { hasText: '消防救援站' }).click();
    await waitForCount(checked, 2);
    await assertText(checked.nth(0), '城管');
    await assertText(checked.nth(1), '应急');
    await page.getByTestId('whistle-kind-emergency').click();
    await page.getByTestId('case-action-note').fill('楼道堆物堵塞消防通道，请城管、应急立即到场');
    await page.getByTestId('whistle-submit').click();
    await page.getByTestId('case-action-dialog').waitFor({ state: 'hidden' });
    const whistles = page.getByTestId('case-whistles').locator('.el-table__body-wrapper tr.el-table__row');
    await waitForCount(whistles, 2);
    await assertText(page.getByTestId('case-whistles'), '应急吹哨');
    await assertText(page.getByTestId('case-header'), '处置中');
  });

  await step(s, 'department-reports', async () => {
    await logout(page);
    await login(page, 'dept_cg');
    await page.getByTestId('menu-case-inbox').click();
    await page.waitForURL('**/cases/inbox');
    const row = rowsWith(page, 'inbox-report-table', created.number);
    await waitForCount(row, 1);
    await assertText(row, '应急吹哨');
    await waitForText(row.getByTestId('inbox-countdown'), (t) => t.startsWith('剩余') || t.startsWith('超时'), 'a countdown');
    await row.getByTestId('inbox-report').click();
    await page.getByTestId('case-action-note').fill('城管执法队已到场');
    await page.getByTestId('case-action-submit').click();
    await waitForCount(rowsWith(page, 'inbox-report-table', created.number), 0);
    await waitForCount(rowsWith(page, 'inbox-result-table', created.number), 1);
  });

  await step(s, 'timeline', async () => {
    await rowsWith(page, 'inbox-result-table', created.number).locator('a', { hasText: created.number }).click();
    await page.waitForURL(`**/cases/${created.id}`);
    const timeline = page.getByTestId('case-timeline');
    for (const label of ['上报', '立案', '派遣', '上报上级', '吹哨', '部门报到']) await assertText(timeline, label);
    await assertText(timeline, '城管执法队已到场');
    await page.getByTestId('case-action-department-result').waitFor();
    const reported = rowsWith(page, 'case-whistles', '城管');
    await waitForText(reported, (t) => !t.includes('未报到'), 'the 城管 whistle reported');
  });
});
