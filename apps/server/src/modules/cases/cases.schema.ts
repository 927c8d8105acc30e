import { z } from 'zod';
import { CASE_CARDS, CASE_LEVELS, CASE_PRIORITIES, CASE_RATINGS, CASE_STATES, DEPARTMENT_KINDS, WHISTLE_KINDS } from '@tongxin/contracts';
import { emptyAsUndefined, optionalString, pageOf, pageQuery } from '../../platform/pagination.js';
import { ACCOUNT_SOURCES } from './cases.intake.js';

const keys = <T extends Record<string, unknown>>(o: T) => Object.keys(o) as [keyof T & string, ...(keyof T & string)[]];
const bigId = z.string().regex(/^\d{1,18}$/);
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).describe('YYYY-MM-DD (China time)');
const boolQuery = z.preprocess((v) => (v === '' || v === undefined ? undefined : v === '1' || v === 'true'), z.boolean().optional());
/** File ids of photos uploaded through the files API. */
const attachments = z.array(z.string().trim().regex(/^[\w.-]{1,80}$/)).max(9).default([]);
const note = z.string().trim().max(2000);
const requiredNote = note.min(1);

export const priority = z.enum(keys(CASE_PRIORITIES));
export const level = z.enum(keys(CASE_LEVELS));
export const rating = z.enum(keys(CASE_RATINGS));
export const whistleKind = z.enum(keys(WHISTLE_KINDS));
const lng = z.coerce.number().min(-180).max(180);
const lat = z.coerce.number().min(-90).max(90);
const categoryCode = z.string().trim().regex(/^[a-z][a-z0-9_]{1,39}$/);

export const idParam = z.object({ id: bigId });
export const whistleParams = z.object({ id: bigId, whistleId: bigId });
export const codeParam = z.object({ code: categoryCode });

export const reportBody = z.object({
  categoryCode: z.string().trim().min(1).max(40),
  description: z.string().trim().min(2).max(4000),
  lng,
  lat,
  address: z.string().trim().max(300).optional(),
  source: z.enum(ACCOUNT_SOURCES as [string, ...string[]]).default('resident'),
  sourceRef: z.string().trim().max(100).optional(),
  priority: priority.optional(),
  attachments,
});
export const createdSchema = z.object({
  id: z.string(),
  number: z.string(),
  state: z.string(),
  trackingCode: z.string().nullable(),
  grid: z.object({ id: z.string(), name: z.string(), code: z.string().nullable() }),
  communityId: z.string().nullable(),
  streetId: z.string().nullable(),
  districtId: z.string().nullable(),
});

export const duplicatesQuery = z.object({ category: z.string().trim().min(1).max(40), lng, lat, radius: z.preprocess(emptyAsUndefined, z.coerce.number().positive().max(5000).optional()) });
export const duplicatesSchema = z.object({
  radiusMeters: z.number(),
  items: z.array(z.object({ id: z.string(), number: z.string(), state: z.string(), description: z.string(), address: z.string(), distanceMeters: z.number(), createdAt: z.string(), followers: z.number() })),
});

export const listQuery = z.object({
  view: z.preprocess(emptyAsUndefined, z.enum(['area', 'mine', 'department']).optional()),
  state: optionalString(200).describe('comma-separated states'),
  category: optionalString(200).describe('comma-separated category codes'),
  level: z.preprocess(emptyAsUndefined, level.optional()),
  placeId: z.preprocess(emptyAsUndefined, bigId.optional()).describe('cases in this place’s subtree'),
  overdue: boolQuery,
  card: z.preprocess(emptyAsUndefined, z.enum(keys(CASE_CARDS)).optional()),
  q: optionalString(100),
  from: z.preprocess(emptyAsUndefined, date.optional()),
  to: z.preprocess(emptyAsUndefined, date.optional()),
  sort: optionalString(40),
  ...pageQuery,
});

export const caseSummary = z.object({
  id: z.string(),
  number: z.string(),
  category: z.object({ code: z.string(), name: z.string(), nameEn: z.string() }),
  description: z.string(),
  lng: z.number(),
  lat: z.number(),
  address: z.string(),
  state: z.enum(keys(CASE_STATES)),
  priority: z.string(),
  source: z.string(),
  level: z.string(),
  levelPlace: z.object({ id: z.string(), name: z.string() }),
  grid: z.object({ id: z.string(), name: z.string() }),
  communityId: z.string().nullable(),
  streetId: z.string().nullable(),
  card: z.string(),
  overdue: z.boolean(),
  dueAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  dispatchedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  rating: z.string().nullable(),
  attachments: z.array(z.string()),
});
export const casePage = pageOf(caseSummary).extend({ view: z.string() });

const named = z.object({ id: z.string(), name: z.string() });
const timelineEntry = z.object({
  id: z.string(), at: z.string(), actor: z.string(), action: z.string(), fromState: z.string().nullable(), toState: z.string().nullable(), level: z.string().nullable(),
  note: z.string(), attachments: z.array(z.string()), department: named.nullable(), whistleId: z.string().nullable(), details: z.record(z.string(), z.unknown()),
});
const whistleSchema = z.object({
  id: z.string(), department: z.object({ id: z.string(), name: z.string(), kind: z.string() }), kind: z.string(), level: z.string(),
  whistledAt: z.string(), reportDueAt: z.string(), reportedAt: z.string().nullable(), reportOverdue: z.boolean(),
  resultDueAt: z.string(), resultAt: z.string().nullable(), resultNote: z.string().nullable(), resultAttachments: z.array(z.string()), streetRating: z.string().nullable(),
});
export const caseDetail = caseSummary.extend({
  category: z.object({ code: z.string(), name: z.string(), nameEn: z.string(), anonymousAllowed: z.boolean() }),
  community: named.nullable(),
  street: named.nullable(),
  district: named.nullable(),
  owner: z.object({ level: z.string(), place: named }),
  reporter: z.object({ username: z.string(), displayName: z.string() }),
  sourceRef: z.string().nullable(),
  rejectReason: z.string().nullable(),
  firstDueAt: z.string().nullable(),
  redAt: z.string().nullable(),
  filedAt: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  handledAt: z.string().nullable(),
  ratedAt: z.string().nullable(),
  ratingNote: z.string().nullable(),
  reopenCount: z.number(),
  reopenLimit: z.number(),
  followers: z.number(),
  mine: z.object({ reporter: z.boolean(), follower: z.boolean(), departments: z.array(z.string()) }),
  whistles: z.array(whistleSchema),
  proposedDepartments: z.object({ fromPlaceId: z.string().nullable(), departments: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string() })) }),
  timeline: z.array(timelineEntry),
  can: z.record(z.string(), z.boolean()),
});

export const noteBody = z.object({ note: note.optional(), attachments });
export const requiredNoteBody = z.object({ note: requiredNote, attachments });
export const fileBody = z.object({ note: note.optional(), priority: priority.optional() });
export const rejectBody = z.object({ reason: requiredNote });
export const dispatchBody = z.object({ note: note.optional(), level: level.optional(), attachments });
export const whistleBody = z.object({ kind: whistleKind, departmentIds: z.array(bigId).min(1).max(20), note: requiredNote });
export const whistleCreated = z.array(z.object({ id: z.string(), departmentId: z.string() }));
export const departmentBody = z.object({ departmentId: z.preprocess(emptyAsUndefined, bigId.optional()), note: requiredNote, attachments });
export const rateBody = z.object({ rating, note: note.optional() });
/** passed: close; failed: rework, with the reason */
export const verifyBody = z.object({ passed: z.boolean(), note: note.optional(), attachments }).refine((b) => b.passed || !!b.note, { path: ['note'], message: 'CASE_REWORK_REASON' });
export const cardBody = z.object({ card: z.enum(['yellow', 'red']), note: requiredNote });

export const inboxQuery = z.object({ done: boolQuery });
export const inboxItem = z.object({
  whistleId: z.string(), caseId: z.string(), number: z.string(), category: z.string(), description: z.string(), address: z.string(), lng: z.number(), lat: z.number(), caseState: z.string(), street: z.string(),
  department: named, kind: z.string(), whistledAt: z.string(), reportDueAt: z.string(), reportedAt: z.string().nullable(), reportOverdue: z.boolean(), resultDueAt: z.string(), resultAt: z.string().nullable(),
  status: z.enum(['awaiting_report', 'awaiting_result', 'done']),
});

export const ratesQuery = z.object({ unitKind: z.enum(['grid', 'community', 'street', 'department']), from: z.preprocess(emptyAsUndefined, date.optional()), to: z.preprocess(emptyAsUndefined, date.optional()) });
const rate = z.number().nullable();
export const ratesSchema = z.object({
  unitKind: z.string(),
  from: z.string(),
  to: z.string(),
  ruleSet: z.object({ key: z.string(), version: z.string(), weights: z.object({ response: z.number(), resolution: z.number(), satisfaction: z.number() }), basicallySatisfiedWeight: z.number() }),
  items: z.array(z.object({
    rank: z.number(), unit: z.object({ id: z.string(), name: z.string(), kind: z.string() }),
    cases: z.number(), valid: z.number(), dispatched: z.number(), responded: z.number(), resolved: z.number(), rated: z.number(), satisfied: z.number(), basicallySatisfied: z.number(),
    whistled: z.number(), handled: z.number(), onTime: z.number(),
    responseRate: rate, resolutionRate: rate, satisfactionRate: rate, composite: rate, whistleRate: rate, onTimeRate: rate,
  })),
});

// configuration
const hoursRecord = z.object({ emergency: z.number().positive().max(8760), urgent: z.number().positive().max(8760), general: z.number().positive().max(8760), complex: z.number().positive().max(8760) }).partial();
export const categoryBody = z.object({
  name: z.string().trim().min(2).max(60),
  nameEn: z.string().trim().min(2).max(80),
  group: z.string().trim().max(40).optional(),
  description: z.string().trim().max(500).optional(),
  defaultPriority: priority,
  anonymousAllowed: z.boolean(),
  deadlineHours: hoursRecord.optional(),
  active: z.boolean().optional(),
  sortOrder: z.number().int().min(0).max(10_000).optional(),
  open311Public: z.boolean().optional().describe('offered to Open311 clients (unchanged when omitted; new categories: true)'),
});
export const createCategoryBody = categoryBody.extend({ code: categoryCode });
export const categorySchema = z.object({
  code: z.string(), name: z.string(), nameEn: z.string(), group: z.string(), description: z.string(), defaultPriority: z.string(),
  anonymousAllowed: z.boolean(), deadlineHours: z.record(z.string(), z.number()), active: z.boolean(), sortOrder: z.number(),
  open311Public: z.boolean(),
});
export const categoriesQuery = z.object({ all: boolQuery });

export const departmentBodySchema = z.object({
  code: z.preprocess(emptyAsUndefined, z.string().trim().max(40).nullable().optional()),
  name: z.string().trim().min(2).max(80),
  kind: z.enum(keys(DEPARTMENT_KINDS)),
  placeId: bigId,
  phone: z.preprocess(emptyAsUndefined, z.string().trim().max(30).nullable().optional()),
  active: z.boolean().optional(),
});
export const departmentSchema = z.object({
  id: z.string(), code: z.string().nullable(), name: z.string(), kind: z.string(), place: named, phone: z.string().nullable(), active: z.boolean(),
  staff: z.array(z.object({ id: z.string(), username: z.string(), displayName: z.string() })),
});
export const departmentsQuery = z.object({ placeId: z.preprocess(emptyAsUndefined, bigId.optional()) });
export const staffBody = z.object({ accountIds: z.array(z.string().uuid()).max(200) });

export const routesQuery = z.object({ placeId: z.preprocess(emptyAsUndefined, bigId.optional()), category: optionalString(40) });
export const routeBody = z.object({ placeId: bigId, categoryCode: z.string().trim().min(1).max(40), departmentIds: z.array(bigId).max(20) });
export const routeSchema = z.object({
  place: z.object({ id: z.string(), name: z.string(), kind: z.string() }),
  category: z.object({ code: z.string(), name: z.string() }),
  departments: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string() })),
  updatedAt: z.string(),
});

// anonymous residents (public routes, tracking code)
export const anonymousReportBody = reportBody.omit({ source: true, sourceRef: true, priority: true });
export const trackingParam = z.object({ code: z.string().trim().regex(/^[A-Za-z2-9]{10}$/) });
export const publicCaseSchema = z.object({
  number: z.string(),
  category: z.object({ code: z.string(), name: z.string(), nameEn: z.string() }),
  description: z.string(),
  address: z.string(),
  state: z.string(),
  grid: z.string(),
  createdAt: z.string(),
  closedAt: z.string().nullable(),
  rating: z.string().nullable(),
  attachments: z.array(z.string()),
  timeline: z.array(z.object({ at: z.string(), action: z.string(), toState: z.string().nullable(), level: z.string().nullable(), note: z.string(), attachments: z.array(z.string()), department: z.string().nullable() })),
});
