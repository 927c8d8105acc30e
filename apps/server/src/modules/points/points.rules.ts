import { sql } from 'kysely';
import { z } from 'zod';
import type { Executor } from '../../db/database.js';
import { ruleSetOn, type PointsRules, type PointsRuleSource } from '../../platform/rules.js';

// Points rules: what earns how much, and the monthly cap per member and source. The platform default
// is the rule set points_rules (platform/rules.ts, versioned by effective date); an organisation may
// set its own versions for its subtree (points_rule_versions). For a member's entry the rules of the
// nearest organisation above the entry's branch with a version in force that day apply, else the
// platform's version in force.

export const POINTS_RULES_KEY = 'points_rules';
export const RULE_SOURCES: PointsRuleSource[] = ['meeting', 'activity', 'volunteer', 'study', 'case', 'commitment'];

const sourceRule = z.object({
  amount: z.number().int().min(0).max(1000),
  unit: z.enum(['each', 'hour']),
  monthlyCap: z.number().int().min(0).max(10000).nullable(),
});

/** What a version must contain (checked by POST /api/points/rules and POST /api/rules). */
export const pointsRulesSchema = z.object({
  sources: z.object({ meeting: sourceRule, activity: sourceRule, volunteer: sourceRule, study: sourceRule, case: sourceRule, commitment: sourceRule }),
});

export interface RulesInForce {
  /** names the version on every ledger entry: points_rules@2019 or points_rules@org123:2026-01-01 */
  key: string;
  /** the organisation whose version applies; null for the platform default */
  orgId: string | null;
  versionId: string | null;
  version: string;
  effectiveFrom: string;
  title: string;
  rules: PointsRules;
}

/** The calendar day in China (UTC+8, no daylight saving) of a moment. */
export const chinaDay = (at: Date) => new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

/** The rules in force for entries of `orgId` on `date` (YYYY-MM-DD). */
export async function pointsRulesOn(ex: Executor, orgId: string, date: string): Promise<RulesInForce> {
  // the nearest organisation first, then its latest version that has started
  const { rows } = await sql<{ id: string; org_id: string; effective_from: string; title: string; rules: PointsRules }>`
    SELECT v.id, v.org_id, v.effective_from, v.title, v.rules
    FROM points_rule_versions v JOIN org_closure c ON c.ancestor_id = v.org_id
    WHERE c.descendant_id = ${orgId}::bigint AND v.effective_from <= ${date}::date
    ORDER BY c.depth, v.effective_from DESC LIMIT 1`.execute(ex);
  const own = rows[0];
  if (own) {
    const effectiveFrom = String(own.effective_from);
    return { key: `${POINTS_RULES_KEY}@org${own.org_id}:${effectiveFrom}`, orgId: String(own.org_id), versionId: String(own.id), version: effectiveFrom, effectiveFrom, title: own.title, rules: own.rules };
  }
  const set = await ruleSetOn<PointsRules>(ex, POINTS_RULES_KEY, date);
  return { key: `${POINTS_RULES_KEY}@${set.version}`, orgId: null, versionId: null, version: set.version, effectiveFrom: set.effectiveFrom, title: set.title, rules: set.rules };
}

/** Points a rule gives for one occurrence (or for `hours` verified hours), in whole points. */
export function ruleAmount(rule: PointsRules['sources'][PointsRuleSource], hours = 1): number {
  return Math.round(rule.amount * (rule.unit === 'hour' ? hours : 1));
}

/** The versions an organisation set itself, newest first. */
export async function ownVersions(ex: Executor, orgId: string) {
  return ex.selectFrom('points_rule_versions').selectAll().where('org_id', '=', orgId).orderBy('effective_from', 'desc').execute();
}
