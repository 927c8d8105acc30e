import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIds, setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { staffWithScope, uploadPhoto } from '../feed/feed.fixtures.js';
import { demoBranches, memberWithLogin } from '../members/members.fixtures.js';
import { addMember, at, caller, type Call } from './life.fixtures.js';

// LIFE-1: plan and record meetings with attendance; the quorum of a general meeting (more than half
// of the voting members: full members, not probationary ones); corrections until the branch
// confirms the record; points and the branch feed; scope; bad input changes nothing; every write
// is audited.

let env: TestEnv;
let dataDir: string;
let call: Call;
let b: Awaited<ReturnType<typeof demoBranches>>;
let guiyuan: string;
let secretary: string;
let dongxiao: string;
let m: Record<'a' | 'b' | 'c' | 'e', string>;
let me: { memberId: string; cookie: string };
let stranger: { memberId: string; cookie: string };
let xinweiMember: string;
const year = new Date().getUTCFullYear();
const lastYear = year - 1;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tongxin-life-'));
  env = await setupTestEnv({ config: { TONGXIN_DATA_DIR: dataDir } });
  call = caller(env);
  b = await demoBranches(env.database.db, (await demoIds(env.database)).orgs);
  guiyuan = await env.login('guiyuan');
  dongxiao = await env.login('dongxiao');
  secretary = await staffWithScope(env, 'lw_life_sec', 'branch_secretary', b.laoweiBranch);
  // the roll of Laowei's branch: four full members (one with a login) and one probationary member
  m = {
    a: await addMember(env, b.laoweiBranch, '甲会员'),
    b: await addMember(env, b.laoweiBranch, '乙会员'),
    c: await addMember(env, b.laoweiBranch, '丙会员'),
    e: await addMember(env, b.laoweiBranch, '戊预备', 'probationary'),
  };
  me = await memberWithLogin(env, { orgId: b.laoweiBranch, name: '丁会员' });
  stranger = await memberWithLogin(env, { orgId: b.xinweiBranch, name: '新围党员' });
  xinweiMember = stranger.memberId;
});
afterAll(async () => {
  await env.close();
  await rm(dataDir, { recursive: true, force: true });
});

const db = () => env.database.db;
const audits = (action: string, targetId?: string) => {
  let q = db().selectFrom('audit_log').selectAll().where('action', '=', action);
  if (targetId) q = q.where('target_id', '=', targetId);
  return q.orderBy('seq').execute();
};
const snapshot = async () => ({
  meetings: (await db().selectFrom('meetings').select(['id', 'status', 'updated_at', 'present', 'counts']).orderBy('id').execute()).map((r) => `${r.id}:${r.status}:${r.present}:${r.counts}:${r.updated_at.toISOString()}`),
  attendance: (await db().selectFrom('meeting_attendance').selectAll().orderBy('meeting_id').orderBy('member_id').execute()).map((a) => `${a.meeting_id}:${a.member_id}:${a.status}`),
  feed: (await db().selectFrom('feed_items').select('id').execute()).length,
  points: (await db().selectFrom('points_entries').select('id').execute()).length,
  audits: (await db().selectFrom('audit_log').select('seq').where('action', 'like', 'meeting.%').execute()).length,
});

describe('meetings', () => {
  let general: string;

  it('refuses a meeting the organisation does not hold, bad times, photos not uploaded and organisations outside the scope, changing nothing', async () => {
    const before = await snapshot();
    const plan = (cookie: string, body: Record<string, unknown>) => call(cookie, 'POST', '/api/life/meetings', { title: '测试', startsAt: at(`${year}-03-10`), ...body });
    const group = await plan(secretary, { orgId: b.laoweiBranch, kind: 'group_meeting' });
    expect(group.statusCode).toBe(400);
    expect(group.json().error).toMatchObject({ code: 'MEETING_KIND_ORG', params: { kind: '党小组会', allowed: '党小组', orgKind: '党支部' } });
    expect((await plan(secretary, { orgId: b.laoweiGroup, kind: 'general_meeting' })).json().error.code).toBe('MEETING_KIND_ORG');
    expect((await plan(guiyuan, { orgId: b.laowei, kind: 'theme_day' })).json().error.code).toBe('MEETING_KIND_ORG'); // a community committee is not a branch
    const ends = await plan(secretary, { orgId: b.laoweiBranch, kind: 'theme_day', endsAt: at(`${year}-03-10`, 8) });
    expect(ends.json().error).toMatchObject({ code: 'MEETING_END_BEFORE_START', fields: { endsAt: '结束时间须晚于开始时间' } });
    expect((await plan(secretary, { orgId: b.laoweiBranch, kind: 'theme_day', title: '' })).json().error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { title: expect.any(String) } });
    expect((await plan(secretary, { orgId: b.laoweiBranch, kind: 'tea_party' })).json().error.code).toBe('VALIDATION_FAILED');
    expect((await plan(secretary, { orgId: b.laoweiBranch, kind: 'theme_day', startsAt: '2026-13-01' })).json().error.code).toBe('VALIDATION_FAILED');
    const photo = await plan(secretary, { orgId: b.laoweiBranch, kind: 'theme_day', attachments: ['8f7c4e40-0000-4000-8000-000000000000'] });
    expect(photo.json().error.code).toBe('FILE_ATTACHMENT_UNKNOWN');
    // another street's organisation worker, and a branch secretary beyond their branch: not found
    expect((await plan(dongxiao, { orgId: b.laoweiBranch, kind: 'theme_day' })).statusCode).toBe(404);
    expect((await plan(secretary, { orgId: b.xinweiBranch, kind: 'theme_day' })).statusCode).toBe(404);
    // a member's own login plans nothing
    expect((await plan(me.cookie, { orgId: b.laoweiBranch, kind: 'theme_day' })).statusCode).toBe(403);
    expect(await snapshot()).toEqual(before);
  });

  it('plans a general meeting (audited) and lists it to the branch and the street', async () => {
    const res = await call(secretary, 'POST', '/api/life/meetings', { orgId: b.laoweiBranch, kind: 'general_meeting', title: '第一季度支部党员大会', startsAt: at(`${lastYear}-03-20`, 14), place: '老围社区党群服务中心', host: '支部书记', agenda: '学习传达上级精神；讨论发展党员' });
    expect(res.statusCode).toBe(201);
    general = res.json().id;
    expect(res.json()).toMatchObject({ kind: 'general_meeting', status: 'planned', heldOn: null, counts: false, locked: false, branch: { id: b.laoweiBranch }, can: { edit: true, record: true, cancel: true, attendance: false, lock: false } });
    // the roll to fill attendance from: the branch's members on the roll, with their status
    expect(res.json().roll.map((r: { name: string; status: string }) => `${r.name}:${r.status}`).sort()).toEqual(['丁会员:full', '丙会员:full', '乙会员:full', '戊预备:probationary', '甲会员:full'].sort());
    expect((await audits('meeting.plan', general))[0]).toMatchObject({ actor_name: 'lw_life_sec', result: 'ok', target_label: '第一季度支部党员大会' });
    const list = await call(guiyuan, 'GET', `/api/life/meetings?orgId=${b.laowei}&kind=general_meeting`);
    expect(list.json()).toMatchObject({ total: 1, items: [{ id: general, org: { name: '老围社区第一党支部' } }] });
    expect((await call(secretary, 'GET', '/api/life/meetings?status=held')).json().total).toBe(0);
  });

  it('refuses to record what cannot be: a future start, nobody present, members not on the roll, a member twice', async () => {
    const before = await snapshot();
    const record = (body: Record<string, unknown>) => call(secretary, 'POST', `/api/life/meetings/${general}/record`, body);
    expect((await record({ startsAt: at(`${year + 1}-01-05`), attendance: [{ memberId: m.a, status: 'present' }] })).json().error.code).toBe('MEETING_IN_FUTURE');
    expect((await record({ attendance: [{ memberId: m.a, status: 'excused' }] })).json().error.code).toBe('MEETING_NOBODY_PRESENT');
    const outsider = await record({ attendance: [{ memberId: m.a, status: 'present' }, { memberId: xinweiMember, status: 'present' }] });
    expect(outsider.json().error).toMatchObject({ code: 'MEETING_NOT_ON_ROLL', params: { names: `#${xinweiMember}` } });
    expect((await record({ attendance: [{ memberId: m.a, status: 'present' }, { memberId: m.a, status: 'absent' }] })).json().error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { attendance: '同一名党员不能重复登记' } });
    expect((await record({ attendance: [{ memberId: m.a, status: 'late' }] })).json().error.code).toBe('VALIDATION_FAILED');
    expect((await call(dongxiao, 'POST', `/api/life/meetings/${general}/record`, { attendance: [{ memberId: m.a, status: 'present' }] })).statusCode).toBe(404);
    expect(await snapshot()).toEqual(before);
  });

  it('exactly half of the voting members present is not a quorum; the probationary member does not count', async () => {
    // present: two of the four full members and the probationary member
    const res = await call(secretary, 'POST', `/api/life/meetings/${general}/record`, {
      minutes: '会议由支部书记主持。', attendance: [{ memberId: m.a, status: 'present' }, { memberId: m.b, status: 'present' }, { memberId: m.e, status: 'present' }, { memberId: m.c, status: 'excused', note: '出差' }],
    });
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r).toMatchObject({ status: 'held', heldOn: `${lastYear}-03-20`, expected: 5, present: 3, excused: 1, absent: 1, votingTotal: 4, votingPresent: 2, quorumMet: false, counts: false, ruleVersion: 'life_rules@2018' });
    // everybody on the roll is on the list of a general meeting: the one not named is absent
    expect(r.attendance.find((a: { memberId: string }) => a.memberId === me.memberId)).toMatchObject({ status: 'absent', voting: true });
    expect(r.attendance.find((a: { memberId: string }) => a.memberId === m.e)).toMatchObject({ status: 'present', voting: false });
    expect(r.can).toMatchObject({ record: false, attendance: true, lock: true });
    const [entry] = await audits('meeting.record', general);
    expect(entry!.changes).toMatchObject({ heldOn: `${lastYear}-03-20`, votingTotal: 4, votingPresent: 2, quorumMet: false, counts: false, ruleSet: 'life_rules@2018' });
    // posted to the branch feed, with the quorum stated
    const feed = await db().selectFrom('feed_items').selectAll().where('ref_type', '=', 'meeting').where('ref_id', '=', general).execute();
    expect(feed).toHaveLength(1);
    expect(feed[0]).toMatchObject({ org_id: b.laoweiBranch, kind: 'meeting', title: '支部党员大会：第一季度支部党员大会' });
    expect(feed[0]!.body).toContain('未超过半数，会议无效');
    // recorded once: recording again is refused
    expect((await call(secretary, 'POST', `/api/life/meetings/${general}/record`, { attendance: [{ memberId: m.a, status: 'present' }] })).json().error).toMatchObject({ code: 'MEETING_NOT_PLANNED', params: { status: 'held' } });
  });

  it('a correction to more than half makes the meeting valid, audited member by member', async () => {
    const res = await call(secretary, 'PUT', `/api/life/meetings/${general}/attendance`, {
      attendance: [{ memberId: m.a, status: 'present' }, { memberId: m.b, status: 'present' }, { memberId: m.c, status: 'present' }, { memberId: m.e, status: 'present' }],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ expected: 5, present: 4, excused: 0, absent: 1, votingTotal: 4, votingPresent: 3, quorumMet: true, counts: true });
    const [entry] = await audits('meeting.attendance', general);
    expect(entry!.changes).toMatchObject({ changed: [{ memberId: m.c, from: 'excused', to: 'present' }], quorumMet: { from: false, to: true }, counts: { from: false, to: true } });
    // a correction of the minutes is audited with what it was
    const minutes = await call(secretary, 'PATCH', `/api/life/meetings/${general}`, { minutes: '会议由支部书记主持，应到 5 人，实到 4 人。' });
    expect(minutes.json().minutes).toBe('会议由支部书记主持，应到 5 人，实到 4 人。');
    expect((await audits('meeting.update', general))[0]!.changes).toEqual({ minutes: { from: '会议由支部书记主持。', to: '会议由支部书记主持，应到 5 人，实到 4 人。' } });
    // a start moved into the future cannot be held
    expect((await call(secretary, 'PATCH', `/api/life/meetings/${general}`, { startsAt: at(`${year + 1}-03-20`) })).json().error.code).toBe('MEETING_IN_FUTURE');
  });

  it('confirming the record locks it and awards points to those present, once', async () => {
    const res = await call(secretary, 'POST', `/api/life/meetings/${general}/lock`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ locked: true, can: { edit: false, attendance: false, lock: false } });
    const points = await db().selectFrom('points_entries').select(['member_id', 'source', 'source_ref']).where('source_ref', '=', `meeting:${general}`).orderBy('member_id').execute();
    expect(points.map((p) => String(p.member_id)).sort()).toEqual([m.a, m.b, m.c, m.e].sort());
    expect(points.every((p) => p.source === 'meeting')).toBe(true);
    expect((await audits('meeting.lock', general))[0]!.changes).toMatchObject({ locked: true, pointsAwarded: 4 });
    const before = await snapshot();
    for (const [method, url, body] of [
      ['PATCH', `/api/life/meetings/${general}`, { title: '改' }],
      ['PUT', `/api/life/meetings/${general}/attendance`, { attendance: [{ memberId: m.a, status: 'absent' }, { memberId: m.b, status: 'present' }] }],
      ['POST', `/api/life/meetings/${general}/lock`, undefined],
      ['POST', `/api/life/meetings/${general}/cancel`, { reason: '误录' }],
    ] as const) {
      const r = await call(secretary, method, url, body);
      expect(r.statusCode, url).toBe(409);
      expect(r.json().error.code).toBe('MEETING_LOCKED');
    }
    expect(await snapshot()).toEqual(before);
  });

  it('a party group meeting counts for the group’s branch and lists only those named', async () => {
    const plan = await call(secretary, 'POST', '/api/life/meetings', { orgId: b.laoweiGroup, kind: 'group_meeting', title: '党小组学习', startsAt: at(`${lastYear}-04-02`, 19) });
    expect(plan.json()).toMatchObject({ org: { id: b.laoweiGroup, kind: 'party_group' }, branch: { id: b.laoweiBranch } });
    const rec = await call(secretary, 'POST', `/api/life/meetings/${plan.json().id}/record`, { attendance: [{ memberId: m.a, status: 'present' }, { memberId: m.b, status: 'excused' }] });
    expect(rec.json()).toMatchObject({ expected: 2, present: 1, excused: 1, absent: 0, votingTotal: null, quorumMet: null, counts: true });
    // a correction may name another member of the roll and drop one
    const fix = await call(secretary, 'PUT', `/api/life/meetings/${plan.json().id}/attendance`, { attendance: [{ memberId: m.a, status: 'present' }, { memberId: m.c, status: 'present' }] });
    expect(fix.json()).toMatchObject({ expected: 2, present: 2, excused: 0 });
    expect((await audits('meeting.attendance', plan.json().id))[0]!.changes).toMatchObject({ changed: expect.arrayContaining([{ memberId: m.b, from: 'excused', to: null }, { memberId: m.c, from: null, to: 'present' }]) });
  });

  it('cancels a planned meeting with a reason, and nothing more', async () => {
    const plan = await call(secretary, 'POST', '/api/life/meetings', { orgId: b.laoweiBranch, kind: 'theme_day', title: '主题党日：植树', startsAt: at(`${year + 1}-03-12`) });
    const id = plan.json().id;
    expect((await call(secretary, 'POST', `/api/life/meetings/${id}/cancel`, { reason: '' })).json().error.code).toBe('VALIDATION_FAILED');
    // a planned meeting in the future cannot be recorded yet
    expect((await call(secretary, 'POST', `/api/life/meetings/${id}/record`, { attendance: [{ memberId: m.a, status: 'present' }] })).json().error.code).toBe('MEETING_IN_FUTURE');
    const res = await call(secretary, 'POST', `/api/life/meetings/${id}/cancel`, { reason: '天气原因改期' });
    expect(res.json()).toMatchObject({ status: 'cancelled', cancelReason: '天气原因改期', can: { edit: false, record: false, cancel: false } });
    expect((await audits('meeting.cancel', id))[0]!.changes).toEqual({ status: { from: 'planned', to: 'cancelled' }, reason: '天气原因改期' });
    expect((await call(secretary, 'PATCH', `/api/life/meetings/${id}`, { title: '改' })).json().error.code).toBe('MEETING_CANCELLED');
  });

  it('keeps meetings inside the scope: another street gets 404 (audited), lists leave them out', async () => {
    const res = await call(dongxiao, 'GET', `/api/life/meetings/${general}`);
    expect(res.statusCode).toBe(404);
    expect((await db().selectFrom('audit_log').selectAll().where('action', '=', 'access.denied').where('actor_name', '=', 'dongxiao').where('target_type', '=', 'org').execute()).length).toBeGreaterThan(0);
    expect((await call(dongxiao, 'GET', `/api/life/meetings?orgId=${b.laoweiBranch}`)).statusCode).toBe(404);
    expect((await call(dongxiao, 'GET', '/api/life/meetings')).json().total).toBe(0);
    expect((await call(guiyuan, 'GET', '/api/life/meetings?pageSize=100')).json().total).toBe(3);
    expect((await call(me.cookie, 'GET', '/api/life/meetings')).statusCode).toBe(403);
  });

  it('a member sees their branch’s meetings with their own attendance; another branch’s member does not', async () => {
    const mine = await call(me.cookie, 'GET', '/api/me/meetings');
    expect(mine.statusCode).toBe(200);
    const item = mine.json().items.find((i: { id: string }) => i.id === general);
    expect(item).toMatchObject({ kind: 'general_meeting', status: 'held', myAttendance: 'absent', present: 4, expected: 5, quorumMet: true });
    expect(mine.json().total).toBe(3);
    const one = await call(me.cookie, 'GET', `/api/me/meetings/${general}`);
    expect(one.json()).toMatchObject({ minutes: '会议由支部书记主持，应到 5 人，实到 4 人。', votingTotal: 4, votingPresent: 3 });
    expect((await call(stranger.cookie, 'GET', '/api/me/meetings')).json().total).toBe(0);
    expect((await call(stranger.cookie, 'GET', `/api/me/meetings/${general}`)).statusCode).toBe(404);
    expect((await call(secretary, 'GET', '/api/me/meetings')).statusCode).toBe(403);
  });

  it('meeting photos: uploaded by the clerk, seen by the branch’s members and staff in scope only', async () => {
    const photo = await uploadPhoto(env, secretary);
    const plan = await call(secretary, 'POST', '/api/life/meetings', { orgId: b.laoweiBranch, kind: 'lecture', title: '书记讲党课', startsAt: at(`${lastYear}-06-28`, 15), attachments: [photo] });
    expect(plan.json().attachments).toEqual([photo]);
    expect((await call(me.cookie, 'GET', `/api/files/${photo}`)).statusCode).toBe(200);
    expect((await call(guiyuan, 'GET', `/api/files/${photo}`)).statusCode).toBe(200);
    expect((await call(stranger.cookie, 'GET', `/api/files/${photo}`)).statusCode).toBe(404);
    expect((await call(dongxiao, 'GET', `/api/files/${photo}`)).statusCode).toBe(404);
    // another clerk keeps the photo when editing, without having uploaded it
    const kept = await call(guiyuan, 'PATCH', `/api/life/meetings/${plan.json().id}`, { attachments: [photo], place: '党群服务中心' });
    expect(kept.statusCode).toBe(200);
  });
});
