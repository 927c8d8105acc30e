import { z } from 'zod';
import type { Executor } from '../../db/database.js';
import { ruleSetOn, type LifeMeetingKind, type LifeRules, type RuleSet } from '../../platform/rules.js';

// The organisational-life rule set (life_rules, platform/rules.ts): what a new version must contain,
// the quorum, and the periods ("slots") in which each required meeting must be held.

export const MEETING_KIND_KEYS = ['general_meeting', 'committee_meeting', 'group_meeting', 'lecture', 'theme_day', 'life_meeting', 'member_review', 'talk'] as const satisfies readonly LifeMeetingKind[];

/** Meetings of the whole branch: everybody on the roll is on the attendance list (absent unless marked). */
export const WHOLE_BRANCH_KINDS: ReadonlySet<LifeMeetingKind> = new Set(['general_meeting', 'lecture', 'theme_day', 'life_meeting', 'member_review']);

const requirement = z.object({ every: z.enum(['month', 'quarter', 'year']), times: z.number().int().min(1).max(12) }).nullable();
export const lifeRulesSchema = z.object({
  branchKinds: z.array(z.enum(['committee', 'working_committee', 'general_branch', 'branch', 'joint_branch', 'temporary_branch'])).min(1),
  quorumShare: z.number().min(0).max(1),
  committeeFromFullMembers: z.number().int().min(1),
  required: z.object(Object.fromEntries(MEETING_KIND_KEYS.map((k) => [k, requirement])) as Record<LifeMeetingKind, typeof requirement>),
});

export const lifeRulesOn = (ex: Executor, date: string): Promise<RuleSet<LifeRules>> => ruleSetOn<LifeRules>(ex, 'life_rules', date);
export const ruleLabel = (r: RuleSet<unknown>) => `${r.key}@${r.version}`;

/** A general meeting is valid only with more than the rule's share of voting members present. */
export function quorumMet(rules: LifeRules, votingPresent: number, votingTotal: number): boolean {
  return votingTotal > 0 && votingPresent > rules.quorumShare * votingTotal;
}

/** A period of a year: the whole year, a quarter Q1–Q4 or a month 01–12. */
export const PERIODS = ['year', 'Q1', 'Q2', 'Q3', 'Q4', '01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'] as const;
export type LifePeriod = (typeof PERIODS)[number];

const pad = (n: number) => String(n).padStart(2, '0');
const lastDay = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const monthRange = (year: number, first: number, last: number) => ({ from: `${year}-${pad(first)}-01`, to: `${year}-${pad(last)}-${pad(lastDay(year, last))}` });

/** The months a period covers. */
function monthsOf(period: LifePeriod): [number, number] {
  if (period === 'year') return [1, 12];
  if (period.startsWith('Q')) {
    const q = Number(period[1]);
    return [3 * q - 2, 3 * q];
  }
  return [Number(period), Number(period)];
}

export function periodRange(year: number, period: LifePeriod) {
  const [first, last] = monthsOf(period);
  return monthRange(year, first, last);
}

export interface Slot {
  kind: LifeMeetingKind;
  every: 'month' | 'quarter' | 'year';
  /** the month (1–12), the quarter (1–4) or 1 for the year */
  idx: number;
  from: string;
  to: string;
  times: number;
}

/**
 * The required meetings of a period: every monthly slot inside it, the quarter and the year it lies
 * in (a month's report shows its quarter's general meeting, due at the quarter's end).
 */
export function slotsFor(rules: LifeRules, year: number, period: LifePeriod): Slot[] {
  const [first, last] = monthsOf(period);
  const out: Slot[] = [];
  for (const kind of MEETING_KIND_KEYS) {
    const req = rules.required[kind];
    if (!req) continue;
    if (req.every === 'month') for (let m = first; m <= last; m++) out.push({ kind, every: 'month', idx: m, ...monthRange(year, m, m), times: req.times });
    else if (req.every === 'quarter') {
      for (let q = Math.ceil(first / 3); q <= Math.ceil(last / 3); q++) out.push({ kind, every: 'quarter', idx: q, ...monthRange(year, 3 * q - 2, 3 * q), times: req.times });
    } else out.push({ kind, every: 'year', idx: 1, ...monthRange(year, 1, 12), times: req.times });
  }
  return out;
}
