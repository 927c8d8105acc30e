import { CASE_EVENTS, CASE_LEVELS, CASE_STATES, type CaseEvent, type CaseLevel, type CaseState, type Locale, type PermissionKey } from '@tongxin/contracts';
import { AppError } from '../../platform/errors.js';

// The case state machine: every action, the states it starts from, the state it leads to, the
// permission it needs and where the actor must stand. Supervision (verify, close, cards) and command
// (file, dispatch, whistle) are separate permissions; the unit holding the case handles or escalates.
//
//   received ─file→ filed ─dispatch→ dispatched ─accept→ handling ─mark_handled→ handled
//      └reject→ rejected            │  ↑ escalate (grid → community → street)   │ start_verification
//                                   └─whistle→ handling (departments report, then submit results)
//   handled / verifying ─close→ closed ─rate→ rated ─reopen (dissatisfied, limited)→ handling
//   handled / verifying ─rework→ handling

export type CaseAction =
  | 'file' | 'reject' | 'dispatch' | 'accept' | 'escalate' | 'whistle' | 'mark_handled'
  | 'start_verification' | 'close' | 'rework' | 'rate' | 'reopen' | 'card';

/**
 * Where the actor must stand:
 * - area: the case's grid lies in the actor's place scope (command centre, supervision centre, grid worker);
 * - level: the unit holding the case (its grid, community or street) lies in the actor's scope;
 * - reporter: the account that reported it (or the holder of its tracking code).
 */
export type Standing = 'area' | 'level' | 'reporter';

export interface Transition {
  from: readonly CaseState[];
  /** null: the state does not change (a card) */
  to: CaseState | null;
  permission: PermissionKey | null;
  standing: Standing;
  event: CaseEvent;
}

export const OPEN_STATES: readonly CaseState[] = ['received', 'filed', 'dispatched', 'handling', 'handled', 'verifying'];
/** States in which the clock runs: dispatched and not yet handled. */
export const RUNNING_STATES: readonly CaseState[] = ['dispatched', 'handling'];

export const TRANSITIONS: Record<CaseAction, Transition> = {
  file: { from: ['received'], to: 'filed', permission: 'cases:command', standing: 'area', event: 'file' },
  reject: { from: ['received'], to: 'rejected', permission: 'cases:command', standing: 'area', event: 'reject' },
  dispatch: { from: ['filed'], to: 'dispatched', permission: 'cases:command', standing: 'area', event: 'dispatch' },
  accept: { from: ['dispatched'], to: 'handling', permission: 'cases:handle', standing: 'level', event: 'accept' },
  escalate: { from: ['dispatched', 'handling'], to: 'dispatched', permission: 'cases:handle', standing: 'level', event: 'escalate' },
  whistle: { from: ['dispatched', 'handling'], to: 'handling', permission: 'cases:whistle', standing: 'level', event: 'whistle' },
  mark_handled: { from: ['handling'], to: 'handled', permission: 'cases:handle', standing: 'level', event: 'mark_handled' },
  start_verification: { from: ['handled'], to: 'verifying', permission: 'cases:supervise', standing: 'area', event: 'start_verification' },
  close: { from: ['handled', 'verifying'], to: 'closed', permission: 'cases:supervise', standing: 'area', event: 'close' },
  rework: { from: ['handled', 'verifying'], to: 'handling', permission: 'cases:supervise', standing: 'area', event: 'rework' },
  rate: { from: ['closed'], to: 'rated', permission: null, standing: 'reporter', event: 'rate' },
  reopen: { from: ['rated'], to: 'handling', permission: null, standing: 'reporter', event: 'reopen' },
  card: { from: ['dispatched', 'handling', 'handled', 'verifying'], to: null, permission: 'cases:supervise', standing: 'area', event: 'card' },
};

/** Steps of a whistle: the department reports, then submits its result; the street rates it. */
export const WHISTLE_STEPS = {
  report: { caseStates: ['handling'] as readonly CaseState[], permission: 'cases:department' as PermissionKey, event: 'department_report' as CaseEvent },
  result: { caseStates: ['handling'] as readonly CaseState[], permission: 'cases:department' as PermissionKey, event: 'department_result' as CaseEvent },
  rate: { caseStates: ['handling', 'handled', 'verifying', 'closed', 'rated'] as readonly CaseState[], permission: 'cases:whistle' as PermissionKey, event: 'department_rated' as CaseEvent },
} as const;

const label = (dict: Record<string, { zh: string; en: string }>, key: string, locale: Locale) => dict[key]?.[locale === 'en' ? 'en' : 'zh'] ?? key;
export const stateLabel = (state: string, locale: Locale) => label(CASE_STATES, state, locale);
export const levelLabel = (level: string, locale: Locale) => label(CASE_LEVELS, level, locale);
export const eventLabel = (event: string, locale: Locale) => label(CASE_EVENTS, event, locale);

export function notAllowed(state: string, event: CaseEvent, locale: Locale): AppError {
  return new AppError('CASE_ACTION_NOT_ALLOWED', { state: stateLabel(state, locale), action: eventLabel(event, locale) });
}

/** Throws CASE_ACTION_NOT_ALLOWED unless the action may start from the state. */
export function assertFrom(action: CaseAction, state: string, locale: Locale): Transition {
  const t = TRANSITIONS[action];
  if (!t.from.includes(state as CaseState)) throw notAllowed(state, t.event, locale);
  return t;
}

/** The street always may whistle; the community only when the rule set says so. */
export function mayWhistleAt(level: string, communityMayWhistle: boolean): boolean {
  return level === 'street' || (level === 'community' && communityMayWhistle);
}

export function whistleLevelError(level: string, communityMayWhistle: boolean, locale: Locale): AppError {
  const community = communityMayWhistle ? (locale === 'en' ? ' and the community' : '和社区') : '';
  return new AppError('CASE_WHISTLE_LEVEL', { community, level: levelLabel(level as CaseLevel, locale) });
}

/** What the actor stands in relation to one case; computed once per request (see cases.access.ts). */
export interface CaseFacts {
  permissions: ReadonlySet<string>;
  coversArea: boolean;
  coversLevel: boolean;
  coversStreet: boolean;
  isReporter: boolean;
  isFollower: boolean;
  /** the actor's departments with an open whistle on this case */
  openWhistleDepartments: string[];
  /** the actor's departments with any whistle on this case */
  whistledDepartments: string[];
}

export function stands(standing: Standing, f: CaseFacts): boolean {
  return standing === 'area' ? f.coversArea : standing === 'level' ? f.coversLevel : f.isReporter;
}

/** May the actor take this action now (state, permission, standing)? Drives the `can` of responses. */
export function mayTake(action: CaseAction, c: { state: string; level: string; rating: string | null; reopen_count: number }, f: CaseFacts, rules: { communityMayWhistle: boolean; reopenLimit: number }): boolean {
  const t = TRANSITIONS[action];
  if (!t.from.includes(c.state as CaseState)) return false;
  if (t.permission && !f.permissions.has(t.permission)) return false;
  if (!stands(t.standing, f)) return false;
  if (action === 'whistle' && !mayWhistleAt(c.level, rules.communityMayWhistle)) return false;
  if (action === 'escalate' && c.level === 'street') return false;
  if (action === 'reopen' && (c.rating !== 'dissatisfied' || c.reopen_count >= rules.reopenLimit)) return false;
  return true;
}
