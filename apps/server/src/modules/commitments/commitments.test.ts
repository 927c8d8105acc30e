import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIds, setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { todayInChina } from '../../platform/dates.js';
import { caller, staffWithScope, uploadPhoto } from '../feed/feed.fixtures.js';
import { demoBranches, memberWithLogin } from '../members/members.fixtures.js';

// MEM-10: a member publishes yearly commitments (亮身份、做承诺), edits them until the branch
// confirms them, and the branch records their fulfilment (践诺) with evidence; the feed and the
// points ledger follow. Bad input changes nothing; every write leaves an audit entry.

let env: TestEnv;
let dataDir: string;
let call: ReturnType<typeof caller>;
let b: Awaited<ReturnType<typeof demoBranches>>;
let secretary: string;
let dongxiao: string;
let member: { memberId: string; cookie: string };
let other: { memberId: string; cookie: string };
const year = Number(todayInChina().slice(0, 4));

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tongxin-commitments-'));
  env = await setupTestEnv({ config: { TONGXIN_DATA_DIR: dataDir } });
  call = caller(env);
  b = await demoBranches(env.database.db, (await demoIds(env.database)).orgs);
  secretary = await staffWithScope(env, 'lw_commit_sec', 'branch_secretary', b.laoweiBranch);
  dongxiao = await env.login('dongxiao');
  member = await memberWithLogin(env, { orgId: b.laoweiBranch, name: '周承诺' });
  other = await memberWithLogin(env, { orgId: b.xinweiBranch, name: '吴旁观' });
});
afterAll(async () => {
  await env.close();
  await rm(dataDir, { recursive: true, force: true });
});

const db = () => env.database.db;
const snapshot = async () => ({
  sets: (await db().selectFrom('commitments').selectAll().execute()).map((r) => `${r.id}:${r.status}:${r.updated_at.toISOString()}`),
  items: (await db().selectFrom('commitment_items').selectAll().orderBy('id').execute()).map((i) => `${i.id}:${i.text}:${i.status}`),
  fulfilments: (await db().selectFrom('commitment_fulfilments').select('id').execute()).length,
  feed: (await db().selectFrom('feed_items').select('id').execute()).length,
  audits: (await db().selectFrom('audit_log').select('seq').where('action', 'like', 'commitment.%').execute()).length,
});
const audits = (action: string, targetId: string) => db().selectFrom('audit_log').selectAll().where('action', '=', action).where('target_id', '=', targetId).orderBy('seq').execute();
const mine = async () => (await call(member.cookie, 'GET', '/api/me/commitments')).json();

describe('commitments', () => {
  let setId: string;
  let itemIds: string[];

  it('shows the rule in force and refuses what breaks it, changing nothing', async () => {
    const start = await mine();
    expect(start).toEqual({ items: [], rules: { version: 'commitment_rules@2018', maxItems: 5, itemMaxChars: 200, years: [year, year + 1] } });
    const before = await snapshot();
    const past = await call(member.cookie, 'PUT', `/api/me/commitments/${year - 1}`, { items: ['补一条去年的'] });
    expect(past.statusCode).toBe(400);
    expect(past.json().error).toMatchObject({ code: 'COMMITMENT_YEAR_INVALID', params: { from: year, to: year + 1 } });
    const many = await call(member.cookie, 'PUT', `/api/me/commitments/${year}`, { items: ['一', '二', '三', '四', '五', '六'] });
    expect(many.json().error).toMatchObject({ code: 'COMMITMENT_TOO_MANY_ITEMS', params: { max: 5, rule: 'commitment_rules@2018' } });
    const long = await call(member.cookie, 'PUT', `/api/me/commitments/${year}`, { items: ['短的', '长'.repeat(201)] });
    expect(long.json().error).toMatchObject({ code: 'COMMITMENT_ITEM_TOO_LONG', fields: { 'items.1': '每条承诺最多 200 字（commitment_rules@2018）' } });
    expect((await call(member.cookie, 'PUT', `/api/me/commitments/${year}`, { items: [] })).json().error.code).toBe('VALIDATION_FAILED');
    expect((await call(member.cookie, 'PUT', `/api/me/commitments/${year}`, { items: ['  '] })).statusCode).toBe(400);
    expect((await call(member.cookie, 'PUT', '/api/me/commitments/abc', { items: ['x'] })).statusCode).toBe(400);
    // staff have no commitments of their own
    expect((await call(secretary, 'PUT', `/api/me/commitments/${year}`, { items: ['x'] })).statusCode).toBe(403);
    expect(await snapshot()).toEqual(before);
  });

  it('a member publishes their commitments: audited, and once to the branch feed', async () => {
    const res = await call(member.cookie, 'PUT', `/api/me/commitments/${year}`, { items: ['带头参与垃圾分类志愿服务', '每月走访一户困难党员', '参加在职党员社区报到服务'] });
    expect(res.statusCode).toBe(200);
    const set = res.json();
    expect(set).toMatchObject({ memberName: '周承诺', orgName: '老围社区第一党支部', year, status: 'published', ruleVersion: '2018', can: { edit: true, lock: false, record: false } });
    expect(set.items.map((i: { text: string; status: string }) => [i.text.slice(0, 4), i.status])).toEqual([['带头参与', 'pending'], ['每月走访', 'pending'], ['参加在职', 'pending']]);
    setId = set.id;
    expect((await audits('commitment.publish', setId))[0]).toMatchObject({ actor_name: expect.stringMatching(/^m\d+$/), result: 'ok' });
    const feed = (await call(member.cookie, 'GET', '/api/me/feed?kind=commitment')).json().items;
    expect(feed).toHaveLength(1);
    expect(feed[0]).toMatchObject({ title: `周承诺公开${year}年度承诺`, refType: 'commitment', refId: setId, authorName: '周承诺' });
    expect(feed[0].body).toContain('1. 带头参与垃圾分类志愿服务');
    expect((await call(other.cookie, 'GET', '/api/me/feed?kind=commitment')).json().items).toHaveLength(0);
  });

  it('the member edits until the branch confirms; edits are audited with before and after, not re-posted', async () => {
    const res = await call(member.cookie, 'PUT', `/api/me/commitments/${year}`, { items: ['带头参与垃圾分类志愿服务', '每季度走访一户困难党员'] });
    expect(res.json().items).toHaveLength(2);
    itemIds = res.json().items.map((i: { id: string }) => i.id);
    const [update] = await audits('commitment.update', setId);
    expect(update!.changes).toMatchObject({ year, items: { from: expect.arrayContaining(['参加在职党员社区报到服务']), to: ['带头参与垃圾分类志愿服务', '每季度走访一户困难党员'] } });
    // the same items again: nothing to record
    await call(member.cookie, 'PUT', `/api/me/commitments/${year}`, { items: ['带头参与垃圾分类志愿服务', '每季度走访一户困难党员'] });
    expect(await audits('commitment.update', setId)).toHaveLength(1);
    expect((await call(member.cookie, 'GET', '/api/me/feed?kind=commitment')).json().items).toHaveLength(1);
  });

  it('staff in scope see a member’s commitments; others do not', async () => {
    const res = await call(secretary, 'GET', `/api/members/${member.memberId}/commitments`);
    expect(res.statusCode).toBe(200);
    expect(res.json().items[0]).toMatchObject({ id: setId, can: { edit: false, lock: true, reopen: false, record: true } });
    expect((await call(dongxiao, 'GET', `/api/members/${member.memberId}/commitments`)).statusCode).toBe(404);
    expect((await call(other.cookie, 'GET', `/api/members/${member.memberId}/commitments`)).statusCode).toBe(403);
    expect((await call(secretary, 'GET', '/api/members/999999999/commitments')).statusCode).toBe(404);
    expect((await call(dongxiao, 'POST', `/api/commitments/${setId}/lock`)).statusCode).toBe(404);
    expect((await call(member.cookie, 'POST', `/api/commitments/${setId}/lock`)).statusCode).toBe(403);
  });

  it('the branch confirms (locked for the member), sends back, and confirms again: each step audited', async () => {
    const locked = await call(secretary, 'POST', `/api/commitments/${setId}/lock`);
    expect(locked.json()).toMatchObject({ status: 'locked', can: { lock: false, reopen: true } });
    expect((await call(secretary, 'POST', `/api/commitments/${setId}/lock`)).json().error.code).toBe('COMMITMENT_LOCKED');
    const before = await snapshot();
    const refused = await call(member.cookie, 'PUT', `/api/me/commitments/${year}`, { items: ['改不了了'] });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'COMMITMENT_LOCKED', params: { year } });
    expect(await snapshot()).toEqual(before);
    expect((await mine()).items[0].can.edit).toBe(false);
    expect((await call(secretary, 'POST', `/api/commitments/${setId}/reopen`, { reason: '' })).statusCode).toBe(400);
    const reopened = await call(secretary, 'POST', `/api/commitments/${setId}/reopen`, { reason: '请细化第二条' });
    expect(reopened.json()).toMatchObject({ status: 'published', lockedAt: null });
    expect((await call(secretary, 'POST', `/api/commitments/${setId}/reopen`, { reason: '再退' })).json().error.code).toBe('COMMITMENT_NOT_LOCKED');
    expect((await mine()).items[0].can.edit).toBe(true);
    await call(secretary, 'POST', `/api/commitments/${setId}/lock`);
    expect((await audits('commitment.lock', setId)).map((a) => a.actor_name)).toEqual(['lw_commit_sec', 'lw_commit_sec']);
    expect((await audits('commitment.reopen', setId))[0]!.changes).toMatchObject({ reason: '请细化第二条' });
  });

  it('refuses bad fulfilment records, changing nothing', async () => {
    const before = await snapshot();
    const url = `/api/commitments/items/${itemIds[0]}/fulfilments`;
    const future = await call(secretary, 'POST', url, { status: 'fulfilled', note: '已完成', recordedOn: `${year + 1}-12-31` });
    expect(future.json().error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { recordedOn: '日期不能晚于今天' } });
    expect((await call(secretary, 'POST', url, { status: 'fulfilled', note: '已完成', recordedOn: `${year - 1}-12-31` })).json().error.fields).toEqual({ recordedOn: `践诺日期不能早于承诺年度（${year} 年）` });
    expect((await call(secretary, 'POST', url, { status: 'fulfilled', note: '已完成', recordedOn: `${year}-02-30` })).json().error.fields).toHaveProperty('recordedOn');
    expect((await call(secretary, 'POST', url, { status: 'fulfilled', note: '' })).json().error.fields).toHaveProperty('note');
    expect((await call(secretary, 'POST', url, { status: 'pending', note: '状态不对' })).json().error.fields).toHaveProperty('status');
    const foreign = await uploadPhoto(env, await env.login('guiyuan'));
    expect((await call(secretary, 'POST', url, { status: 'fulfilled', note: '已完成', evidence: [foreign] })).json().error.code).toBe('FILE_ATTACHMENT_UNKNOWN');
    expect((await call(dongxiao, 'POST', url, { status: 'fulfilled', note: '越界' })).statusCode).toBe(404);
    expect((await call(member.cookie, 'POST', url, { status: 'fulfilled', note: '自己记' })).statusCode).toBe(403);
    expect((await call(secretary, 'POST', '/api/commitments/items/999999999/fulfilments', { status: 'fulfilled', note: 'x' })).statusCode).toBe(404);
    expect(await snapshot()).toEqual(before);
  });

  it('records fulfilment with evidence: item status, feed item with the photo, points once, audit', async () => {
    const url = `/api/commitments/items/${itemIds[0]}/fulfilments`;
    const progress = await call(secretary, 'POST', url, { status: 'in_progress', note: '已参与两次分类督导' });
    expect(progress.statusCode).toBe(201);
    expect(progress.json().items[0]).toMatchObject({ status: 'in_progress', fulfilments: [{ status: 'in_progress', recorderName: 'lw_commit_sec（测试）', recordedOn: todayInChina() }] });
    const photo = await uploadPhoto(env, secretary);
    const done = await call(secretary, 'POST', url, { status: 'fulfilled', note: '全年参与督导 24 次', evidence: [photo] });
    expect(done.json().items[0]).toMatchObject({ status: 'fulfilled', fulfilments: [{ status: 'in_progress' }, { status: 'fulfilled', evidence: [photo] }] });
    expect(done.json().can.reopen).toBe(false);
    // a second "fulfilled" record (a correction of the note) neither re-posts nor re-awards
    await call(secretary, 'POST', url, { status: 'fulfilled', note: '全年参与督导 25 次（更正）' });
    const feed = (await call(member.cookie, 'GET', '/api/me/feed?kind=commitment')).json().items;
    const fulfilled = feed.filter((i: { title: string }) => i.title === '周承诺践行承诺');
    expect(fulfilled).toHaveLength(1);
    expect(fulfilled[0]).toMatchObject({ refType: 'commitment_item', refId: itemIds[0], attachments: [photo] });
    expect(fulfilled[0].body).toContain('带头参与垃圾分类志愿服务');
    const points = await db().selectFrom('points_entries').selectAll().where('member_id', '=', member.memberId).where('source', '=', 'commitment').execute();
    expect(points.map((p) => [p.source_ref, p.amount])).toEqual([[`commitment_item:${itemIds[0]}`, 5]]);
    const entries = await audits('commitment.fulfilment', setId);
    expect(entries.map((e) => (e.changes as { status: { to: string } }).status.to)).toEqual(['in_progress', 'fulfilled', 'fulfilled']);
    expect(entries[1]!.changes).toMatchObject({ itemId: itemIds[0], evidence: 1, confirmed: false });
    // the evidence: the member and staff in scope see it; a member of another branch does not
    expect((await call(member.cookie, 'GET', `/api/files/${photo}`)).statusCode).toBe(200);
    expect((await call(other.cookie, 'GET', `/api/files/${photo}`)).statusCode).toBe(404);
    expect((await call(dongxiao, 'GET', `/api/files/${photo}`)).statusCode).toBe(404);
    // with fulfilment on record, the set cannot be sent back
    const refused = await call(secretary, 'POST', `/api/commitments/${setId}/reopen`, { reason: '想退回' });
    expect(refused.json().error).toMatchObject({ code: 'COMMITMENT_HAS_FULFILMENT', params: { count: 3 } });
  });

  it('recording fulfilment on a set still open confirms it; the member sees every year with its records', async () => {
    const third = await memberWithLogin(env, { orgId: b.laoweiBranch, name: '郑第三' });
    const open = (await call(third.cookie, 'PUT', `/api/me/commitments/${year}`, { items: ['带头参加主题党日'] })).json();
    expect(open.status).toBe('published');
    const rec = await call(secretary, 'POST', `/api/commitments/items/${open.items[0].id}/fulfilments`, { status: 'not_fulfilled', note: '尚未参加' });
    expect(rec.json()).toMatchObject({ status: 'locked', items: [{ status: 'not_fulfilled' }] });
    expect((await audits('commitment.fulfilment', open.id))[0]!.changes).toMatchObject({ confirmed: true });
    expect((await audits('commitment.lock', open.id))).toHaveLength(0); // confirmed by the record, named in its entry
    // next year's set: nothing can be recorded before that year begins
    const next = (await call(member.cookie, 'PUT', `/api/me/commitments/${year + 1}`, { items: ['明年带头参加主题党日'] })).json();
    const early = await call(secretary, 'POST', `/api/commitments/items/${next.items[0].id}/fulfilments`, { status: 'in_progress', note: '提前记录' });
    expect(early.json().error.fields).toEqual({ recordedOn: `践诺日期不能早于承诺年度（${year + 1} 年）` });
    const all = await mine();
    expect(all.items.map((s: { year: number; status: string }) => [s.year, s.status])).toEqual([[year + 1, 'published'], [year, 'locked']]);
    expect(all.items[1].items[0].fulfilments).toHaveLength(3);
  });
});
