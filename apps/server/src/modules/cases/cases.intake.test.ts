import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { systemCtx } from './cases.caller.js';
import { rateByTrackingCode } from './cases.closing.js';
import { caseHelpers } from './cases.fixtures.js';
import { createCase, haversineMeters } from './cases.intake.js';

// Intake from every kind of caller (account, anonymous resident, system), numbers, follows and lists.

let env: TestEnv;
let h: ReturnType<typeof caseHelpers>;
beforeAll(async () => {
  env = await setupTestEnv();
  h = caseHelpers(env);
});
afterAll(() => env.close());

const anonymous = { actor: null, ip: '203.0.113.9', locale: 'zh-CN' as const };

describe('intake', () => {
  it('numbers cases by day, one after another', async () => {
    const a = await h.dispatchedCase();
    const b = await h.dispatchedCase({ grid: '老围第2网格' });
    const [ra, rb] = [await h.caseRow(a), await h.caseRow(b)];
    expect(ra.number.slice(0, 11)).toBe(rb.number.slice(0, 11));
    expect(Number(rb.number.slice(-4))).toBe(Number(ra.number.slice(-4)) + 1);
    expect(rb).toMatchObject({ grid_id: await h.placeId('老围第2网格'), community_id: await h.placeId('老围社区') });
  });

  it('takes anonymous reports where the category allows, with a tracking code for rating', async () => {
    const at = await h.centreOf('新围第3网格');
    const created = await createCase(env.app.deps, anonymous, { categoryCode: 'sanitation', description: '小区门口垃圾满溢', ...at, source: 'resident' });
    expect(created.trackingCode).toMatch(/^[A-Z2-9]{10}$/);
    expect(await h.caseRow(created.id)).toMatchObject({ reporter_account_id: null, source: 'resident', grid_id: await h.placeId('新围第3网格') });
    expect((await h.audits(created.id))[0]).toMatchObject({ action: 'case.report', actor_name: 'anonymous' });
    await expect(createCase(env.app.deps, anonymous, { categoryCode: 'neighbour_dispute', description: '楼上噪音', ...at, source: 'resident' })).rejects.toMatchObject({ code: 'CASE_ANONYMOUS_NOT_ALLOWED' });

    for (const [user, step, body] of [['gy_command', 'file', {}], ['gy_command', 'dispatch', {}], ['gy_command', 'accept', {}], ['gy_command', 'handled', { note: '已清运' }], ['gy_supervise', 'verify', { passed: true }]] as const) {
      await h.expectOk(await h.call(user, 'POST', `/api/cases/${created.id}/${step}`, body));
    }
    await expect(rateByTrackingCode(env.app.deps, anonymous, 'WRONGCODE2', { rating: 'satisfied' })).rejects.toMatchObject({ code: 'CASE_TRACKING_CODE_INVALID' });
    await rateByTrackingCode(env.app.deps, anonymous, created.trackingCode!.toLowerCase(), { rating: 'basically_satisfied' });
    await expect(rateByTrackingCode(env.app.deps, anonymous, created.trackingCode!, { rating: 'satisfied' })).rejects.toMatchObject({ code: 'CASE_ALREADY_RATED' });
    expect(await h.caseRow(created.id)).toMatchObject({ state: 'rated', rating: 'basically_satisfied' });
  });

  it('takes reports from systems (IoT, Open311) without an account, named in the timeline and audit', async () => {
    const at = await h.centreOf('东晓第3网格');
    const created = await createCase(env.app.deps, systemCtx('iot:smoke-gateway-3', '10.0.0.7'), { categoryCode: 'emergency', description: '烟感告警：东晓花园2栋', ...at, source: 'iot', sourceRef: 'alarm-77', issueTrackingCode: true });
    expect(created.trackingCode).toHaveLength(10);
    expect(await h.caseRow(created.id)).toMatchObject({ source: 'iot', source_ref: 'alarm-77', priority: 'emergency', reporter_label: 'system:iot:smoke-gateway-3', street_id: await h.placeId('东晓街道') });
    expect((await h.audits(created.id))[0]).toMatchObject({ actor_name: 'system:iot:smoke-gateway-3' });
    const detail = (await h.call('dx_command', 'GET', `/api/cases/${created.id}`)).json();
    expect(detail).toMatchObject({ source: 'iot', sourceRef: 'alarm-77', reporter: { username: 'system:iot:smoke-gateway-3' }, category: { code: 'emergency' } });
    // emergency: 1 hour from dispatch
    await h.expectOk(await h.call('dx_command', 'POST', `/api/cases/${created.id}/file`, {}));
    await h.expectOk(await h.call('dx_command', 'POST', `/api/cases/${created.id}/dispatch`, {}));
    const row = await h.caseRow(created.id);
    expect(row.due_at!.getTime() - row.dispatched_at!.getTime()).toBe(3_600_000);
  });

  it('uses the category’s own deadline where it has one, and a priority set at filing', async () => {
    const id = await h.dispatchedCase({ category: 'fire_passage', grid: '老围第3网格' });
    const row = await h.caseRow(id);
    expect(row.due_at!.getTime() - row.dispatched_at!.getTime()).toBe(4 * 3_600_000);
    const at = await h.centreOf('老围第3网格');
    const res = await h.call('gy_grid', 'POST', '/api/cases', { categoryCode: 'sanitation', description: '暴雨后垃圾堆积', ...at, source: 'grid_worker', priority: 'emergency' });
    const other = res.json().id;
    expect(await h.caseRow(other)).toMatchObject({ priority: 'general' });
    await h.expectOk(await h.call('gy_command', 'POST', `/api/cases/${other}/file`, { priority: 'urgent' }));
    await h.expectOk(await h.call('gy_command', 'POST', `/api/cases/${other}/dispatch`, { level: 'community' }));
    const r2 = await h.caseRow(other);
    expect(r2).toMatchObject({ priority: 'urgent', level: 'community', owner_level: 'grid' });
    expect(r2.due_at!.getTime() - r2.dispatched_at!.getTime()).toBe(2 * 3_600_000);
  });
});

describe('anonymous residents over HTTP', () => {
  it('report without an account, follow with the tracking code, rate once; limited per address', async () => {
    const at = await h.centreOf('松园第2网格');
    const res = await env.app.inject({ method: 'POST', url: '/api/cases/anonymous', payload: { categoryCode: 'sanitation', description: '路边垃圾无人清运', ...at } });
    expect(res.statusCode).toBe(201);
    const { id, trackingCode } = res.json();
    expect(trackingCode).toMatch(/^[A-Z2-9]{10}$/);
    const refused = await env.app.inject({ method: 'POST', url: '/api/cases/anonymous', payload: { categoryCode: 'neighbour_dispute', description: '楼上噪音', ...at } });
    expect(refused.json().error).toMatchObject({ code: 'CASE_ANONYMOUS_NOT_ALLOWED', params: { category: '邻里纠纷' } });
    const view = await env.app.inject({ url: `/api/cases/track/${trackingCode}` });
    expect(view.json()).toMatchObject({ state: 'received', grid: '松园第2网格', timeline: [{ action: 'report' }] });
    expect(view.body).not.toContain('anonymous');
    expect((await env.app.inject({ url: '/api/cases/track/ABCDEFGH23' })).json().error.code).toBe('CASE_TRACKING_CODE_INVALID');
    const early = await env.app.inject({ method: 'POST', url: `/api/cases/track/${trackingCode}/rate`, payload: { rating: 'satisfied' } });
    expect(early.json().error.code).toBe('CASE_ACTION_NOT_ALLOWED');
    for (const [user, step, body] of [['gy_command', 'file', {}], ['gy_command', 'dispatch', {}], ['gy_command', 'accept', {}], ['gy_command', 'handled', { note: '已清运' }], ['gy_supervise', 'verify', { passed: true }]] as const) {
      await h.expectOk(await h.call(user, 'POST', `/api/cases/${id}/${step}`, body));
    }
    expect((await env.app.inject({ method: 'POST', url: `/api/cases/track/${trackingCode}/rate`, payload: { rating: 'satisfied' } })).statusCode).toBe(200);
    expect((await env.app.inject({ method: 'POST', url: `/api/cases/track/${trackingCode}/rate`, payload: { rating: 'satisfied' } })).json().error.code).toBe('CASE_ALREADY_RATED');
    expect((await h.audits(id)).map((a) => a.actor_name)).toEqual(['anonymous', 'gy_command', 'gy_command', 'gy_command', 'gy_command', 'gy_supervise', 'reporter (tracking code)']);
    // 10 reports a minute per address, counted across server instances
    const second = await env.secondApp();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await (i % 2 ? second : env.app).inject({ method: 'POST', url: '/api/cases/anonymous', payload: {}, remoteAddress: '192.0.2.77' })).statusCode);
    expect(statuses).toEqual([...Array(10).fill(400), 429]);
    expect((await env.app.inject({ method: 'POST', url: '/api/cases/anonymous', payload: {}, remoteAddress: '192.0.2.78' })).statusCode).toBe(400);
  });
});

describe('duplicates and following', () => {
  let id: string;
  beforeAll(async () => {
    id = await h.dispatchedCase({ grid: '老围第4网格', description: '井盖旁垃圾堆' });
  });

  it('measures distance on the sphere', () => {
    // one degree of latitude is about 111.2 km
    expect(haversineMeters(114, 22, 114, 23)).toBeGreaterThan(111_000);
    expect(haversineMeters(114, 22, 114, 23)).toBeLessThan(111_400);
  });

  it('offers open cases of the same category nearby, with a configurable radius', async () => {
    const at = await h.centreOf('老围第4网格');
    const near = (await h.call('dx_command', 'GET', `/api/cases/duplicates?category=sanitation&lng=${at.lng}&lat=${at.lat + 0.002}`)).json();
    expect(near.items.map((d: { id: string }) => d.id)).toContain(id);
    const small = (await h.call('dx_command', 'GET', `/api/cases/duplicates?category=sanitation&lng=${at.lng}&lat=${at.lat + 0.002}&radius=100`)).json();
    expect(small.items.map((d: { id: string }) => d.id)).not.toContain(id);
    const other = (await h.call('dx_command', 'GET', `/api/cases/duplicates?category=public_safety&lng=${at.lng}&lat=${at.lat}`)).json();
    expect(other.items).toEqual([]);
  });

  it('a reporter from elsewhere follows the case instead of reporting again, then sees it', async () => {
    expect((await h.call('dx_command', 'GET', `/api/cases/${id}`)).statusCode).toBe(404);
    expect((await h.call('dx_command', 'POST', `/api/cases/${id}/follow`)).statusCode).toBe(200);
    const detail = await h.call('dx_command', 'GET', `/api/cases/${id}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.json()).toMatchObject({ followers: 1, mine: { follower: true, reporter: false }, can: { follow: false, accept: false } });
    const mine = (await h.call('dx_command', 'GET', '/api/cases?view=mine')).json();
    expect(mine.items.map((c: { id: string }) => c.id)).toEqual([id]);
    expect((await h.call('dx_command', 'POST', `/api/cases/${id}/follow`)).json().error.code).toBe('CASE_ALREADY_FOLLOWING');
    expect((await h.call('gy_grid', 'POST', `/api/cases/${id}/follow`)).json().error.code).toBe('CASE_ALREADY_FOLLOWING');
    expect((await h.timeline(id)).at(-1)).toMatchObject({ action: 'follow', actor_name: 'dx_command' });
    expect((await h.audits(id)).at(-1)).toMatchObject({ action: 'case.follow' });
  });
});

describe('lists', () => {
  it('the area view follows the place scope; filters narrow it', async () => {
    const grid = (await h.call('gy_grid', 'GET', '/api/cases?pageSize=100')).json();
    expect(grid.view).toBe('area');
    expect(grid.items.every((c: { grid: { name: string } }) => c.grid.name === '老围第1网格')).toBe(true);
    const street = (await h.call('gy_command', 'GET', '/api/cases?pageSize=100')).json();
    expect(street.total).toBeGreaterThan(grid.total);
    expect(street.items.every((c: { streetId: string }) => c.streetId === street.items[0].streetId)).toBe(true);
    const fire = (await h.call('gy_command', 'GET', '/api/cases?category=fire_passage')).json();
    expect(fire.items.map((c: { category: { code: string } }) => c.category.code)).toEqual(['fire_passage']);
    const community = (await h.call('gy_command', 'GET', '/api/cases?level=community&state=dispatched')).json();
    expect(community.items.every((c: { level: string; state: string }) => c.level === 'community' && c.state === 'dispatched')).toBe(true);
    const laowei4 = (await h.call('gy_command', 'GET', `/api/cases?placeId=${await h.placeId('老围第4网格')}`)).json();
    expect(laowei4.total).toBe(1);
    expect((await h.call('gy_grid', 'GET', `/api/cases?placeId=${await h.placeId('老围第4网格')}`)).statusCode).toBe(404);
    expect((await h.call('gy_command', 'GET', '/api/cases?overdue=1')).json().total).toBe(0);
    const byNumber = (await h.call('gy_command', 'GET', `/api/cases?q=${laowei4.items[0].number}`)).json();
    expect(byNumber.items.map((c: { id: string }) => c.id)).toEqual([laowei4.items[0].id]);
  });
});

describe('API description', () => {
  it('documents every case route under the cases tag, with a summary', async () => {
    const doc = (await env.app.inject({ url: '/api/openapi.json' })).json();
    const ops = Object.entries(doc.paths as Record<string, Record<string, { tags: string[]; summary: string }>>)
      .filter(([path]) => path.startsWith('/api/cases'))
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ route: `${method} ${path}`, op })));
    for (const route of ['post /api/cases', 'get /api/cases', 'get /api/cases/duplicates', 'get /api/cases/rates', 'get /api/cases/{id}', 'post /api/cases/{id}/whistle', 'post /api/cases/{id}/department/report', 'put /api/cases/routing', 'get /api/cases/track/{code}']) {
      expect(ops.map((o) => o.route), route).toContain(route);
    }
    expect(ops.length).toBeGreaterThanOrEqual(35);
    for (const { route, op } of ops) {
      expect(op.tags, route).toEqual(['cases']);
      expect(op.summary, route).toBeTruthy();
    }
  });
});
