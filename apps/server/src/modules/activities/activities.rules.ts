import { z } from 'zod';
import type { Executor } from '../../db/database.js';
import { ruleSetOn, type RuleSet, type VolunteerRules } from '../../platform/rules.js';
import { chinaDay } from '../points/points.rules.js';

// The rule set volunteer_rules: the star scale of verified hours and the QR check-in timing
// (defaults in platform/rules.ts; new versions through POST /api/rules).

export const VOLUNTEER_RULES_KEY = 'volunteer_rules';

/** What a new version must contain (checked by POST /api/rules). */
export const volunteerRulesSchema = z.object({
  starHours: z.array(z.number().positive().max(100_000)).min(1).max(10).refine((a) => a.every((h, i) => i === 0 || h > a[i - 1]!), 'STAR_HOURS_ASCENDING'),
  checkIn: z.object({
    stepSeconds: z.number().int().min(10).max(600),
    graceSeconds: z.number().int().min(0).max(60),
    opensMinutesBefore: z.number().int().min(0).max(24 * 60),
    closesMinutesAfter: z.number().int().min(0).max(24 * 60),
  }),
});

export function volunteerRules(ex: Executor, at: Date = new Date()): Promise<RuleSet<VolunteerRules>> {
  return ruleSetOn<VolunteerRules>(ex, VOLUNTEER_RULES_KEY, chinaDay(at));
}

/** The star level (0 = none yet) for verified hours, and the hours of the next level. */
export function starLevel(rules: VolunteerRules, hours: number): { level: number; nextLevelHours: number | null } {
  const level = rules.starHours.filter((h) => hours >= h).length;
  return { level, nextLevelHours: rules.starHours[level] ?? null };
}

/** When check-in opens and closes for an activity. */
export function checkInWindow(rules: VolunteerRules, a: { starts_at: Date; ends_at: Date }) {
  return { opensAt: new Date(a.starts_at.getTime() - rules.checkIn.opensMinutesBefore * 60_000), closesAt: new Date(a.ends_at.getTime() + rules.checkIn.closesMinutesAfter * 60_000) };
}
