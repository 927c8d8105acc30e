import { sql } from 'kysely';
import type { StudyKind } from '@tongxin/contracts';
import type { AppDeps } from '../../app.js';
import type { RequestContext } from '../../platform/actor.js';
import { requireMember } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { AppError } from '../../platform/errors.js';
import { memberOrgs } from '../members/members.service.js';
import { meetingById, meetingsOfMember } from './life.repo.js';

// A member's own view (mobile pages): the meetings of their branch with their attendance, their
// study hours. A member sees their own branch's meetings and those they stood on the list of.

async function myBranch(deps: AppDeps, ctx: RequestContext) {
  const { actor, memberId } = await requireMember(deps.database.db, ctx);
  const m = (await memberOrgs(deps.database.db, [memberId])).get(memberId);
  if (!m) throw new AppError('NOT_FOUND');
  return { actor, memberId, orgId: m.orgId };
}

type MyRow = Awaited<ReturnType<typeof meetingsOfMember>>['rows'][number];
const myView = (r: MyRow) => ({
  id: String(r.id), kind: r.kind, title: r.title, status: r.status, startsAt: r.starts_at.toISOString(), endsAt: r.ends_at?.toISOString() ?? null, place: r.place, host: r.host,
  org: { id: String(r.org_id), name: r.org_name }, present: r.present, expected: r.expected, quorumMet: r.quorum_met, myAttendance: r.my_status ?? null,
});

export async function myMeetings(deps: AppDeps, ctx: RequestContext, q: { status?: string; page: number; pageSize: number }) {
  const { memberId, orgId } = await myBranch(deps, ctx);
  const { rows, total } = await meetingsOfMember(deps.database.db, memberId, orgId, q);
  return { items: rows.map(myView), total, page: q.page, pageSize: q.pageSize };
}

export async function myMeeting(deps: AppDeps, ctx: RequestContext, id: string) {
  const { actor, memberId, orgId } = await myBranch(deps, ctx);
  const { db } = deps.database;
  const row = await meetingById(db, id);
  const mine = row ? await db.selectFrom('meeting_attendance').select('status').where('meeting_id', '=', id).where('member_id', '=', memberId).executeTakeFirst() : undefined;
  if (!row || (String(row.branch_id) !== orgId && !mine)) {
    await recordAudit(db, { actorId: actor.id, actorName: actor.username, action: 'access.denied', targetType: 'meeting', targetId: id, result: 'denied', reason: 'out_of_scope: self:member', ip: ctx.ip });
    throw new AppError('NOT_FOUND');
  }
  return {
    ...myView({ ...row, my_status: mine?.status ?? null }),
    agenda: row.agenda, minutes: row.minutes, excused: row.excused, absent: row.absent, votingTotal: row.voting_total, votingPresent: row.voting_present,
  };
}

export async function myStudy(deps: AppDeps, ctx: RequestContext, year?: number) {
  const { memberId } = await myBranch(deps, ctx);
  const { db } = deps.database;
  const inYear = year ? sql`AND r.studied_on BETWEEN ${`${year}-01-01`}::date AND ${`${year}-12-31`}::date` : sql``;
  const { rows } = await sql<{ id: string; kind: StudyKind; title: string; provider: string; org: string; hours: number; studied_on: string }>`
    SELECT r.id, s.kind, s.title, s.provider, o.name AS org, r.hours::float8 AS hours, r.studied_on
    FROM study_records r JOIN study_sessions s ON s.id = r.session_id JOIN orgs o ON o.id = s.org_id
    WHERE r.member_id = ${memberId}::bigint ${inYear}
    ORDER BY r.studied_on DESC, r.id DESC`.execute(db);
  const { rows: [all] } = await sql<{ hours: number }>`SELECT coalesce(sum(hours), 0)::float8 AS hours FROM study_records WHERE member_id = ${memberId}::bigint`.execute(db);
  const heldIn = year ? sql`AND m.held_on BETWEEN ${`${year}-01-01`}::date AND ${`${year}-12-31`}::date` : sql``;
  const { rows: [att] } = await sql<{ listed: number; present: number }>`
    SELECT count(*)::int AS listed, (count(*) FILTER (WHERE a.status = 'present'))::int AS present
    FROM meeting_attendance a JOIN meetings m ON m.id = a.meeting_id
    WHERE a.member_id = ${memberId}::bigint AND m.status = 'held' ${heldIn}`.execute(db);
  return {
    year: year ?? null,
    hours: Math.round(rows.reduce((s, r) => s + r.hours, 0) * 10) / 10,
    allTimeHours: all?.hours ?? 0,
    attended: { present: att?.present ?? 0, listed: att?.listed ?? 0 },
    records: rows.map((r) => ({ id: String(r.id), kind: r.kind, title: r.title, provider: r.provider, org: r.org, hours: r.hours, studiedOn: r.studied_on })),
  };
}
