import type { Db, Executor } from '../../db/database.js';
import { DEMO_PASSWORD } from '../../db/seed/demo.js';
import { hashPassword } from '../../platform/passwords.js';
import { bruteForceCounts } from '../orgs/org-counts.js';
import { createOrg } from '../orgs/orgs.service.js';
import { createPlace } from '../places/places.service.js';
import { withCheckDigit } from './id-number.js';

// Test support for the members module: valid ID numbers, a few branches in the demo city, and a
// comparison of the maintained counts with a recount from scratch.

/** A valid ID number: Luohu area code, the given birth date, a sequence whose parity gives the gender. */
export function testIdNumber(seq: number, opts: { birth?: string; gender?: 'male' | 'female'; area?: string } = {}): string {
  const gender = opts.gender ?? 'male';
  let n = (seq * 2) % 1000;
  if (gender === 'male') n += 1;
  return withCheckDigit(`${opts.area ?? '440303'}${opts.birth ?? '19850612'}${String(n % 1000).padStart(3, '0')}`);
}

/** The same number with a wrong check character. */
export function withWrongCheckDigit(id: string): string {
  const last = id[17]!;
  return id.slice(0, 17) + (last === '1' ? '2' : '1');
}

/** Branches under the demo city's committees (the demo city has committees only). */
export async function demoBranches(db: Executor, orgs: Record<string, string>) {
  const laowei = orgs['中共桂园街道老围社区委员会']!;
  const xinwei = orgs['中共桂园街道新围社区委员会']!;
  const kk100 = orgs['京基100大厦联合党委']!;
  const dongxiao = orgs['中共东晓街道东晓社区委员会']!;
  const laoweiBranch = await createOrg(db, { parentId: laowei, kind: 'branch', domain: 'community', name: '老围社区第一党支部' });
  const xinweiBranch = await createOrg(db, { parentId: xinwei, kind: 'branch', domain: 'community', name: '新围社区第一党支部' });
  const kkBranch = await createOrg(db, { parentId: kk100, kind: 'joint_branch', domain: 'office_building', name: '京基100第一联合党支部' });
  const dongxiaoBranch = await createOrg(db, { parentId: dongxiao, kind: 'branch', domain: 'community', name: '东晓社区第一党支部' });
  const laoweiGroup = await createOrg(db, { parentId: laoweiBranch, kind: 'party_group', name: '老围社区第一党支部第一党小组' });
  return { laowei, xinwei, kk100, dongxiao, laoweiBranch, xinweiBranch, kkBranch, dongxiaoBranch, laoweiGroup };
}

/** A compound and an office building in Laowei community, where members live and work. */
export async function demoUnits(db: Executor, places: Record<string, string>) {
  const compound = await createPlace(db, { parentId: places['老围社区']!, kind: 'compound', name: '老围测试花园' });
  const building = await createPlace(db, { parentId: places['老围社区']!, kind: 'office_building', name: '老围测试大厦', floors: 30 });
  return { compound, building };
}

/** Differences between the maintained org_counts and a recount (empty when they agree). */
export async function countDifferences(db: Executor): Promise<string[]> {
  const brute = new Map((await bruteForceCounts(db)).map((r) => [`${r.org_id}|${r.dim}|${r.key}`, Number(r.n)]));
  const kept = new Map((await db.selectFrom('org_counts').selectAll().where('n', '!=', 0).execute()).map((r) => [`${r.org_id}|${r.dim}|${r.key}`, r.n]));
  const diffs: string[] = [];
  for (const k of new Set([...brute.keys(), ...kept.keys()])) if ((brute.get(k) ?? 0) !== (kept.get(k) ?? 0)) diffs.push(`${k}: kept ${kept.get(k) ?? 0}, recount ${brute.get(k) ?? 0}`);
  return diffs;
}

let memberSeq = 500;

/**
 * A party member with their own login (issue 5): the member is created through the API by an
 * organisation worker whose scope holds `orgId` (default guiyuan), then an account linked to the
 * member with the member role. Returns the member id and a session cookie.
 */
export async function memberWithLogin(
  env: { app: { inject: (o: object) => Promise<{ statusCode: number; body: string; json: () => any }> }; database: { db: Db }; login(u: string): Promise<string> },
  input: { orgId: string; name: string; username?: string; worker?: string; category?: string; skills?: string[]; residencePlaceId?: string; birth?: string; gender?: 'male' | 'female' },
): Promise<{ memberId: string; cookie: string; username: string }> {
  const seq = memberSeq++;
  const worker = await env.login(input.worker ?? 'guiyuan');
  const gender = input.gender ?? (seq % 2 ? 'male' : 'female');
  const res = await env.app.inject({
    method: 'POST',
    url: '/api/members',
    headers: { cookie: worker },
    payload: {
      name: input.name, idNumber: testIdNumber(seq, { birth: input.birth ?? '19880808', gender }), status: 'full', joinedOn: '2012-07-01', fullOn: '2013-07-01',
      category: input.category ?? 'in_service', skills: input.skills ?? [], orgId: input.orgId, ...(input.residencePlaceId ? { residencePlaceId: input.residencePlaceId } : {}),
    },
  });
  if (res.statusCode !== 201) throw new Error(`member ${input.name}: ${res.statusCode} ${res.body}`);
  const memberId = String(res.json().id);
  const username = input.username ?? `m${seq}`;
  const db = env.database.db;
  const role = await db.selectFrom('roles').select('id').where('key', '=', 'member').executeTakeFirstOrThrow();
  const account = await db.insertInto('accounts').values({ username, display_name: input.name, password_hash: await hashPassword(DEMO_PASSWORD), member_id: memberId }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('account_roles').values({ account_id: account.id, role_id: role.id }).execute();
  return { memberId, cookie: await env.login(username), username };
}
