// The organisation network in the browser: a street's organisation worker browses the tree, sees a
// community's subtree and its statistics, founds and abolishes a party group, and opens a member file
// whose ID number is masked until revealed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { openBrowser, step, type Session } from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { assertText, login, rowsWith, tableLoaded, waitForText } from '../support/ui.ts';

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

interface TreeNode { id: string; name: string; kind: string; hasChildren: boolean }
interface Stats { orgs: { total: number }; members: { total: number } }

/** The API as the logged-in browser user (same cookies). */
async function api<T>(page: Page, path: string): Promise<T> {
  const res = await page.request.get(path);
  assert.equal(res.status(), 200, `GET ${path}: ${res.status()}`);
  return (await res.json()) as T;
}

function treeNode(page: Page, name: string) {
  return page.getByTestId('org-tree').locator('.el-tree-node__content', { hasText: name }).first();
}

test('guiyuan browses the organisation tree, changes a branch and opens a member file', { timeout: 120_000 }, async () => {
  const { page } = s;
  let community: TreeNode | undefined;

  await step(s, 'open-tree', async () => {
    await login(page, 'guiyuan');
    await page.getByTestId('menu-orgs').click();
    await page.waitForURL('**/orgs');
    const [root] = await api<TreeNode[]>(page, '/api/orgs/tree');
    assert.ok(root, 'guiyuan has a scope root');
    await assertText(page.getByTestId('org-current-name'), root.name);
    const children = await api<TreeNode[]>(page, `/api/orgs/tree?parentId=${root.id}`);
    community = children.find((c) => c.hasChildren && c.name.includes('社区'));
    assert.ok(community, 'the street has a community committee with children');
    await treeNode(page, root.name).locator('.el-tree-node__expand-icon').click();
    await treeNode(page, community.name).click();
    await assertText(page.getByTestId('org-current-name'), community.name);
  });

  await step(s, 'subtree-and-stats', async () => {
    assert.ok(community);
    const stats = await api<Stats>(page, `/api/orgs/${community.id}/stats`);
    assert.ok(stats.members.total > 0);
    await assertText(page.getByTestId('org-stat-members'), String(stats.members.total));
    await assertText(page.getByTestId('org-stat-orgs'), String(stats.orgs.total));
    await tableLoaded(page, 'orgs-table');
    const branches = await api<TreeNode[]>(page, `/api/orgs/tree?parentId=${community.id}`);
    assert.ok(branches.length > 0);
    for (const b of branches.slice(0, 3)) await rowsWith(page, 'orgs-table', b.name).first().waitFor();
    const first = await page.getByTestId('orgs-table').locator('.el-table__body-wrapper tr.el-table__row').first().innerText();
    assert.match(first, new RegExp(community.name));
  });

  const groupName = `测试党小组${Date.now().toString(36).slice(-5)}`;
  await step(s, 'found-party-group', async () => {
    assert.ok(community);
    const branches = await api<TreeNode[]>(page, `/api/orgs/tree?parentId=${community.id}`);
    const branch = branches.find((b) => b.kind === 'branch');
    assert.ok(branch, 'the community has a branch');
    await rowsWith(page, 'orgs-table', branch.name).first().getByTestId('org-found').click();
    await page.getByTestId('org-form-name').fill(groupName);
    await page.getByTestId('org-form-submit').click();
    await page.locator('.el-message--success', { hasText: `已成立“${groupName}”` }).waitFor();
    await page.getByTestId('orgs-filter-q').fill(groupName);
    await page.getByTestId('orgs-search').click();
    await tableLoaded(page, 'orgs-table');
    const row = rowsWith(page, 'orgs-table', groupName);
    await row.waitFor();
    assert.match(await row.innerText(), /党小组/);
  });

  await step(s, 'abolish-party-group', async () => {
    const row = rowsWith(page, 'orgs-table', groupName);
    await row.getByTestId('org-more').click();
    await page.locator('.el-dropdown-menu:visible [data-testid=org-abolish]').click();
    await page.getByTestId('org-abolish-reason').fill('浏览器测试：撤销测试用党小组');
    await page.getByTestId('org-abolish-submit').click();
    await page.locator('.el-message-box__btns .el-button--primary').click();
    await page.locator('.el-message--success', { hasText: `已撤销“${groupName}”` }).waitFor();
    await rowsWith(page, 'orgs-table', groupName).waitFor({ state: 'detached' });
  });

  await step(s, 'member-file', async () => {
    assert.ok(community);
    await page.getByTestId('org-current-detail').click();
    await page.waitForURL(`**/orgs/${community.id}`);
    await assertText(page.getByTestId('org-detail-name'), community.name);
    await page.getByTestId('org-detail-tabs').getByRole('tab', { name: '党员' }).click();
    await tableLoaded(page, 'org-members-table');
    const link = page.getByTestId('org-members-table').getByTestId('member-open').first();
    const name = (await link.innerText()).trim();
    await link.click();
    await page.waitForURL(/\/members\/\d+$/);
    await assertText(page.getByTestId('member-file-name'), name);
    const id = page.getByTestId('member-id-number');
    const masked = (await id.innerText()).trim();
    assert.match(masked, /^\d{3}\*+\d{3}[\dX]$/, `masked ID: ${masked}`);
    await page.getByTestId('member-id-number-reveal').click();
    const full = await waitForText(id, (t) => !t.includes('*'), 'the full ID number');
    assert.match(full, /^\d{17}[\dX]$/, `full ID: ${full}`);
    assert.equal(full.slice(0, 3), masked.slice(0, 3));
    assert.equal(full.slice(-4), masked.slice(-4));
  });
});
