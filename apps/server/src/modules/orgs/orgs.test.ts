import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIds, setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { bruteForceCounts } from './org-counts.js';
import { testIdNumber } from '../members/members.fixtures.js';

let env: TestEnv;
let ids: Awaited<ReturnType<typeof demoIds>>;
let cookie: string;
beforeAll(async () => {
  env = await setupTestEnv();
  ids = await demoIds(env.database);
  cookie = await env.login('guiyuan');
});
afterAll(() => env.close());

const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object, c = cookie) => env.app.inject({ method, url, headers: { cookie: c }, payload });
const GUIYUAN = () => ids.orgs['中共深圳市罗湖区桂园街道工作委员会']!;
const LAOWEI = () => ids.orgs['中共桂园街道老围社区委员会']!;
const XINWEI = () => ids.orgs['中共桂园街道新围社区委员会']!;

async function expectCountsConsistent() {
  const brute = new Map((await bruteForceCounts(env.database.db)).map((r) => [`${r.org_id}|${r.dim}|${r.key}`, r.n]));
  const kept = await env.database.db.selectFrom('org_counts').selectAll().where('n', '!=', 0).execute();
  const keptMap = new Map(kept.map((r) => [`${r.org_id}|${r.dim}|${r.key}`, r.n]));
  expect(Object.fromEntries(keptMap)).toEqual(Object.fromEntries(brute));
}

const audited = async (action: string, targetId: string) =>
  env.database.db.selectFrom('audit_log').selectAll().where('action', '=', action).where('target_id', '=', targetId).orderBy('seq', 'desc').executeTakeFirst();

describe('organisations', () => {
  let branchId: string;

  it('founds a branch under a community committee, with history, audit and counts', async () => {
    const res = await call('POST', '/api/orgs', { parentId: LAOWEI(), kind: 'branch', domain: 'compound', name: '老围社区第一网格党支部', termStartedOn: '2024-03-01', termYears: 3, foundedOn: '2024-03-01' });
    expect(res.statusCode).toBe(201);
    branchId = res.json().id;
    const detail = await call('GET', `/api/orgs/${branchId}`);
    expect(detail.json()).toMatchObject({ kind: 'branch', status: 'active', termEndsOn: '2027-03-01', path: [{}, {}, {}, { id: LAOWEI() }, { id: branchId }] });
    const stats = await call('GET', `/api/orgs/${GUIYUAN()}/stats`);
    expect(stats.json().orgs.byKind.branch).toBe(1);
    expect(stats.json().orgs.byDomain.compound).toBe(1);
    expect((await call('GET', `/api/orgs/${branchId}/history`)).json()[0]).toMatchObject({ action: 'found', toParent: { id: LAOWEI() }, actor: 'guiyuan' });
    expect(await audited('org.found', branchId)).toMatchObject({ result: 'ok', actor_name: 'guiyuan' });
    await expectCountsConsistent();
  });

  it('refuses kinds that may not sit under the parent, and changes nothing', async () => {
    const before = await env.database.db.selectFrom('orgs').select('id').execute();
    const res = await call('POST', '/api/orgs', { parentId: branchId, kind: 'branch', name: '支部下的支部' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'ORG_KIND_NOT_ALLOWED', params: { parentKind: '党支部', kind: '党支部' } });
    const en = await env.app.inject({ method: 'POST', url: '/api/orgs', headers: { cookie, 'accept-language': 'en' }, payload: { parentId: branchId, kind: 'branch', name: '支部下的支部' } });
    expect(en.json().error.message).toBe('A Branch cannot be placed under a Branch');
    expect((await call('POST', '/api/orgs', { parentId: branchId, kind: 'party_group', name: '第一党小组' })).statusCode).toBe(201);
    expect((await env.database.db.selectFrom('orgs').select('id').execute()).length).toBe(before.length + 1);
  });

  it('refuses to move an organisation under its own descendant', async () => {
    const group = (await call('GET', `/api/orgs?parentId=${branchId}&kind=party_group`)).json().items[0];
    for (const target of [group.id, branchId]) {
      const res = await call('POST', `/api/orgs/${branchId}/move`, { parentId: target });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('ORG_MOVE_INTO_DESCENDANT');
    }
    const community = await call('POST', `/api/orgs/${LAOWEI()}/move`, { parentId: branchId });
    expect(community.json().error.code).toBe('ORG_MOVE_INTO_DESCENDANT');
    expect((await call('GET', `/api/orgs/${branchId}`)).json().parentId).toBe(LAOWEI());
  });

  it('moves a subtree: the closure table, the path and the counts follow', async () => {
    const res = await call('POST', `/api/orgs/${branchId}/move`, { parentId: XINWEI(), reason: '网格调整' });
    expect(res.statusCode).toBe(204);
    const detail = (await call('GET', `/api/orgs/${branchId}`)).json();
    expect(detail.parentId).toBe(XINWEI());
    expect(detail.path.map((p: { id: string }) => p.id)).toContain(XINWEI());
    expect((await call('GET', `/api/orgs/${XINWEI()}/stats`)).json().orgs.total).toBe(3);
    expect((await call('GET', `/api/orgs/${LAOWEI()}/stats`)).json().orgs.total).toBe(1);
    const subtree = (await call('GET', `/api/orgs?parentId=${XINWEI()}&pageSize=50`)).json();
    expect(subtree.total).toBe(3);
    expect((await call('GET', `/api/orgs/${branchId}/history`)).json()[0]).toMatchObject({ action: 'move', fromParent: { id: LAOWEI() }, toParent: { id: XINWEI() } });
    await expectCountsConsistent();
  });

  it('refuses a move into another street’s tree (404: outside the scope)', async () => {
    const res = await call('POST', `/api/orgs/${branchId}/move`, { parentId: ids.orgs['中共东晓街道绿景社区委员会'] });
    expect(res.statusCode).toBe(404);
  });

  it('keeps the committee with roles and terms, one sitting secretary', async () => {
    const add = (role: string, name: string) => call('POST', `/api/orgs/${branchId}/committee`, { name, role, termStart: '2024-03-01' });
    expect((await add('secretary', '张秀英')).statusCode).toBe(201);
    expect((await add('secretary', '李明')).json().error.code).toBe('SECRETARY_SITTING');
    expect((await add('organisation', '李明')).statusCode).toBe(201);
    const committee = (await call('GET', `/api/orgs/${branchId}/committee`)).json();
    expect(committee).toEqual([
      expect.objectContaining({ name: '张秀英', role: 'secretary', termEnd: '2027-03-01' }),
      expect.objectContaining({ name: '李明', role: 'organisation' }),
    ]);
    expect((await call('POST', `/api/orgs/committee/${committee[0].id}/end`, { endedOn: '2025-01-01' })).statusCode).toBe(204);
    expect((await call('GET', `/api/orgs/${branchId}/committee`)).json()).toHaveLength(1);
    expect((await call('GET', `/api/orgs/${branchId}/committee?all=1`)).json()).toHaveLength(2);
  });

  it('refuses to abolish while sub-organisations remain, naming them; then abolishes', async () => {
    const res = await call('POST', `/api/orgs/${branchId}/abolish`, { reason: '撤并' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'ORG_HAS_CHILDREN', params: { count: 1, names: '第一党小组' } });
    const group = (await call('GET', `/api/orgs?parentId=${branchId}&kind=party_group`)).json().items[0];
    expect((await call('POST', `/api/orgs/${group.id}/abolish`, { reason: '撤并', on: '2026-06-30' })).statusCode).toBe(204);
    expect((await call('GET', `/api/orgs/${group.id}`)).json()).toMatchObject({ status: 'abolished', abolishedOn: '2026-06-30' });
    expect(await audited('org.abolish', group.id)).toBeTruthy();
    await expectCountsConsistent();
  });

  it('merges one organisation into another: children move, the merged one is kept as merged', async () => {
    const a = (await call('POST', '/api/orgs', { parentId: XINWEI(), kind: 'general_branch', name: '新围社区党总支' })).json().id;
    const b = (await call('POST', '/api/orgs', { parentId: XINWEI(), kind: 'general_branch', name: '新围社区第二党总支' })).json().id;
    const child = (await call('POST', '/api/orgs', { parentId: b, kind: 'branch', name: '新围社区楼栋党支部' })).json().id;
    const res = await call('POST', `/api/orgs/${b}/merge`, { intoId: a, reason: '合并' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ children: 1 });
    expect((await call('GET', `/api/orgs/${child}`)).json().parentId).toBe(a);
    expect((await call('GET', `/api/orgs/${b}`)).json()).toMatchObject({ status: 'merged', mergedInto: { id: a, name: '新围社区党总支' } });
    expect((await call('GET', `/api/orgs?status=merged`)).json().items.map((o: { id: string }) => o.id)).toContain(b);
    await expectCountsConsistent();
  });

  it('updates details with history and counts, and validates input', async () => {
    expect((await call('PATCH', `/api/orgs/${branchId}`, { name: '新围社区第一网格党支部', domain: 'grid' })).statusCode).toBe(204);
    const hist = (await call('GET', `/api/orgs/${branchId}/history`)).json()[0];
    expect(hist).toMatchObject({ action: 'update', details: { name: { from: '老围社区第一网格党支部', to: '新围社区第一网格党支部' }, domain: { from: 'compound', to: 'grid' } } });
    expect((await call('GET', `/api/orgs/${GUIYUAN()}/stats`)).json().orgs.byDomain).toMatchObject({ grid: 1 });
    await expectCountsConsistent();
    const bad = await call('PATCH', `/api/orgs/${branchId}`, { foundedOn: '2024-13-45x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields).toHaveProperty(['foundedOn']);
    const none = await call('PATCH', `/api/orgs/${branchId}`, { domain: 'no_such_domain' });
    expect(none.statusCode).toBe(400);
  });

  it('refuses to abolish an organisation with members, naming them, and changes nothing; a merge moves them', async () => {
    const branch = (await call('POST', '/api/orgs', { parentId: LAOWEI(), kind: 'branch', name: '待撤销党支部' })).json().id;
    const other = (await call('POST', '/api/orgs', { parentId: LAOWEI(), kind: 'branch', name: '接收党支部' })).json().id;
    for (const [i, name] of ['张建国', '李秀英'].entries()) {
      const m = await call('POST', '/api/members', { name, idNumber: testIdNumber(900 + i), status: 'full', joinedOn: '2010-07-01', fullOn: '2011-07-01', category: 'retired', orgId: branch });
      expect(m.statusCode, m.body).toBe(201);
    }
    const res = await call('POST', `/api/orgs/${branch}/abolish`, { reason: '撤并' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'ORG_HAS_MEMBERS', params: { count: 2, names: '张建国、李秀英' } });
    expect(res.json().error.message).toBe('该党组织仍有 2 名党员（张建国、李秀英），请先转出');
    expect((await call('GET', `/api/orgs/${branch}`)).json().status).toBe('active');
    const merged = await call('POST', `/api/orgs/${branch}/merge`, { intoId: other, reason: '合并' });
    expect(merged.json()).toMatchObject({ members: 2, children: 0 });
    expect((await call('GET', `/api/orgs/${other}/stats`)).json().own.members).toBe(2);
    const moves = await env.database.db.selectFrom('member_moves').select(['kind', 'to_org_id']).where('kind', '=', 'org_merged').execute();
    expect(moves.map((m) => String(m.to_org_id))).toEqual([other, other]);
    await expectCountsConsistent();
  });

  it('refuses writes to a branch secretary outside its organisation, and reads to the auditor', async () => {
    const kk = await env.login('kk100');
    expect((await call('POST', '/api/orgs', { parentId: LAOWEI(), kind: 'branch', name: '越权成立的支部' }, kk)).statusCode).toBe(403);
    const aud = await env.login('auditor');
    expect((await call('GET', `/api/orgs/${LAOWEI()}/stats`, undefined, aud)).statusCode).toBe(403);
  });
});

describe('organisation codes', () => {
  it('refuses a code already in use, naming it on the field, and founds nothing', async () => {
    const first = await call('POST', '/api/orgs', { parentId: LAOWEI(), kind: 'branch', name: '老围社区编码测试支部', code: 'LW-CODE-1' });
    expect(first.statusCode).toBe(201);
    const before = await env.database.db.selectFrom('orgs').select('id').execute();
    const res = await call('POST', '/api/orgs', { parentId: LAOWEI(), kind: 'branch', name: '另一个支部', code: 'LW-CODE-1' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'CODE_TAKEN', params: { code: 'LW-CODE-1' }, fields: { code: '编码 LW-CODE-1 已被使用' }, message: '编码 LW-CODE-1 已被使用' });
    expect(await env.database.db.selectFrom('orgs').select('id').execute()).toHaveLength(before.length);
    expect((await call('POST', `/api/orgs/${first.json().id}/abolish`, { reason: '测试完毕' })).statusCode).toBe(204);
  });
});
