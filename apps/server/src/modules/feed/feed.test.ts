import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIds, setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { demoBranches, memberWithLogin } from '../members/members.fixtures.js';
import { listenPort, openSse, type SseFrame } from '../notifications/notifications.fixtures.js';
import { caller, staffWithScope, uploadPhoto } from './feed.fixtures.js';

// MEM-2: my branch and the branch feed — who sees which item (own branch, cascading from above, never
// a sibling's internal items), unread marks, who may post where, audit entries, live delivery.

let env: TestEnv;
let dataDir: string;
let call: ReturnType<typeof caller>;
let orgs: Record<string, string>;
let b: Awaited<ReturnType<typeof demoBranches>>;
let street: string;
let guiyuan: string; // org worker of Guiyuan street
let dongxiao: string; // org worker of another street
let secretary: string; // branch secretary scoped to Laowei's first branch
let laowei: { memberId: string; cookie: string };
let xinwei: { memberId: string; cookie: string };

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tongxin-feed-'));
  env = await setupTestEnv({ config: { TONGXIN_DATA_DIR: dataDir } });
  call = caller(env);
  orgs = (await demoIds(env.database)).orgs;
  b = await demoBranches(env.database.db, orgs);
  street = orgs['中共深圳市罗湖区桂园街道工作委员会']!;
  guiyuan = await env.login('guiyuan');
  dongxiao = await env.login('dongxiao');
  secretary = await staffWithScope(env, 'lw_branch_sec', 'branch_secretary', b.laoweiBranch);
  laowei = await memberWithLogin(env, { orgId: b.laoweiBranch, name: '张老围' });
  xinwei = await memberWithLogin(env, { orgId: b.xinweiBranch, name: '李新围' });
});
afterAll(async () => {
  await env.close();
  await rm(dataDir, { recursive: true, force: true });
});

const db = () => env.database.db;
const feedCount = async () => (await db().selectFrom('feed_items').select('id').execute()).length;
const post = (cookie: string, orgId: string, body: object) => call(cookie, 'POST', `/api/orgs/${orgId}/feed`, body);
const titles = async (cookie: string, query = '') => ((await call(cookie, 'GET', `/api/me/feed?limit=50${query}`)).json().items as { title: string }[]).map((i) => i.title);

describe('my branch', () => {
  it('shows the branch, its secretary and committee, the organisations above it and its member count', async () => {
    const add = await call(guiyuan, 'POST', `/api/orgs/${b.laoweiBranch}/committee`, { name: '王书记', role: 'secretary', termStart: '2024-01-01' });
    expect(add.statusCode).toBe(201);
    await call(guiyuan, 'POST', `/api/orgs/${b.laoweiBranch}/committee`, { name: '赵委员', role: 'organisation', termStart: '2024-01-01' });
    const res = await call(laowei.cookie, 'GET', '/api/me/branch');
    expect(res.statusCode).toBe(200);
    const me = res.json();
    expect(me).toMatchObject({ member: { id: laowei.memberId, name: '张老围' }, branch: { id: b.laoweiBranch, name: '老围社区第一党支部', kind: 'branch' }, secretary: { name: '王书记', role: 'secretary' }, memberCount: 1 });
    expect(me.committee.map((c: { name: string }) => c.name)).toEqual(['王书记', '赵委员']);
    expect(me.above.map((o: { name: string }) => o.name)).toEqual(['中共深圳市委员会', '中共深圳市罗湖区委员会', '中共深圳市罗湖区桂园街道工作委员会', '中共桂园街道老围社区委员会']);
    // a staff account is not a member: it has no branch of its own
    expect((await call(guiyuan, 'GET', '/api/me/branch')).statusCode).toBe(403);
    expect((await call(guiyuan, 'GET', '/api/me/feed')).statusCode).toBe(403);
  });

  it('a member joining (created or moved in) is announced in the branch feed', async () => {
    expect(await titles(laowei.cookie)).toContain('欢迎新党员张老围');
    const other = await memberWithLogin(env, { orgId: b.dongxiaoBranch, name: '陈东晓', worker: 'dongxiao' });
    const move = await call(await env.login('luohu'), 'POST', `/api/members/${other.memberId}/move`, { toOrgId: b.laoweiBranch, reason: '工作调动' });
    expect(move.statusCode).toBe(200);
    expect(await titles(laowei.cookie)).toContain('陈东晓同志转入本组织');
    expect(await titles(xinwei.cookie)).not.toContain('陈东晓同志转入本组织');
    const item = await db().selectFrom('feed_items').selectAll().where('title', '=', '陈东晓同志转入本组织').executeTakeFirstOrThrow();
    expect(item).toMatchObject({ kind: 'new_member', ref_type: 'member', ref_id: other.memberId, internal: true, cascade: false });
    const audit = await db().selectFrom('audit_log').selectAll().where('action', '=', 'feed.post').where('target_id', '=', String(item.id)).executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_name: 'luohu', result: 'ok' });
  });
});

describe('the branch feed', () => {
  const ids: Record<string, string> = {};

  it('secretaries and organisation workers post notices within their scope; the post is audited', async () => {
    const own = await post(secretary, b.laoweiBranch, { title: '支部通知：周六主题党日', body: '上午九点，社区党群服务中心' });
    expect(own.statusCode).toBe(201);
    expect(own.json()).toMatchObject({ kind: 'notice', orgName: '老围社区第一党支部', authorName: 'lw_branch_sec（测试）', cascade: false, internal: true, can: { withdraw: true } });
    ids.own = own.json().id;
    ids.down = (await post(guiyuan, street, { title: '街道党工委：学习贯彻通知', cascade: true })).json().id;
    ids.committeeOnly = (await post(guiyuan, b.laowei, { title: '社区党委内部通知', cascade: false })).json().id;
    ids.xinwei = (await post(guiyuan, b.xinweiBranch, { title: '新围支部内部通知' })).json().id;
    ids.xinweiPublic = (await post(guiyuan, b.xinweiBranch, { title: '新围支部公开活动', internal: false })).json().id;
    const entry = await db().selectFrom('audit_log').selectAll().where('action', '=', 'feed.post').where('target_id', '=', ids.own).executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ actor_name: 'lw_branch_sec', target_label: '支部通知：周六主题党日', changes: { orgId: b.laoweiBranch, kind: 'notice', cascade: false, internal: true } });
  });

  it('refuses posting without the permission (403), outside the scope (404) and bad input (400), changing nothing', async () => {
    const before = await feedCount();
    expect((await post(laowei.cookie, b.laoweiBranch, { title: '党员不能发通知' })).statusCode).toBe(403);
    expect((await post(dongxiao, b.laoweiBranch, { title: '越界' })).statusCode).toBe(404);
    expect((await post(secretary, b.xinweiBranch, { title: '隔壁支部' })).statusCode).toBe(404);
    expect((await post(secretary, b.laowei, { title: '上级党委' })).statusCode).toBe(404);
    const empty = await post(secretary, b.laoweiBranch, { title: '   ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.fields).toHaveProperty('title');
    expect((await post(secretary, b.laoweiBranch, { title: 'x'.repeat(101) })).json().error.fields).toHaveProperty('title');
    const foreign = await uploadPhoto(env, guiyuan); // uploaded by someone else
    const att = await post(secretary, b.laoweiBranch, { title: '带附件', attachments: [foreign] });
    expect(att.json().error.code).toBe('FILE_ATTACHMENT_UNKNOWN');
    expect(await feedCount()).toBe(before);
    const denied = await db().selectFrom('audit_log').select('reason').where('actor_name', '=', 'dongxiao').where('result', '=', 'denied').execute();
    expect(denied.map((d) => d.reason)).toContain('out_of_scope: feed:post');
  });

  it('a member sees their branch and what cascades from above, never a sibling branch or an uncascaded item above', async () => {
    const mine = await titles(laowei.cookie);
    expect(mine).toEqual(expect.arrayContaining(['支部通知：周六主题党日', '街道党工委：学习贯彻通知']));
    expect(mine).not.toContain('社区党委内部通知');
    expect(mine).not.toContain('新围支部内部通知');
    expect(mine).not.toContain('新围支部公开活动');
    const theirs = await titles(xinwei.cookie);
    expect(theirs).toEqual(expect.arrayContaining(['街道党工委：学习贯彻通知', '新围支部内部通知', '新围支部公开活动']));
    expect(theirs).not.toContain('支部通知：周六主题党日');
    const page = (await call(laowei.cookie, 'GET', '/api/me/feed?limit=50')).json();
    const down = page.items.find((i: { id: string }) => i.id === ids.down);
    expect(down).toMatchObject({ inherited: true, orgName: '中共深圳市罗湖区桂园街道工作委员会', unread: true });
    expect(page.items.find((i: { id: string }) => i.id === ids.own)).toMatchObject({ inherited: false });
    // newest first, by kind
    const idsInOrder = page.items.map((i: { id: string }) => BigInt(i.id));
    expect([...idsInOrder].sort((x, y) => (y > x ? 1 : y < x ? -1 : 0))).toEqual(idsInOrder);
    expect((await titles(laowei.cookie, '&kind=new_member')).every((t) => t.includes('张老围') || t.includes('陈东晓'))).toBe(true);
  });

  it('a sibling branch’s internal item is 404 (audited); its public item may be read; my own item is readable', async () => {
    const hidden = await call(laowei.cookie, 'GET', `/api/me/feed/${ids.xinwei}`);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json().error.code).toBe('NOT_FOUND');
    expect((await call(laowei.cookie, 'GET', `/api/me/feed/${ids.committeeOnly}`)).statusCode).toBe(404);
    const denied = await db().selectFrom('audit_log').selectAll().where('action', '=', 'access.denied').where('target_type', '=', 'feed_item').where('target_id', '=', ids.xinwei).execute();
    expect(denied).toHaveLength(1);
    expect((await call(laowei.cookie, 'GET', `/api/me/feed/${ids.xinweiPublic}`)).json()).toMatchObject({ title: '新围支部公开活动', internal: false });
    expect((await call(laowei.cookie, 'GET', `/api/me/feed/${ids.down}`)).json()).toMatchObject({ inherited: true });
    expect((await call(laowei.cookie, 'GET', '/api/me/feed/999999999')).statusCode).toBe(404);
  });

  it('pages by keyset: nextBefore walks the whole feed once', async () => {
    const all = (await call(laowei.cookie, 'GET', '/api/me/feed?limit=50')).json().items.map((i: { id: string }) => i.id);
    const seen: string[] = [];
    let before = '';
    for (let i = 0; i < 20; i++) {
      const page = (await call(laowei.cookie, 'GET', `/api/me/feed?limit=2${before ? `&before=${before}` : ''}`)).json();
      seen.push(...page.items.map((x: { id: string }) => x.id));
      if (!page.nextBefore) break;
      before = page.nextBefore;
    }
    expect(seen).toEqual(all);
    expect(all.length).toBeGreaterThan(2);
  });

  it('counts unread items; marking read moves a marker forward only (audited)', async () => {
    const first = (await call(laowei.cookie, 'GET', '/api/me/feed?limit=50')).json();
    const total = first.items.length;
    expect(first.unread).toBe(total);
    expect(first.readUpTo).toBe('0');
    const sorted = first.items.map((i: { id: string }) => i.id);
    const middle = sorted[Math.floor(total / 2)];
    const partly = await call(laowei.cookie, 'POST', '/api/me/feed/read', { upTo: middle });
    expect(partly.json()).toEqual({ readUpTo: middle, unread: sorted.filter((id: string) => BigInt(id) > BigInt(middle)).length });
    // an older marker does not move it back
    expect((await call(laowei.cookie, 'POST', '/api/me/feed/read', { upTo: sorted.at(-1) })).json().readUpTo).toBe(middle);
    const marks = (await call(laowei.cookie, 'GET', '/api/me/feed?limit=50')).json().items.map((i: { id: string; unread: boolean }) => i.unread);
    expect(marks.filter(Boolean)).toHaveLength(sorted.filter((id: string) => BigInt(id) > BigInt(middle)).length);
    const all = (await call(laowei.cookie, 'POST', '/api/me/feed/read', {})).json();
    expect(all).toEqual({ readUpTo: sorted[0], unread: 0 });
    expect((await call(laowei.cookie, 'GET', '/api/me/branch')).json().unread).toBe(0);
    // a new item in my branch is unread again; the other member's marks are their own
    await post(secretary, b.laoweiBranch, { title: '新通知' });
    expect((await call(laowei.cookie, 'GET', '/api/me/feed')).json().unread).toBe(1);
    expect((await call(xinwei.cookie, 'GET', '/api/me/feed')).json().unread).toBeGreaterThan(1);
    const audits = await db().selectFrom('audit_log').selectAll().where('action', '=', 'feed.read').where('target_id', '=', laowei.memberId).execute();
    expect(audits).toHaveLength(2); // the refused backwards move changed nothing and left no entry
    expect(audits[0]!.changes).toEqual({ readUpTo: { from: '0', to: middle } });
  });

  it('staff read an organisation’s feed in scope, with what cascades into it; others get 404', async () => {
    const list = (await call(secretary, 'GET', `/api/orgs/${b.laoweiBranch}/feed?pageSize=100`)).json();
    const byTitle = Object.fromEntries(list.items.map((i: { title: string }) => [i.title, i]));
    expect(byTitle['街道党工委：学习贯彻通知']).toMatchObject({ inherited: true, can: { withdraw: false } });
    expect(byTitle['支部通知：周六主题党日']).toMatchObject({ inherited: false, can: { withdraw: true } });
    expect(list.total).toBe(list.items.length);
    const own = (await call(secretary, 'GET', `/api/orgs/${b.laoweiBranch}/feed?own=true&pageSize=100`)).json();
    expect(own.items.every((i: { orgId: string }) => i.orgId === b.laoweiBranch)).toBe(true);
    expect(own.total).toBeLessThan(list.total);
    expect((await call(secretary, 'GET', `/api/orgs/${b.laoweiBranch}/feed?q=主题党日`)).json().total).toBe(1);
    expect((await call(secretary, 'GET', `/api/orgs/${b.xinweiBranch}/feed`)).statusCode).toBe(404);
    expect((await call(dongxiao, 'GET', `/api/orgs/${b.laoweiBranch}/feed`)).statusCode).toBe(404);
    expect((await call(laowei.cookie, 'GET', `/api/orgs/${b.laoweiBranch}/feed`)).statusCode).toBe(403);
  });

  it('a withdrawn notice leaves every feed; only notices are withdrawn here; audited', async () => {
    const item = (await post(secretary, b.laoweiBranch, { title: '发错的通知' })).json();
    expect(await titles(laowei.cookie)).toContain('发错的通知');
    expect((await call(dongxiao, 'DELETE', `/api/feed/items/${item.id}`)).statusCode).toBe(404);
    expect((await call(secretary, 'DELETE', `/api/feed/items/${item.id}`)).statusCode).toBe(204);
    expect(await titles(laowei.cookie)).not.toContain('发错的通知');
    expect((await call(laowei.cookie, 'GET', `/api/me/feed/${item.id}`)).statusCode).toBe(404);
    expect((await call(secretary, 'DELETE', `/api/feed/items/${item.id}`)).statusCode).toBe(404);
    const row = await db().selectFrom('feed_items').select(['withdrawn_at']).where('id', '=', item.id).executeTakeFirstOrThrow();
    expect(row.withdrawn_at).not.toBeNull();
    expect(await db().selectFrom('audit_log').select('actor_name').where('action', '=', 'feed.withdraw').where('target_id', '=', item.id).execute()).toEqual([{ actor_name: 'lw_branch_sec' }]);
    const joined = await db().selectFrom('feed_items').select('id').where('kind', '=', 'new_member').where('org_id', '=', b.laoweiBranch).executeTakeFirstOrThrow();
    const refused = await call(secretary, 'DELETE', `/api/feed/items/${joined.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('FEED_NOT_A_NOTICE');
  });

  it('attachments: the branch’s members and staff in scope see the photo, a sibling branch’s member does not', async () => {
    const photo = await uploadPhoto(env, secretary);
    const item = await post(secretary, b.laoweiBranch, { title: '活动照片', attachments: [photo] });
    expect(item.statusCode).toBe(201);
    expect(item.json().attachments).toEqual([photo]);
    expect((await call(laowei.cookie, 'GET', `/api/files/${photo}/thumbnail`)).statusCode).toBe(200);
    expect((await call(guiyuan, 'GET', `/api/files/${photo}`)).statusCode).toBe(200);
    expect((await call(xinwei.cookie, 'GET', `/api/files/${photo}`)).statusCode).toBe(404);
    expect((await call(dongxiao, 'GET', `/api/files/${photo}`)).statusCode).toBe(404);
  });
});

describe('live feed (GET /api/events)', () => {
  const isFeed = (itemId: string) => (f: SseFrame) => f.event === 'feed' && JSON.parse(f.data!).itemId === itemId;

  it('delivers an item to the members of its branch, not to another branch; cascading items to both', async () => {
    const port = await listenPort(env.app);
    const a = await openSse(port, laowei.cookie);
    const x = await openSse(port, xinwei.cookie);
    const staff = await openSse(port, guiyuan);
    await Promise.all([a, x, staff].map((s) => s.waitFor((f) => f.retry === '3000')));
    const own = (await post(secretary, b.laoweiBranch, { title: '实时通知' })).json().id as string;
    const frame = await a.waitFor(isFeed(own), 3000);
    expect(JSON.parse(frame.data!)).toEqual({ itemId: own, orgId: b.laoweiBranch });
    expect(frame.id).toMatch(new RegExp(`^\\d+-f${own}$`));
    const down = (await post(guiyuan, street, { title: '实时下发', cascade: true })).json().id as string;
    await a.waitFor(isFeed(down), 3000);
    await x.waitFor(isFeed(down), 3000);
    // the cascading item arrived at x after the branch item was fanned out: x never got the branch item
    expect(x.frames.some(isFeed(own))).toBe(false);
    expect(staff.frames.some((f) => f.event === 'feed')).toBe(false);
    for (const s of [a, x, staff]) s.close();
  });
});
