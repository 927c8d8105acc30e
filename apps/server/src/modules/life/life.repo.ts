import { sql, type Selectable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { MeetingAttendanceTable, MeetingsTable } from '../../db/types.js';
import type { Actor } from '../../platform/actor.js';
import { inScope } from '../../platform/access.js';
import { parseSort } from '../../platform/pagination.js';

// Queries over meetings and their attendance. Names and kinds of organisations come from the tree
// (orgs), joined in the same statement for lists.

export type MeetingRow = Selectable<MeetingsTable> & { org_name: string; org_kind: string; branch_name: string; branch_kind: string };
export type AttendanceRow = Selectable<MeetingAttendanceTable>;

export interface MeetingFilter {
  orgId?: string;
  kind?: string;
  status?: string;
  from?: string;
  to?: string;
  q?: string;
  sort?: string;
}

const SORTS = { startsAt: 'm.starts_at', kind: 'm.kind', status: 'm.status', org: 'o.name' } as const;

function withNames(ex: Executor) {
  return ex
    .selectFrom('meetings as m')
    .innerJoin('orgs as o', 'o.id', 'm.org_id')
    .innerJoin('orgs as b', 'b.id', 'm.branch_id')
    .selectAll('m')
    .select(['o.name as org_name', 'o.kind as org_kind', 'b.name as branch_name', 'b.kind as branch_kind']);
}

/**
 * Meetings of organisations in a subtree (its root already checked against the scope) or, without a
 * root, in the actor's scope.
 */
export async function findMeetings(ex: Executor, actor: Actor, f: MeetingFilter, page: { page: number; pageSize: number }) {
  let q = withNames(ex);
  q = f.orgId
    ? q.where('m.org_id', 'in', ex.selectFrom('org_closure').select('descendant_id').where('ancestor_id', '=', f.orgId))
    : q.where(inScope(actor, 'org', 'm.org_id'));
  if (f.kind) q = q.where('m.kind', '=', f.kind as MeetingsTable['kind']);
  if (f.status) q = q.where('m.status', '=', f.status as 'planned');
  // dates are local dates in China: the day starts at 00:00 +08:00
  if (f.from) q = q.where('m.starts_at', '>=', new Date(`${f.from}T00:00:00+08:00`));
  if (f.to) q = q.where('m.starts_at', '<', new Date(new Date(`${f.to}T00:00:00+08:00`).getTime() + 86_400_000));
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    q = q.where((eb) => eb.or([eb('m.title', 'like', like), eb('o.name', 'like', like)]));
  }
  const sort = parseSort(f.sort, Object.keys(SORTS) as (keyof typeof SORTS)[], 'startsAt', 'desc');
  const order = sort.field === 'org' ? sql`${sql.ref(SORTS.org)} COLLATE "C"` : sql.ref(SORTS[sort.field]);
  const [rows, total] = await Promise.all([
    q.orderBy(order, sort.dir).orderBy('m.id', 'desc').limit(page.pageSize).offset((page.page - 1) * page.pageSize).execute(),
    q.clearSelect().select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows: rows as MeetingRow[], total: total.n };
}

export async function meetingById(ex: Executor, id: string): Promise<MeetingRow | undefined> {
  return (await withNames(ex).where('m.id', '=', id).executeTakeFirst()) as MeetingRow | undefined;
}

/** Locks the meeting row for a change (two clerks correcting the same record queue up). */
export async function lockMeeting(ex: Executor, id: string): Promise<MeetingRow | undefined> {
  await ex.selectFrom('meetings').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
  return meetingById(ex, id);
}

export async function attendanceOf(ex: Executor, meetingId: string): Promise<AttendanceRow[]> {
  return ex.selectFrom('meeting_attendance').selectAll().where('meeting_id', '=', meetingId).orderBy('member_id').execute();
}

export async function replaceAttendance(ex: Executor, meetingId: string, rows: { memberId: string; status: AttendanceRow['status']; voting: boolean; note: string }[]) {
  await ex.deleteFrom('meeting_attendance').where('meeting_id', '=', meetingId).execute();
  if (rows.length) {
    await ex.insertInto('meeting_attendance').values(rows.map((r) => ({ meeting_id: meetingId, member_id: r.memberId, status: r.status, voting: r.voting, note: r.note }))).execute();
  }
}

/** Meetings of a member's branch, and any other the member stood on the list of, newest first. */
export async function meetingsOfMember(ex: Executor, memberId: string, branchId: string, f: { status?: string; page: number; pageSize: number }) {
  let q = ex
    .selectFrom('meetings as m')
    .innerJoin('orgs as o', 'o.id', 'm.org_id')
    .leftJoin('meeting_attendance as a', (j) => j.onRef('a.meeting_id', '=', 'm.id').on('a.member_id', '=', memberId))
    .where((eb) => eb.or([eb('m.branch_id', '=', branchId), eb('a.member_id', 'is not', null)]));
  if (f.status) q = q.where('m.status', '=', f.status as 'planned');
  const [rows, total] = await Promise.all([
    q.selectAll('m').select(['o.name as org_name', 'a.status as my_status']).orderBy('m.starts_at', 'desc').orderBy('m.id', 'desc').limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute(),
    q.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: total.n };
}

/** Meetings whose attachments include the file (the files module asks before serving it). */
export async function meetingsWithFile(ex: Executor, fileId: string): Promise<{ id: string; org_id: string; branch_id: string }[]> {
  return ex.selectFrom('meetings').select(['id', 'org_id', 'branch_id']).where(sql<boolean>`attachments @> ARRAY[${fileId}]::text[]`).where(sql<boolean>`attachments <> '{}'`).execute();
}
