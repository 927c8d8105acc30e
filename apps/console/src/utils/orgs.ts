import type { OrgKind } from '@tongxin/contracts';
import { daysUntil } from './dates';

/**
 * Which kinds may be founded under which, to offer only sensible choices in the form.
 * Mirrors the server's rule (orgs.policy.ts, 中国共产党支部工作条例); the server still decides.
 */
export const CHILD_KINDS: Record<OrgKind, OrgKind[]> = {
  committee: ['committee', 'working_committee', 'general_branch', 'branch', 'joint_branch', 'temporary_branch'],
  working_committee: ['committee', 'working_committee', 'general_branch', 'branch', 'joint_branch', 'temporary_branch'],
  general_branch: ['branch', 'joint_branch', 'temporary_branch'],
  branch: ['party_group'],
  joint_branch: ['party_group'],
  temporary_branch: ['party_group'],
  party_group: [],
};

export function childKindsOf(kind: string): OrgKind[] {
  return CHILD_KINDS[kind as OrgKind] ?? [];
}

/** Days before the end of a term from which it is shown as ending soon. */
export const TERM_WARNING_DAYS = 90;

export type TermState = 'expired' | 'ending' | 'ok' | 'none';

export function termState(termEndsOn: string | null | undefined): { state: TermState; days: number | null } {
  const days = daysUntil(termEndsOn);
  if (days === null) return { state: 'none', days };
  if (days < 0) return { state: 'expired', days };
  if (days <= TERM_WARNING_DAYS) return { state: 'ending', days };
  return { state: 'ok', days };
}

/** What the lifecycle dialogs need to know about an organisation. */
export interface OrgRef { id: string; name: string; kind: string; parentId: string | null }
export type OrgAction = 'found' | 'edit' | 'move' | 'merge' | 'abolish';

type TagType = 'primary' | 'success' | 'info' | 'warning' | 'danger';
/** Tag colours of organisation kinds and statuses. */
export const ORG_KIND_TYPES: Record<string, TagType> = {
  committee: 'danger', working_committee: 'danger', general_branch: 'warning', branch: 'primary', joint_branch: 'success', temporary_branch: 'info', party_group: 'info',
};
export const ORG_STATUS_TYPES: Record<string, TagType> = { active: 'success', abolished: 'info', merged: 'warning' };
