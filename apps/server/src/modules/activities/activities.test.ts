import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIds, setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { createFieldCrypto } from '../../platform/crypto.js';
import type { VolunteerRules } from '../../platform/rules.js';
import { demoBranches, demoUnits, memberWithLogin } from '../members/members.fixtures.js';
import { currentCode, verifyCode } from './activities.checkin.js';
import { inMinutes, secretaryAccount, shiftActivity } from './activities.fixtures.js';

let env: TestEnv;
let ids: Awaited<ReturnType<typeof demoIds>>;
let b: Awaited<ReturnType<typeof demoBranches>>;
let gy: string;
let sec: string;
type M = { memberId: string; cookie: string };
let alice: M, bob: M, dave: M, erin: M;
beforeAll(async () => {
  env = await setupTestEnv();
  ids = await demoIds(env.database);
  b = await demoBranches(env.database.db, ids.orgs);
  const units = await demoUnits(env.database.db, ids.places);
  gy = await env.login('guiyuan');
  await secretaryAccount(env.database.db, 'lw.sec', b.laoweiBranch);
  sec = await env.login('lw.sec');
  alice = await memberWithLogin(env, { orgId: b.laoweiBranch, name: '活动甲', skills: ['急救'], residencePlaceId: units.compound });
  bob = await memberWithLogin(env, { orgId: b.laoweiBranch, name: '活动乙' });
  // an in-service member of Xinwei's branch who registered with Laowei community (在职党员社区报到)
  dave = await memberWithLogin(env, { orgId: b.xinweiBranch, name: '活动丁', category: 'in_service', skills: ['法律咨询'] });
  const reg = await env.app.inject({ method: 'POST', url: `/api/members/${dave.memberId}/community-registration`, headers: { cookie: gy }, payload: { communityId: ids.places['老围社区'], registeredOn: '2025-01-10' } });
  expect(reg.statusCode, reg.body).toBe(201);
  erin = await memberWithLogin(env, { orgId: b.dongxiaoBranch, name: '活动戊', worker: 'dongxiao' });
});
afterAll(() => env.close());

const post = (url: string, cookie: string, payload?: object) => env.app.inject({ method: 'POST', url, headers: { cookie }, ...(payload ? { payload } : {}) });
const get = (url: string, cookie: string) => env.app.inject({ url, headers: { cookie } });
const audits = (action: string, targetId: string) => env.database.db.selectFrom('audit_log').selectAll().where('action', '=', action).where('target_id', '=', targetId).orderBy('seq').execute();

const branchActivity = () => ({
  kind: 'activity', orgId: b.laoweiBranch, title: '主题党日：重温入党誓词', description: '请着正装', startsAt: inMinutes(24 * 60), endsAt: inMinutes(24 * 60 + 120), location: '老围社区党群服务中心', capacity: 2, serviceHours: 0,
});
const communityJob = () => ({
  kind: 'volunteer', orgId: b.laowei, placeId: ids.places['老围社区'], organiserName: '老围社区党群服务中心', title: '社区义诊志愿者', startsAt: inMinutes(48 * 60), endsAt: inMinutes(48 * 60 + 180),
  location: '老围社区广场', capacity: 10, serviceHours: 3, skills: ['急救', '医疗健康'], contact: '0755-12345678',
});

let act: string; // the branch's activity
let job: string; // the community's volunteer job

describe('publishing', () => {
  it('publishes a branch activity and a community volunteer job, audited and posted to the feed', async () => {
    const a = await post('/api/activities', sec, branchActivity());
    expect(a.statusCode, a.body).toBe(201);
    act = a.json().id;
    expect(a.json()).toMatchObject({ kind: 'activity', orgName: '老围社区第一党支部', phase: 'open', points: 3, left: 2, can: { edit: true, cancel: true, confirm: false } });
    const j = await post('/api/activities', gy, communityJob());
    expect(j.statusCode, j.body).toBe(201);
    job = j.json().id;
    // 2 points per verified hour by the platform rules: 3 hours give 6
    expect(j.json()).toMatchObject({ placeName: '老围社区', organiserName: '老围社区党群服务中心', serviceHours: 3, points: 6 });
    expect((await audits('activity.publish', act))[0]).toMatchObject({ actor_name: 'lw.sec', result: 'ok' });
    const feed = await env.database.db.selectFrom('feed_items').selectAll().where('ref_type', '=', 'activity').where('ref_id', '=', act).execute();
    expect(feed).toHaveLength(1);
    expect(feed[0]).toMatchObject({ kind: 'activity', org_id: b.laoweiBranch, title: '主题党日：重温入党誓词' });
  });

  it('refuses bad times, hours and places, and organisers outside the scope, publishing nothing', async () => {
    const count = async () => (await env.database.db.selectFrom('activities').select('id').execute()).length;
    const before = await count();
    const bad: [object, string][] = [
      [{ startsAt: inMinutes(-60), endsAt: inMinutes(60) }, 'startsAt'],
      [{ endsAt: inMinutes(23 * 60) }, 'endsAt'],
      [{ signupDeadline: inMinutes(30 * 60) }, 'signupDeadline'],
      [{ kind: 'volunteer', serviceHours: 0 }, 'serviceHours'],
      [{ serviceHours: 5 }, 'serviceHours'],
      [{ capacity: 0 }, 'capacity'],
      [{ title: '' }, 'title'],
      // a branch secretary has no place scope: only places at or above the branch's own place
      [{ placeId: ids.places['东晓社区'] }, 'placeId'],
    ];
    for (const [change, field] of bad) {
      const res = await post('/api/activities', sec, { ...branchActivity(), ...change });
      expect(res.statusCode, JSON.stringify(change)).toBe(400);
      expect(res.json().error.fields, JSON.stringify(change)).toHaveProperty(field);
    }
    expect((await post('/api/activities', await env.login('dongxiao'), branchActivity())).statusCode).toBe(404);
    expect((await post('/api/activities', alice.cookie, branchActivity())).statusCode).toBe(403);
    expect(await count()).toBe(before);
  });

  it('lists activities in the organiser’s scope with filters, and hides them elsewhere', async () => {
    const list = await get(`/api/activities?orgId=${ids.orgs['中共深圳市罗湖区桂园街道工作委员会']}&kind=volunteer`, gy);
    expect(list.json().items.map((a: { id: string }) => a.id)).toEqual([job]);
    const mine = await get('/api/activities?phase=upcoming', sec);
    expect(mine.json().items.map((a: { id: string }) => a.id)).toEqual([act]);
    expect((await get(`/api/activities/${job}`, sec)).statusCode).toBe(404);
    expect((await get(`/api/activities/${act}`, await env.login('dongxiao'))).statusCode).toBe(404);
    expect((await get('/api/activities?q=义诊', gy)).json().total).toBe(1);
  });
});

describe('the member’s menu and sign-up', () => {
  it('filters the menu by organisation, community, registration and skills', async () => {
    const ofA = await get('/api/me/activities', alice.cookie);
    expect(ofA.json().items.map((a: { id: string; audience: string }) => [a.id, a.audience])).toEqual([[act, 'org'], [job, 'residence']]);
    // Dave's branch is elsewhere; he claims the service jobs of the community he registered with
    const ofD = await get('/api/me/activities', dave.cookie);
    expect(ofD.json().items.map((a: { id: string; audience: string }) => [a.id, a.audience])).toEqual([[job, 'registered']]);
    expect((await get('/api/me/activities', erin.cookie)).json().items).toEqual([]);
    // Bob has no matching skill: with the skill filter the job disappears
    const bobAll = await get('/api/me/activities', bob.cookie);
    expect(bobAll.json().items.find((a: { id: string }) => a.id === job)?.skillsMatch).toBe(false);
    const bobSkills = await get('/api/me/activities?matchSkills=true', bob.cookie);
    expect(bobSkills.json().items.map((a: { id: string }) => a.id)).toEqual([act]);
    expect((await get(`/api/me/activities/${act}`, erin.cookie)).statusCode).toBe(404);
    // staff accounts without a member are refused
    expect((await get('/api/me/activities', gy)).statusCode).toBe(403);
  });

  it('signs up within capacity and once only, checks skills, and lets the member cancel before the deadline', async () => {
    const a = await post(`/api/me/activities/${act}/signup`, alice.cookie);
    expect(a.statusCode, a.body).toBe(200);
    expect(a.json()).toMatchObject({ mine: { status: 'signed_up' }, counts: { signedUp: 1 }, left: 1 });
    expect((await post(`/api/me/activities/${act}/signup`, alice.cookie)).json().error.code).toBe('ACTIVITY_ALREADY_SIGNED_UP');
    expect((await post(`/api/me/activities/${act}/signup`, bob.cookie)).statusCode).toBe(200);
    // full at 2: the place is freed by a cancellation, and taken again
    expect((await post(`/api/me/activities/${act}/signup`, dave.cookie)).statusCode).toBe(404); // not in Dave's menu
    const extra = await memberWithLogin(env, { orgId: b.laoweiBranch, name: '活动己' });
    expect((await post(`/api/me/activities/${act}/signup`, extra.cookie)).json().error).toMatchObject({ code: 'ACTIVITY_FULL', params: { capacity: 2 } });
    const cancel = await post(`/api/me/activities/${act}/cancel`, bob.cookie);
    expect(cancel.json()).toMatchObject({ mine: { status: 'cancelled' }, counts: { signedUp: 1 } });
    expect((await post(`/api/me/activities/${act}/cancel`, bob.cookie)).json().error.code).toBe('ACTIVITY_NOT_SIGNED_UP');
    expect((await post(`/api/me/activities/${act}/signup`, bob.cookie)).json().mine.status).toBe('signed_up');
    expect((await post(`/api/me/activities/${act}/signup`, extra.cookie)).json().error.code).toBe('ACTIVITY_FULL');
    // the job needs 急救 or 医疗健康
    expect((await post(`/api/me/activities/${job}/signup`, bob.cookie)).json().error).toMatchObject({ code: 'ACTIVITY_SKILLS_REQUIRED' });
    expect((await post(`/api/me/activities/${job}/signup`, alice.cookie)).statusCode).toBe(200);
    // each step left an audit entry
    expect((await audits('activity.signup', act)).length).toBe(3);
    expect((await audits('activity.signup_cancel', act)).length).toBe(1);
    // a volunteer job gives the member a volunteer number
    expect((await env.database.db.selectFrom('volunteers').select('number').where('member_id', '=', alice.memberId).executeTakeFirst())?.number).toMatch(/^V\d{10}$/);
  });

  it('refuses sign-ups and cancellations after the deadline', async () => {
    // the job's deadline passes (it starts in 2 hours, sign-up closed 10 minutes ago)
    await shiftActivity(env.database.db, job, 120, 180, -10);
    const d = await memberWithLogin(env, { orgId: b.laoweiBranch, name: '活动庚', skills: ['医疗健康'] });
    expect((await post(`/api/me/activities/${job}/signup`, d.cookie)).json().error.code).toBe('ACTIVITY_DEADLINE_PASSED');
    expect((await post(`/api/me/activities/${job}/cancel`, alice.cookie)).json().error.code).toBe('ACTIVITY_CANCEL_CLOSED');
    expect((await get(`/api/me/activities/${job}`, alice.cookie)).json()).toMatchObject({ phase: 'closed', mine: { status: 'signed_up' } });
  });
});

describe('QR check-in', () => {
  const rules: VolunteerRules = { starHours: [100], checkIn: { stepSeconds: 30, graceSeconds: 5, opensMinutesBefore: 30, closesMinutesAfter: 30 } };

  it('takes a code only in its own time step (plus the grace), and only for its activity', () => {
    const crypto = createFieldCrypto(env.key);
    const t0 = Date.UTC(2026, 4, 1, 2, 0, 0); // a step boundary
    const { code } = currentCode(crypto, rules, '42', t0 + 1000);
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(verifyCode(crypto, rules, '42', code, t0 + 29_000)).toBe(true);
    expect(verifyCode(crypto, rules, '42', `${code.slice(0, 4)}-${code.slice(4).toLowerCase()}`, t0 + 10_000)).toBe(true);
    expect(verifyCode(crypto, rules, '42', code, t0 + 33_000)).toBe(true); // a scan in flight at the change
    expect(verifyCode(crypto, rules, '42', code, t0 + 36_000)).toBe(false); // a screenshot, seconds later
    expect(verifyCode(crypto, rules, '42', code, t0 + 600_000)).toBe(false);
    expect(verifyCode(crypto, rules, '42', code, t0 - 1_000)).toBe(false); // not before its step either
    expect(verifyCode(crypto, rules, '43', code, t0 + 1000)).toBe(false);
    expect(verifyCode(createFieldCrypto(Buffer.alloc(32, 7)), rules, '42', code, t0 + 1000)).toBe(false);
  });

  it('refuses check-in outside the activity’s window', async () => {
    // the activity starts tomorrow: the screen shows no code, and a code worked out anyway is refused
    const screen = await get(`/api/activities/${act}/check-in-code`, sec);
    expect(screen.json()).toMatchObject({ open: false, code: null, signedUp: 2 });
    const forged = currentCode(createFieldCrypto(env.key), (await env.database.db.selectFrom('rule_sets').select('rules').where('key', '=', 'volunteer_rules').executeTakeFirstOrThrow()).rules as unknown as VolunteerRules, act).code;
    const res = await post(`/api/me/activities/${act}/check-in`, alice.cookie, { code: forged });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('ACTIVITY_CHECKIN_CLOSED');
    // after it closed (ended 40 minutes ago, closes 30 minutes after the end)
    await shiftActivity(env.database.db, act, -160, 120, -170);
    expect((await get(`/api/activities/${act}/check-in-code`, sec)).json().open).toBe(false);
    expect((await post(`/api/me/activities/${act}/check-in`, alice.cookie, { code: forged })).json().error.code).toBe('ACTIVITY_CHECKIN_CLOSED');
    const denied = (await audits('activity.check_in', act)).filter((a) => a.result === 'denied');
    expect(denied.map((a) => a.reason)).toEqual(['outside_window', 'outside_window']);
  });

  it('checks in with the screen’s code; a stale or foreign code and a replay are refused', async () => {
    await shiftActivity(env.database.db, act, -10, 120, -20);
    const screen = await get(`/api/activities/${act}/check-in-code`, sec);
    expect(screen.json()).toMatchObject({ open: true, stepSeconds: 30 });
    const { code, path } = screen.json();
    expect(path).toBe(`/m/activities/${act}/check-in?code=${code}`);
    expect(screen.json().qr).toMatch(/^data:image\/png;base64,/);
    // a code from two steps ago (a screenshot passed on) and the code of another activity
    const crypto = createFieldCrypto(env.key);
    const stale = currentCode(crypto, rules, act, Date.now() - 60_000).code;
    expect((await post(`/api/me/activities/${act}/check-in`, alice.cookie, { code: stale })).json().error.code).toBe('ACTIVITY_CHECKIN_CODE_INVALID');
    expect((await post(`/api/me/activities/${act}/check-in`, alice.cookie, { code: currentCode(crypto, rules, job).code })).json().error.code).toBe('ACTIVITY_CHECKIN_CODE_INVALID');
    const fresh = (await get(`/api/activities/${act}/check-in-code`, sec)).json().code;
    const ok = await post(`/api/me/activities/${act}/check-in`, alice.cookie, { code: fresh });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().mine.checkedInAt).not.toBeNull();
    const replay = await post(`/api/me/activities/${act}/check-in`, alice.cookie, { code: fresh });
    expect(replay.statusCode).toBe(409);
    expect(replay.json().error.code).toBe('ACTIVITY_ALREADY_CHECKED_IN');
    // someone who did not sign up cannot check in with a code passed on
    const d = await memberWithLogin(env, { orgId: b.laoweiBranch, name: '活动辛' });
    expect((await post(`/api/me/activities/${act}/check-in`, d.cookie, { code: fresh })).json().error.code).toBe('ACTIVITY_NOT_SIGNED_UP');
    const entries = await audits('activity.check_in', act);
    expect(entries.filter((a) => a.result === 'ok')).toHaveLength(1);
    expect(entries.filter((a) => a.result === 'denied').map((a) => a.reason)).toEqual(['outside_window', 'outside_window', 'code_invalid', 'code_invalid', 'replay']);
    expect((await get(`/api/activities/${act}/check-in-code`, sec)).json().checkedIn).toBe(1);
  });
});

describe('attendance', () => {
  it('refuses confirmation before the start, and changes to a started activity', async () => {
    const early = await post('/api/activities', gy, { ...communityJob(), title: '下周的岗位' });
    const signups = await get(`/api/activities/${early.json().id}/signups`, gy);
    expect(signups.json()).toEqual([]);
    expect((await post(`/api/activities/${early.json().id}/attendance`, gy, { items: [{ signupId: '1', attended: true }] })).json().error.code).toBe('ACTIVITY_NOT_STARTED');
    expect((await env.app.inject({ method: 'PATCH', url: `/api/activities/${act}`, headers: { cookie: sec }, payload: { capacity: 5 } })).json().error.code).toBe('ACTIVITY_STARTED');
    expect((await post(`/api/activities/${act}/cancel`, sec, { reason: '天气原因' })).json().error.code).toBe('ACTIVITY_STARTED');
  });

  it('confirms attendance once: points and verified hours follow for those present', async () => {
    const signups = (await get(`/api/activities/${act}/signups`, sec)).json() as { id: string; memberId: string; checkedInAt: string | null; status: string }[];
    const a = signups.find((s) => s.memberId === alice.memberId)!;
    const bo = signups.find((s) => s.memberId === bob.memberId)!;
    expect(a.checkedInAt).not.toBeNull();
    expect(bo.checkedInAt).toBeNull();
    const res = await post(`/api/activities/${act}/attendance`, sec, { items: [{ signupId: a.id, attended: true, hours: 1.5 }, { signupId: bo.id, attended: false }] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().find((s: { memberId: string }) => s.memberId === alice.memberId)).toMatchObject({ attendance: 'present', hours: 1.5 });
    expect(res.json().find((s: { memberId: string }) => s.memberId === bob.memberId)).toMatchObject({ attendance: 'absent', hours: null });
    // points: activity, 3 each; verified hours recorded by the branch
    const points = await env.database.db.selectFrom('points_entries').selectAll().where('source_ref', '=', `activity:${act}`).execute();
    expect(points.map((p) => [String(p.member_id), p.source, p.amount])).toEqual([[alice.memberId, 'activity', 3]]);
    const hours = await env.database.db.selectFrom('volunteer_hours').selectAll().where('activity_id', '=', act).execute();
    expect(hours.map((h) => [String(h.member_id), h.kind, Number(h.hours), String(h.org_id)])).toEqual([[alice.memberId, 'service', 1.5, b.laoweiBranch]]);
    expect((await audits('activity.confirm', act))[0]!.changes).toMatchObject({ items: [{ memberId: alice.memberId, attendance: 'present', points: 3, checkedIn: true }, { memberId: bob.memberId, attendance: 'absent' }] });
    // once only: a mistake is corrected by a new entry
    const again = await post(`/api/activities/${act}/attendance`, sec, { items: [{ signupId: bo.id, attended: true }] });
    expect(again.json().error).toMatchObject({ code: 'ACTIVITY_ATTENDANCE_CONFIRMED', params: { name: '活动乙' } });
    // the member sees the points in their branch ranking
    const ranking = await get('/api/me/points/ranking?period=all', alice.cookie);
    expect(ranking.json().mine).toMatchObject({ memberId: alice.memberId, total: 3, rank: 1 });
  });

  it('awards volunteer points per verified hour, and refuses more hours than the activity lasted', async () => {
    await shiftActivity(env.database.db, job, -200, 180, -210);
    const [s] = (await get(`/api/activities/${job}/signups`, gy)).json() as { id: string }[];
    expect((await post(`/api/activities/${job}/attendance`, gy, { items: [{ signupId: s!.id, attended: true, hours: 4 }] })).json().error.code).toBe('ACTIVITY_HOURS_TOO_LONG');
    const ok = await post(`/api/activities/${job}/attendance`, gy, { items: [{ signupId: s!.id, attended: true }] });
    expect(ok.statusCode, ok.body).toBe(200);
    const p = await env.database.db.selectFrom('points_entries').selectAll().where('source_ref', '=', `activity:${job}`).executeTakeFirstOrThrow();
    expect(p).toMatchObject({ source: 'volunteer', amount: 6 });
    expect((await get('/api/me/points?period=all', alice.cookie)).json().balance).toBe(9);
    expect((await post(`/api/activities/${act}/attendance`, await env.login('dongxiao'), { items: [{ signupId: s!.id, attended: true }] })).statusCode).toBe(404);
  });
});

describe('changing and cancelling', () => {
  it('keeps the capacity above the sign-ups, and closes a cancelled activity to sign-ups', async () => {
    const a = await post('/api/activities', sec, { ...branchActivity(), title: '党课', capacity: 3 });
    const id = a.json().id;
    await post(`/api/me/activities/${id}/signup`, alice.cookie);
    await post(`/api/me/activities/${id}/signup`, bob.cookie);
    const patch = (payload: object) => env.app.inject({ method: 'PATCH', url: `/api/activities/${id}`, headers: { cookie: sec }, payload });
    expect((await patch({ capacity: 1 })).json().error).toMatchObject({ code: 'ACTIVITY_CAPACITY_BELOW_SIGNUPS', params: { count: 2 } });
    const ok = await patch({ capacity: 2, location: '老围社区会议室' });
    expect(ok.json()).toMatchObject({ capacity: 2, location: '老围社区会议室', left: 0 });
    expect((await audits('activity.update', id)).at(-1)!.changes).toMatchObject({ capacity: { from: 3, to: 2 }, location: { to: '老围社区会议室' } });
    const c = await post(`/api/activities/${id}/cancel`, sec, { reason: '台风预警' });
    expect(c.json()).toMatchObject({ status: 'cancelled', phase: 'cancelled', cancelReason: '台风预警' });
    expect((await audits('activity.cancel', id))[0]!.changes).toMatchObject({ reason: '台风预警', signedUp: 2 });
    const d = await memberWithLogin(env, { orgId: b.laoweiBranch, name: '活动壬' });
    expect((await post(`/api/me/activities/${id}/signup`, d.cookie)).json().error.code).toBe('ACTIVITY_CANCELLED');
    expect((await get('/api/me/activities', d.cookie)).json().items.some((x: { id: string }) => x.id === id)).toBe(false);
  });
});

describe('API document', () => {
  it('documents the activity, volunteer and points endpoints', async () => {
    const res = await env.app.inject({ url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    for (const path of ['/api/activities', '/api/activities/{id}/check-in-code', '/api/activities/{id}/attendance', '/api/me/activities/{id}/check-in', '/api/me/volunteer', '/api/volunteer/certificates/{id}/print', '/api/points/rankings', '/api/points/corrections', '/api/me/points/ranking']) {
      expect(res.json().paths, path).toHaveProperty([path]);
    }
  });
});
