import { ORG_KINDS, type ErrorCode, type OrgKind } from '@tongxin/contracts';
import { AppError } from '../../platform/errors.js';
import { MEMBER_HOLDING_KINDS } from '../orgs/orgs.policy.js';
import { ID_PROBLEM_TEXT, parseIdNumber, type ParsedIdNumber } from './id-number.js';

// The rules a member file obeys, shared by the form (one member) and the roster import (many rows).

export { chinaMidnight, todayInChina } from '../../platform/dates.js';

export function isValidDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const dt = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return dt.toISOString().slice(0, 10) === s;
}

/** Where a member may live (the coverage rules count members per compound) and work. */
export const RESIDENCE_KINDS = ['community', 'compound', 'building'];
export const WORK_PLACE_KINDS = ['office_building', 'enterprise'];

/** A problem with one field: a code from ERRORS (used as the field message) and its parameters. */
export interface Problem {
  field: string;
  code: ErrorCode;
  params?: Record<string, unknown>;
}

export interface IdentityFacts {
  idNumber: string;
  gender?: 'male' | 'female' | null;
  birthDate?: string | null;
}

/** Checks the ID number and that gender and birth date agree with it; fills them in when omitted. */
export function checkIdentity(f: IdentityFacts, today: string, locale: 'zh-CN' | 'en'): { id?: ParsedIdNumber; problems: Problem[] } {
  const parsed = parseIdNumber(f.idNumber, today);
  if (!parsed.ok) {
    const reason = ID_PROBLEM_TEXT[parsed.problem][locale === 'en' ? 'en' : 'zh'];
    return { problems: [{ field: 'idNumber', code: 'ID_NUMBER_INVALID', params: { reason, problem: parsed.problem } }] };
  }
  const problems: Problem[] = [];
  if (f.gender && f.gender !== parsed.id.gender) problems.push({ field: 'gender', code: 'GENDER_MISMATCH' });
  if (f.birthDate && f.birthDate !== parsed.id.birthDate) problems.push({ field: 'birthDate', code: 'BIRTH_DATE_MISMATCH' });
  return { id: parsed.id, problems };
}

export interface StatusFacts {
  status: 'probationary' | 'full';
  joinedOn: string;
  fullOn: string | null;
  birthDate: string;
}

/** Probationary members have no conversion date; conversion follows joining; joining at 18 or older. */
export function checkStatusDates(f: StatusFacts, today: string): Problem[] {
  const problems: Problem[] = [];
  if (f.joinedOn > today) problems.push({ field: 'joinedOn', code: 'DATE_IN_FUTURE' });
  const [y, rest] = [Number(f.birthDate.slice(0, 4)), f.birthDate.slice(4)];
  if (f.joinedOn < `${y + 18}${rest}`) problems.push({ field: 'joinedOn', code: 'MEMBER_TOO_YOUNG' });
  if (f.status === 'probationary' && f.fullOn) problems.push({ field: 'fullOn', code: 'FULL_ON_NOT_ALLOWED' });
  if (f.status === 'full' && f.fullOn) {
    if (f.fullOn < f.joinedOn) problems.push({ field: 'fullOn', code: 'FULL_ON_BEFORE_JOINED' });
    else if (f.fullOn > today) problems.push({ field: 'fullOn', code: 'DATE_IN_FUTURE' });
  }
  return problems;
}

/** Throws the problems of a form as one VALIDATION_FAILED with a message per field. */
export function throwProblems(problems: Problem[]): void {
  if (problems.length === 0) return;
  const id = problems.find((p) => p.code === 'ID_NUMBER_INVALID');
  if (id) throw new AppError('ID_NUMBER_INVALID', { reason: id.params!.reason }, { idNumber: String(id.params!.reason) });
  const fields: Record<string, string> = {};
  for (const p of problems) fields[p.field] ??= p.code;
  throw new AppError('VALIDATION_FAILED', {}, fields);
}

export function orgKindLabel(kind: string, locale: 'zh-CN' | 'en'): string {
  return ORG_KINDS[kind as OrgKind]?.[locale === 'en' ? 'en' : 'zh'] ?? kind;
}

/** Why an organisation cannot take members, or null when it can. */
export function orgRefusal(org: { status: string; kind: string } | undefined, locale: 'zh-CN' | 'en'): { code: ErrorCode; params: Record<string, unknown> } | null {
  if (!org) return { code: 'NOT_FOUND', params: {} };
  if (org.status !== 'active') return { code: 'ORG_NOT_ACTIVE', params: {} };
  if (!MEMBER_HOLDING_KINDS.includes(org.kind as OrgKind)) return { code: 'ORG_HOLDS_NO_MEMBERS', params: { kind: orgKindLabel(org.kind, locale) } };
  return null;
}

export function assertOrgHoldsMembers(org: { status: string; kind: string } | undefined, locale: 'zh-CN' | 'en'): void {
  const refusal = orgRefusal(org, locale);
  if (refusal) throw new AppError(refusal.code, refusal.params);
}
