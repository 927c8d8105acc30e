import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIds, setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { createFieldCrypto } from '../../platform/crypto.js';
import { demoBranches, memberWithLogin } from '../members/members.fixtures.js';
import { inMinutes, shiftActivity } from './activities.fixtures.js';

// Volunteer hours (domain-rules §9): verified apart from scheduled, corrections as new entries with
// who asked, who approved and why, star levels by the rule set, certificates.

let env: TestEnv;
let ids: Awaited<ReturnType<typeof demoIds>>;
let b: Awaited<ReturnType<typeof demoBranches>>;
let gy: string;
type M = { memberId: string; cookie: string };
let vera: M, walt: M;
let done: string; // a confirmed job
let next: string; // a job still to come
beforeAll(async () => {
  env = await setupTestEnv();
  ids = await demoIds(env.database);
  b = await demoBranches(env.database.db, ids.orgs);
  gy = await env.login('guiyuan');
  vera = await memberWithLogin(env, { orgId: b.laoweiBranch, name: '志愿甲' });
  walt = await memberWithLogin(env, { orgId: b.laoweiBranch, name: '志愿乙' });
  const job = (title: string, hours: number) => ({ kind: 'volunteer', orgId: b.laowei, title, startsAt: inMinutes(600), endsAt: inMinutes(600 + 240), location: '老围社区', capacity: 5, serviceHours: hours });
  done = (await post('/api/activities', gy, job('敬老院探访', 3))).json().id;
  next = (await post('/api/activities', gy, job('垃圾分类督导', 2))).json().id;
  for (const id of [done, next]) for (const m of [vera, walt]) expect((await post(`/api/me/activities/${id}/signup`, m.cookie)).statusCode).toBe(200);
  await shiftActivity(env.database.db, done, -300, 240, -310);
  const signups = (await env.app.inject({ url: `/api/activities/${done}/signups`, headers: { cookie: gy } })).json() as { id: string; memberId: string }[];
  const res = await post(`/api/activities/${done}/attendance`, gy, { items: signups.map((s) => ({ signupId: s.id, attended: s.memberId === vera.memberId })) });
  expect(res.statusCode, res.body).toBe(200);
});
afterAll(() => env.close());

function post(url: string, cookie: string, payload?: object) {
  return env.app.inject({ method: 'POST', url, headers: { cookie }, ...(payload ? { payload } : {}) });
}
const get = (url: string, cookie: string) => env.app.inject({ url, headers: { cookie } });
const audits = (action: string) => env.database.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('seq').execute();

describe('volunteer hours', () => {
  it('keeps verified and scheduled hours apart', async () => {
    const v = (await get('/api/me/volunteer', vera.cookie)).json();
    expect(v).toMatchObject({ verifiedHours: 3, scheduledHours: 2, star: { level: 0, nextLevelHours: 100, scale: [100, 300, 600, 1000, 1500] } });
    expect(v.volunteerNumber).toMatch(/^V\d{10}$/);
    expect(v.records).toHaveLength(1);
    expect(v.records[0]).toMatchObject({ kind: 'service', hours: 3, content: '敬老院探访', orgName: '中共桂园街道老围社区委员会' });
    expect(v.scheduled.map((s: { activityId: string }) => s.activityId)).toEqual([next]);
    // absent: no verified hours; the unconfirmed job is scheduled
    expect((await get('/api/me/volunteer', walt.cookie)).json()).toMatchObject({ verifiedHours: 0, scheduledHours: 2 });
  });

  it('corrects hours only by new entries: the volunteer asks, the organiser decides', async () => {
    const before = (await get('/api/me/volunteer', vera.cookie)).json();
    const entryId = before.records[0].id;
    const ask = await post('/api/me/volunteer/correction-requests', vera.cookie, { entryId, hours: 1, reason: '活动延长了一小时' });
    expect(ask.statusCode, ask.body).toBe(201);
    expect(ask.json()).toMatchObject({ status: 'pending', hours: 1, orgName: '中共桂园街道老围社区委员会' });
    // another member cannot ask about Vera's record
    expect((await post('/api/me/volunteer/correction-requests', walt.cookie, { entryId, hours: 5, reason: '冒领' })).statusCode).toBe(404);
    const list = await get(`/api/volunteer/correction-requests?orgId=${b.laowei}&status=pending`, gy);
    expect(list.json().items.map((r: { id: string }) => r.id)).toEqual([ask.json().id]);
    expect((await get(`/api/volunteer/correction-requests?orgId=${b.laowei}`, await env.login('dongxiao'))).statusCode).toBe(404);
    const decide = await post(`/api/volunteer/correction-requests/${ask.json().id}/decision`, gy, { approve: true, note: '核对签到表属实' });
    expect(decide.json()).toMatchObject({ status: 'approved', decidedByName: '桂园街道组织员' });
    expect((await post(`/api/volunteer/correction-requests/${ask.json().id}/decision`, gy, { approve: false })).json().error.code).toBe('VOLUNTEER_REQUEST_DECIDED');

    const after = (await get('/api/me/volunteer', vera.cookie)).json();
    expect(after.verifiedHours).toBe(4);
    const correction = after.records.find((r: { kind: string }) => r.kind === 'correction');
    expect(correction).toMatchObject({ hours: 1, correctsId: entryId, requestedBy: '志愿甲（本人申请）', approvedByName: '桂园街道组织员', reason: '活动延长了一小时（审核：核对签到表属实）' });
    // the verified record itself is unchanged
    expect(after.records.find((r: { id: string }) => r.id === entryId)).toEqual(before.records[0]);
    expect((await audits('volunteer.correction_request')).length).toBe(1);
    expect((await audits('volunteer.correction_decide'))[0]!.changes).toMatchObject({ approve: true, hours: 1 });
  });

  it('lets the organiser correct directly, never below zero, and reaches a star level by the rule set', async () => {
    const body = { memberId: vera.memberId, orgId: b.laowei, reason: '补录 2024 年服务台账', requestedBy: '社区工作站' };
    const minus = await post('/api/volunteer/corrections', gy, { ...body, hours: -10 });
    expect(minus.json().error.code).toBe('VOLUNTEER_HOURS_NEGATIVE');
    expect((await post('/api/volunteer/corrections', gy, { ...body, hours: 0 })).json().error.fields).toHaveProperty('hours');
    expect((await post('/api/volunteer/corrections', await env.login('dongxiao'), { ...body, hours: 100 })).statusCode).toBe(404);
    const plus = await post('/api/volunteer/corrections', gy, { ...body, hours: 100 });
    expect(plus.statusCode, plus.body).toBe(201);
    expect(plus.json()).toMatchObject({ verifiedHours: 104, star: { level: 1, nextLevelHours: 300 } });
    expect((await audits('volunteer.correct'))[0]!.changes).toMatchObject({ hours: 100, requestedBy: '社区工作站' });
    // the ledger refuses edits in the database too
    await expect(sql`UPDATE volunteer_hours SET hours = 1000`.execute(env.database.db)).rejects.toThrow(/never edited/);
    // the organisation's list ranks its volunteers
    const list = await get(`/api/volunteer/volunteers?orgId=${b.laowei}`, gy);
    expect(list.json().items).toEqual([expect.objectContaining({ memberId: vera.memberId, hours: 104, star: 1 })]);
  });
});

describe('certificates', () => {
  it('issues a certificate naming the volunteer number, hours, organisation, person in charge and contact', async () => {
    // Laowei's committee has no secretary or phone on record yet: the member cannot self-issue
    expect((await post('/api/me/volunteer/certificates', vera.cookie, { orgId: b.laowei })).json().error.code).toBe('CERTIFICATE_SIGNATORY_MISSING');
    // staff name them
    const res = await post('/api/volunteer/certificates', gy, { memberId: vera.memberId, orgId: b.laowei, personInCharge: '李书记', contact: '0755-88886666' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ hours: 104, orgName: '中共桂园街道老围社区委员会' });
    expect(res.json().number).toMatch(/^ZYZM\d{10}$/);
    const [logged] = await audits('volunteer.certificate');
    expect(logged!.changes).toMatchObject({ memberId: vera.memberId, hours: 104, personInCharge: '李书记', contact: '0755-88886666' });
    const html = await get(`/api/volunteer/certificates/${res.json().id}/print`, gy);
    expect(html.headers['content-type']).toContain('text/html');
    const number = (await get('/api/me/volunteer', vera.cookie)).json().volunteerNumber;
    for (const s of ['志愿服务记录证明', '志愿甲', number, '104', '李书记', '0755-88886666', res.json().number, '中共桂园街道老围社区委员会', '敬老院探访']) expect(html.body).toContain(s);
    // never the ID number
    const id = await env.database.db.selectFrom('members').select(['id_number_enc', 'id_number_masked']).where('id', '=', vera.memberId).executeTakeFirstOrThrow();
    expect(html.body).not.toContain(createFieldCrypto(env.key).decrypt(id.id_number_enc));
    expect(html.body).not.toContain(id.id_number_masked);
    // the volunteer may print their own; another member and staff outside the scope may not
    expect((await get(`/api/volunteer/certificates/${res.json().id}/print`, vera.cookie)).statusCode).toBe(200);
    expect((await get(`/api/volunteer/certificates/${res.json().id}/print`, walt.cookie)).statusCode).toBe(404);
    expect((await get(`/api/volunteer/certificates/${res.json().id}/print`, await env.login('dongxiao'))).statusCode).toBe(404);
  });

  it('lets the volunteer issue one once the organisation has a secretary and a phone; none without hours', async () => {
    const committee = await post(`/api/orgs/${b.laowei}/committee`, gy, { name: '王秀英', role: 'secretary', termStart: '2024-01-01' });
    expect(committee.statusCode, committee.body).toBe(201);
    const patch = await env.app.inject({ method: 'PATCH', url: `/api/orgs/${b.laowei}`, headers: { cookie: gy }, payload: { contactPhone: '0755-25550000' } });
    expect(patch.statusCode, patch.body).toBeLessThan(300);
    const mine = await post('/api/me/volunteer/certificates', vera.cookie, { orgId: b.laowei });
    expect(mine.statusCode, mine.body).toBe(201);
    const html = await get(`/api/volunteer/certificates/${mine.json().id}/print`, vera.cookie);
    expect(html.body).toContain('王秀英');
    expect(html.body).toContain('0755-25550000');
    // Walt has no hours recorded by Laowei: nothing to certify
    expect((await post('/api/me/volunteer/certificates', walt.cookie, { orgId: b.laowei })).statusCode).toBe(404);
    expect((await post('/api/volunteer/certificates', gy, { memberId: walt.memberId, orgId: b.laowei, personInCharge: 'x', contact: 'y' })).json().error.code).toBe('VOLUNTEER_NO_HOURS');
    expect((await get('/api/me/volunteer', vera.cookie)).json().certificates).toHaveLength(2);
  });
});
