import { COMMITMENT_ITEM_STATUS } from '@tongxin/contracts';
import { z } from 'zod';

const dbId = z.string().regex(/^\d{1,18}$/);
function isValidDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  return !!m && new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).toISOString().slice(0, 10) === s;
}
export const idParam = z.object({ id: dbId });
export const yearParam = z.object({ year: z.coerce.number().int().min(2000).max(2100) });

// Technical bounds only: the limits of the rule in force (commitment_rules) are checked by the service.
export const publishBody = z.object({
  items: z.array(z.string().trim().min(1).max(2000)).min(1).max(50).describe('the commitments, in order (at most commitment_rules.maxItems)'),
});

export const reopenBody = z.object({ reason: z.string().trim().min(1).max(500) });

const recordedStatus = z.enum(['in_progress', 'fulfilled', 'not_fulfilled']);
export const fulfilmentBody = z.object({
  status: recordedStatus,
  note: z.string().trim().min(1).max(1000),
  evidence: z.array(z.string().uuid()).max(9).default([]).describe('photo ids from POST /api/files'),
  recordedOn: z.string().refine(isValidDate, { message: 'DATE_INVALID' }).optional().describe('YYYY-MM-DD; today when omitted'),
});

const fulfilmentSchema = z.object({
  id: z.string(),
  status: recordedStatus,
  note: z.string(),
  evidence: z.array(z.string()),
  recordedOn: z.string(),
  recorderName: z.string(),
  createdAt: z.string(),
});
const itemSchema = z.object({
  id: z.string(),
  position: z.number().int(),
  text: z.string(),
  status: z.enum(Object.keys(COMMITMENT_ITEM_STATUS) as [keyof typeof COMMITMENT_ITEM_STATUS, ...(keyof typeof COMMITMENT_ITEM_STATUS)[]]),
  fulfilments: z.array(fulfilmentSchema),
});
export const commitmentSchema = z.object({
  id: z.string(),
  memberId: z.string(),
  memberName: z.string(),
  orgId: z.string(),
  orgName: z.string(),
  year: z.number().int(),
  status: z.enum(['published', 'locked']),
  ruleVersion: z.string(),
  publishedAt: z.string(),
  updatedAt: z.string(),
  lockedAt: z.string().nullable(),
  items: z.array(itemSchema),
  can: z.object({ edit: z.boolean(), lock: z.boolean(), reopen: z.boolean(), record: z.boolean() }),
});
export type CommitmentView = z.infer<typeof commitmentSchema>;

export const rulesSchema = z.object({ version: z.string(), maxItems: z.number().int(), itemMaxChars: z.number().int(), years: z.array(z.number().int()) });
export const myCommitments = z.object({ items: z.array(commitmentSchema), rules: rulesSchema });
export const memberCommitments = z.object({ items: z.array(commitmentSchema) });
