import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIds, setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { todayInChina } from '../../platform/dates.js';
import { staffWithScope } from '../feed/feed.fixtures.js';
import { demoBranches, memberWithLogin } from '../members/members.fixtures.js';
import { addMember, caller, heldMeeting, type Call } from './life.fixtures.js';

// LIFE-3: first-agenda study at a meeting, courses with hours, secretaries' lectures; each member's
// hours, summed per member, per organisation and over a subtree; points for study; the member's
// own view; bad input changes nothing; every write is audited.

let env: TestEnv;
let call: Call;
let b: Awaited<ReturnType<typeof demoBranches>>;
let orgs: Record<string, string>;
let guiyuan: string;
let secretary: string;
let dongxiao: string;
let lw: string[];
let me: { memberId: string; cookie: string };
let xw: string;
const Y = new Date().getUTCFullYear() - 1;

beforeAll(async () => {
  env = await setupTestEnv();
  call = caller(env);
  orgs = (await demoIds(env.database)).orgs;
  b = await demoBranches(env.database.db, orgs);
  guiyuan = await env.login('guiyuan');
  dongxiao = await env.login('dongxiao');
  secretary = await staffWithScope(env, 'lw_study_sec', 'branch_secretary', b.laoweiBranch);
  lw = [await addMember(env, b.laoweiBranch, '学习甲'), await addMember(env, b.laoweiBranch, '学习乙')];
  me = await memberWithLogin(env, { orgId: b.laoweiBranch, name: '学习丙' });
  xw = await addMember(env, b.xinweiBranch, '新围学员');
});
afterAll(() => env.close());

const db = () => env.database.db;
const audits = (action: string, targetId: string) => db().selectFrom('audit_log').selectAll().where('action', '=', action).where('target_id', '=', targetId).orderBy('seq').execute();
const snapshot = async () => ({
  sessions: (await db().selectFrom('study_sessions').select(['id', 'title', 'updated_at']).orderBy('id').execute()).map((s) => `${s.id}:${s.title}:${s.updated_at.toISOString()}`),
  records: (await db().selectFrom('study_records').select(['id', 'hours']).orderBy('id').execute()).map((r) => `${r.id}:${r.hours}`),
  points: (await db().selectFrom('points_entries').select('id').execute()).length,
  audits: (await db().selectFrom('audit_log').select('seq').where('action', 'like', 'study.%').execute()).length,
});

describe('study', () => {
  let firstAgenda: string;
  let course: string;

  it('first-agenda study at a meeting credits those present, earns study points and goes to the feed', async () => {
    const meeting = await heldMeeting(call, secretary, { orgId: b.laoweiBranch, kind: 'committee_meeting', date: `${Y}-03-05`, present: [lw[0]!, me.memberId] });
    const res = await call(secretary, 'POST', '/api/life/study/sessions', { orgId: b.laoweiBranch, kind: 'first_agenda', title: '学习习近平总书记重要讲话精神', heldOn: `${Y}-03-05`, hours: 1.5, meetingId: meeting.id });
    expect(res.statusCode).toBe(201);
    const s = res.json();
    firstAgenda = s.id;
    expect(s).toMatchObject({ kind: 'first_agenda', hours: 1.5, participants: 2, totalHours: 3, meetingId: meeting.id, can: { edit: true, addRecords: true } });
    expect(s.records.map((r: { memberId: string; hours: number; studiedOn: string }) => `${r.memberId}:${r.hours}:${r.studiedOn}`).sort()).toEqual([`${lw[0]}:1.5:${Y}-03-05`, `${me.memberId}:1.5:${Y}-03-05`].sort());
    const points = await db().selectFrom('points_entries').select(['member_id', 'source']).where('source_ref', '=', `study:${firstAgenda}`).execute();
    expect(points.map((p) => String(p.member_id)).sort()).toEqual([lw[0], me.memberId].sort());
    expect(points.every((p) => p.source === 'study')).toBe(true);
    expect((await db().selectFrom('feed_items').selectAll().where('ref_type', '=', 'study_session').where('ref_id', '=', firstAgenda).execute())[0]).toMatchObject({ kind: 'study', org_id: b.laoweiBranch });
    expect((await audits('study.session_create', firstAgenda))[0]!.changes).toMatchObject({ kind: 'first_agenda', hours: 1.5, members: expect.arrayContaining([lw[0], me.memberId]), pointsAwarded: 2 });
  });

  it('refuses bad input and changes nothing', async () => {
    const before = await snapshot();
    const make = (cookie: string, body: Record<string, unknown>) => call(cookie, 'POST', '/api/life/study/sessions', { orgId: b.laoweiBranch, kind: 'course', title: '先锋学院：党章学习', heldOn: `${Y}-04-01`, hours: 2, ...body });
    expect((await make(secretary, { hours: 0.15 })).json().error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { hours: '学时须大于 0、不超过 200，最多一位小数' } });
    expect((await make(secretary, { hours: 0 })).json().error.code).toBe('VALIDATION_FAILED');
    expect((await make(secretary, { heldOn: '2099-01-01' })).json().error.code).toBe('STUDY_DATE_IN_FUTURE');
    expect((await make(secretary, { kind: 'party' })).json().error.code).toBe('VALIDATION_FAILED');
    const outside = await make(guiyuan, { memberIds: [lw[0], xw] });
    expect(outside.json().error).toMatchObject({ code: 'STUDY_MEMBERS_OUTSIDE_ORG', params: { names: `#${xw}`, org: '老围社区第一党支部' } });
    expect((await make(secretary, { meetingId: '999999' })).json().error.code).toBe('STUDY_MEETING_INVALID');
    expect((await make(dongxiao, {})).statusCode).toBe(404);
    expect((await make(me.cookie, {})).statusCode).toBe(403);
    expect(await snapshot()).toEqual(before);
  });

  it('a course: members complete it, with hours up to the course’s; a correction is audited', async () => {
    const res = await call(secretary, 'POST', '/api/life/study/sessions', { orgId: b.laoweiBranch, kind: 'course', title: '先锋学院：党章学习', provider: '先锋学院', heldOn: `${Y}-04-01`, hours: 2, memberIds: [lw[0]] });
    course = res.json().id;
    expect(res.json()).toMatchObject({ participants: 1, totalHours: 2 });
    // courses are individual: nothing goes to the feed
    expect(await db().selectFrom('feed_items').select('id').where('ref_id', '=', course).where('ref_type', '=', 'study_session').execute()).toHaveLength(0);
    const before = await snapshot();
    const add = (body: Record<string, unknown>) => call(secretary, 'POST', `/api/life/study/sessions/${course}/records`, body);
    expect((await add({ memberIds: [lw[1]], hours: 2.5 })).json().error).toMatchObject({ code: 'STUDY_HOURS_ABOVE_SESSION', params: { hours: 2 } });
    expect((await add({ memberIds: [lw[0]] })).json().error).toMatchObject({ code: 'STUDY_RECORD_EXISTS', params: { names: '学习甲' } });
    expect((await add({ memberIds: [lw[1], lw[1]] })).json().error.code).toBe('VALIDATION_FAILED');
    expect((await add({ memberIds: [lw[1]], studiedOn: '2099-01-01' })).json().error.code).toBe('STUDY_DATE_IN_FUTURE');
    expect((await add({ memberIds: [xw] })).json().error.code).toBe('STUDY_MEMBERS_OUTSIDE_ORG');
    expect(await snapshot()).toEqual(before);
    const ok = await add({ memberIds: [lw[1], me.memberId], hours: 1.5, studiedOn: `${Y}-04-20` });
    expect(ok.json()).toMatchObject({ participants: 3, totalHours: 5 });
    expect((await audits('study.records_add', course))[0]!.changes).toMatchObject({ hours: 1.5, studiedOn: `${Y}-04-20`, pointsAwarded: 2 });
    const rec = ok.json().records.find((r: { memberId: string }) => r.memberId === me.memberId);
    const fix = await call(secretary, 'PATCH', `/api/life/study/records/${rec.id}`, { hours: 1 });
    expect(fix.json().totalHours).toBe(4.5);
    expect((await audits('study.record_update', rec.id))[0]!.changes).toEqual({ memberId: me.memberId, hours: { from: 1.5, to: 1 } });
    expect((await call(secretary, 'PATCH', `/api/life/study/records/${rec.id}`, { hours: 3 })).json().error.code).toBe('STUDY_HOURS_ABOVE_SESSION');
    const renamed = await call(secretary, 'PATCH', `/api/life/study/sessions/${course}`, { title: '先锋学院：党章专题学习' });
    expect(renamed.json().title).toBe('先锋学院：党章专题学习');
    expect((await audits('study.session_update', course))[0]!.changes).toEqual({ title: { from: '先锋学院：党章学习', to: '先锋学院：党章专题学习' } });
  });

  it('a secretary’s lecture in another branch, this year', async () => {
    const res = await call(guiyuan, 'POST', '/api/life/study/sessions', { orgId: b.xinweiBranch, kind: 'lecture', title: '书记讲党课：新时代党支部建设', provider: '新围社区第一党支部书记', heldOn: todayInChina(), hours: 2, memberIds: [xw] });
    expect(res.statusCode).toBe(201);
  });

  it('sums hours per member, per organisation and over the subtree', async () => {
    const street = orgs['中共深圳市罗湖区桂园街道工作委员会']!;
    const perMember = (await call(guiyuan, 'GET', `/api/life/study/hours?orgId=${street}&year=${Y}`)).json();
    // 学习甲 1.5 + 2; 学习丙 1.5 + 1; 学习乙 1.5
    expect(perMember.summary).toEqual({ hours: 7.5, members: 3, records: 5 });
    expect(perMember.items.map((i: { name: string; hours: number; records: number }) => `${i.name}:${i.hours}:${i.records}`)).toEqual(['学习甲:3.5:2', '学习丙:2.5:2', '学习乙:1.5:1']);
    expect(perMember.items[0].org).toMatchObject({ name: '老围社区第一党支部' });
    const perOrg = (await call(guiyuan, 'GET', `/api/life/study/hours?orgId=${street}&by=org`)).json();
    expect(perOrg.summary).toEqual({ hours: 9.5, members: 4, records: 6 });
    expect(perOrg.items.map((i: { name: string; hours: number; members: number }) => `${i.name}:${i.hours}:${i.members}`)).toEqual(['老围社区第一党支部:7.5:3', '新围社区第一党支部:2:1']);
    const branchOnly = (await call(secretary, 'GET', `/api/life/study/hours?by=org`)).json();
    expect(branchOnly.summary.hours).toBe(7.5);
    const paged = (await call(guiyuan, 'GET', `/api/life/study/hours?orgId=${street}&pageSize=1&page=2`)).json();
    expect(paged).toMatchObject({ total: 4, items: [{ name: '学习丙' }] });
    expect((await call(dongxiao, 'GET', `/api/life/study/hours?orgId=${b.laoweiBranch}`)).statusCode).toBe(404);
    expect((await call(dongxiao, 'GET', '/api/life/study/hours')).json().summary).toEqual({ hours: 0, members: 0, records: 0 });
    expect((await call(dongxiao, 'GET', `/api/life/study/sessions/${course}`)).statusCode).toBe(404);
    const list = (await call(guiyuan, 'GET', `/api/life/study/sessions?orgId=${street}&kind=course`)).json();
    expect(list).toMatchObject({ total: 1, items: [{ id: course, participants: 3, totalHours: 4.5 }] });
  });

  it('a member sees their own study hours and meeting attendance', async () => {
    const mine = (await call(me.cookie, 'GET', `/api/me/study?year=${Y}`)).json();
    expect(mine).toMatchObject({ year: Y, hours: 2.5, allTimeHours: 2.5, attended: { present: 1, listed: 1 } });
    expect(mine.records.map((r: { kind: string; hours: number }) => `${r.kind}:${r.hours}`)).toEqual(['course:1', 'first_agenda:1.5']);
    expect((await call(me.cookie, 'GET', `/api/me/study?year=${Y + 1}`)).json()).toMatchObject({ hours: 0, allTimeHours: 2.5, records: [] });
    expect((await call(guiyuan, 'GET', '/api/me/study')).statusCode).toBe(403);
  });
});
