import { can } from '../../platform/access.js';
import type { Actor } from '../../platform/actor.js';

/** What the actor may do with one commitment set; the pages enable their buttons from this. */
export function commitmentCan(actor: Actor, set: { memberId: string; status: 'published' | 'locked'; fulfilments: number }, memberInScope: boolean) {
  const own = can(actor, 'self:member') && actor.memberId === set.memberId;
  const review = can(actor, 'commitments:review') && memberInScope;
  return {
    // the member edits until the branch confirms; the branch sends back only what has no fulfilment yet
    edit: own && set.status === 'published',
    lock: review && set.status === 'published',
    reopen: review && set.status === 'locked' && set.fulfilments === 0,
    record: review,
  };
}
