import type { AppDeps } from '../../app.js';
import type { Actor, RequestContext } from '../../platform/actor.js';
import { idsInScope, requireAccess, requirePermission } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { AppError } from '../../platform/errors.js';
import { pathOf } from '../../platform/tree.js';
import { postFeedItem } from '../feed/feed.service.js';
import { memberOrgs } from '../members/members.service.js';
import { getOrg, orgNames } from '../orgs/orgs.service.js';
import { presentActivities, signupView } from './activities.present.js';
import { activityVisibleToStaff, findActivities, lockActivity, signedUpCount, signupsOfActivity, type ActivityRow, type StaffFilter } from './activities.repo.js';
import { volunteerNumbers } from './volunteer.ledger.js';

// Activities and volunteer jobs (LIFE-2), the organiser's side: publish, change, cancel, list, sign-ups.
// Attendance and the QR code: activities.attendance.ts; the member's side: activities.member.ts.

export interface ActivityInput {
  kind: 'activity' | 'volunteer';
  title: string;
  description: string;
  orgId: string;
  placeId?: string | null;
  organiserName: string;
  startsAt: string;
  endsAt: string;
  signupDeadline?: string | null;
  location: string;
  lng?: number | null;
  lat?: number | null;
  capacity: number;
  skills: string[];
  serviceHours: number;
  contact: string;
}

type FieldCode = 'ACTIVITY_START_IN_PAST' | 'ACTIVITY_END_BEFORE_START' | 'ACTIVITY_DEADLINE_AFTER_END' | 'ACTIVITY_DEADLINE_IN_PAST' | 'ACTIVITY_HOURS_TOO_LONG' | 'ACTIVITY_PLACE_OUT_OF_REACH';
const invalid = (field: string, code: FieldCode, params: Record<string, unknown> = {}) => new AppError(code, params, { [field]: code });

/** Times and hours that make sense together; the deadline defaults to the start. */
function checkTimes(i: { startsAt: Date; endsAt: Date; deadline: Date; serviceHours: number }, isNew: boolean) {
  if (isNew && i.startsAt.getTime() <= Date.now()) throw invalid('startsAt', 'ACTIVITY_START_IN_PAST');
  if (i.endsAt <= i.startsAt) throw invalid('endsAt', 'ACTIVITY_END_BEFORE_START');
  if (i.deadline > i.endsAt) throw invalid('signupDeadline', 'ACTIVITY_DEADLINE_AFTER_END');
  if (isNew && i.deadline.getTime() < Date.now()) throw invalid('signupDeadline', 'ACTIVITY_DEADLINE_IN_PAST');
  const length = Math.ceil(((i.endsAt.getTime() - i.startsAt.getTime()) / 3_600_000) * 100) / 100;
  if (i.serviceHours > length) throw invalid('serviceHours', 'ACTIVITY_HOURS_TOO_LONG', { hours: length });
}

/** The place an activity is held for: in the actor's place scope, or at or above the organiser's own place. */
async function checkPlace(deps: AppDeps, actor: Actor, orgId: string, placeId: string) {
  const { db } = deps.database;
  if ((await idsInScope(db, actor, 'place', [placeId])).size) return;
  const org = await getOrg(db, orgId);
  if (org?.place_id && (await pathOf(db, 'place', String(org.place_id))).some((p) => p.id === placeId)) return;
  throw invalid('placeId', 'ACTIVITY_PLACE_OUT_OF_REACH');
}

/** An activity the actor can see and manage (404 outside the scope). */
async function loadManaged(deps: AppDeps, ctx: RequestContext, id: string, permission: 'activities:manage' | 'activities:read' = 'activities:manage'): Promise<{ actor: Actor; row: ActivityRow }> {
  const { db } = deps.database;
  const actor = await requirePermission(db, ctx, permission, { type: 'activity', id });
  const row = /^\d{1,18}$/.test(id) ? await activityVisibleToStaff(db, actor, id) : undefined;
  if (!row) {
    await recordAudit(db, { actorId: actor.id, actorName: actor.username, action: 'access.denied', targetType: 'activity', targetId: id, result: 'denied', reason: `out_of_scope: ${permission}`, ip: ctx.ip });
    throw new AppError('NOT_FOUND');
  }
  return { actor, row };
}
export { loadManaged };

async function view(deps: AppDeps, actor: Actor, id: string) {
  const row = await activityVisibleToStaff(deps.database.db, actor, id);
  if (!row) throw new AppError('NOT_FOUND');
  return (await presentActivities(deps.database.db, [row], { actor }))[0]!;
}

export async function publishActivity(deps: AppDeps, ctx: RequestContext, input: ActivityInput) {
  const { db } = deps.database;
  const actor = await requireAccess(db, ctx, 'activities:manage', 'org', [input.orgId]);
  const org = await getOrg(db, input.orgId);
  if (!org || org.status !== 'active') throw new AppError('ORG_NOT_ACTIVE');
  const startsAt = new Date(input.startsAt);
  const endsAt = new Date(input.endsAt);
  const deadline = input.signupDeadline ? new Date(input.signupDeadline) : startsAt;
  checkTimes({ startsAt, endsAt, deadline, serviceHours: input.serviceHours }, true);
  if (input.placeId) await checkPlace(deps, actor, input.orgId, input.placeId);
  const id = await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('activities')
      .values({
        kind: input.kind, title: input.title, description: input.description, org_id: input.orgId, place_id: input.placeId ?? null, organiser_name: input.organiserName,
        starts_at: startsAt, ends_at: endsAt, signup_deadline: deadline, location: input.location, lng: input.lng ?? null, lat: input.lat ?? null, capacity: input.capacity,
        skills: [...new Set(input.skills)], service_hours: input.serviceHours, contact: input.contact, created_by: actor.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const id = String(row.id);
    await recordAudit(trx, {
      actorId: actor.id, actorName: actor.username, action: 'activity.publish', targetType: 'activity', targetId: id, targetLabel: input.title, ip: ctx.ip,
      changes: { kind: input.kind, orgId: input.orgId, placeId: input.placeId ?? null, startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString(), signupDeadline: deadline.toISOString(), capacity: input.capacity, serviceHours: input.serviceHours, skills: input.skills },
    });
    // the branch feed: the organiser's members and the branches below it hear of it
    const when = startsAt.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });
    await postFeedItem(trx, {
      orgId: input.orgId, kind: 'activity', title: input.title, body: `${when} · ${input.location}${input.description ? `\n${input.description}` : ''}`,
      refType: 'activity', refId: id, cascade: true, internal: true, actor: { id: actor.id, name: actor.displayName || actor.username }, ip: ctx.ip,
    });
    return id;
  });
  return view(deps, actor, id);
}

export async function updateActivity(deps: AppDeps, ctx: RequestContext, id: string, input: Partial<Omit<ActivityInput, 'kind' | 'orgId'>>) {
  const { actor, row } = await loadManaged(deps, ctx, id);
  if (row.status === 'cancelled') throw new AppError('ACTIVITY_CANCELLED');
  if (Date.now() >= row.starts_at.getTime()) throw new AppError('ACTIVITY_STARTED');
  const startsAt = input.startsAt ? new Date(input.startsAt) : row.starts_at;
  const endsAt = input.endsAt ? new Date(input.endsAt) : row.ends_at;
  const deadline = input.signupDeadline ? new Date(input.signupDeadline) : input.startsAt && row.signup_deadline.getTime() === row.starts_at.getTime() ? startsAt : row.signup_deadline;
  const serviceHours = input.serviceHours ?? Number(row.service_hours);
  checkTimes({ startsAt, endsAt, deadline, serviceHours }, input.startsAt !== undefined);
  if (input.placeId) await checkPlace(deps, actor, String(row.org_id), input.placeId);
  await deps.database.db.transaction().execute(async (trx) => {
    const locked = (await lockActivity(trx, id))!;
    if (input.capacity !== undefined) {
      const n = await signedUpCount(trx, id);
      if (input.capacity < n) throw new AppError('ACTIVITY_CAPACITY_BELOW_SIGNUPS', { count: n }, { capacity: 'ACTIVITY_CAPACITY_BELOW_SIGNUPS' });
    }
    const next: Record<string, unknown> = {
      title: input.title, description: input.description, place_id: input.placeId, organiser_name: input.organiserName, starts_at: startsAt, ends_at: endsAt, signup_deadline: deadline,
      location: input.location, lng: input.lng, lat: input.lat, capacity: input.capacity, skills: input.skills ? [...new Set(input.skills)] : undefined, service_hours: serviceHours, contact: input.contact,
    };
    const set: Record<string, unknown> = {};
    const changes: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(next)) {
      if (v === undefined) continue;
      const before = (locked as Record<string, unknown>)[k];
      const norm = (x: unknown) => JSON.stringify(x instanceof Date ? x.toISOString() : typeof x === 'number' || (typeof x === 'string' && k === 'service_hours') ? Number(x) : (x ?? null));
      if (norm(before) === norm(v)) continue;
      set[k] = v;
      changes[k] = { from: before instanceof Date ? before.toISOString() : before, to: v instanceof Date ? v.toISOString() : v };
    }
    if (Object.keys(set).length) await trx.updateTable('activities').set({ ...set, updated_at: new Date() }).where('id', '=', id).execute();
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'activity.update', targetType: 'activity', targetId: id, targetLabel: locked.title, ip: ctx.ip, changes });
  });
  return view(deps, actor, id);
}

export async function cancelActivity(deps: AppDeps, ctx: RequestContext, id: string, reason: string) {
  const { actor, row } = await loadManaged(deps, ctx, id);
  if (row.status === 'cancelled') throw new AppError('ACTIVITY_CANCELLED');
  if (Date.now() >= row.starts_at.getTime()) throw new AppError('ACTIVITY_STARTED');
  await deps.database.db.transaction().execute(async (trx) => {
    await trx.updateTable('activities').set({ status: 'cancelled', cancel_reason: reason, updated_at: new Date() }).where('id', '=', id).execute();
    const n = await signedUpCount(trx, id);
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'activity.cancel', targetType: 'activity', targetId: id, targetLabel: row.title, ip: ctx.ip, changes: { reason, signedUp: n } });
  });
  return view(deps, actor, id);
}

export async function listActivities(deps: AppDeps, ctx: RequestContext, f: StaffFilter & { page: number; pageSize: number }) {
  const { db } = deps.database;
  const actor = f.orgId ? await requireAccess(db, ctx, 'activities:read', 'org', [f.orgId]) : await requirePermission(db, ctx, 'activities:read');
  const { rows, total } = await findActivities(db, actor, f, f);
  return { items: await presentActivities(db, rows, { actor }), total, page: f.page, pageSize: f.pageSize };
}

export async function getActivity(deps: AppDeps, ctx: RequestContext, id: string) {
  const { actor } = await loadManaged(deps, ctx, id, 'activities:read');
  return view(deps, actor, id);
}

/** Who signed up (names and volunteer numbers, never ID numbers), with check-in and attendance. */
export async function listSignups(deps: AppDeps, ctx: RequestContext, id: string) {
  await loadManaged(deps, ctx, id, 'activities:read');
  const { db } = deps.database;
  const rows = await signupsOfActivity(db, id);
  const memberIds = rows.map((r) => String(r.member_id));
  const [members, numbers] = await Promise.all([memberOrgs(db, memberIds), volunteerNumbers(db, memberIds)]);
  const orgs = await orgNames(db, [...new Set([...members.values()].map((m) => m.orgId))]);
  return rows.map((r) => {
    const m = members.get(String(r.member_id));
    return {
      id: String(r.id), memberId: String(r.member_id), name: m?.name ?? '', orgName: m ? (orgs.get(m.orgId) ?? '') : '', volunteerNumber: numbers.get(String(r.member_id)) ?? null,
      ...signupView(r)!, confirmedAt: r.confirmed_at?.toISOString() ?? null,
    };
  });
}
