import type { AppDeps } from '../../app.js';
import type { RequestContext } from '../../platform/actor.js';
import { requireAccess } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { AppError } from '../../platform/errors.js';
import { getOrg } from './orgs.service.js';

// Branch committees (支委会): members with roles and terms. At most one sitting secretary.
export const COMMITTEE_ROLES = ['secretary', 'deputy_secretary', 'organisation', 'propaganda', 'discipline', 'member'] as const;
export type CommitteeRole = (typeof COMMITTEE_ROLES)[number];

export async function listCommittee(deps: AppDeps, orgId: string, includeEnded = false) {
  let q = deps.database.db.selectFrom('org_committee_members').selectAll().where('org_id', '=', orgId);
  if (!includeEnded) q = q.where('ended_on', 'is', null);
  const rows = await q.orderBy('ended_on', 'desc').orderBy('id').execute();
  const order = (r: string) => COMMITTEE_ROLES.indexOf(r as CommitteeRole);
  return rows
    .sort((a, b) => Number(!!a.ended_on) - Number(!!b.ended_on) || order(a.role) - order(b.role))
    .map((r) => ({ id: String(r.id), memberId: r.member_id === null ? null : String(r.member_id), name: r.name, role: r.role, termStart: r.term_start, termEnd: r.term_end, endedOn: r.ended_on }));
}

export async function addCommitteeMember(deps: AppDeps, ctx: RequestContext, orgId: string, input: { memberId?: string | null; name: string; role: CommitteeRole; termStart: string; termEnd?: string | null }) {
  const actor = await requireAccess(deps.database.db, ctx, 'orgs:write', 'org', [orgId]);
  if (input.termEnd && input.termEnd < input.termStart) throw new AppError('VALIDATION_FAILED', {}, { termEnd: 'termEnd < termStart' });
  return deps.database.db.transaction().execute(async (trx) => {
    const org = await getOrg(trx, orgId);
    if (!org || org.status !== 'active') throw new AppError('ORG_NOT_ACTIVE');
    if (input.role === 'secretary') {
      const sitting = await trx.selectFrom('org_committee_members').select('name').where('org_id', '=', orgId).where('role', '=', 'secretary').where('ended_on', 'is', null).executeTakeFirst();
      if (sitting) throw new AppError('SECRETARY_SITTING', { name: sitting.name });
    }
    // Default term end: the organisation's term (term_started_on + term_years), when that is still ahead
    // of the member's start (a lapsed term is not a term to join).
    let termEnd = input.termEnd ?? null;
    if (!termEnd && org.term_started_on && org.term_years) {
      const d = new Date(`${org.term_started_on}T00:00:00Z`);
      d.setUTCFullYear(d.getUTCFullYear() + org.term_years);
      const orgTermEnd = d.toISOString().slice(0, 10);
      if (orgTermEnd > input.termStart) termEnd = orgTermEnd;
    }
    const row = await trx
      .insertInto('org_committee_members')
      .values({ org_id: orgId, member_id: input.memberId ?? null, name: input.name, role: input.role, term_start: input.termStart, term_end: termEnd })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'org.committee_add', targetType: 'org', targetId: orgId, targetLabel: org.name, ip: ctx.ip, changes: { name: input.name, role: input.role, termStart: input.termStart, termEnd } });
    return String(row.id);
  });
}

export async function endCommitteeMember(deps: AppDeps, ctx: RequestContext, id: string, endedOn: string) {
  const row = await deps.database.db.selectFrom('org_committee_members').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND');
  const actor = await requireAccess(deps.database.db, ctx, 'orgs:write', 'org', [String(row.org_id)]);
  if (row.ended_on) throw new AppError('RECORD_ENDED');
  if (endedOn < row.term_start) throw new AppError('VALIDATION_FAILED', {}, { endedOn: 'endedOn < termStart' });
  await deps.database.db.transaction().execute(async (trx) => {
    await trx.updateTable('org_committee_members').set({ ended_on: endedOn }).where('id', '=', id).execute();
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'org.committee_end', targetType: 'org', targetId: String(row.org_id), targetLabel: row.name, ip: ctx.ip, changes: { role: row.role, endedOn } });
  });
}
