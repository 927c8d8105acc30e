import { MEMBER_STATES, type MemberState } from '@tongxin/contracts';
import type { Executor } from '../../db/database.js';
import type { Actor, RequestContext } from '../../platform/actor.js';
import { can, idsInScope, requireMember } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { AppError } from '../../platform/errors.js';
import { inSubtree } from '../../platform/tree.js';
import { memberOrgs } from '../members/members.service.js';
import { orgPath } from '../orgs/orgs.service.js';

// Who reads which feed. A member's feed holds the items of their own organisation (their branch)
// and the cascading items of every organisation above it. Internal items are for those members
// only; a public item may be read by any member. Staff with feed:read read the feeds of the
// organisations in their scope, including what cascades into them from above.

/** An organisation and the organisations above it (root first), whose cascading items reach it. */
export interface FeedReach {
  orgId: string;
  aboveIds: string[];
}

export async function reachOf(ex: Executor, orgId: string): Promise<FeedReach> {
  const path = await orgPath(ex, orgId);
  return { orgId, aboveIds: path.filter((p) => p.id !== orgId).map((p) => p.id) };
}

export interface MemberContext {
  actor: Actor;
  memberId: string;
  name: string;
  orgId: string;
}

/** The member behind the request and their organisation; a member no longer on the roll has no branch. */
export async function memberBranch(ex: Executor, ctx: RequestContext): Promise<MemberContext> {
  const { actor, memberId } = await requireMember(ex, ctx);
  const m = (await memberOrgs(ex, [memberId])).get(memberId);
  if (!m) throw new AppError('NOT_FOUND');
  if (m.state !== 'active') throw new AppError('MEMBER_NOT_ACTIVE', { state: MEMBER_STATES[m.state as MemberState]?.[ctx.locale === 'en' ? 'en' : 'zh'] ?? m.state });
  return { actor, memberId, name: m.name, orgId: m.orgId };
}

export interface ItemFacts {
  org_id: string;
  cascade: boolean;
  internal: boolean;
}

/** May the actor read the item: as a member (their feed, or a public item), or as staff in scope. */
export async function mayReadItem(ex: Executor, actor: Actor, item: ItemFacts): Promise<boolean> {
  const orgId = String(item.org_id);
  if (actor.memberId && can(actor, 'self:member')) {
    if (!item.internal) return true;
    const m = (await memberOrgs(ex, [actor.memberId])).get(actor.memberId);
    if (m?.state === 'active') {
      if (m.orgId === orgId) return true;
      if (item.cascade && (await inSubtree(ex, 'org', orgId, [m.orgId])).size > 0) return true;
    }
  }
  if (can(actor, 'feed:read')) {
    if ((await idsInScope(ex, actor, 'org', [orgId])).size > 0) return true;
    if (item.cascade && (await inSubtree(ex, 'org', orgId, actor.orgScope)).size > 0) return true;
  }
  return false;
}

/** An item the actor may not read answers NOT_FOUND, like one that does not exist; the attempt is audited. */
export async function refuseItem(ex: Executor, ctx: RequestContext, itemId: string): Promise<never> {
  await recordAudit(ex, { actorId: ctx.actor?.id, actorName: ctx.actor?.username, action: 'access.denied', targetType: 'feed_item', targetId: itemId, result: 'denied', reason: 'out_of_scope: feed item', ip: ctx.ip });
  throw new AppError('NOT_FOUND');
}
