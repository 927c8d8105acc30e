import { z } from 'zod';
import { emptyAsUndefined, pageOf, pageQuery } from '../../platform/pagination.js';
import { pointsRulesSchema } from './points.rules.js';

const bigintId = z.string().regex(/^\d{1,18}$/);
const period = z.preprocess(emptyAsUndefined, z.string().regex(/^(all|\d{4}|\d{4}-(0[1-9]|1[0-2]))$/, 'PERIOD_FORMAT').optional());
const sourceEnum = z.enum(['meeting', 'activity', 'volunteer', 'study', 'case', 'commitment', 'correction']);

export const memberIdParam = z.object({ memberId: bigintId });
export const periodQuery = z.object({ period });
export const ledgerQuery = z.object({ period, source: z.preprocess(emptyAsUndefined, sourceEnum.optional()), ...pageQuery });
export const rankingQuery = z.object({
  orgId: bigintId,
  /** the whole subtree (default) or the organisation's own entries only */
  scope: z.preprocess(emptyAsUndefined, z.enum(['subtree', 'direct']).default('subtree')),
  period,
  ...pageQuery,
});
export const myRankingQuery = z.object({ period, ...pageQuery });
export const orgIdQuery = z.object({ orgId: bigintId });

export const correctionBody = z.object({
  memberId: bigintId,
  amount: z.number().int().min(-1000).max(1000).refine((n) => n !== 0, 'POINTS_CORRECTION_ZERO'),
  reason: z.string().trim().min(2).max(500),
  correctsId: z.preprocess(emptyAsUndefined, bigintId.nullable().optional()),
});

export const rulesBody = z.object({
  orgId: bigintId,
  effectiveFrom: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'DATE_INVALID'),
  title: z.string().trim().min(1).max(200),
  rules: pointsRulesSchema,
});

export const entrySchema = z.object({
  id: z.string(),
  source: sourceEnum,
  sourceRef: z.string(),
  ruleKey: z.string().nullable(),
  ruleAmount: z.number().nullable(),
  amount: z.number(),
  capped: z.boolean(),
  at: z.string(),
  orgId: z.string(),
  orgName: z.string(),
  note: z.string(),
  correctsId: z.string().nullable(),
  reason: z.string().nullable(),
  actorName: z.string(),
});
export const entryPage = pageOf(entrySchema);

export const summarySchema = z.object({
  memberId: z.string(),
  name: z.string(),
  orgId: z.string(),
  orgName: z.string(),
  period: z.string(),
  balance: z.number(),
  periodTotal: z.number(),
  bySource: z.array(z.object({ source: sourceEnum, total: z.number(), entries: z.number() })),
  branchRank: z.object({ rank: z.number(), of: z.number() }).nullable(),
});

const rankRow = z.object({ rank: z.number(), memberId: z.string(), name: z.string(), orgId: z.string().nullable(), orgName: z.string(), total: z.number(), entries: z.number(), me: z.boolean() });
export const rankingSchema = z.object({
  orgId: z.string(),
  orgName: z.string(),
  subtree: z.boolean(),
  period: z.string(),
  items: z.array(rankRow),
  total: z.number(),
  page: z.number(),
  pageSize: z.number(),
  mine: rankRow.nullable(),
});

const inForce = z.object({ key: z.string(), orgId: z.string().nullable(), orgName: z.string().nullable(), version: z.string(), effectiveFrom: z.string(), title: z.string(), rules: pointsRulesSchema });
export const inForceSchema = inForce;
export const rulesViewSchema = z.object({
  orgId: z.string(),
  today: z.string(),
  inForce,
  own: z.array(z.object({ id: z.string(), effectiveFrom: z.string(), title: z.string(), rules: pointsRulesSchema, createdByName: z.string(), createdAt: z.string() })),
  platform: z.array(z.object({ version: z.string(), effectiveFrom: z.string(), title: z.string(), rules: pointsRulesSchema })),
});

/** Publishing a ranking to the organisation's feed: a month or a year (not all time). */
export const publishRankingBody = z.object({
  orgId: bigintId,
  period: z.string().regex(/^\d{4}(-(0[1-9]|1[0-2]))?$/, 'PERIOD_FORMAT').describe('YYYY-MM or YYYY'),
  top: z.number().int().min(1).max(20).default(10).describe('how many places'),
  cascade: z.boolean().default(false).describe('also into the feeds of the organisations below'),
});
export const publishRankingResult = z.object({ feedItemId: z.string(), title: z.string(), places: z.number(), total: z.number() });
