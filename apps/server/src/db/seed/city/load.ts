import { sql } from 'kysely';
import type { BuiltinRoleKey } from '@tongxin/contracts';
import type { Database, Db } from '../../database.js';
import type { FieldCrypto } from '../../../platform/crypto.js';
import { mask } from '../../../platform/crypto.js';
import { recordAudit } from '../../../platform/audit.js';
import { hashPassword } from '../../../platform/passwords.js';
import { memberDeltas, orgDeltas, type CountDelta } from '../../../modules/orgs/org-counts.js';
import { DEMO_PASSWORD } from '../demo.js';
import { ensureBuiltinRoles } from '../roles.js';
import { loadCaseDemo } from '../../../modules/cases/cases.demo.js';
import { ensureDefaultRuleSets } from '../../../platform/rules.js';
import { polygon } from './geometry.js';
import { buildCity, generateMembers, type City, type GenMember, type GenOrg } from './generate.js';
import { Rng } from './rng.js';
import { withBulk, type BulkWriter, type Column } from './bulk.js';
import { SCALES, type ScaleSpec } from './specs.js';
import { loadMeetings } from './meetings.js';
import { loadMemberLifeDemo } from './member-life.js';

// Loads a synthetic city with set-based inserts (unnest of arrays, thousands of rows a statement).
// Subtree counts are tallied while generating, not recomputed afterwards.

const MEMBER_COLUMNS: Column[] = [['id', 'bigint'], ['name', 'text'], ['gender', 'text'], ['birth_date', 'date'], ['id_number_enc', 'text'], ['id_number_hmac', 'text'], ['id_number_masked', 'text'], ['phone_enc', 'text'], ['phone_hmac', 'text'], ['phone_masked', 'text'],
  ['status', 'text'], ['joined_on', 'date'], ['full_on', 'date'], ['category', 'text'], ['education', 'text'], ['occupation', 'text'], ['skills', 'text', 'text[]'], ['org_id', 'bigint'], ['residence_place_id', 'bigint'], ['work_place_id', 'bigint']];

function closureRows<T extends { id: number; parentId: number | null }>(nodes: T[]): number[][] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const rows: number[][] = [];
  for (const n of nodes) {
    let depth = 0;
    for (let cur: T | undefined = n; cur; cur = cur.parentId === null ? undefined : byId.get(cur.parentId)) rows.push([cur.id, n.id, depth++]);
  }
  return rows;
}

export interface LoadResult {
  scale: string;
  places: number;
  orgs: number;
  members: number;
  seconds: Record<string, number>;
  accounts: { username: string; password: string; role: string; scope: string }[];
}

/** The domain tables a reset empties (accounts and audit log excepted: the log is append-only). */
// Everything --reset replaces: the places, organisations, members and accounts with all that refers
// to them. The audit log, rule sets, roles and platform settings stay.
const DOMAIN_TABLES = [
  'study_records', 'study_sessions', 'meeting_attendance', 'meetings',
  'feed_reads', 'feed_items', 'commitment_fulfilments', 'commitment_items', 'commitments',
  'volunteer_certificates', 'volunteer_correction_requests', 'volunteer_hours', 'volunteers', 'activity_signups', 'activities', 'points_entries', 'points_rule_versions',
  'notifications', 'case_deadlines', 'case_events', 'case_whistles', 'case_followers', 'cases', 'case_counters', 'case_routes', 'department_staff', 'departments', 'case_categories',
  'assistance_visits', 'difficulty_records', 'mobile_records', 'community_reviews', 'community_registrations', 'member_moves', 'members', 'org_counts', 'org_history', 'org_committee_members', 'org_units', 'org_closure', 'orgs', 'place_closure', 'places',
  'files', 'open311_keys', 'otp_codes', 'account_scopes', 'sessions', 'account_roles', 'accounts'];

export async function isEmpty(db: Db): Promise<boolean> {
  const row = await db.selectFrom('orgs').select('id').limit(1).executeTakeFirst();
  return !row;
}

export async function resetDomain(db: Db): Promise<void> {
  // One TRUNCATE of them all: row-by-row DELETEs check every foreign key per row (at city scale,
  // hours). Without CASCADE, a table that refers to these and is missing from the list makes the
  // reset fail instead of being emptied unseen.
  await sql`TRUNCATE ${sql.join(DOMAIN_TABLES.map((t) => sql.table(t)))}`.execute(db);
}

export async function loadCity(database: Database, crypto: FieldCrypto, scaleName: ScaleSpec['name'], opts: { seed?: number; log?: (msg: string) => void } = {}): Promise<LoadResult> {
  const spec = SCALES[scaleName];
  const { db } = database;
  const log = opts.log ?? (() => {});
  const seconds: Record<string, number> = {};
  const t0 = performance.now();
  let mark = t0;
  const lap = (label: string) => {
    const now = performance.now();
    seconds[label] = Math.round(now - mark) / 1000;
    mark = now;
    log(`  ${label}: ${seconds[label]} s`);
  };

  const city = buildCity(spec, opts.seed);
  lap('generate places and organisations');
  const counts = new Map<string, CountDelta>();
  const closureOf = new Map<number, number[]>(); // org id → ancestors (itself first)
  for (const o of city.orgs) closureOf.set(o.id, o.parentId === null ? [o.id] : [o.id, ...closureOf.get(o.parentId)!]);
  const tally = (deltas: CountDelta[]) => {
    for (const d of deltas) {
      const orgId = Number(d.orgId);
      for (const a of d.own ? [orgId] : closureOf.get(orgId)!) {
        const k = `${a}|${d.dim}|${d.key}`;
        const cur = counts.get(k);
        if (cur) cur.n += d.n;
        else counts.set(k, { orgId: String(a), dim: d.dim, key: d.key, n: d.n });
      }
    }
  };
  for (const o of city.orgs) tally(orgDeltas({ orgId: String(o.id), parentId: o.parentId === null ? null : String(o.parentId), kind: o.kind, domain: o.domain }, 1));

  // Secondary indexes of the bulk tables are built once after the load instead of updated row by
  // row; their definitions are read back from the catalogue, so the migrations stay the one source.
  const { rows: deferred } = await sql<{ indexname: string; indexdef: string }>`
    SELECT indexname, indexdef FROM pg_indexes
    WHERE schemaname = current_schema() AND tablename IN ('places', 'place_closure', 'orgs', 'org_closure', 'members', 'member_moves', 'meetings', 'meeting_attendance') AND indexname NOT LIKE '%\_pkey'`.execute(db);
  for (const ix of deferred) await sql`DROP INDEX ${sql.id(ix.indexname)}`.execute(db);
  // the indexes come back even when the load fails half way (IF NOT EXISTS: a rerun is harmless)
  const restoreIndexes = async () => {
    for (const ix of deferred) await sql.raw(ix.indexdef.replace(/^CREATE (UNIQUE )?INDEX /, 'CREATE $1INDEX IF NOT EXISTS ')).execute(db);
  };
  let members = 0;
  try {
  await withBulk(database, async (w) => {
    await w.rows('places', [['id', 'bigint'], ['parent_id', 'bigint'], ['kind', 'text'], ['name', 'text'], ['code', 'text'], ['geometry', 'jsonb'], ['bbox', 'text', 'float8[]'], ['lng', 'float8'], ['lat', 'float8'], ['floors', 'int'], ['building_use', 'text'], ['households', 'int']],
      city.places.map((p) => [p.id, p.parentId, p.kind, p.name, p.code, p.box ? JSON.stringify(polygon(p.box)) : null, p.box ? `{${p.box.w},${p.box.s},${p.box.e},${p.box.n}}` : null, p.lng ?? null, p.lat ?? null, p.floors ?? null, p.use ?? null, p.households ?? null]));
    await w.rows('place_closure', [['ancestor_id', 'bigint'], ['descendant_id', 'bigint'], ['depth', 'int']], closureRows(city.places));
    await w.rows('orgs', [['id', 'bigint'], ['parent_id', 'bigint'], ['kind', 'text'], ['domain', 'text'], ['name', 'text'], ['place_id', 'bigint'], ['founded_on', 'date'], ['term_started_on', 'date'], ['term_years', 'int']],
      city.orgs.map((o) => [o.id, o.parentId, o.kind, o.domain, o.name, o.placeId, o.foundedOn, o.termStartedOn, o.termYears]));
    await w.rows('org_closure', [['ancestor_id', 'bigint'], ['descendant_id', 'bigint'], ['depth', 'int']], closureRows(city.orgs));
    await w.rows('org_units', [['org_id', 'bigint'], ['place_id', 'bigint']], city.orgs.flatMap((o) => o.units.map((u) => [o.id, u])));
    await w.rows('org_history', [['org_id', 'bigint'], ['at', 'timestamptz'], ['action', 'text'], ['to_parent', 'bigint'], ['details', 'jsonb']],
      city.orgs.map((o) => [o.id, `${o.foundedOn}T00:00:00+08:00`, 'found', o.parentId, JSON.stringify({ kind: o.kind, domain: o.domain, name: o.name, source: 'synthetic city' })]));
    await w.rows('org_committee_members', [['org_id', 'bigint'], ['name', 'text'], ['role', 'text'], ['term_start', 'date'], ['term_end', 'date']], committees(city.orgs, opts.seed));
  });
  lap('insert places, organisations, closures, committees');

  const dongxiao = city.named.orgs['东晓街道'];
  const difficultyPool: number[] = [];
  const insertBatch = async (batch: GenMember[], rows: unknown[][]) => {
    await withBulk(database, async (w) => {
      await w.rows('members', MEMBER_COLUMNS, rows);
      await w.rows('member_moves', [['member_id', 'bigint'], ['at', 'timestamptz'], ['kind', 'text'], ['to_org_id', 'bigint'], ['reason', 'text']], batch.map((m) => [m.id, `${m.joinedOn}T00:00:00Z`, 'join', m.orgId, '']));
    });
  };
  // Generating (and encrypting) the next batch overlaps with the database inserting the previous one.
  let pending: Promise<void> = Promise.resolve();
  for (const batch of generateMembers(city, opts.seed)) {
    const rows = batch.map((m) => [
      m.id, m.name, m.gender, m.birthDate, crypto.encrypt(m.idNumber), crypto.lookupHash(m.idNumber), mask(m.idNumber), crypto.encrypt(m.phone), crypto.lookupHash(m.phone), mask(m.phone),
      m.status, m.joinedOn, m.fullOn, m.category, m.education, m.occupation, `{${m.skills.join(',')}}`, m.orgId, m.residencePlaceId, m.workPlaceId,
    ]);
    for (const m of batch) {
      tally(memberDeltas({ orgId: String(m.orgId), status: m.status, category: m.category }, 1));
      if (dongxiao && closureOf.get(m.orgId)!.includes(dongxiao) && difficultyPool.length < 400) difficultyPool.push(m.id);
    }
    await pending;
    pending = insertBatch(batch, rows);
    members += batch.length;
  }
  await pending;
  lap(`insert ${members} members`);

  // organisational life (issue 5): a year of meetings as rows with counts (see meetings.ts)
  const own = (orgId: number, dim: string, key: string) => counts.get(`${orgId}|${dim}|${key}`)?.n ?? 0;
  const life = await loadMeetings(database, { city, fullOf: (o) => own(o, 'own_member_status', 'full'), membersOf: (o) => own(o, 'own_members', 'total'), seed: opts.seed });
  lap(`insert ${life.meetings} meetings (${life.attendance} attendance rows)`);

  await withBulk(database, async (w) => {
    const list = [...counts.values()].filter((c) => c.n !== 0);
    await w.rows('org_counts', [['org_id', 'bigint'], ['dim', 'text'], ['key', 'text'], ['n', 'int']], list.map((c) => [Number(c.orgId), c.dim, c.key, c.n]));
    await difficultyRegister(w, crypto, difficultyPool, city.difficulty.count, opts.seed);
    for (const t of ['places', 'orgs', 'members', 'org_committee_members', 'member_moves', 'difficulty_records', 'assistance_visits']) {
      await w.exec(`SELECT setval(pg_get_serial_sequence('${t}', 'id'), coalesce((SELECT max(id) FROM ${t}), 0) + 1, false)`);
    }
  });
  lap('insert subtree counts and registers');
  } finally {
    await restoreIndexes();
  }
  lap('build the indexes');
  await sql`ANALYZE`.execute(db);
  lap('analyze');

  const accounts = await demoAccounts(db, city);
  accounts.push(...(await caseDemo(db, city)));
  await loadMemberLifeDemo(db, city);
  await recordAudit(db, { actorName: 'system', action: 'system.seed', targetType: 'database', changes: { scale: scaleName, places: city.places.length, orgs: city.orgs.length, members } });
  seconds.total = Math.round(performance.now() - t0) / 1000;
  return { scale: scaleName, places: city.places.length, orgs: city.orgs.length, members, seconds, accounts };
}

function committees(orgs: GenOrg[], seed = 1): unknown[][] {
  const rng = new Rng(seed ^ 0xc0ffee);
  const rows: unknown[][] = [];
  const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高';
  const GIVEN = '伟芳娜敏静强磊军洋勇艳杰娟涛明超秀霞平刚';
  const person = () => rng.pick([...SURNAMES]) + rng.pick([...GIVEN]) + (rng.chance(0.6) ? rng.pick([...GIVEN]) : '');
  for (const o of orgs) {
    if (o.kind === 'party_group' || !o.termStartedOn || !o.termYears) continue;
    const endDate = new Date(`${o.termStartedOn}T00:00:00Z`);
    endDate.setUTCFullYear(endDate.getUTCFullYear() + o.termYears); // 29 February rolls to 1 March
    const end = endDate.toISOString().slice(0, 10);
    rows.push([o.id, person(), 'secretary', o.termStartedOn, end]);
    // branches with 7+ members usually elect a committee; a few have not (a health warning)
    if (o.members >= 7 && rng.chance(0.9)) {
      for (const role of ['organisation', 'propaganda', 'discipline', ...(rng.chance(0.4) ? ['deputy_secretary'] : [])]) rows.push([o.id, person(), role, o.termStartedOn, end]);
    }
  }
  return rows;
}

async function difficultyRegister(w: BulkWriter, crypto: FieldCrypto, pool: number[], count: number, seed = 1) {
  if (!count || pool.length === 0) return;
  const rng = new Rng(seed ^ 0xd1ff);
  const kinds = ['illness', 'disability', 'elderly_alone', 'low_income', 'disaster', 'other'] as const;
  const chosen = pool.filter((_, i) => i % Math.max(1, Math.floor(pool.length / count)) === 0).slice(0, count);
  const records = chosen.map((memberId, i) => [i + 1, memberId, rng.pick(kinds), rng.pick(['severe', 'moderate', 'general']), crypto.encrypt('登记时走访核实的困难情况'), rng.date('2019-01-01', '2025-12-31')]);
  await w.rows('difficulty_records', [['id', 'bigint'], ['member_id', 'bigint'], ['kind', 'text'], ['level', 'text'], ['detail_enc', 'text'], ['since', 'date']], records);
  const visits = records.flatMap((r) => Array.from({ length: rng.int(1, 3) }, () => [r[0], rng.date('2024-01-01', '2026-10-31'), rng.pick(['社区党委书记', '街道党工委委员', '网格党支部书记']), rng.int(2, 20) * 100, '春节、七一走访慰问']));
  await w.rows('assistance_visits', [['record_id', 'bigint'], ['visited_on', 'date'], ['visitor', 'text'], ['amount', 'numeric'], ['note', 'text']], visits);
}

async function demoAccounts(db: Db, city: City) {
  const roles = await db.transaction().execute(async (trx) => {
    await ensureDefaultRuleSets(trx);
    return ensureBuiltinRoles(trx);
  });
  const hash = await hashPassword(DEMO_PASSWORD);
  const n = city.named;
  const both = (o?: number, p?: number) => [...(o ? [{ kind: 'org' as const, id: String(o) }] : []), ...(p ? [{ kind: 'place' as const, id: String(p) }] : [])];
  const wanted = [
    { username: 'sysadmin', displayName: '系统管理员', role: 'system_admin', scope: '深圳市', scopes: both(n.orgs['深圳市委'], n.places['深圳市']) },
    { username: 'secadmin', displayName: '安全保密管理员', role: 'security_admin', scope: '深圳市', scopes: both(n.orgs['深圳市委'], n.places['深圳市']) },
    { username: 'auditor', displayName: '安全审计员', role: 'audit_admin', scope: '深圳市', scopes: both(n.orgs['深圳市委'], n.places['深圳市']) },
    { username: 'cityorg', displayName: '市委组织部组织员', role: 'org_worker', scope: '深圳市', scopes: both(n.orgs['深圳市委'], n.places['深圳市']) },
    { username: 'luohu', displayName: '罗湖区组织员', role: 'org_worker', scope: '罗湖区', scopes: both(n.orgs['罗湖区'], n.places['罗湖区']) },
    { username: 'guiyuan', displayName: '桂园街道组织员', role: 'org_worker', scope: '桂园街道', scopes: both(n.orgs['桂园街道'], n.places['桂园街道']) },
    { username: 'dongxiao', displayName: '东晓街道组织员', role: 'org_worker', scope: '东晓街道', scopes: both(n.orgs['东晓街道'], n.places['东晓街道']) },
    { username: 'kk100', displayName: '京基100联合党委书记', role: 'branch_secretary', scope: '京基100大厦联合党委', scopes: both(n.orgs['KK100']) },
  ].filter((a) => a.scopes.length > 0);
  await db.transaction().execute(async (trx) => {
    for (const a of wanted) {
      const existing = await trx.selectFrom('accounts').select('id').where('username', '=', a.username).executeTakeFirst();
      const id = existing?.id ?? (await trx.insertInto('accounts').values({ username: a.username, display_name: a.displayName, password_hash: hash }).returning('id').executeTakeFirstOrThrow()).id;
      await trx.deleteFrom('account_roles').where('account_id', '=', id).execute();
      await trx.insertInto('account_roles').values({ account_id: id, role_id: roles.get(a.role as never)! }).execute();
      await trx.deleteFrom('account_scopes').where('account_id', '=', id).execute();
      await trx.insertInto('account_scopes').values(a.scopes.map((s) => ({ account_id: id, kind: s.kind, node_id: s.id }))).execute();
    }
  });
  const members = await memberDemoAccounts(db, roles, hash, n.orgs['桂园街道/老围社区']);
  return [...wanted.map((a) => ({ username: a.username, password: DEMO_PASSWORD, role: a.role, scope: a.scope })), ...members];
}

/**
 * Two members of Laowei's first grid branch with their own logins (issue 5): a member, and the
 * branch secretary (a member too, with the secretary role over the branch).
 */
async function memberDemoAccounts(db: Db, roles: Map<BuiltinRoleKey, string>, hash: string, laoweiOrg?: number) {
  if (!laoweiOrg) return [];
  const branch = await db
    .selectFrom('orgs as o')
    .innerJoin('org_closure as c', 'c.descendant_id', 'o.id')
    .select(['o.id', 'o.name'])
    .where('c.ancestor_id', '=', String(laoweiOrg))
    .where('o.kind', '=', 'branch')
    .where('o.domain', '=', 'grid')
    .orderBy('o.id')
    .executeTakeFirst();
  if (!branch) return [];
  const people = await db.selectFrom('members').select(['id', 'name']).where('org_id', '=', branch.id).where('state', '=', 'active').orderBy('id').limit(2).execute();
  if (people.length < 2) return [];
  const wanted = [
    { username: 'member', member: people[0]!, roles: ['member'], scopes: [] as string[] },
    { username: 'lw_secretary', member: people[1]!, roles: ['member', 'branch_secretary'], scopes: [String(branch.id)] },
  ];
  await db.transaction().execute(async (trx) => {
    for (const a of wanted) {
      const existing = await trx.selectFrom('accounts').select('id').where('username', '=', a.username).executeTakeFirst();
      const id = existing?.id ?? (await trx.insertInto('accounts').values({ username: a.username, display_name: a.member.name, password_hash: hash, member_id: String(a.member.id) }).returning('id').executeTakeFirstOrThrow()).id;
      await trx.deleteFrom('account_roles').where('account_id', '=', id).execute();
      await trx.insertInto('account_roles').values(a.roles.map((r) => ({ account_id: id, role_id: roles.get(r as BuiltinRoleKey)! }))).execute();
      await trx.deleteFrom('account_scopes').where('account_id', '=', id).execute();
      if (a.scopes.length) await trx.insertInto('account_scopes').values(a.scopes.map((s) => ({ account_id: id, kind: 'org' as const, node_id: s }))).execute();
    }
  });
  return wanted.map((a) => ({ username: a.username, password: DEMO_PASSWORD, role: a.roles.join('+'), scope: `${branch.name}（${a.member.name}）` }));
}

/**
 * The whistle-and-report demo (categories, Guiyuan's and Dongxiao's departments, routing, the
 * story's accounts) on the synthetic city, when the case tables are still empty.
 */
async function caseDemo(db: Db, city: City) {
  const n = city.named.places;
  const laowei = n['桂园街道/老围社区'];
  if (!laowei || !n['东晓街道'] || (await db.selectFrom('case_categories').select('id').limit(1).executeTakeFirst())) return [];
  const firstGrid = city.places.find((p) => p.parentId === laowei && p.kind === 'grid')!;
  const places = { 罗湖区: String(n['罗湖区']), 桂园街道: String(n['桂园街道']), 东晓街道: String(n['东晓街道']), 老围社区: String(laowei), 老围第1网格: String(firstGrid.id) };
  const hash = await hashPassword(DEMO_PASSWORD);
  const made = await db.transaction().execute(async (trx) => loadCaseDemo(trx, { places, roles: await ensureBuiltinRoles(trx), passwordHash: hash }));
  return made.map((a) => ({ username: a.username, password: DEMO_PASSWORD, role: a.role, scope: a.scope }));
}
