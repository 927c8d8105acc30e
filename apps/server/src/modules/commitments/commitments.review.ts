import type { PermissionKey } from '@tongxin/contracts';
import type { AppDeps } from '../../app.js';
import type { Actor, RequestContext } from '../../platform/actor.js';
import { requireAccess, requirePermission } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { todayInChina } from '../../platform/dates.js';
import { AppError } from '../../platform/errors.js';
import { postFeedItem } from '../feed/feed.service.js';
import { checkAttachments } from '../files/files.service.js';
import { memberOrgs } from '../members/members.service.js';
import { awardPoints } from '../points/points.service.js';
import { present } from './commitments.present.js';
import { fulfilmentCount, itemWithSet, loadSets, lockSet } from './commitments.repo.js';

// The branch's side (践诺, MEM-10): read a member's commitments, confirm them (after which the member
// can no longer change them), send them back, and record fulfilment per item with evidence photos.
// Access goes by the member's organisation now: the branch that holds the member file.

/** The member's organisation must lie in the actor's scope for `permission`; otherwise NOT_FOUND. */
async function memberInScope(deps: AppDeps, ctx: RequestContext, memberId: string, permission: PermissionKey, target: { type: string; id: string }) {
  const { db } = deps.database;
  await requirePermission(db, ctx, permission, target);
  const member = (await memberOrgs(db, [memberId])).get(memberId);
  if (!member) throw new AppError('NOT_FOUND');
  const actor = await requireAccess(db, ctx, permission, 'org', [member.orgId]);
  return { actor, member };
}

async function setView(deps: AppDeps, actor: Actor, id: string) {
  const sets = await loadSets(deps.database.db, { id });
  return (await present(deps.database.db, actor, sets, () => true))[0]!;
}

export async function memberCommitments(deps: AppDeps, ctx: RequestContext, memberId: string) {
  const { actor } = await memberInScope(deps, ctx, memberId, 'commitments:read', { type: 'member', id: memberId });
  const sets = await loadSets(deps.database.db, { memberId });
  return { items: await present(deps.database.db, actor, sets, () => true) };
}

async function loadForReview(deps: AppDeps, ctx: RequestContext, id: string) {
  await requirePermission(deps.database.db, ctx, 'commitments:review', { type: 'commitment', id });
  const row = await deps.database.db.selectFrom('commitments').select(['member_id', 'year']).where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND');
  return { ...(await memberInScope(deps, ctx, String(row.member_id), 'commitments:review', { type: 'commitment', id })), year: row.year };
}

/** The branch confirms a member's set: from now on the member cannot change it. */
export async function lockCommitments(deps: AppDeps, ctx: RequestContext, id: string) {
  const { actor, member, year } = await loadForReview(deps, ctx, id);
  await deps.database.db.transaction().execute(async (trx) => {
    const set = await lockSet(trx, id);
    if (!set) throw new AppError('NOT_FOUND');
    if (set.status === 'locked') throw new AppError('COMMITMENT_LOCKED', { year });
    await trx.updateTable('commitments').set({ status: 'locked', locked_at: new Date(), locked_by: actor.id, updated_at: new Date() }).where('id', '=', id).execute();
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'commitment.lock', targetType: 'commitment', targetId: id, targetLabel: `${member.name} ${year}`, ip: ctx.ip, changes: { status: { from: 'published', to: 'locked' } } });
  });
  return setView(deps, actor, id);
}

/** Sends a confirmed set back to the member for changes, as long as nothing has been recorded against it. */
export async function reopenCommitments(deps: AppDeps, ctx: RequestContext, id: string, reason: string) {
  const { actor, member, year } = await loadForReview(deps, ctx, id);
  await deps.database.db.transaction().execute(async (trx) => {
    const set = await lockSet(trx, id);
    if (!set) throw new AppError('NOT_FOUND');
    if (set.status !== 'locked') throw new AppError('COMMITMENT_NOT_LOCKED');
    const count = await fulfilmentCount(trx, id);
    if (count > 0) throw new AppError('COMMITMENT_HAS_FULFILMENT', { count });
    await trx.updateTable('commitments').set({ status: 'published', locked_at: null, locked_by: null, updated_at: new Date() }).where('id', '=', id).execute();
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'commitment.reopen', targetType: 'commitment', targetId: id, targetLabel: `${member.name} ${year}`, ip: ctx.ip, changes: { status: { from: 'locked', to: 'published' }, reason } });
  });
  return setView(deps, actor, id);
}

export interface FulfilmentInput {
  status: 'in_progress' | 'fulfilled' | 'not_fulfilled';
  note: string;
  evidence: string[];
  recordedOn?: string;
}

/**
 * Records fulfilment of one item (a set still open is confirmed by it). The first record that finds
 * an item fulfilled goes to the branch feed with its evidence, and earns the member points.
 */
export async function recordFulfilment(deps: AppDeps, ctx: RequestContext, itemId: string, input: FulfilmentInput) {
  const { db } = deps.database;
  await requirePermission(db, ctx, 'commitments:review', { type: 'commitment_item', id: itemId });
  const info = await itemWithSet(db, itemId);
  if (!info) throw new AppError('NOT_FOUND');
  const setId = String(info.commitment_id);
  const { actor, member } = await memberInScope(deps, ctx, String(info.member_id), 'commitments:review', { type: 'commitment', id: setId });
  const today = todayInChina();
  const on = input.recordedOn ?? today;
  if (on > today) throw new AppError('VALIDATION_FAILED', {}, { recordedOn: 'DATE_IN_FUTURE' });
  if (on < `${info.year}-01-01`) throw new AppError('VALIDATION_FAILED', { year: info.year }, { recordedOn: 'COMMITMENT_RECORDED_BEFORE_YEAR' });
  const evidence = [...new Set(input.evidence)];
  await checkAttachments(db, ctx, evidence);
  await db.transaction().execute(async (trx) => {
    const set = await lockSet(trx, setId);
    if (!set) throw new AppError('NOT_FOUND');
    const item = await trx.selectFrom('commitment_items').select(['status', 'text']).where('id', '=', itemId).executeTakeFirst();
    if (!item) throw new AppError('NOT_FOUND'); // sent back and rewritten meanwhile
    const confirming = set.status === 'published';
    if (confirming) await trx.updateTable('commitments').set({ status: 'locked', locked_at: new Date(), locked_by: actor.id, updated_at: new Date() }).where('id', '=', setId).execute();
    await trx.insertInto('commitment_fulfilments').values({ item_id: itemId, status: input.status, note: input.note, evidence, recorded_on: on, recorded_by: actor.id, recorder_name: actor.displayName }).execute();
    await trx.updateTable('commitment_items').set({ status: input.status }).where('id', '=', itemId).execute();
    await recordAudit(trx, {
      actorId: actor.id, actorName: actor.username, action: 'commitment.fulfilment', targetType: 'commitment', targetId: setId, targetLabel: `${member.name} ${info.year}`, ip: ctx.ip,
      changes: { itemId, status: { from: item.status, to: input.status }, note: input.note, evidence: evidence.length, recordedOn: on, confirmed: confirming },
    });
    if (input.status === 'fulfilled' && item.status !== 'fulfilled') {
      const by = { id: actor.id, name: actor.username };
      await postFeedItem(trx, { orgId: member.orgId, kind: 'commitment', title: `${member.name}践行承诺`, body: `${item.text}\n${input.note}`, attachments: evidence, refType: 'commitment_item', refId: itemId, actor: by, authorName: actor.displayName, ip: ctx.ip });
      // once per item: the points ledger ignores a second award for the same reference
      await awardPoints(trx, { memberId: String(info.member_id), source: 'commitment', sourceRef: `commitment_item:${itemId}`, orgId: member.orgId, note: item.text.slice(0, 60), actor: by });
    }
  });
  return setView(deps, actor, setId);
}
