import { z } from 'zod';
import type { Executor } from '../../db/database.js';
import type { CommitmentRules, RuleSet } from '../../platform/rules.js';
import { ruleSetOn } from '../../platform/rules.js';

// The commitment rule set (commitment_rules, platform/rules.ts): what a new version must contain.
export const commitmentRulesSchema = z.object({
  maxItems: z.number().int().min(1).max(50),
  itemMaxChars: z.number().int().min(10).max(2000),
  yearsAhead: z.number().int().min(0).max(5),
});

export const commitmentRulesOn = (ex: Executor, date: string): Promise<RuleSet<CommitmentRules>> => ruleSetOn<CommitmentRules>(ex, 'commitment_rules', date);
