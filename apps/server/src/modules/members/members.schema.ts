import { z } from 'zod';
import {
  COMMUNITY_REVIEW_RESULTS, DIFFICULTY_KINDS, DIFFICULTY_LEVELS, EDUCATION, GENDERS, MEMBER_CATEGORIES, MEMBER_MOVE_KINDS, MEMBER_STATES, MEMBER_STATUS, MOBILE_DIRECTIONS,
} from '@tongxin/contracts';
import { emptyAsUndefined, optionalString, pageOf, pageQuery } from '../../platform/pagination.js';
import { isValidDate } from './members.rules.js';

const keysOf = <T extends Record<string, unknown>>(o: T) => Object.keys(o) as [keyof T & string, ...(keyof T & string)[]];
const optionalEnum = <T extends [string, ...string[]]>(values: T) => z.preprocess(emptyAsUndefined, z.enum(values).optional());

export const dbId = z.string().regex(/^\d{1,18}$/);
const optionalId = z.preprocess(emptyAsUndefined, dbId.optional());
export const isoDate = z.string().refine(isValidDate, { message: 'DATE_INVALID' }).describe('date, YYYY-MM-DD');
const flag = z.preprocess((v) => (v === '1' || v === 'true' ? true : v === '0' || v === 'false' || v === '' ? undefined : v), z.boolean().optional());

export const genderEnum = z.enum(keysOf(GENDERS));
export const statusEnum = z.enum(keysOf(MEMBER_STATUS));
export const stateEnum = z.enum(keysOf(MEMBER_STATES));
export const categoryEnum = z.enum(keysOf(MEMBER_CATEGORIES));
export const educationEnum = z.enum(keysOf(EDUCATION));
const tags = z.array(z.string().trim().min(1).max(30)).max(20);
const phone = z.preprocess(emptyAsUndefined, z.string().trim().regex(/^1[3-9]\d{9}$/, 'PHONE_FORMAT').nullable().optional());
const text = (max: number) => z.preprocess(emptyAsUndefined, z.string().trim().max(max).nullable().optional());

export const memberIdParam = z.object({ id: dbId });
export const recordIdParam = z.object({ id: dbId });

export const memberFilter = {
  q: optionalString(50).describe('name contains (substring)'),
  idNumber: optionalString(30).describe('exact ID number'),
  phone: optionalString(20).describe('exact mobile number'),
  orgId: optionalId.describe('organisation whose whole subtree is searched'),
  category: optionalEnum(keysOf(MEMBER_CATEGORIES)),
  status: optionalEnum(keysOf(MEMBER_STATUS)),
  state: z.preprocess(emptyAsUndefined, z.enum(['active', 'transferred_out', 'deceased', 'left', 'all']).default('active')).describe('roll state; default active'),
  notRegistered: flag.describe('in-service members without an open community registration'),
  sort: optionalString(20).describe('name | joinedOn | birthDate, prefix - for descending'),
};
export const memberListQuery = z.object({ ...memberFilter, ...pageQuery });
export const memberExportQuery = z.object({ ...memberFilter, unmask: flag.describe('full ID and phone numbers (members:read_sensitive; audited)') });

export const createMemberBody = z.object({
  name: z.string().trim().min(1).max(50),
  gender: genderEnum.optional().describe('derived from the ID number when omitted'),
  birthDate: isoDate.optional().describe('derived from the ID number when omitted'),
  ethnicity: z.string().trim().min(1).max(20).optional(),
  idNumber: z.string().trim().min(1).max(30).describe('18-character resident ID number (GB 11643)'),
  phone,
  status: statusEnum,
  joinedOn: isoDate.describe('admitted as probationary member'),
  fullOn: isoDate.nullable().optional().describe('converted to full member; none for a probationary member'),
  category: categoryEnum,
  education: educationEnum.nullable().optional(),
  occupation: text(50),
  workUnit: text(100),
  skills: tags.default([]),
  interests: tags.default([]),
  orgId: dbId,
  residencePlaceId: dbId.nullable().optional().describe('where the member lives: a community, compound or residential building'),
  workPlaceId: dbId.nullable().optional().describe('where the member works: an office building or enterprise (counted by the coverage rules)'),
  source: z.enum(['join', 'transfer_in']).default('join').describe('a new member, or one transferred in from outside'),
  reason: z.string().trim().max(200).default(''),
});

export const updateMemberBody = createMemberBody
  .omit({ orgId: true, source: true, reason: true, skills: true, interests: true })
  .partial()
  .extend({ skills: tags.optional(), interests: tags.optional() });

export const moveBody = z.object({ toOrgId: dbId, reason: z.string().trim().min(1).max(200), on: isoDate.optional().describe('effective date; today when omitted') });
export const leaveBody = z.object({
  state: z.enum(['transferred_out', 'deceased', 'left']),
  reason: z.string().trim().min(1).max(200),
  on: isoDate.describe('effective date'),
});
export const sensitiveQuery = z.object({ field: z.enum(['idNumber', 'phone']) });

export const registrationBody = z.object({ communityId: dbId.describe('a place of kind community'), registeredOn: isoDate, note: z.string().trim().max(500).default('') });
export const reviewBody = z.object({
  year: z.number().int().min(2000).max(2100),
  result: z.enum(keysOf(COMMUNITY_REVIEW_RESULTS)),
  services: z.number().int().min(0).max(10_000).default(0).describe('service jobs taken in the year'),
  note: z.string().trim().max(500).default(''),
  reviewedOn: isoDate.optional(),
});
export const mobileRecordBody = z.object({
  direction: z.enum(keysOf(MOBILE_DIRECTIONS)),
  placeText: z.string().trim().min(1).max(200).describe('destination (outflow) or origin (inflow)'),
  contactOrgId: dbId.nullable().optional().describe('the organisation that keeps in touch at the other end'),
  cardNumber: text(40).describe('流动党员活动证 number'),
  startedOn: isoDate,
  endedOn: isoDate.nullable().optional(),
  note: z.string().trim().max(500).default(''),
});
export const endMobileBody = z.object({ endedOn: isoDate, note: z.string().trim().max(500).optional() });

// Amounts travel as text of at most 2 decimals so no binary fraction reaches the numeric column.
const amount = z
  .union([z.number(), z.string()])
  .transform((v) => String(v).trim())
  .refine((v) => /^\d{1,10}(\.\d{1,2})?$/.test(v), { message: 'AMOUNT_FORMAT' })
  .describe('yuan, ≥ 0, at most 2 decimals');
export const difficultyBody = z.object({
  kind: z.enum(keysOf(DIFFICULTY_KINDS)),
  level: z.enum(keysOf(DIFFICULTY_LEVELS)),
  since: isoDate,
  detail: text(2000).describe('hardship or health details; stored encrypted'),
});
export const updateDifficultyBody = z.object({ level: z.enum(keysOf(DIFFICULTY_LEVELS)).optional(), endedOn: isoDate.nullable().optional(), detail: text(2000) });
export const visitBody = z.object({ visitedOn: isoDate, visitor: z.string().trim().min(1).max(50), amount: amount.default('0'), note: z.string().trim().max(500).default('') });
export const difficultyListQuery = z.object({
  q: optionalString(50).describe('member name contains'),
  orgId: optionalId.describe('organisation whose subtree is searched'),
  kind: optionalEnum(keysOf(DIFFICULTY_KINDS)),
  level: optionalEnum(keysOf(DIFFICULTY_LEVELS)),
  open: z.preprocess((v) => (v === '0' || v === 'false' ? false : v === '1' || v === 'true' ? true : undefined), z.boolean().default(true)).describe('only records not ended (default)'),
  ...pageQuery,
});

// ---- responses

export const memberCanSchema = z.object({
  edit: z.boolean(),
  move: z.boolean(),
  leave: z.boolean(),
  revealSensitive: z.boolean(),
  registerCommunity: z.boolean(),
  review: z.boolean(),
  addMobileRecord: z.boolean(),
  addDifficulty: z.boolean(),
});

export const memberSchema = z.object({
  id: z.string(),
  name: z.string(),
  gender: genderEnum,
  birthDate: z.string(),
  ethnicity: z.string(),
  idNumberMasked: z.string(),
  phoneMasked: z.string().nullable(),
  status: statusEnum,
  joinedOn: z.string(),
  fullOn: z.string().nullable(),
  category: z.string(),
  education: z.string().nullable(),
  occupation: z.string().nullable(),
  workUnit: z.string().nullable(),
  skills: z.array(z.string()),
  interests: z.array(z.string()),
  orgId: z.string(),
  orgName: z.string(),
  residencePlaceId: z.string().nullable(),
  residenceName: z.string().nullable(),
  workPlaceId: z.string().nullable(),
  workPlaceName: z.string().nullable(),
  state: stateEnum,
  registered: z.boolean().describe('has an open community registration'),
  can: memberCanSchema,
});
export type MemberView = z.infer<typeof memberSchema>;
export const memberPage = pageOf(memberSchema);

const moveSchema = z.object({ id: z.string(), at: z.string(), kind: z.enum(keysOf(MEMBER_MOVE_KINDS)).or(z.string()), fromOrgId: z.string().nullable(), fromOrgName: z.string().nullable(), toOrgId: z.string().nullable(), toOrgName: z.string().nullable(), reason: z.string() });
export const reviewSchema = z.object({ id: z.string(), year: z.number(), result: z.string(), services: z.number(), note: z.string(), reviewedOn: z.string() });
export const registrationSchema = z.object({ id: z.string(), communityId: z.string(), communityName: z.string(), registeredOn: z.string(), endedOn: z.string().nullable(), note: z.string(), reviews: z.array(reviewSchema) });
export const mobileRecordSchema = z.object({ id: z.string(), memberId: z.string(), direction: z.string(), placeText: z.string(), contactOrgId: z.string().nullable(), contactOrgName: z.string().nullable(), cardNumber: z.string().nullable(), startedOn: z.string(), endedOn: z.string().nullable(), note: z.string() });
export const visitSchema = z.object({ id: z.string(), recordId: z.string(), visitedOn: z.string(), visitor: z.string(), amount: z.number(), note: z.string() });
export const difficultySchema = z.object({
  id: z.string(),
  memberId: z.string(),
  kind: z.string(),
  level: z.string(),
  since: z.string(),
  endedOn: z.string().nullable(),
  hasDetail: z.boolean().describe('the detail is revealed through /sensitive only'),
  visits: z.array(visitSchema),
  totals: z.object({ visits: z.number(), amount: z.number() }),
});
export const memberFileSchema = memberSchema.extend({
  createdAt: z.string(),
  updatedAt: z.string(),
  orgPath: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string() })),
  history: z.array(moveSchema),
  registrations: z.array(registrationSchema),
  mobileRecords: z.array(mobileRecordSchema),
  difficultyRecords: z.array(difficultySchema),
  assistanceTotals: z.object({ visits: z.number(), amount: z.number() }).describe('over every difficulty record of the member'),
});

export const difficultyRowSchema = z.object({
  id: z.string(),
  memberId: z.string(),
  memberName: z.string(),
  orgId: z.string(),
  orgName: z.string(),
  kind: z.string(),
  level: z.string(),
  since: z.string(),
  endedOn: z.string().nullable(),
  visits: z.number(),
  amount: z.number(),
  lastVisitOn: z.string().nullable(),
});
export const difficultyPage = pageOf(difficultyRowSchema).extend({ totals: z.object({ records: z.number(), visits: z.number(), amount: z.number() }) });

export const importErrorSchema = z.object({ row: z.number(), column: z.string(), code: z.string(), message: z.string() });
export const importPreviewSchema = z.object({
  rows: z.number(),
  valid: z.number(),
  errors: z.array(importErrorSchema),
  sample: z.array(
    z.object({
      row: z.number(),
      name: z.string(),
      gender: z.string(),
      birthDate: z.string(),
      idNumberMasked: z.string(),
      phoneMasked: z.string().nullable(),
      status: z.string(),
      joinedOn: z.string(),
      fullOn: z.string().nullable(),
      category: z.string(),
      education: z.string().nullable(),
      orgId: z.string(),
      orgName: z.string(),
      residenceName: z.string().nullable(),
    }),
  ),
});
export const importCommitSchema = z.object({ imported: z.number(), orgIds: z.array(z.string()) });
