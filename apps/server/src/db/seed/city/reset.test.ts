import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoIds, setupTestEnv, type TestEnv } from '../../../../test/harness.js';
import { memberWithLogin, demoBranches } from '../../../modules/members/members.fixtures.js';
import { createFieldCrypto } from '../../../platform/crypto.js';
import { isEmpty, loadCity, resetDomain } from './load.js';

// seed:city --reset: replaces the places, organisations, members and accounts with everything that
// refers to them (feed items, commitments, photos …), keeps the audit log, and the city loads again.

let env: TestEnv;
beforeAll(async () => {
  env = await setupTestEnv();
});
afterAll(async () => {
  await env.close();
});

const count = async (table: string) => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(env.database.db)).rows[0]!.n);

it('empties the domain (with what the later modules wrote), keeps the audit log, and the city loads again', async () => {
  const orgs = (await demoIds(env.database)).orgs;
  const b = await demoBranches(env.database.db, orgs);
  const member = await memberWithLogin(env, { orgId: b.laoweiBranch, name: '重置测试' });
  const guiyuan = await env.login('guiyuan');
  const notice = await env.app.inject({ method: 'POST', url: `/api/orgs/${b.laoweiBranch}/feed`, headers: { cookie: guiyuan }, payload: { title: '重置前的通知', body: '正文', cascade: false, internal: true } });
  expect(notice.statusCode).toBe(201);
  const commitment = await env.app.inject({ method: 'PUT', url: `/api/me/commitments/${new Date().getFullYear()}`, headers: { cookie: member.cookie }, payload: { items: ['带头参加社区志愿服务'] } });
  expect([200, 201]).toContain(commitment.statusCode);
  expect(await count('feed_items')).toBeGreaterThan(0);
  expect(await count('commitments')).toBe(1);
  const audit = await count('audit_log');

  await resetDomain(env.database.db);

  expect(await isEmpty(env.database.db)).toBe(true);
  for (const t of ['places', 'members', 'accounts', 'sessions', 'feed_items', 'commitments', 'meetings', 'cases']) expect(await count(t), t).toBe(0);
  expect(await count('audit_log')).toBe(audit);
  expect(await count('rule_sets')).toBeGreaterThan(0);

  const loaded = await loadCity(env.database, createFieldCrypto(env.key), 'demo');
  expect(loaded.orgs).toBeGreaterThan(0);
  expect(await isEmpty(env.database.db)).toBe(false);

  // the demo's member life came with it: activities ahead, the member's commitments, a feed in time order
  expect(await count('activities')).toBe(4);
  expect(await count('commitments')).toBe(1);
  const { rows } = await sql<{ kind: string; n: string; disorder: string }>`
    SELECT kind, count(*) AS n, (SELECT count(*) FROM (SELECT created_at < lag(created_at) OVER (ORDER BY id) AS back FROM feed_items) x WHERE back) AS disorder
    FROM feed_items GROUP BY kind ORDER BY kind`.execute(env.database.db);
  expect(rows.map((r) => r.kind)).toEqual(['activity', 'commitment', 'meeting', 'notice']);
  expect(Number(rows[0]!.disorder)).toBe(0);
  const demoMember = await env.login('member');
  const feed = await env.app.inject({ method: 'GET', url: '/api/me/feed?limit=50', headers: { cookie: demoMember } });
  expect(feed.statusCode).toBe(200);
  const kinds = new Set((feed.json().items as { kind: string }[]).map((i) => i.kind));
  for (const k of ['activity', 'commitment', 'meeting', 'notice']) expect(kinds.has(k), k).toBe(true);
  const menu = await env.app.inject({ method: 'GET', url: '/api/me/activities', headers: { cookie: demoMember } });
  expect(menu.statusCode).toBe(200);
  expect(menu.json().items.length).toBeGreaterThan(0);
});
