import { MOBILE_DIRECTIONS } from '@tongxin/contracts';
import type { AppDeps } from '../../app.js';
import type { RequestContext } from '../../platform/actor.js';
import { requirePermission } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { AppError } from '../../platform/errors.js';
import { memberOfRecord, writeMember } from './members.access.js';
import { mobileRecordsOf, registrationsOf, reviewView } from './members.file.js';
import { isPlaceOfKind } from './members.repo.js';
import { todayInChina } from './members.rules.js';

// In-service members' community registration and yearly review (MEM-3), mobile members (MEM-4).

const invalid = (field: string, code: string) => new AppError('VALIDATION_FAILED', {}, { [field]: code });

function notFuture(field: string, date: string) {
  if (date > todayInChina()) throw invalid(field, 'DATE_IN_FUTURE');
}

/** Registers an in-service member with the residential community; a previous registration ends that day. */
export async function registerCommunity(deps: AppDeps, ctx: RequestContext, memberId: string, input: { communityId: string; registeredOn: string; note: string }) {
  return writeMember(deps, ctx, memberId, async (trx, m, actor) => {
    if (m.category !== 'in_service') throw new AppError('MEMBER_NOT_IN_SERVICE');
    // The community may be anywhere in the city: members live outside the street they work in.
    if (!(await isPlaceOfKind(trx, input.communityId, ['community']))) throw invalid('communityId', 'NOT_A_COMMUNITY');
    notFuture('registeredOn', input.registeredOn);
    const open = await trx.selectFrom('community_registrations').selectAll().where('member_id', '=', memberId).where('ended_on', 'is', null).execute();
    for (const r of open) {
      if (input.registeredOn < r.registered_on) throw invalid('registeredOn', 'DATE_BEFORE_START');
      await trx.updateTable('community_registrations').set({ ended_on: input.registeredOn }).where('id', '=', r.id).execute();
    }
    const row = await trx
      .insertInto('community_registrations')
      .values({ member_id: memberId, community_id: input.communityId, registered_on: input.registeredOn, note: input.note })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId: actor.id, actorName: actor.username, action: 'member.register_community', targetType: 'member', targetId: memberId, targetLabel: m.name, ip: ctx.ip,
      changes: { registrationId: String(row.id), communityId: input.communityId, registeredOn: input.registeredOn, ended: open.map((r) => String(r.id)) },
    });
    return (await registrationsOf(trx, memberId)).find((r) => r.id === String(row.id))!;
  });
}

/** The yearly review of an in-service member by the community of the open registration. */
export async function addCommunityReview(deps: AppDeps, ctx: RequestContext, memberId: string, input: { year: number; result: string; services: number; note: string; reviewedOn?: string }) {
  return writeMember(deps, ctx, memberId, async (trx, m, actor) => {
    const reg = await trx.selectFrom('community_registrations').selectAll().where('member_id', '=', memberId).where('ended_on', 'is', null).orderBy('registered_on', 'desc').executeTakeFirst();
    if (!reg) throw new AppError('MEMBER_NOT_REGISTERED');
    const today = todayInChina();
    if (input.year < Number(reg.registered_on.slice(0, 4)) || input.year > Number(today.slice(0, 4))) throw invalid('year', 'REVIEW_YEAR_INVALID');
    const reviewedOn = input.reviewedOn ?? today;
    notFuture('reviewedOn', reviewedOn);
    const exists = await trx.selectFrom('community_reviews').select('id').where('registration_id', '=', reg.id).where('year', '=', input.year).executeTakeFirst();
    if (exists) throw new AppError('COMMUNITY_REVIEW_EXISTS', { year: input.year });
    const row = await trx
      .insertInto('community_reviews')
      .values({ registration_id: reg.id, year: input.year, result: input.result, services: input.services, note: input.note, reviewed_on: reviewedOn })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId: actor.id, actorName: actor.username, action: 'member.review', targetType: 'member', targetId: memberId, targetLabel: m.name, ip: ctx.ip,
      changes: { registrationId: String(reg.id), year: input.year, result: input.result, services: input.services },
    });
    return reviewView(row);
  });
}

export interface MobileInput {
  direction: 'outflow' | 'inflow';
  placeText: string;
  contactOrgId?: string | null;
  cardNumber?: string | null;
  startedOn: string;
  endedOn?: string | null;
  note: string;
}

/** Records a mobile member's outflow or inflow; one open record per direction at a time. */
export async function addMobileRecord(deps: AppDeps, ctx: RequestContext, memberId: string, input: MobileInput) {
  return writeMember(deps, ctx, memberId, async (trx, m, actor) => {
    notFuture('startedOn', input.startedOn);
    if (input.endedOn && input.endedOn < input.startedOn) throw invalid('endedOn', 'DATE_BEFORE_START');
    // The organisation at the other end is usually outside the actor's scope; it only has to exist.
    if (input.contactOrgId && !(await trx.selectFrom('orgs').select('id').where('id', '=', input.contactOrgId).executeTakeFirst())) throw invalid('contactOrgId', 'NOT_FOUND');
    if (!input.endedOn) {
      const open = await trx.selectFrom('mobile_records').select('id').where('member_id', '=', memberId).where('direction', '=', input.direction).where('ended_on', 'is', null).executeTakeFirst();
      if (open) throw new AppError('MOBILE_RECORD_OPEN', { direction: MOBILE_DIRECTIONS[input.direction][ctx.locale === 'en' ? 'en' : 'zh'] });
    }
    const row = await trx
      .insertInto('mobile_records')
      .values({ member_id: memberId, direction: input.direction, place_text: input.placeText, contact_org_id: input.contactOrgId ?? null, card_number: input.cardNumber ?? null, started_on: input.startedOn, ended_on: input.endedOn ?? null, note: input.note })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId: actor.id, actorName: actor.username, action: 'member.mobile_record', targetType: 'member', targetId: memberId, targetLabel: m.name, ip: ctx.ip,
      changes: { recordId: String(row.id), direction: input.direction, placeText: input.placeText, contactOrgId: input.contactOrgId ?? null, cardNumber: input.cardNumber ?? null, startedOn: input.startedOn },
    });
    return (await mobileRecordsOf(trx, { id: String(row.id) }))[0]!;
  });
}

/** Ends a mobile record (the member came back, or settled and transferred). */
export async function endMobileRecord(deps: AppDeps, ctx: RequestContext, recordId: string, input: { endedOn: string; note?: string }) {
  await requirePermission(deps.database.db, ctx, 'members:write', { type: 'mobile_record', id: recordId });
  const memberId = await memberOfRecord(deps.database.db, 'mobile_records', recordId);
  if (!memberId) throw new AppError('NOT_FOUND');
  return writeMember(deps, ctx, memberId, async (trx, m, actor) => {
    const rec = await trx.selectFrom('mobile_records').selectAll().where('id', '=', recordId).forUpdate().executeTakeFirstOrThrow();
    if (rec.ended_on) throw new AppError('RECORD_ENDED');
    if (input.endedOn < rec.started_on) throw invalid('endedOn', 'DATE_BEFORE_START');
    notFuture('endedOn', input.endedOn);
    await trx.updateTable('mobile_records').set({ ended_on: input.endedOn, ...(input.note !== undefined ? { note: input.note } : {}) }).where('id', '=', recordId).execute();
    await recordAudit(trx, {
      actorId: actor.id, actorName: actor.username, action: 'member.mobile_record_end', targetType: 'member', targetId: memberId, targetLabel: m.name, ip: ctx.ip,
      changes: { recordId, endedOn: input.endedOn },
    });
    return (await mobileRecordsOf(trx, { id: recordId }))[0]!;
  });
}
