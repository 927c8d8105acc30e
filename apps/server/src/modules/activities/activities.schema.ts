import { z } from 'zod';
import { emptyAsUndefined, optionalString, pageOf, pageQuery } from '../../platform/pagination.js';

const bigintId = z.string().regex(/^\d{1,18}$/);
const instant = z.string().datetime({ offset: true });
const day = z.preprocess(emptyAsUndefined, z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'DATE_INVALID').optional());
const skills = z.array(z.string().trim().min(1).max(20)).max(10);
const hours = z.number().min(0).max(24);

export const idParam = z.object({ id: bigintId });

const activityFields = {
  title: z.string().trim().min(2).max(100),
  description: z.string().trim().max(2000).default(''),
  placeId: z.preprocess(emptyAsUndefined, bigintId.nullable().optional()),
  organiserName: z.string().trim().max(100).default(''),
  startsAt: instant,
  endsAt: instant,
  signupDeadline: z.preprocess(emptyAsUndefined, instant.nullable().optional()),
  location: z.string().trim().min(1).max(200),
  lng: z.number().min(-180).max(180).nullable().optional(),
  lat: z.number().min(-90).max(90).nullable().optional(),
  capacity: z.number().int().min(1).max(10000),
  skills: skills.default([]),
  serviceHours: hours.default(0),
  contact: z.string().trim().max(100).default(''),
};

export const publishBody = z
  .object({ kind: z.enum(['activity', 'volunteer']), orgId: bigintId, ...activityFields })
  .refine((b) => b.kind !== 'volunteer' || b.serviceHours > 0, { path: ['serviceHours'], message: 'VOLUNTEER_HOURS_REQUIRED' });

export const updateBody = z.object({
  title: activityFields.title.optional(),
  description: z.string().trim().max(2000).optional(),
  placeId: activityFields.placeId,
  organiserName: z.string().trim().max(100).optional(),
  startsAt: instant.optional(),
  endsAt: instant.optional(),
  signupDeadline: activityFields.signupDeadline,
  location: activityFields.location.optional(),
  lng: activityFields.lng,
  lat: activityFields.lat,
  capacity: activityFields.capacity.optional(),
  skills: skills.optional(),
  serviceHours: hours.optional(),
  contact: z.string().trim().max(100).optional(),
});

export const cancelBody = z.object({ reason: z.string().trim().min(2).max(500) });

export const listQuery = z.object({
  orgId: z.preprocess(emptyAsUndefined, bigintId.optional()),
  kind: z.preprocess(emptyAsUndefined, z.enum(['activity', 'volunteer']).optional()),
  phase: z.preprocess(emptyAsUndefined, z.enum(['upcoming', 'ongoing', 'ended', 'cancelled']).optional()),
  q: optionalString(50),
  from: day,
  to: day,
  sort: optionalString(20),
  ...pageQuery,
});

export const menuQuery = z.object({
  when: z.preprocess(emptyAsUndefined, z.enum(['upcoming', 'past', 'mine']).default('upcoming')),
  kind: z.preprocess(emptyAsUndefined, z.enum(['activity', 'volunteer']).optional()),
  q: optionalString(50),
  matchSkills: z.preprocess((v) => (v === '' || v === undefined ? undefined : v === 'true' || v === '1' || v === true), z.boolean().default(false)),
  ...pageQuery,
});

export const checkInBody = z.object({ code: z.string().trim().min(1).max(40) });

export const attendanceBody = z.object({
  items: z.array(z.object({ signupId: bigintId, attended: z.boolean(), hours: hours.optional() })).min(1).max(500),
});

const counts = z.object({ signedUp: z.number(), checkedIn: z.number(), present: z.number(), absent: z.number() });
const mine = z.object({ status: z.enum(['signed_up', 'cancelled']), signedUpAt: z.string(), cancelledAt: z.string().nullable(), checkedInAt: z.string().nullable(), attendance: z.enum(['present', 'absent']).nullable(), hours: z.number().nullable() });

export const activitySchema = z.object({
  id: z.string(),
  kind: z.enum(['activity', 'volunteer']),
  title: z.string(),
  description: z.string(),
  orgId: z.string(),
  orgName: z.string(),
  placeId: z.string().nullable(),
  placeName: z.string().nullable(),
  organiserName: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  signupDeadline: z.string(),
  location: z.string(),
  lng: z.number().nullable(),
  lat: z.number().nullable(),
  capacity: z.number(),
  skills: z.array(z.string()),
  serviceHours: z.number(),
  contact: z.string(),
  status: z.enum(['published', 'cancelled']),
  cancelReason: z.string().nullable(),
  phase: z.enum(['open', 'closed', 'ongoing', 'ended', 'cancelled']),
  points: z.number(),
  counts,
  left: z.number(),
  can: z.object({ edit: z.boolean(), cancel: z.boolean(), checkIn: z.boolean(), confirm: z.boolean() }).optional(),
  mine: mine.nullable().optional(),
  audience: z.enum(['org', 'residence', 'registered']).optional(),
  skillsMatch: z.boolean().optional(),
});
export const activityPage = pageOf(activitySchema);
export const menuPage = pageOf(activitySchema).extend({ skills: z.array(z.string()) });
export const myActivitySchema = activitySchema.extend({ checkInOpensAt: z.string(), checkInClosesAt: z.string() });

export const signupSchema = mine.extend({
  id: z.string(),
  memberId: z.string(),
  name: z.string(),
  orgName: z.string(),
  volunteerNumber: z.string().nullable(),
  confirmedAt: z.string().nullable(),
});

export const checkInScreenSchema = z.object({
  activityId: z.string(),
  title: z.string(),
  open: z.boolean(),
  opensAt: z.string(),
  closesAt: z.string(),
  code: z.string().nullable(),
  path: z.string().nullable(),
  qr: z.string().nullable(),
  refreshAt: z.string().nullable(),
  stepSeconds: z.number(),
  serverTime: z.string(),
  signedUp: z.number(),
  checkedIn: z.number(),
});

// volunteer hours and certificates
export const memberIdParam = z.object({ memberId: bigintId });
export const volunteersQuery = z.object({ orgId: bigintId, ...pageQuery });
export const requestsQuery = z.object({ orgId: bigintId, status: z.preprocess(emptyAsUndefined, z.enum(['pending', 'approved', 'rejected']).optional()), ...pageQuery });
const signedHours = z.number().min(-1000).max(1000).refine((n) => n !== 0, 'HOURS_NOT_ZERO');
export const requestBody = z.object({ activityId: z.preprocess(emptyAsUndefined, bigintId.nullable().optional()), entryId: z.preprocess(emptyAsUndefined, bigintId.nullable().optional()), hours: signedHours, reason: z.string().trim().min(2).max(500) });
export const decisionBody = z.object({ approve: z.boolean(), note: z.string().trim().max(500).default('') });
export const correctionBody = z.object({ memberId: bigintId, orgId: bigintId, hours: signedHours, reason: z.string().trim().min(2).max(500), requestedBy: z.string().trim().min(1).max(100), correctsId: z.preprocess(emptyAsUndefined, bigintId.nullable().optional()) });
export const certificateBody = z.object({ memberId: bigintId, orgId: bigintId, personInCharge: z.preprocess(emptyAsUndefined, z.string().trim().max(50).nullable().optional()), contact: z.preprocess(emptyAsUndefined, z.string().trim().max(50).nullable().optional()) });
export const myCertificateBody = z.object({ orgId: bigintId });

const requestSchema = z.object({
  id: z.string(), orgId: z.string(), orgName: z.string(), activityId: z.string().nullable(), entryId: z.string().nullable(), hours: z.number(), reason: z.string(),
  status: z.enum(['pending', 'approved', 'rejected']), decidedByName: z.string().nullable(), decidedAt: z.string().nullable(), decisionNote: z.string().nullable(), createdAt: z.string(),
});
export const myRequestSchema = requestSchema;
export const staffRequestSchema = requestSchema.extend({ memberId: z.string(), name: z.string(), volunteerNumber: z.string().nullable(), activityTitle: z.string().nullable() });
export const requestPage = pageOf(staffRequestSchema);
export const certificateSchema = z.object({ id: z.string(), number: z.string(), orgId: z.string(), orgName: z.string(), issuedOn: z.string(), hours: z.number(), issuedByName: z.string() });

export const volunteerSchema = z.object({
  memberId: z.string(),
  name: z.string(),
  volunteerNumber: z.string().nullable(),
  verifiedHours: z.number(),
  scheduledHours: z.number(),
  star: z.object({ level: z.number(), nextLevelHours: z.number().nullable(), scale: z.array(z.number()), ruleVersion: z.string() }),
  records: z.array(z.object({
    id: z.string(), kind: z.enum(['service', 'correction']), activityId: z.string().nullable(), orgId: z.string(), orgName: z.string(), servedOn: z.string(), hours: z.number(), content: z.string(),
    correctsId: z.string().nullable(), requestedBy: z.string().nullable(), approvedByName: z.string().nullable(), reason: z.string().nullable(), recordedByName: z.string(), createdAt: z.string(),
  })),
  scheduled: z.array(z.object({ activityId: z.string(), title: z.string(), startsAt: z.string(), hours: z.number() })),
  organisers: z.array(z.object({ orgId: z.string(), orgName: z.string(), hours: z.number() })),
  requests: z.array(requestSchema),
  certificates: z.array(certificateSchema),
});
export const volunteerPage = pageOf(z.object({ memberId: z.string(), name: z.string(), orgName: z.string(), volunteerNumber: z.string().nullable(), hours: z.number(), records: z.number(), totalHours: z.number(), star: z.number() }));
