import { sql } from 'kysely';
import type { AppDeps } from '../../app.js';
import type { Executor } from '../../db/database.js';
import type { Actor, RequestContext } from '../../platform/actor.js';
import { idsInScope, requireAccess, requirePermission } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { mask } from '../../platform/crypto.js';
import { AppError } from '../../platform/errors.js';
import { postFeedItem } from '../feed/feed.service.js';
import { applyCountDeltas, memberDeltas } from '../orgs/org-counts.js';
import { getOrg } from '../orgs/orgs.service.js';
import { loadMember, writeMember } from './members.access.js';
import { memberView, present } from './members.present.js';
import { findMembers, insertMove, isPlaceOfKind, memberByIdNumberHash, memberValues, type MemberFilter, type NewMember } from './members.repo.js';
import { assertOrgHoldsMembers, checkIdentity, checkStatusDates, RESIDENCE_KINDS, throwProblems, todayInChina, WORK_PLACE_KINDS, type Problem } from './members.rules.js';
import type { MemberView } from './members.schema.js';

export { moveAllMembers } from './members.moves.js';
export { memberServiceFacts, type MemberServiceFacts } from './members.facts.js';
export { activeRoll, type RollMember } from './members.roll.js';

/** Checks the permission, and the subtree root when one is given (404 outside the scope). */
export async function checkListAccess(deps: AppDeps, ctx: RequestContext, permission: 'members:read' | 'members:export', orgId?: string): Promise<Actor> {
  const { db } = deps.database;
  const actor = await requirePermission(db, ctx, permission);
  if (orgId) await requireAccess(db, ctx, permission, 'org', [orgId]);
  return actor;
}

export async function listMembers(deps: AppDeps, ctx: RequestContext, f: MemberFilter & { page: number; pageSize: number }) {
  const actor = await checkListAccess(deps, ctx, 'members:read', f.orgId);
  const { db } = deps.database;
  const { rows, total } = await findMembers(db, actor, deps.crypto, f, f);
  return { items: await present(db, actor, rows), total, page: f.page, pageSize: f.pageSize };
}

/** Who holds an ID number already: named only when that file is in the actor's own scope. */
async function duplicateError(ex: Executor, actor: Actor, existing: { name: string; org_id: string }, locale: 'zh-CN' | 'en') {
  const visible = (await idsInScope(ex, actor, 'org', [String(existing.org_id)])).size > 0;
  const name = visible ? existing.name : locale === 'en' ? 'a member of another organisation' : '其他党组织的党员';
  return new AppError('ID_NUMBER_DUPLICATE', { name }, { idNumber: 'ID_NUMBER_DUPLICATE' });
}

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === '23505';

/** A new member as the form sends it: gender and birth date may come from the ID number. */
export type CreateMemberInput = Omit<NewMember, 'gender' | 'birthDate'> & {
  gender?: NewMember['gender'];
  birthDate?: string;
  source: 'join' | 'transfer_in';
  reason: string;
};

export async function createMember(deps: AppDeps, ctx: RequestContext, input: CreateMemberInput): Promise<MemberView> {
  const { db } = deps.database;
  const actor = await requireAccess(db, ctx, 'members:write', 'org', [input.orgId]);
  assertOrgHoldsMembers(await getOrg(db, input.orgId), ctx.locale);
  const today = todayInChina();
  const identity = checkIdentity(input, today, ctx.locale);
  throwProblems(identity.problems);
  const id = identity.id!;
  const problems: Problem[] = checkStatusDates({ status: input.status, joinedOn: input.joinedOn, fullOn: input.fullOn ?? null, birthDate: id.birthDate }, today);
  problems.push(...(await checkPlaces(db, input)));
  throwProblems(problems);
  const existing = await memberByIdNumberHash(db, deps.crypto.lookupHash(id.value));
  if (existing) throw await duplicateError(db, actor, existing, ctx.locale);

  const values = memberValues(deps.crypto, { ...input, idNumber: id.value, gender: id.gender, birthDate: id.birthDate });
  try {
    const memberId = await db.transaction().execute(async (trx) => {
      const row = await trx.insertInto('members').values(values).returning('id').executeTakeFirstOrThrow();
      const memberId = String(row.id);
      await insertMove(trx, { memberId, kind: input.source, fromOrgId: null, toOrgId: input.orgId, reason: input.reason, actorId: actor.id });
      await applyCountDeltas(trx, memberDeltas({ orgId: input.orgId, status: input.status, category: input.category }, 1));
      await postFeedItem(trx, { orgId: input.orgId, kind: 'new_member', title: input.source === 'join' ? `欢迎新党员${input.name}` : `${input.name}同志转入本组织`, refType: 'member', refId: memberId, actor: { id: actor.id, name: actor.username }, authorName: actor.displayName, ip: ctx.ip });
      await recordAudit(trx, {
        actorId: actor.id, actorName: actor.username, action: 'member.create', targetType: 'member', targetId: memberId, targetLabel: input.name, ip: ctx.ip,
        changes: { name: input.name, idNumber: values.id_number_masked, phone: values.phone_masked, orgId: input.orgId, status: input.status, category: input.category, joinedOn: input.joinedOn, source: input.source },
      });
      return memberId;
    });
    return memberView(deps, actor, memberId);
  } catch (e) {
    // Two clerks filing the same person at once: the unique index decides.
    if (isUniqueViolation(e)) throw new AppError('ID_NUMBER_DUPLICATE', { name: '—' }, { idNumber: 'ID_NUMBER_DUPLICATE' });
    throw e;
  }
}

export type UpdateMemberInput = Partial<Omit<CreateMemberInput, 'orgId' | 'source' | 'reason'>>;

const FIELD_COLUMNS = { name: 'name', ethnicity: 'ethnicity', category: 'category', education: 'education', occupation: 'occupation', workUnit: 'work_unit', skills: 'skills', interests: 'interests', residencePlaceId: 'residence_place_id', workPlaceId: 'work_place_id' } as const;

/** Residence and work place references must name places of the right kinds (anywhere in the city). */
async function checkPlaces(ex: Executor, input: { residencePlaceId?: string | null; workPlaceId?: string | null }): Promise<Problem[]> {
  const problems: Problem[] = [];
  if (input.residencePlaceId && !(await isPlaceOfKind(ex, input.residencePlaceId, RESIDENCE_KINDS))) problems.push({ field: 'residencePlaceId', code: 'NOT_A_RESIDENCE' });
  if (input.workPlaceId && !(await isPlaceOfKind(ex, input.workPlaceId, WORK_PLACE_KINDS))) problems.push({ field: 'workPlaceId', code: 'NOT_A_WORK_PLACE' });
  return problems;
}

export async function updateMember(deps: AppDeps, ctx: RequestContext, memberId: string, input: UpdateMemberInput): Promise<MemberView> {
  const today = todayInChina();
  const actor = await writeMember(deps, ctx, memberId, async (trx, old, actor) => {
    const set: Record<string, unknown> = {};
    const changes: Record<string, unknown> = {};
    const problems: Problem[] = [];
    let birthDate = old.birth_date;
    if (input.idNumber !== undefined || input.gender !== undefined || input.birthDate !== undefined) {
      // Gender and birth date always follow the ID number, so a change to any of them is checked against it.
      const identity = checkIdentity({ idNumber: input.idNumber ?? deps.crypto.decrypt(old.id_number_enc), gender: input.gender, birthDate: input.birthDate }, today, ctx.locale);
      throwProblems(identity.problems);
      const id = identity.id!;
      const hash = deps.crypto.lookupHash(id.value);
      if (hash !== old.id_number_hmac) {
        const existing = await memberByIdNumberHash(trx, hash);
        if (existing) throw await duplicateError(trx, actor, existing, ctx.locale);
        Object.assign(set, { id_number_enc: deps.crypto.encrypt(id.value), id_number_hmac: hash, id_number_masked: mask(id.value) });
        changes.idNumber = { from: old.id_number_masked, to: mask(id.value) };
      }
      if (id.gender !== old.gender) [set.gender, changes.gender] = [id.gender, { from: old.gender, to: id.gender }];
      if (id.birthDate !== old.birth_date) [set.birth_date, changes.birthDate] = [id.birthDate, { from: old.birth_date, to: id.birthDate }];
      birthDate = id.birthDate;
    }
    const status = input.status ?? old.status;
    const joinedOn = input.joinedOn ?? old.joined_on;
    // A correction back to probationary drops the conversion date; a conversion must give one.
    const fullOn = input.fullOn !== undefined ? input.fullOn : status === 'probationary' ? null : old.full_on;
    if (status === 'full' && old.status === 'probationary' && !fullOn) problems.push({ field: 'fullOn', code: 'FULL_ON_REQUIRED' });
    problems.push(...checkStatusDates({ status, joinedOn, fullOn, birthDate }, today));
    problems.push(...(await checkPlaces(trx, input)));
    throwProblems(problems);
    if (status !== old.status) [set.status, changes.status] = [status, { from: old.status, to: status }];
    if (joinedOn !== old.joined_on) [set.joined_on, changes.joinedOn] = [joinedOn, { from: old.joined_on, to: joinedOn }];
    if ((fullOn ?? null) !== old.full_on) [set.full_on, changes.fullOn] = [fullOn ?? null, { from: old.full_on, to: fullOn ?? null }];
    if (input.phone !== undefined) {
      const hash = input.phone ? deps.crypto.lookupHash(input.phone) : null;
      if (hash !== old.phone_hmac) {
        Object.assign(set, { phone_enc: input.phone ? deps.crypto.encrypt(input.phone) : null, phone_hmac: hash, phone_masked: mask(input.phone) });
        changes.phone = { from: old.phone_masked, to: mask(input.phone) };
      }
    }
    for (const [field, column] of Object.entries(FIELD_COLUMNS)) {
      const value = input[field as keyof typeof FIELD_COLUMNS];
      const before = (old as Record<string, unknown>)[column];
      if (value === undefined || JSON.stringify(value ?? null) === JSON.stringify(before ?? null)) continue;
      set[column] = value ?? null;
      changes[field] = { from: before, to: value ?? null };
    }
    if (Object.keys(set).length) await trx.updateTable('members').set({ ...set, updated_at: new Date() }).where('id', '=', memberId).execute();
    const category = (set.category as string | undefined) ?? old.category;
    if (status !== old.status || category !== old.category) {
      const orgId = String(old.org_id);
      await applyCountDeltas(trx, [...memberDeltas({ orgId, status: old.status, category: old.category }, -1), ...memberDeltas({ orgId, status, category }, 1)]);
    }
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'member.update', targetType: 'member', targetId: memberId, targetLabel: old.name, ip: ctx.ip, changes });
    return actor;
  });
  return memberView(deps, actor, memberId);
}

/** The full ID or phone number of one member, each use audited. */
export async function revealSensitive(deps: AppDeps, ctx: RequestContext, memberId: string, field: 'idNumber' | 'phone') {
  const { actor, row } = await loadMember(deps, ctx, memberId, 'members:read_sensitive');
  const { db } = deps.database;
  const enc = await db.selectFrom('members').select(['id_number_enc', 'phone_enc']).where('id', '=', memberId).executeTakeFirstOrThrow();
  const stored = field === 'idNumber' ? enc.id_number_enc : enc.phone_enc;
  if (!stored) return { field, value: null };
  await recordAudit(db, { actorId: actor.id, actorName: actor.username, action: 'member.read_sensitive', targetType: 'member', targetId: memberId, targetLabel: row.name, ip: ctx.ip, changes: { field } });
  return { field, value: deps.crypto.decrypt(stored) };
}

/** Members on the roll directly in one organisation (for refusing to abolish it, naming a few). */
export async function activeMembersOf(ex: Executor, orgId: string, limit = 5): Promise<{ count: number; names: string[] }> {
  const count = await ex.selectFrom('members').select(sql<number>`count(*)::int`.as('n')).where('org_id', '=', orgId).where('state', '=', 'active').executeTakeFirstOrThrow();
  if (count.n === 0) return { count: 0, names: [] };
  const names = await ex.selectFrom('members').select('name').where('org_id', '=', orgId).where('state', '=', 'active').orderBy(sql`name COLLATE "C"`).orderBy('id').limit(limit).execute();
  return { count: count.n, names: names.map((n) => n.name) };
}

/**
 * The active member with this phone (its lookup hash), for linking a phone login to a member's own
 * account (issue 5). Null when none or when several members share the number (then nobody is linked).
 */
export async function activeMemberByPhone(ex: Executor, phoneHmac: string): Promise<{ id: string; name: string } | null> {
  const rows = await ex.selectFrom('members').select(['id', 'name']).where('phone_hmac', '=', phoneHmac).where('state', '=', 'active').limit(2).execute();
  return rows.length === 1 ? { id: String(rows[0]!.id), name: rows[0]!.name } : null;
}

/**
 * Where members stand (issue 5: a member's own branch, the live audience of the branch feed,
 * names on commitments): organisation, name and state by member id.
 */
export async function memberOrgs(ex: Executor, ids: string[]): Promise<Map<string, { orgId: string; name: string; state: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await ex.selectFrom('members').select(['id', 'org_id', 'name', 'state']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [String(r.id), { orgId: String(r.org_id), name: r.name, state: r.state }]));
}
