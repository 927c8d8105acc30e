// The platform's browser test: a system administrator creates an account through the console, and the
// audit administrator finds that action in the audit log and verifies the hash chain.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openBrowser, step, type Session } from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { assertText, chooseOption, login, logout, rowsWith, tableLoaded, waitForCount } from '../support/ui.ts';

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

test('sysadmin creates an account; auditor finds it in the audit log and verifies the chain', { timeout: 120_000 }, async () => {
  const { page } = s;
  const username = `e2e${Date.now().toString(36)}`;
  const displayName = `测试账号${username.slice(-4)}`;
  const password = 'E2e-Test#2026';
  let scopeName = '';

  await step(s, 'sysadmin-login', async () => {
    await login(page, 'sysadmin');
    await page.getByTestId('menu-accounts').click();
    await page.waitForURL('**/system/accounts');
    await tableLoaded(page, 'accounts-table');
  });

  await step(s, 'create-account', async () => {
    await page.getByTestId('accounts-create').click();
    await page.getByTestId('account-form-username').fill(username);
    await page.getByTestId('account-form-displayName').fill(displayName);
    await page.getByTestId('account-form-password').fill(password);
    // a data scope: the first organisation the administrator may grant
    const firstOrg = page.getByTestId('scope-tree-org').locator('.el-tree-node').first();
    scopeName = (await firstOrg.locator('.node > span').first().innerText()).trim();
    assert.ok(scopeName, 'the organisation tree shows a node');
    await firstOrg.locator('.el-checkbox').first().click();
    await assertText(page.getByTestId('scope-selected'), scopeName);
    await page.getByTestId('account-form-submit').click();
    await page.locator('.el-message--success', { hasText: username }).waitFor();
  });

  await step(s, 'new-row', async () => {
    const row = rowsWith(page, 'accounts-table', username);
    await row.waitFor();
    const text = await row.innerText();
    assert.match(text, new RegExp(displayName));
    assert.match(text, new RegExp(scopeName));
    // the search finds exactly this account
    await page.getByTestId('accounts-filter-q').fill(username);
    await page.getByTestId('accounts-search').click();
    await tableLoaded(page, 'accounts-table');
    await waitForCount(page.getByTestId('accounts-table').locator('.el-table__body-wrapper tr.el-table__row'), 1);
    assert.match(await rowsWith(page, 'accounts-table', username).innerText(), new RegExp(displayName));
  });

  await step(s, 'sysadmin-logout', () => logout(page));

  await step(s, 'auditor-search', async () => {
    await login(page, 'auditor');
    await page.getByTestId('menu-audit').click();
    await page.waitForURL('**/audit/logs');
    await page.getByTestId('audit-filter-actor').fill('sysadmin');
    await chooseOption(page, 'audit-filter-action', 'account.create', '新增账号');
    await page.getByTestId('audit-search').click();
    await tableLoaded(page, 'audit-table');
    const row = rowsWith(page, 'audit-table', username);
    await row.waitFor();
    const text = await row.innerText();
    assert.match(text, /sysadmin/);
    assert.match(text, /新增账号/);
    // every row of the filtered list is an account creation by sysadmin
    const all = await page.getByTestId('audit-table').locator('.el-table__body-wrapper tr.el-table__row').allInnerTexts();
    assert.ok(all.length >= 1);
    for (const r of all) assert.match(r, /sysadmin[\s\S]*新增账号/);
  });

  await step(s, 'auditor-detail', async () => {
    await rowsWith(page, 'audit-table', username).getByTestId('audit-detail-open').click();
    const detail = page.getByTestId('audit-detail');
    await detail.waitFor();
    await assertText(detail, username);
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'hidden' });
  });

  await step(s, 'verify-chain', async () => {
    await page.getByTestId('audit-verify').click();
    const result = page.getByTestId('audit-verify-result');
    await result.waitFor();
    assert.match(await result.getAttribute('class') ?? '', /el-alert--success/);
    assert.match(await result.innerText(), /哈希链完整：已校验 \d+ 条记录/);
  });
});

test('the console, its map and charts, the API docs and the mobile pages keep to the content security policy', { timeout: 120_000 }, async () => {
  const { page, context } = s;
  const violations: string[] = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
  // also what the page itself reports (a blocked worker or style may not reach the console)
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  await step(s, 'csp-header', async () => {
    await context.clearCookies(); // the test before ends logged in
    const res = await page.goto('/login');
    const csp = res?.headers()['content-security-policy'] ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /worker-src 'self' blob:/);
  });
  await step(s, 'csp-case-map', async () => {
    await login(page, 'gy_command');
    await page.goto('/cases');
    await tableLoaded(page, 'case-list-table');
    await page.locator('#tab-map').click();
    await page.getByTestId('case-map').locator('canvas.maplibregl-canvas').waitFor();
    // the map's worker loads the case points: wait until the style has loaded them
    await page.waitForFunction(() => !!document.querySelector('[data-testid="case-map"] canvas')?.getAttribute('width'));
  });
  await step(s, 'csp-charts', async () => {
    // the organisation statistics chart of guiyuan's street
    await context.clearCookies();
    await login(page, 'guiyuan');
    await page.goto('/orgs');
    await page.getByTestId('org-current-name').waitFor();
    await page.locator('canvas').first().waitFor();
  });
  await step(s, 'csp-api-docs', async () => {
    await page.goto('/api/docs');
    await page.locator('.swagger-ui .opblock').first().waitFor();
  });
  await step(s, 'csp-mobile', async () => {
    await page.goto('/m/');
    await page.locator('#app *').first().waitFor();
    await page.waitForTimeout(500);
  });
  assert.deepEqual(violations, []);
});
