import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';

// Volunteer records (domain-rules §9): the volunteer number, and verified hours as an append-only
// ledger. Scheduled hours are never stored: they are the hours of sign-ups not yet confirmed.

/** The member's volunteer number, given on their first volunteer sign-up or verified hours. */
export async function ensureVolunteer(ex: Executor, memberId: string): Promise<string> {
  const existing = await ex.selectFrom('volunteers').select('number').where('member_id', '=', memberId).executeTakeFirst();
  if (existing) return existing.number;
  const { rows } = await sql<{ number: string }>`
    INSERT INTO volunteers (member_id, number)
    VALUES (${memberId}::bigint, 'V' || to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY') || lpad(nextval('volunteer_number_seq')::text, 6, '0'))
    ON CONFLICT (member_id) DO NOTHING RETURNING number`.execute(ex);
  if (rows[0]) return rows[0].number;
  return (await ex.selectFrom('volunteers').select('number').where('member_id', '=', memberId).executeTakeFirstOrThrow()).number;
}

export async function volunteerNumbers(ex: Executor, memberIds: string[]): Promise<Map<string, string>> {
  if (memberIds.length === 0) return new Map();
  const rows = await ex.selectFrom('volunteers').select(['member_id', 'number']).where('member_id', 'in', memberIds).execute();
  return new Map(rows.map((r) => [String(r.member_id), r.number]));
}

export async function insertHours(
  ex: Executor,
  e: { memberId: string; kind: 'service' | 'correction'; activityId?: string | null; orgId: string; servedOn: string; hours: number; content: string; correctsId?: string | null; requestedBy?: string | null; approvedBy?: string | null; approvedByName?: string | null; reason?: string | null; recordedBy: string | null; recordedByName: string },
): Promise<string> {
  const row = await ex
    .insertInto('volunteer_hours')
    .values({
      member_id: e.memberId, kind: e.kind, activity_id: e.activityId ?? null, org_id: e.orgId, served_on: e.servedOn, hours: e.hours, content: e.content, corrects_id: e.correctsId ?? null,
      requested_by: e.requestedBy ?? null, approved_by: e.approvedBy ?? null, approved_by_name: e.approvedByName ?? null, reason: e.reason ?? null, recorded_by: e.recordedBy, recorded_by_name: e.recordedByName,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return String(row.id);
}

/** Verified hours of a member: in all, or those recorded by an organisation's subtree. */
export async function verifiedHours(ex: Executor, memberId: string, orgRoot?: string): Promise<number> {
  const filter = orgRoot ? sql`AND org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ${orgRoot}::bigint)` : sql``;
  const { rows } = await sql<{ n: number }>`SELECT coalesce(sum(hours), 0)::float8 AS n FROM volunteer_hours WHERE member_id = ${memberId}::bigint ${filter}`.execute(ex);
  return Math.round(Number(rows[0]?.n ?? 0) * 100) / 100;
}

/** Hours of sign-ups whose attendance is not confirmed yet, for activities not cancelled. */
export async function scheduledHours(ex: Executor, memberId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT coalesce(sum(a.service_hours), 0)::float8 AS n FROM activity_signups s JOIN activities a ON a.id = s.activity_id
    WHERE s.member_id = ${memberId}::bigint AND s.status = 'signed_up' AND s.attendance IS NULL AND a.status = 'published'`.execute(ex);
  return Math.round(Number(rows[0]?.n ?? 0) * 100) / 100;
}

export async function hoursEntries(ex: Executor, memberId: string, orgRoot?: string) {
  let q = ex.selectFrom('volunteer_hours').selectAll().where('member_id', '=', memberId);
  if (orgRoot) q = q.where(sql<boolean>`org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ${orgRoot}::bigint)`);
  return q.orderBy('served_on', 'desc').orderBy('id', 'desc').execute();
}
