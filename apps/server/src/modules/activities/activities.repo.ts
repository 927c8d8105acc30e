import { sql, type Selectable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { ActivitiesTable, ActivitySignupsTable } from '../../db/types.js';
import type { Actor } from '../../platform/actor.js';
import { inScope } from '../../platform/access.js';
import { parseSort } from '../../platform/pagination.js';

export type ActivityRow = Selectable<ActivitiesTable>;
export type SignupRow = Selectable<ActivitySignupsTable>;

export type Phase = 'open' | 'closed' | 'ongoing' | 'ended' | 'cancelled';

export function phaseOf(a: Pick<ActivityRow, 'status' | 'starts_at' | 'ends_at' | 'signup_deadline'>, now = Date.now()): Phase {
  if (a.status === 'cancelled') return 'cancelled';
  if (now >= a.ends_at.getTime()) return 'ended';
  if (now >= a.starts_at.getTime()) return 'ongoing';
  return now > a.signup_deadline.getTime() ? 'closed' : 'open';
}

/** Activities a staff actor sees: organised by an organisation, or held for a place, in their scope. */
const staffVisible = (actor: Actor) => sql<boolean>`(${inScope(actor, 'org', 'a.org_id')} OR (a.place_id IS NOT NULL AND ${inScope(actor, 'place', 'a.place_id')}))`;

export interface StaffFilter {
  /** subtree root of the organiser, already checked against the scope */
  orgId?: string;
  kind?: 'activity' | 'volunteer';
  phase?: 'upcoming' | 'ongoing' | 'ended' | 'cancelled';
  q?: string;
  from?: string;
  to?: string;
  sort?: string;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);

function phaseWhere(phase: StaffFilter['phase'] | 'past' | 'all') {
  switch (phase) {
    case 'upcoming': return sql<boolean>`a.status = 'published' AND a.starts_at > now()`;
    case 'ongoing': return sql<boolean>`a.status = 'published' AND a.starts_at <= now() AND a.ends_at > now()`;
    case 'ended': return sql<boolean>`a.status = 'published' AND a.ends_at <= now()`;
    case 'past': return sql<boolean>`a.ends_at <= now()`;
    case 'cancelled': return sql<boolean>`a.status = 'cancelled'`;
    default: return sql<boolean>`true`;
  }
}

const SORTS = { startsAt: 'a.starts_at', createdAt: 'a.created_at', title: 'a.title' } as const;

export async function findActivities(ex: Executor, actor: Actor, f: StaffFilter, page: { page: number; pageSize: number }) {
  let base = ex.selectFrom('activities as a').where(staffVisible(actor)).where(phaseWhere(f.phase));
  if (f.orgId) base = base.where(sql<boolean>`a.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ${f.orgId}::bigint)`);
  if (f.kind) base = base.where('a.kind', '=', f.kind);
  if (f.q) base = base.where('a.title', 'like', `%${escapeLike(f.q)}%`);
  if (f.from) base = base.where('a.starts_at', '>=', new Date(`${f.from}T00:00:00+08:00`));
  if (f.to) base = base.where('a.starts_at', '<', new Date(new Date(`${f.to}T00:00:00+08:00`).getTime() + 86_400_000));
  const sort = parseSort(f.sort, Object.keys(SORTS) as (keyof typeof SORTS)[], 'startsAt', 'desc');
  const order = sort.field === 'title' ? sql`a.title COLLATE "C"` : sql.ref(SORTS[sort.field]);
  const [rows, total] = await Promise.all([
    base.selectAll('a').orderBy(order, sort.dir).orderBy('a.id', 'desc').limit(page.pageSize).offset((page.page - 1) * page.pageSize).execute(),
    base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: total.n };
}

export async function activityVisibleToStaff(ex: Executor, actor: Actor, id: string): Promise<ActivityRow | undefined> {
  return ex.selectFrom('activities as a').selectAll('a').where('a.id', '=', id).where(staffVisible(actor)).executeTakeFirst();
}

export async function activityById(ex: Executor, id: string) {
  return ex.selectFrom('activities').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function lockActivity(ex: Executor, id: string) {
  return ex.selectFrom('activities').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export interface Counts {
  signedUp: number;
  checkedIn: number;
  present: number;
  absent: number;
}

export async function countsOf(ex: Executor, ids: string[]): Promise<Map<string, Counts>> {
  if (ids.length === 0) return new Map();
  const rows = await ex
    .selectFrom('activity_signups')
    .select([
      'activity_id',
      sql<number>`count(*) FILTER (WHERE status = 'signed_up')::int`.as('signed_up'),
      sql<number>`count(*) FILTER (WHERE status = 'signed_up' AND checked_in_at IS NOT NULL)::int`.as('checked_in'),
      sql<number>`count(*) FILTER (WHERE attendance = 'present')::int`.as('present'),
      sql<number>`count(*) FILTER (WHERE attendance = 'absent')::int`.as('absent'),
    ])
    .where('activity_id', 'in', ids)
    .groupBy('activity_id')
    .execute();
  return new Map(rows.map((r) => [String(r.activity_id), { signedUp: r.signed_up, checkedIn: r.checked_in, present: r.present, absent: r.absent }]));
}

/**
 * The member's menu: activities organised by their organisation or one above it, or held for a place
 * above (or at) where they live or the community they registered with. Ancestor ids go in as
 * parameters, so the indexes on org_id and place_id serve it.
 */
export interface MenuFilter {
  orgIds: string[];
  placeIds: string[];
  memberId: string;
  when: 'upcoming' | 'past' | 'mine';
  kind?: 'activity' | 'volunteer';
  q?: string;
  skills?: string[];
}

export async function findMenu(ex: Executor, f: MenuFilter, page: { page: number; pageSize: number }) {
  let base = ex
    .selectFrom('activities as a')
    .where(sql<boolean>`(a.org_id = ANY(${f.orgIds}::bigint[]) OR a.place_id = ANY(${f.placeIds}::bigint[]))`);
  if (f.when === 'mine') base = base.where(sql<boolean>`EXISTS (SELECT 1 FROM activity_signups s WHERE s.activity_id = a.id AND s.member_id = ${f.memberId}::bigint)`);
  else if (f.when === 'past') base = base.where(phaseWhere('past'));
  else base = base.where('a.status', '=', 'published').where(sql<boolean>`a.ends_at > now()`);
  if (f.kind) base = base.where('a.kind', '=', f.kind);
  if (f.q) base = base.where('a.title', 'like', `%${escapeLike(f.q)}%`);
  if (f.skills) base = base.where(sql<boolean>`(a.skills = '{}' OR a.skills && ${f.skills}::text[])`);
  const dir = f.when === 'upcoming' ? 'asc' : 'desc';
  const [rows, total] = await Promise.all([
    base.selectAll('a').orderBy('a.starts_at', dir).orderBy('a.id', dir).limit(page.pageSize).offset((page.page - 1) * page.pageSize).execute(),
    base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: total.n };
}

export async function signupsOfMember(ex: Executor, memberId: string, activityIds: string[]): Promise<Map<string, SignupRow>> {
  if (activityIds.length === 0) return new Map();
  const rows = await ex.selectFrom('activity_signups').selectAll().where('member_id', '=', memberId).where('activity_id', 'in', activityIds).execute();
  return new Map(rows.map((r) => [String(r.activity_id), r]));
}

export async function signupOf(ex: Executor, activityId: string, memberId: string) {
  return ex.selectFrom('activity_signups').selectAll().where('activity_id', '=', activityId).where('member_id', '=', memberId).executeTakeFirst();
}

export async function signupsOfActivity(ex: Executor, activityId: string) {
  return ex.selectFrom('activity_signups').selectAll().where('activity_id', '=', activityId).orderBy('signed_up_at').orderBy('id').execute();
}

export async function signedUpCount(ex: Executor, activityId: string): Promise<number> {
  const r = await ex.selectFrom('activity_signups').select(sql<number>`count(*)::int`.as('n')).where('activity_id', '=', activityId).where('status', '=', 'signed_up').executeTakeFirstOrThrow();
  return r.n;
}
