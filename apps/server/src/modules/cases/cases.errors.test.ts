import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { caseHelpers } from './cases.fixtures.js';

// Bad input and refusals: each a clear error with a stable code, nothing changed, refusals audited.

let env: TestEnv;
let h: ReturnType<typeof caseHelpers>;
beforeAll(async () => {
  env = await setupTestEnv();
  h = caseHelpers(env);
});
afterAll(() => env.close());

const counts = async () => {
  const db = env.database.db;
  const n = async (t: 'cases' | 'case_events' | 'case_whistles' | 'case_deadlines') => Number((await db.selectFrom(t).select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { cases: await n('cases'), events: await n('case_events'), whistles: await n('case_whistles'), deadlines: await n('case_deadlines') };
};

describe('intake errors', () => {
  it('refuses a point outside every grid, with the point in the message, and creates nothing', async () => {
    const before = await counts();
    const res = await h.call('gy_grid', 'POST', '/api/cases', { categoryCode: 'sanitation', description: '海上漂浮物', lng: 114.0, lat: 22.0, source: 'grid_worker' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'CASE_OUTSIDE_GRIDS', params: { lng: 114, lat: 22 } });
    expect(res.json().error.message).toContain('不在任何网格内');
    const en = await env.app.inject({ method: 'POST', url: '/api/cases', headers: { cookie: await h.cookieOf('gy_grid'), 'accept-language': 'en' }, payload: { categoryCode: 'sanitation', description: 'x-ray', lng: 114.0, lat: 22.0 } });
    expect(en.json().error.message).toBe('The point (114, 22) lies outside every grid; pick the location again');
    expect(await counts()).toEqual(before);
  });

  it('refuses a category that does not exist, and creates nothing', async () => {
    const before = await counts();
    const at = await h.centreOf('老围第1网格');
    const res = await h.call('gy_grid', 'POST', '/api/cases', { categoryCode: 'ufo_sighting', description: '不明飞行物', ...at });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'CASE_CATEGORY_UNKNOWN', params: { code: 'ufo_sighting' }, fields: { categoryCode: expect.any(String) } });
    const dup = await h.call('gy_grid', 'GET', `/api/cases/duplicates?category=ufo_sighting&lng=${at.lng}&lat=${at.lat}`);
    expect(dup.json().error.code).toBe('CASE_CATEGORY_UNKNOWN');
    expect(await counts()).toEqual(before);
  });

  it('refuses reports from accounts without cases:report and sources reserved for systems', async () => {
    const at = await h.centreOf('老围第1网格');
    expect((await h.call('dept_cg', 'POST', '/api/cases', { categoryCode: 'sanitation', description: '楼道堆物', ...at })).statusCode).toBe(403);
    const iot = await h.call('gy_grid', 'POST', '/api/cases', { categoryCode: 'sanitation', description: '楼道堆物', ...at, source: 'iot' });
    expect(iot.json().error.code).toBe('VALIDATION_FAILED');
  });
});

describe('attachments', () => {
  it('accepts only photos the caller uploaded, and creates nothing otherwise', async () => {
    const theirs = await h.photo('gy_command');
    const at = await h.centreOf('老围第1网格');
    const before = (await env.database.db.selectFrom('cases').select('id').execute()).length;
    for (const attachments of [[theirs], ['photo-that-does-not-exist']]) {
      const res = await h.call('gy_grid', 'POST', '/api/cases', { categoryCode: 'sanitation', description: '借用他人照片', lng: at.lng, lat: at.lat, source: 'grid_worker', attachments });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.code).toBe('FILE_ATTACHMENT_UNKNOWN');
    }
    expect((await env.database.db.selectFrom('cases').select('id').execute()).length).toBe(before);
    const mine = await h.photo('gy_grid');
    expect((await h.call('gy_grid', 'POST', '/api/cases', { categoryCode: 'sanitation', description: '自己的照片', lng: at.lng, lat: at.lat, source: 'grid_worker', attachments: [mine] })).statusCode).toBe(201);
  });
});

describe('workflow refusals', () => {
  let id: string;
  beforeAll(async () => {
    id = await h.dispatchedCase();
    await h.expectOk(await h.call('gy_grid', 'POST', `/api/cases/${id}/escalate`, { note: '上报社区' }));
  });

  it('a state that does not allow the step answers CASE_ACTION_NOT_ALLOWED in words', async () => {
    const res = await h.call('gy_command', 'POST', `/api/cases/${id}/file`, {});
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'CASE_ACTION_NOT_ALLOWED', params: { state: '派遣', action: '立案' } });
  });

  it('a whistle by a unit without the permission is refused (403, audited) and nothing changes', async () => {
    const before = await counts();
    const deniedBefore = (await h.audits(id, 'denied')).length;
    const res = await h.call('gy_grid', 'POST', `/api/cases/${id}/whistle`, { kind: 'daily', departmentIds: [await h.departmentId('GY-CG')], note: '吹哨' });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('FORBIDDEN');
    expect(await counts()).toEqual(before);
    const denied = await h.audits(id, 'denied');
    expect(denied.slice(deniedBefore)).toEqual([{ action: 'access.denied', actor_name: 'gy_grid', reason: 'permission: cases:whistle' }]);
  });

  it('the community may not whistle unless the rule set allows it', async () => {
    const before = await counts();
    const res = await h.call('lw_community', 'POST', `/api/cases/${id}/whistle`, { kind: 'daily', departmentIds: [await h.departmentId('GY-CG')], note: '吹哨' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'CASE_WHISTLE_LEVEL', params: { community: '', level: '社区' } });
    expect(await counts()).toEqual(before);
    expect(await h.caseRow(id)).toMatchObject({ state: 'dispatched', level: 'community' });
  });

  it('another street’s command centre does not see the case at all (404, audited)', async () => {
    expect((await h.call('dx_command', 'GET', `/api/cases/${id}`)).statusCode).toBe(404);
    expect((await h.call('dx_command', 'POST', `/api/cases/${id}/escalate`, { note: 'x' })).statusCode).toBe(404);
    expect((await h.call('dx_command', 'GET', '/api/cases')).json().total).toBe(0);
    expect((await h.audits(id, 'denied')).filter((a) => a.actor_name === 'dx_command')).toHaveLength(2);
  });

  it('a department cannot whistle someone working elsewhere, or twice while the first is open', async () => {
    await h.expectOk(await h.call('lw_community', 'POST', `/api/cases/${id}/escalate`, { note: '上报街道' }));
    const dongxiao = await h.call('gy_command', 'POST', `/api/cases/${id}/whistle`, { kind: 'daily', departmentIds: [await h.departmentId('DX-CG')], note: '吹哨' });
    expect(dongxiao.json().error).toMatchObject({ code: 'CASE_DEPARTMENT_OUT_OF_AREA', params: { name: '东晓街道城管执法队' } });
    const unknown = await h.call('gy_command', 'POST', `/api/cases/${id}/whistle`, { kind: 'daily', departmentIds: ['987654'], note: '吹哨' });
    expect(unknown.json().error.code).toBe('CASE_DEPARTMENT_UNKNOWN');
    // a district bureau serves every street
    await h.expectOk(await h.call('gy_command', 'POST', `/api/cases/${id}/whistle`, { kind: 'daily', departmentIds: [await h.departmentId('GY-CG'), await h.departmentId('LH-SW')], note: '吹哨' }), 201);
    const twice = await h.call('gy_command', 'POST', `/api/cases/${id}/whistle`, { kind: 'hard', departmentIds: [await h.departmentId('GY-CG')], note: '再吹哨' });
    expect(twice.json().error).toMatchObject({ code: 'CASE_DEPARTMENT_ALREADY_WHISTLED', params: { name: '桂园街道城管执法队' } });
  });

  it('a card by hand only goes up: the same card again is refused in words, and nothing changes', async () => {
    await h.expectOk(await h.call('gy_supervise', 'POST', `/api/cases/${id}/card`, { card: 'yellow', note: '逾期未处置' }));
    const before = await counts();
    const refusedCard = async (card: 'yellow' | 'red') => {
      const res = await h.call('gy_supervise', 'POST', `/api/cases/${id}/card`, { card, note: '再次督办' });
      expect(res.statusCode).toBe(409);
      expect(res.json().error).toMatchObject({ code: 'CASE_CARD_NOT_HIGHER', message: '督办牌只能升级（无 → 黄牌 → 红牌），不能降级或重复' });
    };
    await refusedCard('yellow');
    expect(await counts()).toEqual(before);
    await h.expectOk(await h.call('gy_supervise', 'POST', `/api/cases/${id}/card`, { card: 'red', note: '仍未处置' }));
    await refusedCard('yellow');
    await refusedCard('red');
    expect(await h.caseRow(id)).toMatchObject({ card: 'red' });
    const after = await counts();
    expect(after).toEqual({ ...before, events: before.events + 1 });
  });

  it('a department reporting on a case it was not whistled for gets CASE_NOT_WHISTLED and nothing changes', async () => {
    const before = await counts();
    const res = await h.call('dept_xf', 'POST', `/api/cases/${id}/department/report`, { note: '报到' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('CASE_NOT_WHISTLED');
    const missing = await h.call('dept_xf', 'POST', '/api/cases/999999/department/report', { note: '报到' });
    expect(missing.json().error.code).toBe('CASE_NOT_WHISTLED');
    expect((await h.call('dept_xf', 'GET', `/api/cases/${id}`)).statusCode).toBe(404);
    expect(await counts()).toEqual(before);
    const w = await env.database.db.selectFrom('case_whistles').selectAll().where('case_id', '=', id).execute();
    expect(w.every((x) => x.reported_at === null)).toBe(true);
    expect((await h.audits(id, 'denied')).some((a) => a.actor_name === 'dept_xf' && a.reason === 'not_whistled')).toBe(true);
    // a department handler acting for another department is refused too
    const other = await h.call('dept_xf', 'POST', `/api/cases/${id}/department/report`, { note: '报到', departmentId: await h.departmentId('GY-CG') });
    expect(other.json().error.code).toBe('CASE_NOT_DEPARTMENT_STAFF');
  });
});

describe('rating and reopening', () => {
  let id: string;
  beforeAll(async () => {
    id = await h.dispatchedCase({ offset: 0.0004 });
    await h.expectOk(await h.call('gy_grid', 'POST', `/api/cases/${id}/accept`, {}));
    await h.expectOk(await h.call('gy_grid', 'POST', `/api/cases/${id}/handled`, { note: '网格员当场清理' }));
    await h.expectOk(await h.call('gy_supervise', 'POST', `/api/cases/${id}/verify`, { passed: true }));
  });

  it('only the reporter rates; a second rating is refused and the first stays', async () => {
    const stranger = await h.call('gy_command', 'POST', `/api/cases/${id}/rate`, { rating: 'satisfied' });
    expect(stranger.statusCode).toBe(403);
    expect(stranger.json().error.code).toBe('CASE_NOT_REPORTER');
    await h.expectOk(await h.call('gy_grid', 'POST', `/api/cases/${id}/rate`, { rating: 'dissatisfied', note: '楼道又堆满了' }));
    const before = await counts();
    const second = await h.call('gy_grid', 'POST', `/api/cases/${id}/rate`, { rating: 'satisfied' });
    expect(second.statusCode).toBe(409);
    expect(second.json().error).toMatchObject({ code: 'CASE_ALREADY_RATED', params: { rating: '不满意' } });
    expect(await counts()).toEqual(before);
    expect(await h.caseRow(id)).toMatchObject({ state: 'rated', rating: 'dissatisfied' });
  });

  it('a dissatisfied reporter reopens once (the rule set limit); the second time is refused', async () => {
    await h.expectOk(await h.call('gy_grid', 'POST', `/api/cases/${id}/reopen`, { note: '问题反弹' }));
    const row = await h.caseRow(id);
    expect(row).toMatchObject({ state: 'handling', reopen_count: 1, rating: null, closed_at: null });
    expect(row.due_at!.getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    // rework on verification failure, then handled again, closed, rated again
    await h.expectOk(await h.call('gy_grid', 'POST', `/api/cases/${id}/handled`, { note: '再次清理' }));
    const noReason = await h.call('gy_supervise', 'POST', `/api/cases/${id}/verify`, { passed: false });
    expect(noReason.json().error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { note: '核查不通过须写明原因' } });
    await h.expectOk(await h.call('gy_supervise', 'POST', `/api/cases/${id}/verify`, { passed: false, note: '仍有小广告' }));
    expect(await h.caseRow(id)).toMatchObject({ state: 'handling', handled_at: null });
    await h.expectOk(await h.call('gy_grid', 'POST', `/api/cases/${id}/handled`, { note: '小广告已清除' }));
    await h.expectOk(await h.call('gy_supervise', 'POST', `/api/cases/${id}/verify`, { passed: true }));
    await h.expectOk(await h.call('gy_grid', 'POST', `/api/cases/${id}/rate`, { rating: 'dissatisfied' }));
    const again = await h.call('gy_grid', 'POST', `/api/cases/${id}/reopen`, { note: '还是不满意' });
    expect(again.json().error).toMatchObject({ code: 'CASE_REOPEN_LIMIT', params: { count: 1, limit: 1 } });
    expect((await h.timeline(id)).map((t) => t.action)).toEqual([
      'report', 'file', 'dispatch', 'accept', 'mark_handled', 'close', 'rate', 'reopen', 'mark_handled', 'rework', 'mark_handled', 'close', 'rate',
    ]);
    expect((await h.audits(id)).length).toBe(13);
  });
});

describe('configuration', () => {
  it('a new rule-set version lets the community whistle', async () => {
    const id = await h.dispatchedCase({ offset: -0.0004 });
    await h.expectOk(await h.call('gy_grid', 'POST', `/api/cases/${id}/escalate`, { note: '上报社区' }));
    const current = (await h.call('guiyuan', 'GET', '/api/rules?key=case_rules')).json()[0];
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const bad = await h.call('guiyuan', 'POST', '/api/rules', { key: 'case_rules', version: 'broken', effectiveFrom: today, title: 'x', rules: { ...current.rules, weights: { response: 0.5, resolution: 0.5, satisfaction: 0.5 } } });
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    await h.expectOk(await h.call('guiyuan', 'POST', '/api/rules', { key: 'case_rules', version: 'community-whistle', effectiveFrom: today, title: '社区可吹哨', rules: { ...current.rules, communityMayWhistle: true } }), 201);
    await h.expectOk(await h.call('lw_community', 'POST', `/api/cases/${id}/whistle`, { kind: 'daily', departmentIds: [await h.departmentId('GY-CG')], note: '社区吹哨' }), 201);
    const w = await env.database.db.selectFrom('case_whistles').selectAll().where('case_id', '=', id).executeTakeFirstOrThrow();
    expect(w).toMatchObject({ level: 'community', kind: 'daily' });
    expect(w.report_due_at.getTime() - w.whistled_at.getTime()).toBe(24 * 3_600_000);
  });

  it('routing entries, categories and departments are configured by cases:configure, each audited', async () => {
    const laowei = await h.placeId('老围社区');
    const xf = await h.departmentId('GY-XF');
    expect((await h.call('gy_grid', 'PUT', '/api/cases/routing', { placeId: laowei, categoryCode: 'public_safety', departmentIds: [xf] })).statusCode).toBe(403);
    expect((await h.call('dx_command', 'PUT', '/api/cases/routing', { placeId: laowei, categoryCode: 'public_safety', departmentIds: [xf] })).statusCode).toBe(404);
    expect((await h.call('gy_command', 'PUT', '/api/cases/routing', { placeId: laowei, categoryCode: 'public_safety', departmentIds: [xf] })).statusCode).toBe(204);
    const routes = (await h.call('gy_command', 'GET', `/api/cases/routing?placeId=${laowei}`)).json();
    expect(routes.map((r: { category: { code: string } }) => r.category.code).sort()).toEqual(['public_safety', 'sanitation']);
    const dx = await h.call('gy_command', 'PUT', '/api/cases/routing', { placeId: laowei, categoryCode: 'public_safety', departmentIds: [await h.departmentId('DX-GA')] });
    expect(dx.json().error.code).toBe('CASE_DEPARTMENT_OUT_OF_AREA');

    const created = await h.call('gy_command', 'POST', '/api/cases/categories', { code: 'shared_bikes', name: '共享单车乱停放', nameEn: 'Badly parked shared bikes', defaultPriority: 'general', anonymousAllowed: true, deadlineHours: { general: 8 } });
    expect(created.statusCode).toBe(201);
    const dupe = await h.call('gy_command', 'POST', '/api/cases/categories', { code: 'shared_bikes', name: '共享单车', nameEn: 'Bikes', defaultPriority: 'general', anonymousAllowed: true });
    expect(dupe.json().error.code).toBe('CASE_CATEGORY_EXISTS');
    const pub = await env.app.inject({ url: '/api/cases/categories' });
    expect(pub.statusCode).toBe(200);
    expect(pub.json().find((c: { code: string }) => c.code === 'shared_bikes')).toMatchObject({ deadlineHours: { general: 8 }, anonymousAllowed: true });

    const dept = await h.call('gy_command', 'POST', '/api/cases/departments', { code: 'GY-SC', name: '桂园街道市场监管所', kind: 'market', placeId: await h.placeId('桂园街道') });
    expect(dept.statusCode).toBe(201);
    const account = await env.database.db.selectFrom('accounts').select('id').where('username', '=', 'dept_cg').executeTakeFirstOrThrow();
    const staffed = await h.call('gy_command', 'PUT', `/api/cases/departments/${dept.json().id}/staff`, { accountIds: [account.id] });
    expect(staffed.json().staff).toEqual([expect.objectContaining({ username: 'dept_cg' })]);
    const mine = (await h.call('dept_cg', 'GET', '/api/cases/departments')).json();
    expect(mine.map((d: { code: string }) => d.code).sort()).toEqual(['GY-CG', 'GY-SC']);
    for (const action of ['case.routing_save', 'case.category_save', 'case.department_save', 'case.department_staff']) {
      expect(await env.database.db.selectFrom('audit_log').select('seq').where('action', '=', action).where('result', '=', 'ok').executeTakeFirst()).toBeTruthy();
    }
  });
});
