import { MEMBER_STATES, type MemberState } from '@tongxin/contracts';
import type { AppDeps } from '../../app.js';
import type { RequestContext } from '../../platform/actor.js';
import { requireMember } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { AppError } from '../../platform/errors.js';
import { pathOf } from '../../platform/tree.js';
import { memberServiceFacts, type MemberServiceFacts } from '../members/members.service.js';
import { verifyCode } from './activities.checkin.js';
import { presentActivities } from './activities.present.js';
import { activityById, findMenu, lockActivity, signedUpCount, signupOf, signupsOfMember, type ActivityRow } from './activities.repo.js';
import { checkInWindow, volunteerRules } from './activities.rules.js';
import { ensureVolunteer } from './volunteer.ledger.js';

// The member's side (LIFE-2): a menu filtered by their organisation, their community (where they live,
// and for in-service members the community they registered with: they claim its service jobs) and
// their skills; sign up, cancel before the deadline, check in with the code of the QR screen.

const fmt = (d: Date) => d.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });

interface Reach {
  facts: MemberServiceFacts;
  orgIds: string[];
  placeIds: string[];
  residence: Set<string>;
  registered: Set<string>;
}

/** The organisations and places whose activities reach the member. */
async function reachOf(deps: AppDeps, ctx: RequestContext): Promise<Reach & { actor: { id: string; username: string } }> {
  const { db } = deps.database;
  const { actor, memberId } = await requireMember(db, ctx);
  const facts = await memberServiceFacts(db, memberId);
  if (!facts) throw new AppError('NOT_FOUND');
  const orgIds = (await pathOf(db, 'org', facts.orgId)).map((o) => o.id);
  const residence = new Set(facts.residencePlaceId ? (await pathOf(db, 'place', facts.residencePlaceId)).map((p) => p.id) : []);
  const registered = new Set(facts.registeredCommunityId ? (await pathOf(db, 'place', facts.registeredCommunityId)).map((p) => p.id) : []);
  return { actor, facts, orgIds, placeIds: [...new Set([...residence, ...registered])], residence, registered };
}

function reaches(r: Reach, a: ActivityRow): boolean {
  return r.orgIds.includes(String(a.org_id)) || (a.place_id !== null && r.placeIds.includes(String(a.place_id)));
}

/** Why the activity is in the member's menu: where they live, the community they registered with, or their organisation. */
function audienceOf(r: Reach, a: ActivityRow): 'org' | 'residence' | 'registered' {
  const place = a.place_id === null ? null : String(a.place_id);
  if (place && r.residence.has(place)) return 'residence';
  if (place && r.registered.has(place)) return 'registered';
  return 'org';
}

async function present(deps: AppDeps, r: Reach, rows: ActivityRow[]) {
  const mine = await signupsOfMember(deps.database.db, r.facts.id, rows.map((a) => String(a.id)));
  return presentActivities(deps.database.db, rows, { rulesOrgId: r.facts.orgId, mine, audience: (a) => audienceOf(r, a), skills: r.facts.skills });
}

export async function myMenu(deps: AppDeps, ctx: RequestContext, f: { when: 'upcoming' | 'past' | 'mine'; kind?: 'activity' | 'volunteer'; q?: string; matchSkills?: boolean; page: number; pageSize: number }) {
  const r = await reachOf(deps, ctx);
  const { rows, total } = await findMenu(deps.database.db, { ...f, orgIds: r.orgIds, placeIds: r.placeIds, memberId: r.facts.id, skills: f.matchSkills ? r.facts.skills : undefined }, f);
  return { items: await present(deps, r, rows), total, page: f.page, pageSize: f.pageSize, skills: r.facts.skills };
}

/** An activity in the member's reach, or one they signed up for; anything else is not found. */
async function loadReachable(deps: AppDeps, ctx: RequestContext, id: string) {
  const r = await reachOf(deps, ctx);
  const a = /^\d{1,18}$/.test(id) ? await activityById(deps.database.db, id) : undefined;
  if (!a || (!reaches(r, a) && !(await signupOf(deps.database.db, id, r.facts.id)))) throw new AppError('NOT_FOUND');
  return { r, a };
}

export async function myActivity(deps: AppDeps, ctx: RequestContext, id: string) {
  const { r, a } = await loadReachable(deps, ctx, id);
  const rules = (await volunteerRules(deps.database.db, a.starts_at)).rules;
  const w = checkInWindow(rules, a);
  return { ...(await present(deps, r, [a]))[0]!, checkInOpensAt: w.opensAt.toISOString(), checkInClosesAt: w.closesAt.toISOString() };
}

export async function signUp(deps: AppDeps, ctx: RequestContext, id: string) {
  const { r, a } = await loadReachable(deps, ctx, id);
  if (!reaches(r, a)) throw new AppError('NOT_FOUND');
  if (r.facts.state !== 'active') throw new AppError('MEMBER_NOT_ACTIVE', { state: MEMBER_STATES[r.facts.state as MemberState]?.[ctx.locale === 'en' ? 'en' : 'zh'] ?? r.facts.state });
  if (a.skills.length && !a.skills.some((s) => r.facts.skills.includes(s))) throw new AppError('ACTIVITY_SKILLS_REQUIRED', { skills: a.skills.join('、') });
  await deps.database.db.transaction().execute(async (trx) => {
    // the row lock makes capacity hold when many sign up at once
    const locked = (await lockActivity(trx, id))!;
    if (locked.status === 'cancelled') throw new AppError('ACTIVITY_CANCELLED');
    if (Date.now() > locked.signup_deadline.getTime()) throw new AppError('ACTIVITY_DEADLINE_PASSED', { deadline: fmt(locked.signup_deadline) });
    const existing = await signupOf(trx, id, r.facts.id);
    if (existing?.status === 'signed_up') throw new AppError('ACTIVITY_ALREADY_SIGNED_UP');
    if ((await signedUpCount(trx, id)) >= locked.capacity) throw new AppError('ACTIVITY_FULL', { capacity: locked.capacity });
    if (existing) await trx.updateTable('activity_signups').set({ status: 'signed_up', signed_up_at: new Date(), cancelled_at: null }).where('id', '=', existing.id).execute();
    else await trx.insertInto('activity_signups').values({ activity_id: id, member_id: r.facts.id }).execute();
    const volunteerNumber = locked.kind === 'volunteer' ? await ensureVolunteer(trx, r.facts.id) : null;
    await recordAudit(trx, {
      actorId: r.actor.id, actorName: r.actor.username, action: 'activity.signup', targetType: 'activity', targetId: id, targetLabel: locked.title, ip: ctx.ip,
      changes: { memberId: r.facts.id, audience: audienceOf(r, locked), again: !!existing, volunteerNumber },
    });
  });
  return myActivity(deps, ctx, id);
}

export async function cancelSignup(deps: AppDeps, ctx: RequestContext, id: string) {
  const { r, a } = await loadReachable(deps, ctx, id);
  await deps.database.db.transaction().execute(async (trx) => {
    await lockActivity(trx, id);
    const s = await signupOf(trx, id, r.facts.id);
    if (!s || s.status !== 'signed_up') throw new AppError('ACTIVITY_NOT_SIGNED_UP');
    if (Date.now() > a.signup_deadline.getTime()) throw new AppError('ACTIVITY_CANCEL_CLOSED', { deadline: fmt(a.signup_deadline) });
    await trx.updateTable('activity_signups').set({ status: 'cancelled', cancelled_at: new Date() }).where('id', '=', s.id).execute();
    await recordAudit(trx, { actorId: r.actor.id, actorName: r.actor.username, action: 'activity.signup_cancel', targetType: 'activity', targetId: id, targetLabel: a.title, ip: ctx.ip, changes: { memberId: r.facts.id } });
  });
  return myActivity(deps, ctx, id);
}

/**
 * Check-in with the code of the organiser's QR screen. Refused outside the activity's window, with a
 * code of another step (a screenshot passed on later), or a second time; refusals are audited too.
 */
export async function checkIn(deps: AppDeps, ctx: RequestContext, id: string, code: string) {
  const { r, a } = await loadReachable(deps, ctx, id);
  const { db } = deps.database;
  const deny = (reason: string) => recordAudit(db, { actorId: r.actor.id, actorName: r.actor.username, action: 'activity.check_in', targetType: 'activity', targetId: id, targetLabel: a.title, result: 'denied', reason, ip: ctx.ip, changes: { memberId: r.facts.id } });
  if (a.status === 'cancelled') throw new AppError('ACTIVITY_CANCELLED');
  const s = await signupOf(db, id, r.facts.id);
  if (!s || s.status !== 'signed_up') throw new AppError('ACTIVITY_NOT_SIGNED_UP');
  if (s.checked_in_at) {
    await deny('replay');
    throw new AppError('ACTIVITY_ALREADY_CHECKED_IN', { at: fmt(s.checked_in_at) });
  }
  const now = Date.now();
  const rules = (await volunteerRules(db, a.starts_at)).rules;
  const w = checkInWindow(rules, a);
  if (now < w.opensAt.getTime() || now > w.closesAt.getTime()) {
    await deny('outside_window');
    throw new AppError('ACTIVITY_CHECKIN_CLOSED', { from: fmt(w.opensAt), to: fmt(w.closesAt) });
  }
  if (!verifyCode(deps.crypto, rules, id, code, now)) {
    await deny('code_invalid');
    throw new AppError('ACTIVITY_CHECKIN_CODE_INVALID', {}, { code: 'ACTIVITY_CHECKIN_CODE_INVALID' });
  }
  await db.transaction().execute(async (trx) => {
    // only the first of two simultaneous scans takes effect
    const updated = await trx.updateTable('activity_signups').set({ checked_in_at: new Date(now) }).where('id', '=', s.id).where('checked_in_at', 'is', null).returning('id').executeTakeFirst();
    if (!updated) throw new AppError('ACTIVITY_ALREADY_CHECKED_IN', { at: fmt(new Date(now)) });
    await recordAudit(trx, { actorId: r.actor.id, actorName: r.actor.username, action: 'activity.check_in', targetType: 'activity', targetId: id, targetLabel: a.title, ip: ctx.ip, changes: { memberId: r.facts.id, step: Math.floor(now / 1000 / rules.checkIn.stepSeconds) } });
  });
  return myActivity(deps, ctx, id);
}
