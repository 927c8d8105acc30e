import { sql } from 'kysely';
import type { AppDeps } from '../../app.js';
import type { Executor } from '../../db/database.js';
import type { Actor, RequestContext } from '../../platform/actor.js';
import { idsInScope, requireAccess, requireMember, requirePermission } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { todayInChina } from '../../platform/dates.js';
import { AppError } from '../../platform/errors.js';
import { inSubtree } from '../../platform/tree.js';
import { memberOrgs } from '../members/members.service.js';
import { orgNames } from '../orgs/orgs.service.js';
import { activityById, signupOf } from './activities.repo.js';
import { starLevel, volunteerRules } from './activities.rules.js';
import { ensureVolunteer, hoursEntries, insertHours, scheduledHours, verifiedHours, volunteerNumbers } from './volunteer.ledger.js';

// Volunteer hours (domain-rules §9): verified and scheduled hours kept apart, the star level, and
// corrections — always a new entry naming who asked, who approved and why; a volunteer asks the
// organiser, the organiser decides. Certificates: volunteer.certificate.ts.

const round2 = (n: number) => Math.round(n * 100) / 100;

async function summaryOf(ex: Executor, memberId: string, name: string) {
  const [verified, scheduled, entries, rules, number] = await Promise.all([
    verifiedHours(ex, memberId), scheduledHours(ex, memberId), hoursEntries(ex, memberId), volunteerRules(ex), volunteerNumbers(ex, [memberId]),
  ]);
  const orgs = await orgNames(ex, [...new Set(entries.map((e) => String(e.org_id)))]);
  const byOrg = new Map<string, number>();
  for (const e of entries) byOrg.set(String(e.org_id), round2((byOrg.get(String(e.org_id)) ?? 0) + Number(e.hours)));
  const upcoming = await sql<{ activity_id: string; title: string; starts_at: Date; hours: number }>`
    SELECT a.id AS activity_id, a.title, a.starts_at, a.service_hours::float8 AS hours FROM activity_signups s JOIN activities a ON a.id = s.activity_id
    WHERE s.member_id = ${memberId}::bigint AND s.status = 'signed_up' AND s.attendance IS NULL AND a.status = 'published' ORDER BY a.starts_at`.execute(ex);
  const [requests, certificates] = await Promise.all([
    ex.selectFrom('volunteer_correction_requests').selectAll().where('member_id', '=', memberId).orderBy('id', 'desc').execute(),
    ex.selectFrom('volunteer_certificates').select(['id', 'number', 'org_id', 'issued_on', 'hours', 'issued_by_name']).where('member_id', '=', memberId).orderBy('id', 'desc').execute(),
  ]);
  const moreOrgs = await orgNames(ex, [...new Set([...requests.map((r) => String(r.org_id)), ...certificates.map((c) => String(c.org_id))])]);
  const orgName = (id: string) => orgs.get(id) ?? moreOrgs.get(id) ?? '';
  return {
    memberId,
    name,
    volunteerNumber: number.get(memberId) ?? null,
    verifiedHours: verified,
    scheduledHours: scheduled,
    star: { ...starLevel(rules.rules, verified), scale: rules.rules.starHours, ruleVersion: rules.version },
    records: entries.map((e) => ({
      id: String(e.id), kind: e.kind, activityId: e.activity_id === null ? null : String(e.activity_id), orgId: String(e.org_id), orgName: orgName(String(e.org_id)), servedOn: e.served_on,
      hours: Number(e.hours), content: e.content, correctsId: e.corrects_id === null ? null : String(e.corrects_id), requestedBy: e.requested_by, approvedByName: e.approved_by_name,
      reason: e.reason, recordedByName: e.recorded_by_name, createdAt: e.created_at.toISOString(),
    })),
    scheduled: upcoming.rows.map((u) => ({ activityId: String(u.activity_id), title: u.title, startsAt: u.starts_at.toISOString(), hours: Number(u.hours) })),
    organisers: [...byOrg.entries()].map(([orgId, hours]) => ({ orgId, orgName: orgName(orgId), hours })),
    requests: requests.map((r) => ({
      id: String(r.id), orgId: String(r.org_id), orgName: orgName(String(r.org_id)), activityId: r.activity_id === null ? null : String(r.activity_id), entryId: r.entry_id === null ? null : String(r.entry_id),
      hours: Number(r.hours), reason: r.reason, status: r.status, decidedByName: r.decided_by_name, decidedAt: r.decided_at?.toISOString() ?? null, decisionNote: r.decision_note, createdAt: r.created_at.toISOString(),
    })),
    certificates: certificates.map((c) => ({ id: String(c.id), number: c.number, orgId: String(c.org_id), orgName: orgName(String(c.org_id)), issuedOn: c.issued_on, hours: Number(c.hours), issuedByName: c.issued_by_name })),
  };
}

export async function myVolunteer(deps: AppDeps, ctx: RequestContext) {
  const { db } = deps.database;
  const { memberId } = await requireMember(db, ctx);
  const m = (await memberOrgs(db, [memberId])).get(memberId);
  if (!m) throw new AppError('NOT_FOUND');
  return summaryOf(db, memberId, m.name);
}

/** A member's volunteer record for staff whose scope holds the member. */
export async function memberVolunteer(deps: AppDeps, ctx: RequestContext, memberId: string) {
  const { db } = deps.database;
  await requirePermission(db, ctx, 'activities:read', { type: 'member', id: memberId });
  const m = /^\d{1,18}$/.test(memberId) ? (await memberOrgs(db, [memberId])).get(memberId) : undefined;
  if (!m) throw new AppError('NOT_FOUND');
  await requireAccess(db, ctx, 'activities:read', 'org', [m.orgId]);
  return summaryOf(db, memberId, m.name);
}

/** Volunteers ranked by the verified hours an organisation's subtree recorded, with their star level. */
export async function volunteersOf(deps: AppDeps, ctx: RequestContext, q: { orgId: string; page: number; pageSize: number }) {
  const { db } = deps.database;
  await requireAccess(db, ctx, 'activities:read', 'org', [q.orgId]);
  const { rows } = await sql<{ member_id: string; hours: number; records: number; n: number }>`
    SELECT member_id, sum(hours)::float8 AS hours, count(*)::int AS records, (count(*) OVER ())::int AS n FROM volunteer_hours
    WHERE org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ${q.orgId}::bigint)
    GROUP BY member_id ORDER BY sum(hours) DESC, member_id LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`.execute(db);
  const ids = rows.map((r) => String(r.member_id));
  const [members, numbers, rules] = await Promise.all([memberOrgs(db, ids), volunteerNumbers(db, ids), volunteerRules(db)]);
  const orgs = await orgNames(db, [...new Set([...members.values()].map((m) => m.orgId))]);
  const items = await Promise.all(
    rows.map(async (r) => {
      const id = String(r.member_id);
      const m = members.get(id);
      const all = await verifiedHours(db, id);
      return { memberId: id, name: m?.name ?? '', orgName: m ? (orgs.get(m.orgId) ?? '') : '', volunteerNumber: numbers.get(id) ?? null, hours: round2(Number(r.hours)), records: r.records, totalHours: all, star: starLevel(rules.rules, all).level };
    }),
  );
  let total = rows[0]?.n ?? 0;
  if (!rows.length && q.page > 1) total = (await sql<{ n: number }>`SELECT count(DISTINCT member_id)::int AS n FROM volunteer_hours WHERE org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ${q.orgId}::bigint)`.execute(db)).rows[0]?.n ?? 0;
  return { items, total, page: q.page, pageSize: q.pageSize };
}

/** Writes a correction entry, keeping the hours the organisation recorded for the member at or above zero. */
async function writeCorrection(
  ex: Executor,
  actor: Actor,
  c: { memberId: string; orgId: string; hours: number; reason: string; requestedBy: string; correctsId?: string | null; activityId?: string | null },
): Promise<string> {
  const own = await verifiedHours(ex, c.memberId, c.orgId);
  if (own + c.hours < 0) throw new AppError('VOLUNTEER_HOURS_NEGATIVE', { hours: own }, { hours: 'VOLUNTEER_HOURS_NEGATIVE' });
  const corrected = c.correctsId ? await ex.selectFrom('volunteer_hours').selectAll().where('id', '=', c.correctsId).executeTakeFirst() : undefined;
  await ensureVolunteer(ex, c.memberId);
  return insertHours(ex, {
    memberId: c.memberId, kind: 'correction', activityId: c.activityId ?? corrected?.activity_id ?? null, orgId: c.orgId, servedOn: corrected?.served_on ?? todayInChina(), hours: c.hours,
    content: corrected ? `更正：${corrected.content}` : '时长更正', correctsId: c.correctsId ?? null, requestedBy: c.requestedBy, approvedBy: actor.id, approvedByName: actor.displayName || actor.username,
    reason: c.reason, recordedBy: actor.id, recordedByName: actor.displayName || actor.username,
  });
}

/** The corrected entry must be the member's and recorded within the organisation's subtree. */
async function checkCorrected(ex: Executor, memberId: string, orgId: string, entryId: string) {
  const e = await ex.selectFrom('volunteer_hours').select(['member_id', 'org_id']).where('id', '=', entryId).executeTakeFirst();
  if (!e || String(e.member_id) !== memberId || !(await inSubtree(ex, 'org', orgId, [String(e.org_id)])).size) throw new AppError('VALIDATION_FAILED', {}, { correctsId: 'NOT_FOUND' });
}

/** The organiser corrects hours directly (the volunteer asked in person, or the organiser found the error). */
export async function correctHours(deps: AppDeps, ctx: RequestContext, input: { memberId: string; orgId: string; hours: number; reason: string; requestedBy: string; correctsId?: string | null }) {
  const { db } = deps.database;
  const actor = await requireAccess(db, ctx, 'volunteer:certify', 'org', [input.orgId]);
  const m = (await memberOrgs(db, [input.memberId])).get(input.memberId);
  // only a volunteer whose hours this organisation recorded, or a member in the actor's scope
  const recorded = (await hoursEntries(db, input.memberId, input.orgId)).length > 0;
  if (!m || (!recorded && !(await inScopeOrg(db, actor, m.orgId)))) throw new AppError('NOT_FOUND');
  if (input.correctsId) await checkCorrected(db, input.memberId, input.orgId, input.correctsId);
  const id = await db.transaction().execute(async (trx) => {
    const id = await writeCorrection(trx, actor, input);
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'volunteer.correct', targetType: 'member', targetId: input.memberId, targetLabel: m.name, ip: ctx.ip, changes: { entryId: id, orgId: input.orgId, hours: input.hours, reason: input.reason, requestedBy: input.requestedBy, correctsId: input.correctsId ?? null } });
    return id;
  });
  return { id, ...(await summaryOf(db, input.memberId, m.name)) };
}

const inScopeOrg = async (ex: Executor, actor: Actor, orgId: string) => (await idsInScope(ex, actor, 'org', [orgId])).size > 0;

/** A volunteer asks the organiser of an activity (or of a record) to correct their hours. */
export async function requestCorrection(deps: AppDeps, ctx: RequestContext, input: { activityId?: string | null; entryId?: string | null; hours: number; reason: string }) {
  const { db } = deps.database;
  const { actor, memberId } = await requireMember(db, ctx);
  let orgId: string | null = null;
  if (input.entryId) {
    const e = await db.selectFrom('volunteer_hours').select(['member_id', 'org_id', 'activity_id']).where('id', '=', input.entryId).executeTakeFirst();
    if (!e || String(e.member_id) !== memberId) throw new AppError('NOT_FOUND');
    orgId = String(e.org_id);
    input.activityId ??= e.activity_id === null ? null : String(e.activity_id);
  } else if (input.activityId) {
    const a = await activityById(db, input.activityId);
    if (!a || !(await signupOf(db, input.activityId, memberId))) throw new AppError('NOT_FOUND');
    orgId = String(a.org_id);
  } else throw new AppError('VALIDATION_FAILED', {}, { activityId: 'VOLUNTEER_REQUEST_TARGET' });
  const id = await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('volunteer_correction_requests')
      .values({ member_id: memberId, org_id: orgId, activity_id: input.activityId ?? null, entry_id: input.entryId ?? null, hours: input.hours, reason: input.reason })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'volunteer.correction_request', targetType: 'volunteer_request', targetId: String(row.id), ip: ctx.ip, changes: { memberId, orgId, activityId: input.activityId ?? null, entryId: input.entryId ?? null, hours: input.hours, reason: input.reason } });
    return String(row.id);
  });
  return (await myVolunteer(deps, ctx)).requests.find((r) => r.id === id)!;
}

/** Pending (or decided) requests to organisations in a subtree of the actor's scope. */
export async function listRequests(deps: AppDeps, ctx: RequestContext, q: { orgId: string; status?: 'pending' | 'approved' | 'rejected'; page: number; pageSize: number }) {
  const { db } = deps.database;
  await requireAccess(db, ctx, 'volunteer:certify', 'org', [q.orgId]);
  let base = db.selectFrom('volunteer_correction_requests').where(sql<boolean>`org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ${q.orgId}::bigint)`);
  if (q.status) base = base.where('status', '=', q.status);
  const [rows, total] = await Promise.all([
    base.selectAll().orderBy('id', 'desc').limit(q.pageSize).offset((q.page - 1) * q.pageSize).execute(),
    base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  const memberIds = rows.map((r) => String(r.member_id));
  const [members, numbers, orgs] = await Promise.all([memberOrgs(db, memberIds), volunteerNumbers(db, memberIds), orgNames(db, [...new Set(rows.map((r) => String(r.org_id)))])]);
  const activityIds = [...new Set(rows.filter((r) => r.activity_id !== null).map((r) => String(r.activity_id)))];
  const titles = new Map((activityIds.length ? await db.selectFrom('activities').select(['id', 'title']).where('id', 'in', activityIds).execute() : []).map((a) => [String(a.id), a.title]));
  return {
    items: rows.map((r) => ({
      id: String(r.id), memberId: String(r.member_id), name: members.get(String(r.member_id))?.name ?? '', volunteerNumber: numbers.get(String(r.member_id)) ?? null,
      orgId: String(r.org_id), orgName: orgs.get(String(r.org_id)) ?? '', activityId: r.activity_id === null ? null : String(r.activity_id), activityTitle: r.activity_id === null ? null : (titles.get(String(r.activity_id)) ?? null),
      entryId: r.entry_id === null ? null : String(r.entry_id), hours: Number(r.hours), reason: r.reason, status: r.status, decidedByName: r.decided_by_name, decidedAt: r.decided_at?.toISOString() ?? null,
      decisionNote: r.decision_note, createdAt: r.created_at.toISOString(),
    })),
    total: total.n, page: q.page, pageSize: q.pageSize,
  };
}

export async function decideRequest(deps: AppDeps, ctx: RequestContext, id: string, input: { approve: boolean; note: string }) {
  const { db } = deps.database;
  await requirePermission(db, ctx, 'volunteer:certify', { type: 'volunteer_request', id });
  const req = /^\d{1,18}$/.test(id) ? await db.selectFrom('volunteer_correction_requests').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
  if (!req) throw new AppError('NOT_FOUND');
  const actor = await requireAccess(db, ctx, 'volunteer:certify', 'org', [String(req.org_id)]);
  const memberId = String(req.member_id);
  const name = (await memberOrgs(db, [memberId])).get(memberId)?.name ?? '';
  await db.transaction().execute(async (trx) => {
    const locked = await trx.selectFrom('volunteer_correction_requests').selectAll().where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
    if (locked.status !== 'pending') throw new AppError('VOLUNTEER_REQUEST_DECIDED');
    let correctionId: string | null = null;
    if (input.approve) {
      correctionId = await writeCorrection(trx, actor, {
        memberId, orgId: String(req.org_id), hours: Number(req.hours), reason: input.note ? `${req.reason}（审核：${input.note}）` : req.reason, requestedBy: `${name}（本人申请）`,
        correctsId: req.entry_id === null ? null : String(req.entry_id), activityId: req.activity_id === null ? null : String(req.activity_id),
      });
    }
    await trx
      .updateTable('volunteer_correction_requests')
      .set({ status: input.approve ? 'approved' : 'rejected', decided_by: actor.id, decided_by_name: actor.displayName || actor.username, decided_at: new Date(), decision_note: input.note, correction_id: correctionId })
      .where('id', '=', id)
      .execute();
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'volunteer.correction_decide', targetType: 'volunteer_request', targetId: id, targetLabel: name, ip: ctx.ip, changes: { approve: input.approve, note: input.note, hours: Number(req.hours), correctionId } });
  });
  return (await listRequests(deps, ctx, { orgId: String(req.org_id), page: 1, pageSize: 100 })).items.find((r) => r.id === id)!;
}
