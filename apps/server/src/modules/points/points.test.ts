import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIds, setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { todayInChina } from '../../platform/dates.js';
import { demoBranches, memberWithLogin } from '../members/members.fixtures.js';
import { awardPoints, awardPointsFor, type PointsSource } from './points.service.js';

let env: TestEnv;
let ids: Awaited<ReturnType<typeof demoIds>>;
let b: Awaited<ReturnType<typeof demoBranches>>;
let gy: string;
let alice: { memberId: string; cookie: string };
let bob: { memberId: string; cookie: string };
let carol: { memberId: string; cookie: string };
const system = { id: null, name: 'system' };
beforeAll(async () => {
  env = await setupTestEnv();
  ids = await demoIds(env.database);
  b = await demoBranches(env.database.db, ids.orgs);
  gy = await env.login('guiyuan');
  alice = await memberWithLogin(env, { orgId: b.laoweiBranch, name: '积分甲' });
  bob = await memberWithLogin(env, { orgId: b.laoweiBranch, name: '积分乙' });
  carol = await memberWithLogin(env, { orgId: b.xinweiBranch, name: '积分丙' });
});
afterAll(() => env.close());

const award = (memberId: string, source: PointsSource, sourceRef: string, at?: Date, hours?: number) =>
  env.database.db.transaction().execute((trx) => (hours === undefined ? awardPoints(trx, { memberId, source, sourceRef, at, actor: system }) : awardPointsFor(trx, { memberId, source, sourceRef, at, hours, actor: system })));
const entries = (memberId: string) => env.database.db.selectFrom('points_entries').selectAll().where('member_id', '=', memberId).orderBy('id').execute();
const audits = (action: string, targetId?: string) => {
  let q = env.database.db.selectFrom('audit_log').selectAll().where('action', '=', action);
  if (targetId) q = q.where('target_id', '=', targetId);
  return q.orderBy('seq').execute();
};
const get = (url: string, cookie: string) => env.app.inject({ url, headers: { cookie } });

describe('awardPoints', () => {
  it('awards the rule amount once per (member, source, reference), audited', async () => {
    const first = await award(alice.memberId, 'study', 'study:1', new Date('2025-02-10T02:00:00Z'));
    expect(first).toMatchObject({ amount: 1 });
    const again = await award(alice.memberId, 'study', 'study:1', new Date('2025-02-11T02:00:00Z'));
    expect(again).toBeNull();
    const rows = (await entries(alice.memberId)).filter((e) => e.source_ref === 'study:1');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ org_id: b.laoweiBranch, rule_key: 'points_rules@2019/study', rule_amount: 1, amount: 1, actor_name: 'system' });
    const logged = (await audits('points.award', alice.memberId)).filter((a) => (a.changes as { sourceRef: string }).sourceRef === 'study:1');
    expect(logged).toHaveLength(1);
    expect(logged[0]!.changes).toMatchObject({ entryId: first!.entryId, amount: 1, ruleKey: 'points_rules@2019/study' });
  });

  it('caps a source per member and month (China time); the capped entry records what the rule gave', async () => {
    // meeting: 2 points each, at most 10 a month (platform default)
    const got: number[] = [];
    for (let i = 1; i <= 6; i++) got.push((await award(bob.memberId, 'meeting', `meeting:${i}`, new Date(`2025-03-0${i}T04:00:00Z`)))!.amount);
    expect(got).toEqual([2, 2, 2, 2, 2, 0]);
    // 31 March 20:00 UTC is already 1 April in China: a new month
    expect((await award(bob.memberId, 'meeting', 'meeting:7', new Date('2025-03-31T20:00:00Z')))!.amount).toBe(2);
    const capped = (await entries(bob.memberId)).find((e) => e.source_ref === 'meeting:6')!;
    expect(capped).toMatchObject({ rule_amount: 2, amount: 0 });
    // other sources have their own caps
    expect((await award(bob.memberId, 'case', 'case:1', new Date('2025-03-05T04:00:00Z')))!.amount).toBe(2);
  });

  it('multiplies a per-hour rule by the verified hours, and refuses corrections through the seam', async () => {
    expect((await award(carol.memberId, 'volunteer', 'activity:x', new Date('2025-04-02T04:00:00Z'), 3.5))!.amount).toBe(7);
    await expect(award(carol.memberId, 'correction', 'x')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(award('999999999', 'study', 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('never edits a ledger row, even by hand', async () => {
    await expect(sql`UPDATE points_entries SET amount = 100 WHERE member_id = ${alice.memberId}`.execute(env.database.db)).rejects.toThrow(/never edited/);
  });
});

describe('points rules', () => {
  const rules = (meeting: number, cap: number | null) => ({
    sources: {
      meeting: { amount: meeting, unit: 'each', monthlyCap: cap }, activity: { amount: 3, unit: 'each', monthlyCap: 15 }, volunteer: { amount: 2, unit: 'hour', monthlyCap: 40 },
      study: { amount: 1, unit: 'each', monthlyCap: 10 }, case: { amount: 2, unit: 'each', monthlyCap: 10 }, commitment: { amount: 5, unit: 'each', monthlyCap: null },
    },
  });

  it('lets the organisation worker set rules for a subtree from today; the nearest organisation wins', async () => {
    const today = todayInChina();
    const res = await env.app.inject({ method: 'POST', url: '/api/points/rules', headers: { cookie: gy }, payload: { orgId: b.laowei, effectiveFrom: today, title: '老围社区积分办法', rules: rules(5, null) } });
    expect(res.statusCode).toBe(201);
    expect(res.json().inForce).toMatchObject({ orgId: b.laowei, effectiveFrom: today, rules: { sources: { meeting: { amount: 5 } } } });
    expect((await audits('points.rules', b.laowei))).toHaveLength(1);
    // a member of Laowei's branch gets Laowei's amount today; one of Xinwei's the platform's
    expect((await award(alice.memberId, 'meeting', 'meeting:today'))!.amount).toBe(5);
    expect((await award(carol.memberId, 'meeting', 'meeting:today'))!.amount).toBe(2);
    const aliceEntry = (await entries(alice.memberId)).find((e) => e.source_ref === 'meeting:today')!;
    expect(aliceEntry.rule_key).toBe(`points_rules@org${b.laowei}:${today}/meeting`);
    // earlier entries keep the rule of their day
    expect((await award(alice.memberId, 'meeting', 'meeting:old', new Date('2025-01-05T04:00:00Z')))!.amount).toBe(2);
    const view = await get(`/api/points/rules?orgId=${b.laoweiBranch}`, gy);
    expect(view.json().inForce).toMatchObject({ orgId: b.laowei, orgName: '中共桂园街道老围社区委员会' });
    expect(view.json().platform[0]).toMatchObject({ version: '2019' });
    const mine = await get('/api/me/points/rules', alice.cookie);
    expect(mine.json().rules.sources.meeting.amount).toBe(5);
  });

  it('refuses a past date, a second version of the same day, bad rules and organisations outside the scope', async () => {
    const before = (await env.database.db.selectFrom('points_rule_versions').select('id').execute()).length;
    const post = (cookie: string, payload: object) => env.app.inject({ method: 'POST', url: '/api/points/rules', headers: { cookie }, payload });
    expect((await post(gy, { orgId: b.laowei, effectiveFrom: '2020-01-01', title: 'x', rules: rules(5, null) })).json().error.code).toBe('POINTS_RULE_DATE_PAST');
    expect((await post(gy, { orgId: b.laowei, effectiveFrom: todayInChina(), title: 'x', rules: rules(4, null) })).json().error.code).toBe('POINTS_RULE_VERSION_EXISTS');
    const bad = await post(gy, { orgId: b.laowei, effectiveFrom: '2099-01-01', title: 'x', rules: { sources: { meeting: { amount: -1, unit: 'each', monthlyCap: null } } } });
    expect(bad.statusCode).toBe(400);
    expect(Object.keys(bad.json().error.fields).join()).toContain('rules.sources');
    expect((await post(await env.login('dongxiao'), { orgId: b.laowei, effectiveFrom: '2099-01-01', title: 'x', rules: rules(4, null) })).statusCode).toBe(404);
    // a branch secretary reads rules but does not set them
    expect((await post(await env.login('kk100'), { orgId: b.kkBranch, effectiveFrom: '2099-01-01', title: 'x', rules: rules(4, null) })).statusCode).toBe(403);
    expect((await env.database.db.selectFrom('points_rule_versions').select('id').execute()).length).toBe(before);
  });
});

describe('ledger, corrections and rankings', () => {
  it('keeps the balance equal to the sum of the entries after corrections', async () => {
    const first = (await entries(bob.memberId))[0]!;
    const res = await env.app.inject({ method: 'POST', url: '/api/points/corrections', headers: { cookie: gy }, payload: { memberId: bob.memberId, amount: -2, reason: '会议记录重复录入', correctsId: first.id } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ source: 'correction', amount: -2, correctsId: String(first.id), reason: '会议记录重复录入', orgId: b.laoweiBranch });
    const plus = await env.app.inject({ method: 'POST', url: '/api/points/corrections', headers: { cookie: gy }, payload: { memberId: bob.memberId, amount: 3, reason: '补记 3 月志愿服务' } });
    expect(plus.statusCode).toBe(201);
    // the corrected entry itself is unchanged
    expect((await entries(bob.memberId))[0]).toEqual(first);
    const [logged] = await audits('points.correct', bob.memberId);
    expect(logged!.changes).toMatchObject({ amount: -2, reason: '会议记录重复录入' });

    const me = await get('/api/me/points?period=all', bob.cookie);
    const ledger = await get('/api/me/points/entries?period=all&pageSize=100', bob.cookie);
    const sum = (ledger.json().items as { amount: number }[]).reduce((s, e) => s + e.amount, 0);
    const dbSum = (await entries(bob.memberId)).reduce((s, e) => s + e.amount, 0);
    expect(me.json().balance).toBe(sum);
    expect(sum).toBe(dbSum);
    expect(ledger.json().total).toBe((await entries(bob.memberId)).length);
    expect(me.json().bySource.find((s: { source: string }) => s.source === 'correction')).toMatchObject({ total: 1, entries: 2 });
    // the capped entry is shown as capped
    expect((ledger.json().items as { sourceRef: string; capped: boolean }[]).find((e) => e.sourceRef === 'meeting:6')!.capped).toBe(true);
  });

  it('refuses bad corrections and members outside the scope, changing nothing', async () => {
    const count = async () => (await env.database.db.selectFrom('points_entries').select('id').execute()).length;
    const before = await count();
    const post = (cookie: string, payload: object) => env.app.inject({ method: 'POST', url: '/api/points/corrections', headers: { cookie }, payload });
    expect((await post(gy, { memberId: bob.memberId, amount: 0, reason: '无效' })).json().error.fields).toHaveProperty('amount');
    expect((await post(gy, { memberId: bob.memberId, amount: 1, reason: '' })).json().error.fields).toHaveProperty('reason');
    const aliceEntry = (await entries(alice.memberId))[0]!;
    expect((await post(gy, { memberId: bob.memberId, amount: 1, reason: '张冠李戴', correctsId: aliceEntry.id })).json().error.code).toBe('POINTS_ENTRY_OTHER_MEMBER');
    expect((await post(await env.login('dongxiao'), { memberId: bob.memberId, amount: 1, reason: '越权' })).statusCode).toBe(404);
    expect((await post(bob.cookie, { memberId: bob.memberId, amount: 100, reason: '给自己加分' })).statusCode).toBe(403);
    expect(await count()).toBe(before);
  });

  it('does not show a member another member’s ledger', async () => {
    expect((await get(`/api/points/members/${bob.memberId}/entries`, alice.cookie)).statusCode).toBe(403);
    expect((await get(`/api/points/members/${bob.memberId}`, alice.cookie)).statusCode).toBe(403);
    expect((await get(`/api/points/rankings?orgId=${b.laoweiBranch}`, alice.cookie)).statusCode).toBe(403);
    const mine = await get('/api/me/points/entries?period=all&pageSize=100', alice.cookie);
    expect((mine.json().items as unknown[]).length).toBeGreaterThan(0);
    const own = (await entries(alice.memberId)).map((e) => String(e.id)).sort();
    expect((mine.json().items as { id: string }[]).map((e) => e.id).sort()).toEqual(own);
    // staff outside the member's scope: not found
    expect((await get(`/api/points/members/${bob.memberId}/entries`, await env.login('dongxiao'))).statusCode).toBe(404);
    expect((await get(`/api/points/members/${bob.memberId}/entries?period=all`, gy)).json().total).toBe((await entries(bob.memberId)).length);
  });

  it('ranks members per branch and per subtree as a recount does', async () => {
    // more members and random awards over two branches and two years
    const extra = [] as string[];
    for (let i = 0; i < 6; i++) extra.push((await memberWithLogin(env, { orgId: i % 2 ? b.xinweiBranch : b.laoweiBranch, name: `排名${i}` })).memberId);
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const sources: PointsSource[] = ['meeting', 'activity', 'study', 'case', 'commitment'];
    for (let k = 0; k < 40; k++) {
      const m = extra[Math.floor(rnd() * extra.length)]!;
      const month = 1 + Math.floor(rnd() * 12);
      const year = rnd() < 0.7 ? 2025 : 2024;
      await award(m, sources[Math.floor(rnd() * sources.length)]!, `r:${k}`, new Date(`${year}-${String(month).padStart(2, '0')}-15T04:00:00Z`));
    }
    // a tie on purpose
    await award(extra[0]!, 'commitment', 'tie:a', new Date('2025-06-01T04:00:00Z'));

    const all = await env.database.db.selectFrom('points_entries').select(['member_id', 'org_id', 'amount', 'at']).execute();
    const recount = (orgIds: Set<string>, year: number | null) => {
      const totals = new Map<string, number>();
      for (const e of all) {
        if (!orgIds.has(String(e.org_id))) continue;
        const y = Number(new Date(e.at.getTime() + 8 * 3600_000).toISOString().slice(0, 4));
        if (year !== null && y !== year) continue;
        totals.set(String(e.member_id), (totals.get(String(e.member_id)) ?? 0) + e.amount);
      }
      const sorted = [...totals.entries()].sort((x, y) => y[1] - x[1] || Number(x[0]) - Number(y[0]));
      return sorted.map(([memberId, total]) => ({ memberId, total, rank: 1 + sorted.filter(([, t]) => t > total).length }));
    };
    const check = async (orgId: string, scope: 'subtree' | 'direct', period: string, orgSet: Set<string>, year: number | null) => {
      const res = await get(`/api/points/rankings?orgId=${orgId}&scope=${scope}&period=${period}&pageSize=100`, gy);
      expect(res.statusCode).toBe(200);
      const got = (res.json().items as { memberId: string; total: number; rank: number }[]).map(({ memberId, total, rank }) => ({ memberId, total, rank }));
      const want = recount(orgSet, year);
      expect(got).toEqual(want);
      expect(res.json().total).toBe(want.length);
      return want;
    };
    const street = ids.orgs['中共深圳市罗湖区桂园街道工作委员会']!;
    const both = new Set([b.laoweiBranch, b.xinweiBranch]);
    const subtree2025 = await check(street, 'subtree', '2025', both, 2025);
    expect(subtree2025.length).toBeGreaterThan(3);
    await check(street, 'subtree', 'all', both, null);
    await check(b.laoweiBranch, 'subtree', '2025', new Set([b.laoweiBranch]), 2025);
    await check(b.xinweiBranch, 'direct', '2024', new Set([b.xinweiBranch]), 2024);
    await check(street, 'direct', 'all', new Set(), null);
    // paging keeps the order
    const p2 = await get(`/api/points/rankings?orgId=${street}&period=2025&pageSize=2&page=2`, gy);
    expect((p2.json().items as { memberId: string }[]).map((x) => x.memberId)).toEqual(subtree2025.slice(2, 4).map((x) => x.memberId));

    // the member sees their own branch's ranking with their own place
    const mine = await get('/api/me/points/ranking?period=all&pageSize=100', alice.cookie);
    const want = recount(new Set([b.laoweiBranch]), null);
    expect((mine.json().items as { memberId: string }[]).map((x) => x.memberId)).toEqual(want.map((x) => x.memberId));
    expect(mine.json().mine).toMatchObject({ memberId: alice.memberId, me: true, rank: want.find((x) => x.memberId === alice.memberId)!.rank });
    expect((mine.json().items as { memberId: string }[]).some((x) => x.memberId === carol.memberId)).toBe(false);
    // outside the scope: not found; a bad period: a field error
    expect((await get(`/api/points/rankings?orgId=${street}`, await env.login('dongxiao'))).statusCode).toBe(404);
    expect((await get(`/api/points/rankings?orgId=${street}&period=2025-13`, gy)).json().error.fields).toHaveProperty('period');
  });

  it('publishes a month’s first places to the branch feed, which the branch’s members see; audited; refuses an empty month', async () => {
    const post = (body: object, cookie = gy) => env.app.inject({ method: 'POST', url: '/api/points/rankings/publish', headers: { cookie }, payload: body });
    await award(alice.memberId, 'activity', 'pub:1', new Date('2025-11-10T04:00:00Z'));
    await award(bob.memberId, 'commitment', 'pub:2', new Date('2025-11-12T04:00:00Z'));
    const want = (await get(`/api/points/rankings?orgId=${b.laoweiBranch}&period=2025-11&pageSize=3`, gy)).json().items as { name: string; total: number; rank: number }[];
    expect(want.length).toBeGreaterThan(1);

    const res = await post({ orgId: b.laoweiBranch, period: '2025-11', top: 3 });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ places: want.length, title: expect.stringContaining('2025年11月积分排行') });
    const feed = await get('/api/me/feed?kind=points_ranking', alice.cookie);
    const item = (feed.json().items as { id: string; title: string; body: string }[]).find((i) => i.id === res.json().feedItemId)!;
    expect(item.body.split('\n')).toEqual(want.map((w) => `第${w.rank}名 ${w.name} ${w.total}分`));
    expect((await audits('feed.post', res.json().feedItemId))[0]!.changes).toMatchObject({ kind: 'points_ranking', refId: `${b.laoweiBranch}:2025-11` });
    // another branch's member does not see it (internal to the branch)
    const other = await get('/api/me/feed?kind=points_ranking', carol.cookie);
    expect((other.json().items as { id: string }[]).some((i) => i.id === res.json().feedItemId)).toBe(false);

    // a month without points, all time, an organisation outside the scope: refused, nothing posted
    const before = (await env.database.db.selectFrom('feed_items').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n;
    expect((await post({ orgId: b.laoweiBranch, period: '2019-02' })).json().error).toMatchObject({ code: 'POINTS_RANKING_EMPTY', params: { period: '2019年2月' } });
    expect((await post({ orgId: b.laoweiBranch, period: 'all' })).json().error.fields).toHaveProperty('period');
    expect((await post({ orgId: b.laoweiBranch, period: '2025-11' }, await env.login('dongxiao'))).statusCode).toBe(404);
    expect((await env.database.db.selectFrom('feed_items').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n).toBe(before);
  });
});
