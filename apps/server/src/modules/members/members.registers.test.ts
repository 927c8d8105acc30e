import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIds, setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { countDifferences, demoBranches, testIdNumber } from './members.fixtures.js';

let env: TestEnv;
let gy: string;
let dx: string;
let kk: string;
let org: Awaited<ReturnType<typeof demoBranches>>;
let places: Record<string, string>;
let orgs: Record<string, string>;

beforeAll(async () => {
  env = await setupTestEnv();
  const ids = await demoIds(env.database);
  [places, orgs] = [ids.places, ids.orgs];
  org = await demoBranches(env.database.db, ids.orgs);
  [gy, dx, kk] = [await env.login('guiyuan'), await env.login('dongxiao'), await env.login('kk100')];
});
afterAll(() => env.close());

const db = () => env.database.db;
const audits = (action: string, targetId?: string) => {
  let q = db().selectFrom('audit_log').selectAll().where('action', '=', action);
  if (targetId) q = q.where('target_id', '=', targetId);
  return q.orderBy('seq', 'desc').execute();
};
const send = (method: 'POST' | 'PATCH', cookie: string, url: string, payload: object) => env.app.inject({ method, url, headers: { cookie }, payload });
const get = (cookie: string, url: string) => env.app.inject({ url, headers: { cookie } });
const thisYear = new Date().getFullYear();

async function member(seq: number, over: object = {}) {
  const res = await send('POST', gy, '/api/members', { name: `成员${seq}`, idNumber: testIdNumber(seq, { birth: '19700101' }), status: 'full', joinedOn: '2000-07-01', category: 'in_service', orgId: org.laoweiBranch, ...over });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; name: string };
}

describe('in-service members report to their community (MEM-3)', () => {
  it('registers, lists the unregistered, re-registers and reviews yearly, each write audited', async () => {
    const a = await member(1, { name: '陈在职' });
    const b = await member(2, { name: '周在职' });
    const retired = await member(3, { name: '吴退休', category: 'retired' });
    const unregistered = async () => (await get(gy, '/api/members?notRegistered=1')).json().items.map((m: { name: string }) => m.name).sort();
    expect(await unregistered()).toEqual(['周在职', '陈在职'].sort());

    expect((await send('POST', gy, `/api/members/${retired.id}/community-registration`, { communityId: places['老围社区'], registeredOn: '2025-03-01' })).json().error.code).toBe('MEMBER_NOT_IN_SERVICE');
    const street = await send('POST', gy, `/api/members/${a.id}/community-registration`, { communityId: places['桂园街道'], registeredOn: '2025-03-01' });
    expect(street.json().error.fields).toEqual({ communityId: '请选择一个社区' });
    // the home community may lie in another street
    const reg = await send('POST', gy, `/api/members/${a.id}/community-registration`, { communityId: places['东晓社区'], registeredOn: '2025-03-01', note: '居住地' });
    expect(reg.statusCode, reg.body).toBe(201);
    expect(reg.json()).toMatchObject({ communityName: '东晓社区', registeredOn: '2025-03-01', endedOn: null, reviews: [] });
    expect(await unregistered()).toEqual(['周在职']);
    expect((await audits('member.register_community', a.id))[0]!.changes).toMatchObject({ communityId: places['东晓社区'], registeredOn: '2025-03-01' });

    const moved = await send('POST', gy, `/api/members/${a.id}/community-registration`, { communityId: places['新围社区'], registeredOn: '2025-09-01' });
    expect(moved.statusCode).toBe(201);
    const earlier = await send('POST', gy, `/api/members/${a.id}/community-registration`, { communityId: places['老围社区'], registeredOn: '2025-01-01' });
    expect(earlier.json().error.fields).toEqual({ registeredOn: '结束日期不能早于开始日期' });

    expect((await send('POST', gy, `/api/members/${b.id}/community-reviews`, { year: 2025, result: 'good' })).json().error.code).toBe('MEMBER_NOT_REGISTERED');
    const review = await send('POST', gy, `/api/members/${a.id}/community-reviews`, { year: 2025, result: 'excellent', services: 6, note: '认领服务岗位' });
    expect(review.statusCode, review.body).toBe(201);
    expect(review.json()).toMatchObject({ year: 2025, result: 'excellent', services: 6 });
    expect((await send('POST', gy, `/api/members/${a.id}/community-reviews`, { year: 2025, result: 'good' })).json().error).toMatchObject({ code: 'COMMUNITY_REVIEW_EXISTS', message: '2025 年度已评议' });
    expect((await send('POST', gy, `/api/members/${a.id}/community-reviews`, { year: 2024, result: 'good' })).json().error.fields).toEqual({ year: '评议年度须在报到当年及以后，且不晚于今年' });
    expect((await send('POST', gy, `/api/members/${a.id}/community-reviews`, { year: thisYear + 1, result: 'good' })).statusCode).toBe(400);
    expect((await audits('member.review', a.id))).toHaveLength(1);

    const file = (await get(gy, `/api/members/${a.id}`)).json();
    expect(file.registrations.map((r: { communityName: string; endedOn: string | null }) => [r.communityName, r.endedOn])).toEqual([['新围社区', null], ['东晓社区', '2025-09-01']]);
    expect(file.registrations[0].reviews).toMatchObject([{ year: 2025, result: 'excellent' }]);
    expect(file.registered).toBe(true);
    expect(file.can.review).toBe(true);
  });
});

describe('mobile members (MEM-4)', () => {
  it('records an outflow with the activity card, one open per direction, and ends it', async () => {
    const m = await member(10, { name: '郑流动', category: 'mobile' });
    const out = await send('POST', gy, `/api/members/${m.id}/mobile-records`, { direction: 'outflow', placeText: '广东省东莞市长安镇', contactOrgId: orgs['中共桂园街道新围社区委员会'], cardNumber: 'LD-2025-0018', startedOn: '2025-04-01' });
    expect(out.statusCode, out.body).toBe(201);
    expect(out.json()).toMatchObject({ direction: 'outflow', placeText: '广东省东莞市长安镇', contactOrgName: '中共桂园街道新围社区委员会', cardNumber: 'LD-2025-0018', endedOn: null });
    const again = await send('POST', gy, `/api/members/${m.id}/mobile-records`, { direction: 'outflow', placeText: '上海', startedOn: '2025-05-01' });
    expect(again.json().error).toMatchObject({ code: 'MOBILE_RECORD_OPEN', message: '该党员已有未结束的流出登记' });
    const inflow = await send('POST', gy, `/api/members/${m.id}/mobile-records`, { direction: 'inflow', placeText: '湖南省长沙市', startedOn: '2024-01-01', endedOn: '2024-06-30' });
    expect(inflow.statusCode).toBe(201);
    expect((await send('POST', gy, `/api/members/${m.id}/mobile-records`, { direction: 'inflow', placeText: 'x', startedOn: '2024-01-01', endedOn: '2023-06-30' })).json().error.fields).toEqual({ endedOn: '结束日期不能早于开始日期' });
    expect((await send('POST', gy, `/api/members/${m.id}/mobile-records`, { direction: 'inflow', placeText: 'x', startedOn: '2024-01-01', contactOrgId: '987654321' })).json().error.fields).toEqual({ contactOrgId: '记录不存在或无权访问' });

    expect((await send('PATCH', dx, `/api/members/mobile-records/${out.json().id}`, { endedOn: '2025-12-31' })).statusCode).toBe(404);
    const end = await send('PATCH', gy, `/api/members/mobile-records/${out.json().id}`, { endedOn: '2025-12-31', note: '返回深圳' });
    expect(end.statusCode, end.body).toBe(200);
    expect(end.json()).toMatchObject({ endedOn: '2025-12-31', note: '返回深圳' });
    expect((await send('PATCH', gy, `/api/members/mobile-records/${out.json().id}`, { endedOn: '2026-01-31' })).json().error.code).toBe('RECORD_ENDED');
    expect(await audits('member.mobile_record', m.id)).toHaveLength(2);
    expect(await audits('member.mobile_record_end', m.id)).toHaveLength(1);
    const file = (await get(gy, `/api/members/${m.id}`)).json();
    expect(file.mobileRecords.map((r: { direction: string }) => r.direction)).toEqual(['outflow', 'inflow']);
  });
});

describe('members in difficulty (MEM-6)', () => {
  it('keeps the register with encrypted details, visits with exact amounts and totals', async () => {
    const m = await member(20, { name: '孙困难', category: 'retired' });
    const rec = await send('POST', gy, `/api/members/${m.id}/difficulty-records`, { kind: 'illness', level: 'severe', since: '2025-01-10', detail: '尿毒症，每周透析三次' });
    expect(rec.statusCode, rec.body).toBe(201);
    expect(rec.json()).toMatchObject({ kind: 'illness', level: 'severe', hasDetail: true, visits: [], totals: { visits: 0, amount: 0 } });
    expect(rec.body).not.toContain('尿毒症');
    const stored = await db().selectFrom('difficulty_records').selectAll().where('id', '=', rec.json().id).executeTakeFirstOrThrow();
    expect(stored.detail_enc).not.toContain('尿毒症');
    const entry = (await audits('member.difficulty', m.id))[0]!;
    expect(JSON.stringify(entry.changes)).not.toContain('尿毒症');

    const visit = (payload: object, cookie = gy) => send('POST', cookie, `/api/members/difficulty-records/${rec.json().id}/visits`, payload);
    expect((await visit({ visitedOn: '2025-02-01', visitor: '社区书记', amount: 500 })).statusCode).toBe(201);
    const second = await visit({ visitedOn: '2025-06-01', visitor: '街道党工委', amount: '199.99', note: '慰问金' });
    expect(second.json()).toMatchObject({ amount: 199.99, visitor: '街道党工委' });
    expect((await visit({ visitedOn: '2025-07-01', visitor: 'x', amount: 1.234 })).json().error.fields).toEqual({ amount: '金额须为不小于 0 的数，最多两位小数' });
    expect((await visit({ visitedOn: '2025-07-01', visitor: 'x', amount: -5 })).statusCode).toBe(400);
    expect((await visit({ visitedOn: '2024-12-31', visitor: 'x', amount: 1 })).json().error.fields).toEqual({ visitedOn: '走访日期须在困难登记期间内' });
    expect((await visit({ visitedOn: '2025-07-01', visitor: 'x', amount: 1 }, dx)).statusCode).toBe(404);
    expect(await audits('member.visit', m.id)).toHaveLength(2);

    const other = await member(21, { name: '钱困难', orgId: org.xinweiBranch });
    const rec2 = (await send('POST', gy, `/api/members/${other.id}/difficulty-records`, { kind: 'low_income', level: 'general', since: '2024-05-01' })).json();
    await send('POST', gy, `/api/members/difficulty-records/${rec2.id}/visits`, { visitedOn: '2024-06-01', visitor: '社区', amount: 0.1 });
    await send('POST', gy, `/api/members/difficulty-records/${rec2.id}/visits`, { visitedOn: '2024-07-01', visitor: '社区', amount: 0.2 });

    const file = (await get(gy, `/api/members/${m.id}`)).json();
    expect(file.difficultyRecords[0]).toMatchObject({ hasDetail: true, totals: { visits: 2, amount: 699.99 } });
    expect(file.assistanceTotals).toEqual({ visits: 2, amount: 699.99 });
    expect(JSON.stringify(file)).not.toContain('尿毒症');

    const register = await get(gy, '/api/members/difficulty');
    expect(register.statusCode, register.body).toBe(200);
    expect(register.json().items.map((r: { memberName: string; visits: number; amount: number }) => [r.memberName, r.visits, r.amount])).toEqual([['孙困难', 2, 699.99], ['钱困难', 2, 0.3]]);
    expect(register.json().totals).toEqual({ records: 2, visits: 4, amount: 700.29 });
    expect((await get(gy, `/api/members/difficulty?orgId=${org.xinwei}`)).json().items.map((r: { memberName: string }) => r.memberName)).toEqual(['钱困难']);
    expect((await get(gy, '/api/members/difficulty?level=severe')).json().total).toBe(1);
    expect((await get(dx, '/api/members/difficulty')).json().total).toBe(0);

    const reveal = await get(gy, `/api/members/difficulty-records/${rec.json().id}/detail`);
    expect(reveal.json()).toEqual({ detail: '尿毒症，每周透析三次' });
    expect((await audits('member.read_sensitive', m.id))[0]!.changes).toEqual({ field: 'difficultyDetail', recordId: rec.json().id });
    expect((await get(kk, `/api/members/difficulty-records/${rec.json().id}/detail`)).statusCode).toBe(403);

    const end = await send('PATCH', gy, `/api/members/difficulty-records/${rec2.id}`, { level: 'moderate', endedOn: '2025-01-01' });
    expect(end.json()).toMatchObject({ level: 'moderate', endedOn: '2025-01-01' });
    expect((await audits('member.difficulty_update', other.id))[0]!.changes).toMatchObject({ level: { from: 'general', to: 'moderate' }, endedOn: '2025-01-01' });
    expect((await get(gy, '/api/members/difficulty')).json().total).toBe(1);
    expect((await get(gy, '/api/members/difficulty?open=0')).json().total).toBe(2);
    expect((await send('PATCH', gy, `/api/members/difficulty-records/${rec2.id}`, { level: 'severe' })).json().error.code).toBe('RECORD_ENDED');
  });

  it('ends the open registers when a member leaves the roll, and keeps the counts exact', async () => {
    const m = await member(30, { name: '冯转出' });
    await send('POST', gy, `/api/members/${m.id}/community-registration`, { communityId: places['老围社区'], registeredOn: '2025-01-01' });
    await send('POST', gy, `/api/members/${m.id}/mobile-records`, { direction: 'outflow', placeText: '北京', startedOn: '2025-02-01' });
    await send('POST', gy, `/api/members/${m.id}/difficulty-records`, { kind: 'other', level: 'general', since: '2025-03-01' });
    const res = await send('POST', gy, `/api/members/${m.id}/leave`, { state: 'transferred_out', reason: '转往北京市', on: '2025-10-01' });
    expect(res.statusCode, res.body).toBe(200);
    const file = (await get(gy, `/api/members/${m.id}`)).json();
    expect(file.registrations[0].endedOn).toBe('2025-10-01');
    expect(file.mobileRecords[0].endedOn).toBe('2025-10-01');
    expect(file.difficultyRecords[0].endedOn).toBe('2025-10-01');
    expect(file.history.at(-1)).toMatchObject({ kind: 'transfer_out', fromOrgName: '老围社区第一党支部', reason: '转往北京市' });
    expect((await send('POST', gy, `/api/members/${m.id}/mobile-records`, { direction: 'inflow', placeText: 'x', startedOn: '2025-11-01' })).json().error.code).toBe('MEMBER_NOT_ACTIVE');
    expect(await countDifferences(db())).toEqual([]);
  });
});
