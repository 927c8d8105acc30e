import type { Executor } from '../../db/database.js';
import type { RequestContext } from '../../platform/actor.js';
import { can, idsInScope } from '../../platform/access.js';
import { memberOrgs } from '../members/members.service.js';
import { membersWithEvidence } from './commitments.repo.js';

// What other modules may call: whether the caller may see a photo that is evidence of a fulfilment.

/** For modules/files: the member the evidence is about, or staff reading commitments in the member's organisation. */
export async function mayViewCommitmentFile(ex: Executor, ctx: RequestContext, fileId: string): Promise<boolean> {
  const actor = ctx.actor;
  if (!actor) return false;
  const memberIds = await membersWithEvidence(ex, fileId);
  if (actor.memberId && memberIds.includes(actor.memberId)) return true;
  if (!can(actor, 'commitments:read') || memberIds.length === 0) return false;
  const orgIds = [...new Set([...(await memberOrgs(ex, memberIds)).values()].map((m) => m.orgId))];
  return (await idsInScope(ex, actor, 'org', orgIds)).size > 0;
}
