import { sql } from 'kysely';
import type { AppDeps } from '../../app.js';
import type { Executor, Tx } from '../../db/database.js';
import type { RequestContext } from '../../platform/actor.js';
import { requireAccess } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { AppError } from '../../platform/errors.js';
import { postFeedItem } from '../feed/feed.service.js';
import { applyCountDeltas, memberDeltas } from '../orgs/org-counts.js';
import { getOrg } from '../orgs/orgs.service.js';
import { writeMember } from './members.access.js';
import { insertMove } from './members.repo.js';
import { assertOrgHoldsMembers, chinaMidnight, todayInChina } from './members.rules.js';
import { memberView } from './members.present.js';

// Moves between organisations and leaving the roll; each keeps org_counts right in its transaction.

function checkEffectiveDate(on: string, joinedOn: string) {
  if (on > todayInChina()) throw new AppError('VALIDATION_FAILED', {}, { on: 'DATE_IN_FUTURE' });
  if (on < joinedOn) throw new AppError('VALIDATION_FAILED', {}, { on: 'JOINED_BEFORE' });
}

/** Moves one member to another organisation; the actor needs both organisations in scope. */
export async function moveMember(deps: AppDeps, ctx: RequestContext, memberId: string, input: { toOrgId: string; reason: string; on?: string }) {
  const { db } = deps.database;
  const before = async () => {
    // The target is checked after the member, so a file outside the scope answers 404 first.
    await requireAccess(db, ctx, 'members:write', 'org', [input.toOrgId]);
    assertOrgHoldsMembers(await getOrg(db, input.toOrgId), ctx.locale);
  };
  const actor = await writeMember(deps, ctx, memberId, async (trx, m, actor) => {
    const fromOrgId = String(m.org_id);
    if (fromOrgId === input.toOrgId) throw new AppError('MEMBER_SAME_ORG');
    if (input.on) checkEffectiveDate(input.on, m.joined_on);
    await trx.updateTable('members').set({ org_id: input.toOrgId, updated_at: new Date() }).where('id', '=', memberId).execute();
    await insertMove(trx, { memberId, kind: 'move', fromOrgId, toOrgId: input.toOrgId, reason: input.reason, actorId: actor.id, at: input.on ? chinaMidnight(input.on) : undefined });
    await postFeedItem(trx, { orgId: input.toOrgId, kind: 'new_member', title: `${m.name}同志转入本组织`, refType: 'member', refId: memberId, actor: { id: actor.id, name: actor.username }, authorName: actor.displayName, ip: ctx.ip });
    const facts = { status: m.status, category: m.category };
    await applyCountDeltas(trx, [...memberDeltas({ orgId: fromOrgId, ...facts }, -1), ...memberDeltas({ orgId: input.toOrgId, ...facts }, 1)]);
    await recordAudit(trx, {
      actorId: actor.id, actorName: actor.username, action: 'member.move', targetType: 'member', targetId: memberId, targetLabel: m.name, ip: ctx.ip,
      changes: { orgId: { from: fromOrgId, to: input.toOrgId }, reason: input.reason, on: input.on ?? null },
    });
    return actor;
  }, { before });
  return memberView(deps, actor, memberId);
}

const LEAVE_MOVE = { transferred_out: 'transfer_out', deceased: 'leave', left: 'leave' } as const;

/** Takes a member off the roll (transferred out, deceased, left); open registers end the same day. */
export async function leaveMember(deps: AppDeps, ctx: RequestContext, memberId: string, input: { state: keyof typeof LEAVE_MOVE; reason: string; on: string }) {
  const actor = await writeMember(deps, ctx, memberId, async (trx, m, actor) => {
    checkEffectiveDate(input.on, m.joined_on);
    const orgId = String(m.org_id);
    await trx.updateTable('members').set({ state: input.state, updated_at: new Date() }).where('id', '=', memberId).execute();
    await endOpenRegisters(trx, memberId, input.on);
    await insertMove(trx, { memberId, kind: LEAVE_MOVE[input.state], fromOrgId: orgId, toOrgId: null, reason: input.reason, actorId: actor.id, at: chinaMidnight(input.on) });
    await applyCountDeltas(trx, memberDeltas({ orgId, status: m.status, category: m.category }, -1));
    await recordAudit(trx, {
      actorId: actor.id, actorName: actor.username, action: 'member.leave', targetType: 'member', targetId: memberId, targetLabel: m.name, ip: ctx.ip,
      changes: { state: { from: 'active', to: input.state }, orgId, reason: input.reason, on: input.on },
    });
    return actor;
  });
  return memberView(deps, actor, memberId);
}

async function endOpenRegisters(trx: Tx, memberId: string, on: string) {
  // A register entry that started after the leaving date ends on its own start date.
  const end = (col: string) => sql<string>`GREATEST(${sql.ref(col)}, ${on}::date)`;
  await trx.updateTable('community_registrations').set({ ended_on: end('registered_on') }).where('member_id', '=', memberId).where('ended_on', 'is', null).execute();
  await trx.updateTable('mobile_records').set({ ended_on: end('started_on') }).where('member_id', '=', memberId).where('ended_on', 'is', null).execute();
  await trx.updateTable('difficulty_records').set({ ended_on: end('since') }).where('member_id', '=', memberId).where('ended_on', 'is', null).execute();
}

/**
 * Moves every member on the roll of `fromOrgId` to `toOrgId` (organisations merging), with a history
 * row each and the counts in one batch. Runs in the caller's transaction when given one.
 */
export async function moveAllMembers(ex: Executor, fromOrgId: string, toOrgId: string, actorId: string | null, reason: string): Promise<number> {
  const run = async (trx: Executor) => {
    const waiting = await trx.selectFrom('members').select(sql<number>`count(*)::int`.as('n')).where('org_id', '=', fromOrgId).where('state', '=', 'active').executeTakeFirstOrThrow();
    if (waiting.n === 0 || fromOrgId === toOrgId) return 0;
    assertOrgHoldsMembers(await getOrg(trx, toOrgId), 'zh-CN');
    const moved = await trx
      .updateTable('members')
      .set({ org_id: toOrgId, updated_at: new Date() })
      .where('org_id', '=', fromOrgId)
      .where('state', '=', 'active')
      .returning(['id', 'status', 'category'])
      .execute();
    const ids = moved.map((m) => String(m.id));
    await sql`
      INSERT INTO member_moves (member_id, kind, from_org_id, to_org_id, reason, actor_id)
      SELECT id, 'org_merged', ${fromOrgId}::bigint, ${toOrgId}::bigint, ${reason}, ${actorId}::uuid FROM unnest(${ids}::bigint[]) AS id`.execute(trx);
    await applyCountDeltas(trx, moved.flatMap((m) => [...memberDeltas({ orgId: fromOrgId, status: m.status, category: m.category }, -1), ...memberDeltas({ orgId: toOrgId, status: m.status, category: m.category }, 1)]));
    return moved.length;
  };
  return ex.isTransaction ? run(ex) : ex.transaction().execute(run);
}
