import { z } from 'zod';
import type { CasePriority } from '@tongxin/contracts';
import type { Executor } from '../../db/database.js';
import { ruleSetOn, type CaseRules, type RuleSet } from '../../platform/rules.js';

// The case rule set (deadlines, whistle kinds, rate formula, reopen limit): versioned in rule_sets,
// defaults in platform/rules.ts DEFAULT_RULE_SETS.

export const CASE_RULES_KEY = 'case_rules';

const hours = z.number().positive().max(24 * 365);
const weight = z.number().min(0).max(1);
const whistleKind = z.object({ reportMinutes: z.number().positive().max(60 * 24 * 30), resultHours: hours });

/** What a new version of the rule set must contain (checked by POST /api/rules). */
export const caseRulesSchema = z.object({
  weights: z.object({ response: weight, resolution: weight, satisfaction: weight }).refine((w) => Math.abs(w.response + w.resolution + w.satisfaction - 1) < 1e-9, 'weights must add up to 1'),
  basicallySatisfiedWeight: weight,
  deadlineHours: z.object({ emergency: hours, urgent: hours, general: hours, complex: hours }),
  redCardFactor: z.number().min(1).max(10),
  whistle: z.object({ daily: whistleKind, hard: whistleKind, emergency: whistleKind }),
  communityMayWhistle: z.boolean(),
  reopenLimit: z.number().int().min(0).max(10),
  duplicateRadiusMeters: z.number().positive().max(5000),
});

/** The calendar day in China Standard Time (no daylight saving), as YYYY-MM-DD. */
export function chinaDay(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** The case rules in force at a moment (the version effective on that day in China). */
export function caseRules(ex: Executor, at: Date = new Date()): Promise<RuleSet<CaseRules>> {
  return ruleSetOn<CaseRules>(ex, CASE_RULES_KEY, chinaDay(at));
}

/** Hours from dispatch to handled: the category's own figure for the priority, else the rule set's. */
export function deadlineHoursOf(rules: CaseRules, categoryHours: Record<string, number> | null | undefined, priority: string): number {
  const own = categoryHours?.[priority];
  if (typeof own === 'number' && own > 0) return own;
  return rules.deadlineHours[priority as CasePriority] ?? rules.deadlineHours.general;
}

export type { CaseRules };
