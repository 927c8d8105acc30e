import { can } from '../../platform/access.js';
import type { Actor } from '../../platform/actor.js';

/** What the actor may do with one feed item; the console enables its buttons from this. */
export function feedItemCan(actor: Actor, item: { orgId: string; kind: string }, orgsInScope: ReadonlySet<string>) {
  // only notices are withdrawn here: the other kinds mirror records of their own modules
  return { withdraw: can(actor, 'feed:post') && item.kind === 'notice' && orgsInScope.has(item.orgId) };
}
