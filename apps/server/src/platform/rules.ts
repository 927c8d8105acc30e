import type { Executor } from '../db/database.js';
import { AppError } from './errors.js';

// Rule sets: every number of the party and governance rules lives in a versioned set with an
// effective date, so a warning can name the rule (and version) that produced it.

export interface OrgRules {
  ownBranchMinFullMembers: number;
  jointBranchMaxUnits: number;
  branchMaxMembers: number;
  committeeOverMembers: number;
  committeeRequiredFullMembers: number;
  committeeMinSize: number;
  committeeMaxSize: number;
  termYears: { community: number; branch: number; general_branch: number; committee: number };
  termWarningDays: number;
  officeBuildingMinFloors: number;
}

/** Cases: deadlines, whistle kinds and the rate formula (domain-rules.md §7). */
export interface CaseRules {
  /** composite = response × w.response + resolution × w.resolution + satisfaction × w.satisfaction */
  weights: { response: number; resolution: number; satisfaction: number };
  /** weight of a 'basically satisfied' rating in the satisfaction rate */
  basicallySatisfiedWeight: number;
  /** hours from dispatch to handled, per priority (a category may override) */
  deadlineHours: { emergency: number; urgent: number; general: number; complex: number };
  /** overdue by this many times its deadline: a red card */
  redCardFactor: number;
  /** per whistle kind: minutes to report (acknowledge and arrive) and hours to submit the result */
  whistle: Record<'daily' | 'hard' | 'emergency', { reportMinutes: number; resultHours: number }>;
  /** the community may whistle too (the street always may) */
  communityMayWhistle: boolean;
  /** how often a dissatisfied reporter may reopen a case */
  reopenLimit: number;
  /** open cases of the same category within this radius are offered as duplicates */
  duplicateRadiusMeters: number;
}

/** Members' public commitments (亮身份、做承诺, issue 5 MEM-10): how many, how long, for which years. */
export interface CommitmentRules {
  /** items in one member's set for a year */
  maxItems: number;
  /** characters per item */
  itemMaxChars: number;
  /** besides the current year, how many years ahead a member may commit for */
  yearsAhead: number;
}

/** Points (积分, issue 5 MEM-9): per source an amount (per time or per verified hour) and a monthly cap per member. */
export type PointsRuleSource = 'meeting' | 'activity' | 'volunteer' | 'study' | 'case' | 'commitment';
export interface PointsRules {
  sources: Record<PointsRuleSource, { amount: number; unit: 'each' | 'hour'; monthlyCap: number | null }>;
}

/** Volunteer service (domain-rules §9) and activity check-in (issue 5 LIFE-2). */
export interface VolunteerRules {
  /** verified hours for 1★ … 5★, ascending */
  starHours: number[];
  checkIn: {
    /** the QR code changes every this many seconds; an older code is refused */
    stepSeconds: number;
    /** a code is still taken this many seconds after its step ended (a scan in flight) */
    graceSeconds: number;
    /** check-in opens this long before the start and closes this long after the end */
    opensMinutesBefore: number;
    closesMinutesAfter: number;
  };
}

/** Organisational life (三会一课 and the rest, domain-rules §2, issue 5 LIFE-1): what a branch holds, how often. */
export type LifeMeetingKind = 'general_meeting' | 'committee_meeting' | 'group_meeting' | 'lecture' | 'theme_day' | 'life_meeting' | 'member_review' | 'talk';
export interface LifeRules {
  /** organisation kinds assessed as branches: they hold the meetings (their party groups hold group meetings) */
  branchKinds: string[];
  /** a general meeting is valid when more than this share of the voting (full) members is present */
  quorumShare: number;
  /** a branch has a committee, and so holds committee meetings, from this many full members */
  committeeFromFullMembers: number;
  /** per kind: required every month, quarter or year, so many times (null: recorded, never required) */
  required: Record<LifeMeetingKind, { every: 'month' | 'quarter' | 'year'; times: number } | null>;
}

export interface RuleSetDefinition<T> {
  key: string;
  version: string;
  effectiveFrom: string;
  title: string;
  rules: T;
}

/** Defaults shipped with the platform (domain-rules.md §1). Organisation workers may add versions. */
export const DEFAULT_RULE_SETS: RuleSetDefinition<unknown>[] = [
  {
    key: 'org_rules',
    version: '2018',
    effectiveFrom: '2018-10-28',
    title: '中国共产党支部工作条例（试行）及深圳实践',
    rules: {
      ownBranchMinFullMembers: 3,
      jointBranchMaxUnits: 5,
      branchMaxMembers: 50,
      committeeOverMembers: 100,
      committeeRequiredFullMembers: 7,
      committeeMinSize: 3,
      committeeMaxSize: 7,
      termYears: { community: 5, branch: 3, general_branch: 3, committee: 5 },
      termWarningDays: 90,
      officeBuildingMinFloors: 20,
    } satisfies OrgRules,
  },
  {
    key: 'case_rules',
    version: '2019',
    effectiveFrom: '2018-01-01',
    title: '吹哨报到与接诉即办（平谷、双山；北京接诉即办考评办法）',
    rules: {
      weights: { response: 0.1, resolution: 0.5, satisfaction: 0.4 },
      basicallySatisfiedWeight: 0.9,
      deadlineHours: { emergency: 1, urgent: 2, general: 24, complex: 360 },
      redCardFactor: 2,
      whistle: { daily: { reportMinutes: 1440, resultHours: 72 }, hard: { reportMinutes: 240, resultHours: 360 }, emergency: { reportMinutes: 30, resultHours: 24 } },
      communityMayWhistle: false,
      reopenLimit: 1,
      duplicateRadiusMeters: 250,
    } satisfies CaseRules,
  },
  {
    key: 'commitment_rules',
    version: '2018',
    effectiveFrom: '2018-01-01',
    title: '党员亮身份、做承诺、践诺（支部公开承诺）',
    rules: { maxItems: 5, itemMaxChars: 200, yearsAhead: 1 } satisfies CommitmentRules,
  },
  {
    key: 'points_rules',
    version: '2019',
    effectiveFrom: '2019-01-01',
    title: '党员积分管理（东晓“菜单式”服务积分；组织可按层级另定）',
    rules: {
      sources: {
        meeting: { amount: 2, unit: 'each', monthlyCap: 10 },
        activity: { amount: 3, unit: 'each', monthlyCap: 15 },
        volunteer: { amount: 2, unit: 'hour', monthlyCap: 40 },
        study: { amount: 1, unit: 'each', monthlyCap: 10 },
        case: { amount: 2, unit: 'each', monthlyCap: 10 },
        commitment: { amount: 5, unit: 'each', monthlyCap: null },
      },
    } satisfies PointsRules,
  },
  {
    key: 'volunteer_rules',
    version: '2021',
    effectiveFrom: '2021-03-01',
    title: '志愿服务记录与证明出具办法（2021）；社区志愿者星级；活动扫码签到',
    rules: {
      starHours: [100, 300, 600, 1000, 1500],
      checkIn: { stepSeconds: 30, graceSeconds: 5, opensMinutesBefore: 30, closesMinutesAfter: 30 },
    } satisfies VolunteerRules,
  },
  {
    key: 'life_rules',
    version: '2018',
    effectiveFrom: '2018-10-28',
    title: '中国共产党支部工作条例（试行）：三会一课、主题党日、组织生活会、民主评议党员、谈心谈话',
    rules: {
      branchKinds: ['branch', 'joint_branch', 'temporary_branch', 'general_branch'],
      quorumShare: 0.5,
      committeeFromFullMembers: 7,
      required: {
        general_meeting: { every: 'quarter', times: 1 },
        committee_meeting: { every: 'month', times: 1 },
        group_meeting: { every: 'month', times: 1 },
        theme_day: { every: 'month', times: 1 },
        lecture: { every: 'year', times: 1 },
        life_meeting: { every: 'year', times: 1 },
        member_review: { every: 'year', times: 1 },
        talk: { every: 'year', times: 1 },
      },
    } satisfies LifeRules,
  },
];

export async function ensureDefaultRuleSets(ex: Executor): Promise<void> {
  for (const r of DEFAULT_RULE_SETS) {
    await ex
      .insertInto('rule_sets')
      .values({ key: r.key, version: r.version, effective_from: r.effectiveFrom, title: r.title, rules: JSON.stringify(r.rules) })
      .onConflict((oc) => oc.columns(['key', 'version']).doNothing())
      .execute();
  }
}

export interface RuleSet<T> {
  key: string;
  version: string;
  effectiveFrom: string;
  title: string;
  rules: T;
}

/** The version of a rule set in force on `date` (YYYY-MM-DD). */
export async function ruleSetOn<T>(ex: Executor, key: string, date: string): Promise<RuleSet<T>> {
  const row = await ex.selectFrom('rule_sets').selectAll().where('key', '=', key).where('effective_from', '<=', date).orderBy('effective_from', 'desc').limit(1).executeTakeFirst();
  if (!row) throw new AppError('RULE_SET_NOT_FOUND', { key, date });
  return { key: row.key, version: row.version, effectiveFrom: row.effective_from, title: row.title, rules: row.rules as T };
}

export async function listRuleSets(ex: Executor, key?: string) {
  let q = ex.selectFrom('rule_sets').selectAll();
  if (key) q = q.where('key', '=', key);
  const rows = await q.orderBy('key').orderBy('effective_from', 'desc').execute();
  return rows.map((r) => ({ id: String(r.id), key: r.key, version: r.version, effectiveFrom: r.effective_from, title: r.title, rules: r.rules }));
}
