import type { Executor } from '../../db/database.js';
import type { Actor } from '../../platform/actor.js';
import { memberOrgs } from '../members/members.service.js';
import { orgNames } from '../orgs/orgs.service.js';
import { commitmentCan } from './commitments.policy.js';
import type { LoadedSet } from './commitments.repo.js';
import type { CommitmentView } from './commitments.schema.js';

/** Commitment sets as the API shows them; `inScope` tells whether each member's organisation is in the actor's scope. */
export async function present(ex: Executor, actor: Actor, sets: LoadedSet[], inScope: (memberOrgId: string) => boolean): Promise<CommitmentView[]> {
  const members = await memberOrgs(ex, [...new Set(sets.map((s) => String(s.row.member_id)))]);
  const names = await orgNames(ex, [...new Set(sets.map((s) => String(s.row.org_id)))]);
  return sets.map(({ row, items }) => {
    const memberId = String(row.member_id);
    const member = members.get(memberId);
    const fulfilments = items.reduce((n, i) => n + i.fulfilments.length, 0);
    return {
      id: String(row.id),
      memberId,
      memberName: member?.name ?? '',
      orgId: String(row.org_id),
      orgName: names.get(String(row.org_id)) ?? '',
      year: row.year,
      status: row.status,
      ruleVersion: row.rule_version,
      publishedAt: row.published_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
      lockedAt: row.locked_at?.toISOString() ?? null,
      items: items.map((i) => ({
        id: String(i.id),
        position: i.position,
        text: i.text,
        status: i.status,
        fulfilments: i.fulfilments.map((f) => ({ id: String(f.id), status: f.status, note: f.note, evidence: f.evidence, recordedOn: f.recorded_on, recorderName: f.recorder_name, createdAt: f.created_at.toISOString() })),
      })),
      can: commitmentCan(actor, { memberId, status: row.status, fulfilments }, !!member && inScope(member.orgId)),
    };
  });
}
