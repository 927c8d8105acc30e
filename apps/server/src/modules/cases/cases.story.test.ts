import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { caseHelpers } from './cases.fixtures.js';

// The Shuangshan story (../shared/seeds/003-shuangshan-grid-whistle.txt) end to end over HTTP:
// a hallway full of garbage and small ads is reported to the grid, goes up to the community and the
// street, the street whistles city management, the emergency office, the police and the fire station,
// each reports within 30 minutes and submits its result, the grid worker verifies, the reporter rates.

let env: TestEnv;
let h: ReturnType<typeof caseHelpers>;
beforeAll(async () => {
  env = await setupTestEnv();
  h = caseHelpers(env);
});
afterAll(() => env.close());

describe('the Shuangshan story: whistle and report', () => {
  let id: string;
  const departments: Record<string, string> = {};

  it('the grid worker reports the hallway; it is routed to 老围第1网格 with its community and street', async () => {
    const at = await h.centreOf('老围第1网格');
    const res = await h.call('gy_grid', 'POST', '/api/cases', {
      categoryCode: 'sanitation', description: '老围社区某楼道积存垃圾及小广告，杂物堵塞消防通道', lng: at.lng, lat: at.lat, address: '老围社区某小区3栋楼道', source: 'grid_worker', attachments: [await h.photo('gy_grid')],
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.number).toMatch(/^AJ\d{8}-\d{4}$/);
    expect(body).toMatchObject({ state: 'received', trackingCode: null, grid: { name: '老围第1网格' }, communityId: await h.placeId('老围社区'), streetId: await h.placeId('桂园街道'), districtId: await h.placeId('罗湖区') });
    id = body.id;
    for (const code of ['CG', 'YJ', 'GA', 'XF']) departments[code] = await h.departmentId(`GY-${code}`);

    const dup = await h.call('gy_grid', 'GET', `/api/cases/duplicates?category=sanitation&lng=${at.lng + 0.001}&lat=${at.lat}`);
    expect(dup.json().radiusMeters).toBe(250);
    expect(dup.json().items).toEqual([expect.objectContaining({ id, distanceMeters: expect.any(Number) })]);
    expect(dup.json().items[0].distanceMeters).toBeGreaterThan(90);
    expect(dup.json().items[0].distanceMeters).toBeLessThan(120);
    const far = await h.call('gy_grid', 'GET', `/api/cases/duplicates?category=sanitation&lng=${at.lng + 0.004}&lat=${at.lat}`);
    expect(far.json().items).toEqual([]);
  });

  it('the command centre files and dispatches it to the grid: the clock starts', async () => {
    expect((await h.call('gy_command', 'POST', `/api/cases/${id}/file`, { note: '有效诉求，予以立案' })).statusCode).toBe(200);
    expect((await h.call('gy_command', 'POST', `/api/cases/${id}/dispatch`, {})).statusCode).toBe(200);
    const row = await h.caseRow(id);
    expect(row).toMatchObject({ state: 'dispatched', level: 'grid', owner_level: 'grid' });
    expect(row.due_at!.getTime() - row.dispatched_at!.getTime()).toBe(24 * 3_600_000);
    expect(row.red_at!.getTime() - row.dispatched_at!.getTime()).toBe(48 * 3_600_000);
    const detail = (await h.call('gy_grid', 'GET', `/api/cases/${id}`)).json();
    expect(detail.can).toMatchObject({ accept: true, escalate: true, whistle: false, file: false });
  });

  it('the grid cannot solve it and escalates to the community, the community to the street', async () => {
    expect((await h.call('gy_grid', 'POST', `/api/cases/${id}/escalate`, { note: '楼道杂物涉及消防通道，网格内无法解决' })).statusCode).toBe(200);
    expect(await h.caseRow(id)).toMatchObject({ state: 'dispatched', level: 'community', level_place_id: await h.placeId('老围社区') });
    // the grid worker no longer holds it
    const again = await h.call('gy_grid', 'POST', `/api/cases/${id}/escalate`, { note: '再次上报' });
    expect(again.statusCode).toBe(403);
    expect(again.json().error).toMatchObject({ code: 'CASE_NOT_AT_MY_LEVEL', params: { level: '社区', unit: '老围社区' } });
    const community = (await h.call('lw_community', 'GET', `/api/cases/${id}`)).json();
    expect(community.can).toMatchObject({ escalate: true, whistle: false });
    expect((await h.call('lw_community', 'POST', `/api/cases/${id}/escalate`, { note: '需街道统筹多部门' })).statusCode).toBe(200);
    const row = await h.caseRow(id);
    expect(row).toMatchObject({ level: 'street', level_place_id: await h.placeId('桂园街道'), owner_level: 'grid', owner_place_id: await h.placeId('老围第1网格') });
  });

  it('the street sees the proposed departments and whistles four of them (emergency: report within 30 minutes)', async () => {
    const detail = (await h.call('gy_command', 'GET', `/api/cases/${id}`)).json();
    expect(detail.can).toMatchObject({ whistle: true, escalate: false });
    expect(detail.proposedDepartments.fromPlaceId).toBe(await h.placeId('老围社区'));
    expect(detail.proposedDepartments.departments.map((d: { id: string }) => d.id)).toEqual(['CG', 'YJ', 'GA', 'XF'].map((k) => departments[k]));
    const res = await h.call('gy_command', 'POST', `/api/cases/${id}/whistle`, { kind: 'emergency', departmentIds: Object.values(departments), note: '吹哨：城管、应急、公安、消防到场清理楼道和消防通道' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toHaveLength(4);
    const whistles = await env.database.db.selectFrom('case_whistles').selectAll().where('case_id', '=', id).execute();
    for (const w of whistles) expect(w.report_due_at.getTime() - w.whistled_at.getTime()).toBe(30 * 60_000);
    expect(await h.caseRow(id)).toMatchObject({ state: 'handling', level: 'street' });
  });

  it('each department finds it in its inbox, reports in time and submits its result with photos', async () => {
    for (const [user, code] of [['dept_cg', 'CG'], ['dept_yj', 'YJ'], ['dept_ga', 'GA'], ['dept_xf', 'XF']] as const) {
      const inbox = (await h.call(user, 'GET', '/api/cases/inbox')).json();
      expect(inbox).toEqual([expect.objectContaining({ caseId: id, status: 'awaiting_report', kind: 'emergency', department: expect.objectContaining({ id: departments[code] }) })]);
      const early = await h.call(user, 'POST', `/api/cases/${id}/department/result`, { note: '已清理' });
      expect(early.json().error.code).toBe('CASE_WHISTLE_NOT_REPORTED');
      expect((await h.call(user, 'POST', `/api/cases/${id}/department/report`, { note: '已到场' })).statusCode).toBe(200);
      const twice = await h.call(user, 'POST', `/api/cases/${id}/department/report`, { note: '再次报到' });
      expect(twice.json().error.code).toBe('CASE_WHISTLE_ALREADY_REPORTED');
      if (code !== 'XF') {
        expect((await h.call(user, 'POST', `/api/cases/${id}/department/result`, { note: `${code} 处置完毕`, attachments: [await h.photo(user)] })).statusCode).toBe(200);
      }
    }
    // the fire station has not submitted its result: the case cannot be marked handled yet
    const blocked = await h.call('gy_command', 'POST', `/api/cases/${id}/handled`, { note: '处置完毕' });
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json().error).toMatchObject({ code: 'CASE_WHISTLES_OPEN', params: { count: 1, names: '桂园消防救援站' } });
    expect((await h.call('dept_xf', 'POST', `/api/cases/${id}/department/result`, { note: '消防通道已畅通', attachments: [await h.photo('dept_xf')] })).statusCode).toBe(200);
    const whistles = await env.database.db.selectFrom('case_whistles').selectAll().where('case_id', '=', id).execute();
    expect(whistles.every((w) => w.reported_at && w.reported_at <= w.report_due_at && w.result_at && !w.report_overdue)).toBe(true);
  });

  it('the street marks it handled and rates the departments; the grid worker verifies and closes it', async () => {
    expect((await h.call('gy_command', 'POST', `/api/cases/${id}/handled`, { note: '当天下午楼道、消防通道清理完毕', attachments: [await h.photo('gy_command')] })).statusCode).toBe(200);
    const detail = (await h.call('gy_command', 'GET', `/api/cases/${id}`)).json();
    expect(detail.can.rateDepartments).toBe(true);
    for (const w of detail.whistles) expect((await h.call('gy_command', 'POST', `/api/cases/${id}/whistles/${w.id}/rate`, { rating: 'satisfied' })).statusCode).toBe(200);
    // command may not verify: supervision is a separate permission
    const byCommand = await h.call('gy_command', 'POST', `/api/cases/${id}/verify`, { passed: true });
    expect(byCommand.statusCode).toBe(403);
    expect((await h.call('gy_grid', 'POST', `/api/cases/${id}/verify/start`, {})).statusCode).toBe(200);
    expect((await h.call('gy_grid', 'POST', `/api/cases/${id}/verify`, { passed: true, note: '现场核查：楼道干净，消防通道畅通', attachments: [await h.photo('gy_grid')] })).statusCode).toBe(200);
    expect(await h.caseRow(id)).toMatchObject({ state: 'closed', card: 'none' });
  });

  it('the reporter rates it satisfied, and the rates show it', async () => {
    expect((await h.call('gy_grid', 'POST', `/api/cases/${id}/rate`, { rating: 'satisfied', note: '当天就清理干净了' })).statusCode).toBe(200);
    expect(await h.caseRow(id)).toMatchObject({ state: 'rated', rating: 'satisfied' });

    const grids = (await h.call('gy_command', 'GET', '/api/cases/rates?unitKind=grid')).json();
    expect(grids.ruleSet).toMatchObject({ key: 'case_rules', weights: { response: 0.1, resolution: 0.5, satisfaction: 0.4 } });
    expect(grids.items).toEqual([expect.objectContaining({
      rank: 1, unit: { id: await h.placeId('老围第1网格'), name: '老围第1网格', kind: 'grid' },
      cases: 1, valid: 1, responseRate: 1, resolutionRate: 1, satisfactionRate: 1, composite: 1, whistleRate: 1, onTimeRate: 1,
    })]);
    const streets = (await h.call('gy_command', 'GET', '/api/cases/rates?unitKind=street')).json();
    expect(streets.items[0]).toMatchObject({ unit: { name: '桂园街道' }, composite: 1 });
    const depts = (await h.call('gy_command', 'GET', '/api/cases/rates?unitKind=department')).json();
    expect(depts.items.map((d: { unit: { name: string } }) => d.unit.name).sort()).toEqual(['桂园派出所', '桂园消防救援站', '桂园街道城管执法队', '桂园街道应急管理办公室'].sort());
    for (const d of depts.items) expect(d).toMatchObject({ cases: 1, responseRate: 1, resolutionRate: 1, satisfactionRate: 1, composite: 1, whistleRate: null, onTimeRate: 1 });
  });

  it('left a timeline entry and an audit entry for every step', async () => {
    const steps = await h.timeline(id);
    expect(steps.map((s) => s.action)).toEqual([
      'report', 'file', 'dispatch', 'escalate', 'escalate', 'whistle',
      'department_report', 'department_result', 'department_report', 'department_result', 'department_report', 'department_result', 'department_report', 'department_result',
      'mark_handled', 'department_rated', 'department_rated', 'department_rated', 'department_rated', 'start_verification', 'close', 'rate',
    ]);
    expect(steps.filter((s) => s.action === 'escalate').map((s) => [s.actor_name, s.level])).toEqual([['gy_grid', 'community'], ['lw_community', 'street']]);
    const audits = await h.audits(id);
    const expected = steps.map((s) => (s.action === 'department_rated' ? 'case.department_rate' : `case.${s.action}`));
    expect(audits.map((a) => a.action)).toEqual(expected);
    // the refusals (the grid escalating a community-level case, command verifying) are audited too
    expect((await h.audits(id, 'denied')).map((a) => a.actor_name)).toEqual(expect.arrayContaining(['gy_grid', 'gy_command']));
    const pub = (await h.call('gy_grid', 'GET', `/api/cases/${id}`)).json();
    expect(pub.timeline.find((t: { action: string }) => t.action === 'whistle').details.departments).toHaveLength(4);
  });
});
