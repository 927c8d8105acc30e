import { ORG_KINDS, type OrgKind } from '@tongxin/contracts';
import { can } from '../../platform/access.js';
import type { Actor } from '../../platform/actor.js';
import { AppError } from '../../platform/errors.js';

/** Which kinds may sit directly under which (中国共产党支部工作条例: branches hold only party groups). */
export const CHILD_KINDS: Record<OrgKind, OrgKind[]> = {
  committee: ['committee', 'working_committee', 'general_branch', 'branch', 'joint_branch', 'temporary_branch'],
  working_committee: ['committee', 'working_committee', 'general_branch', 'branch', 'joint_branch', 'temporary_branch'],
  general_branch: ['branch', 'joint_branch', 'temporary_branch'],
  branch: ['party_group'],
  joint_branch: ['party_group'],
  temporary_branch: ['party_group'],
  party_group: [],
};

/** Kinds that hold members directly (a party group is a part of its branch, not a home for files). */
export const MEMBER_HOLDING_KINDS: OrgKind[] = ['committee', 'working_committee', 'general_branch', 'branch', 'joint_branch', 'temporary_branch'];

export function checkChildKind(parentKind: string | null, kind: string, locale: 'zh-CN' | 'en' = 'zh-CN') {
  const allowed = parentKind === null ? kind === 'committee' : (CHILD_KINDS[parentKind as OrgKind] ?? []).includes(kind as OrgKind);
  if (!allowed) {
    const label = (k: string | null) => (k === null ? (locale === 'en' ? 'the top level' : '顶层') : (ORG_KINDS[k as OrgKind]?.[locale === 'en' ? 'en' : 'zh'] ?? k));
    throw new AppError('ORG_KIND_NOT_ALLOWED', { parentKind: label(parentKind), kind: label(kind) });
  }
}

export function orgCan(actor: Actor, org: { status: string; kind: string; parentId: string | null }) {
  const write = can(actor, 'orgs:write') && org.status === 'active';
  return {
    edit: write,
    found: write && (CHILD_KINDS[org.kind as OrgKind] ?? []).length > 0,
    move: write && org.parentId !== null,
    merge: write && org.parentId !== null,
    abolish: write && org.parentId !== null,
    manageCommittee: write,
  };
}
