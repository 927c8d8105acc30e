import type { Executor } from '../../db/database.js';
import type { RequestContext } from '../../platform/actor.js';
import { can, idsInScope } from '../../platform/access.js';
import { memberOrgs } from '../members/members.service.js';
import { meetingsWithFile } from './life.repo.js';

// What other modules may call: whether the caller may see a photo attached to a meeting record.

/** For modules/files: staff reading organisational life where the meeting was held, or a member of its branch. */
export async function mayViewMeetingFile(ex: Executor, ctx: RequestContext, fileId: string): Promise<boolean> {
  const actor = ctx.actor;
  if (!actor) return false;
  const meetings = await meetingsWithFile(ex, fileId);
  if (meetings.length === 0) return false;
  if (actor.memberId) {
    const own = (await memberOrgs(ex, [actor.memberId])).get(actor.memberId);
    if (own && own.state === 'active' && meetings.some((m) => String(m.branch_id) === own.orgId)) return true;
  }
  if (!can(actor, 'life:read')) return false;
  return (await idsInScope(ex, actor, 'org', [...new Set(meetings.map((m) => String(m.org_id)))])).size > 0;
}
