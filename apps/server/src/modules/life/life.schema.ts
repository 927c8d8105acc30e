import { z } from 'zod';
import { fileInfo } from '../files/files.schema.js';
import { COMPLIANCE_STATES, MEETING_ATTENDANCE, MEETING_KINDS, MEETING_STATUS, STUDY_KINDS } from '@tongxin/contracts';
import { emptyAsUndefined, optionalString, pageOf, pageQuery } from '../../platform/pagination.js';
import { isoDate } from '../members/members.schema.js';
import { PERIODS } from './life.rules.js';

const keysOf = <T extends Record<string, unknown>>(o: T) => Object.keys(o) as [keyof T & string, ...(keyof T & string)[]];
const optionalEnum = <T extends [string, ...string[]]>(values: T) => z.preprocess(emptyAsUndefined, z.enum(values).optional());

export const dbId = z.string().regex(/^\d{1,18}$/);
const optionalId = z.preprocess(emptyAsUndefined, dbId.optional());
const instant = z.string().datetime({ offset: true }).describe('ISO 8601 date and time with offset');
const optionalDate = z.preprocess(emptyAsUndefined, isoDate.optional());
const text = (max: number) => z.string().trim().max(max);
const flag = z.preprocess((v) => (v === '1' || v === 'true' ? true : v === '0' || v === 'false' || v === '' ? undefined : v), z.boolean().optional());

export const meetingKind = z.enum(keysOf(MEETING_KINDS));
export const meetingStatus = z.enum(keysOf(MEETING_STATUS));
export const attendanceStatus = z.enum(keysOf(MEETING_ATTENDANCE));
export const studyKind = z.enum(keysOf(STUDY_KINDS));

export const idParam = z.object({ id: dbId });
export const orgIdParam = z.object({ orgId: dbId });

// ---- meetings ----

export const meetingListQuery = z.object({
  orgId: optionalId.describe('subtree root; default: the whole data scope'),
  kind: optionalEnum(keysOf(MEETING_KINDS)),
  status: optionalEnum(keysOf(MEETING_STATUS)),
  from: optionalDate,
  to: optionalDate,
  q: optionalString(64),
  sort: optionalString(40).describe('startsAt (default -startsAt), kind, status, org'),
  ...pageQuery,
});

const meetingFields = {
  title: text(100).min(1),
  startsAt: instant,
  endsAt: instant.nullable().optional(),
  place: text(200).optional(),
  host: text(64).optional(),
  recorder: text(64).optional(),
  agenda: text(4000).optional(),
  minutes: text(20000).optional(),
  attachments: z.array(z.string().max(64)).max(20).optional().describe('ids of photos (POST /api/files) and documents (POST /api/files/documents) the caller uploaded'),
};

export const planMeetingBody = z.object({ orgId: dbId, kind: meetingKind, ...meetingFields });
export const updateMeetingBody = z.object(meetingFields).partial();

const attendanceEntry = z.object({ memberId: dbId, status: attendanceStatus, note: text(200).optional() });
const attendanceList = z
  .array(attendanceEntry)
  .max(500)
  .refine((a) => new Set(a.map((e) => e.memberId)).size === a.length, { message: 'DUPLICATE_MEMBER' });
export const attendanceBody = z.object({ attendance: attendanceList });
export const recordMeetingBody = z.object({
  startsAt: instant.optional().describe('the actual start; default: the planned one'),
  endsAt: instant.nullable().optional(),
  place: text(200).optional(),
  host: text(64).optional(),
  recorder: text(64).optional(),
  minutes: text(20000).optional(),
  attachments: z.array(z.string().max(64)).max(20).optional(),
  attendance: attendanceList.describe('members of the roll; for meetings of the whole branch, members not listed are absent'),
});
export const cancelMeetingBody = z.object({ reason: text(200).min(1) });

const can = z.object({ edit: z.boolean(), record: z.boolean(), cancel: z.boolean(), attendance: z.boolean(), lock: z.boolean() });
const orgRef = z.object({ id: z.string(), name: z.string(), kind: z.string() });

export const meetingSummary = z.object({
  id: z.string(),
  org: orgRef,
  branch: orgRef,
  kind: meetingKind,
  title: z.string(),
  status: meetingStatus,
  startsAt: z.string(),
  endsAt: z.string().nullable(),
  heldOn: z.string().nullable(),
  place: z.string(),
  host: z.string(),
  expected: z.number().int(),
  present: z.number().int(),
  excused: z.number().int(),
  absent: z.number().int(),
  votingTotal: z.number().int().nullable(),
  votingPresent: z.number().int().nullable(),
  quorumMet: z.boolean().nullable(),
  counts: z.boolean().describe('counts toward compliance: held, somebody present, and a valid quorum for a general meeting'),
  locked: z.boolean(),
  can,
});
export const meetingPage = pageOf(meetingSummary);

export const meetingDetail = meetingSummary.extend({
  recorder: z.string(),
  agenda: z.string(),
  minutes: z.string(),
  attachments: z.array(z.string()),
  files: z.array(fileInfo).describe('the attachments: type, name (documents) and size, in order'),
  ruleVersion: z.string().nullable(),
  cancelReason: z.string().nullable(),
  lockedAt: z.string().nullable(),
  attendance: z.array(z.object({ memberId: z.string(), name: z.string(), status: attendanceStatus, voting: z.boolean(), note: z.string() })),
  roll: z.array(z.object({ memberId: z.string(), name: z.string(), status: z.enum(['probationary', 'full']) })).describe('the branch roll now (for filling in attendance)'),
  quorumRule: z.object({ share: z.number(), ruleSet: z.string() }),
});
export type MeetingDetail = z.infer<typeof meetingDetail>;
export type MeetingSummary = z.infer<typeof meetingSummary>;

// ---- compliance ----

export const complianceQuery = z.object({
  orgId: optionalId.describe('subtree root; default: the whole data scope'),
  year: z.coerce.number().int().min(2000).max(2100),
  period: z.preprocess(emptyAsUndefined, z.enum(PERIODS).default('year')),
  q: optionalString(64),
  onlyOverdue: flag,
  sort: optionalString(40).describe('-rate (default), rate, overdue, -overdue, done, name'),
  ...pageQuery,
});
export const branchComplianceQuery = z.object({
  year: z.coerce.number().int().min(2000).max(2100),
  period: z.preprocess(emptyAsUndefined, z.enum(PERIODS).default('year')),
});

const state = z.enum(keysOf(COMPLIANCE_STATES));
const slotRef = z.object({
  kind: meetingKind,
  every: z.enum(['month', 'quarter', 'year']),
  idx: z.number().int(),
  from: z.string(),
  to: z.string(),
  dueOn: z.string(),
  times: z.number().int(),
  held: z.number().int(),
  state,
  unit: orgRef.nullable().describe('the party group, for group meetings'),
});
const ruleRef = z.object({ key: z.string(), version: z.string(), title: z.string() });
const periodRef = z.object({ year: z.number().int(), period: z.string(), from: z.string(), to: z.string(), today: z.string() });
const tally = { required: z.number().int(), done: z.number().int(), overdue: z.number().int(), due: z.number().int(), upcoming: z.number().int(), rate: z.number().nullable() };

export const complianceRanking = z.object({
  ruleSet: ruleRef,
  period: periodRef,
  summary: z.object({ branches: z.number().int(), compliant: z.number().int(), withOverdue: z.number().int(), done: z.number().int(), overdue: z.number().int(), rate: z.number().nullable() }),
  items: z.array(z.object({ rank: z.number().int(), org: orgRef, parent: z.object({ id: z.string(), name: z.string() }).nullable(), ...tally, nextDue: z.string().nullable(), missing: z.array(slotRef) })),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

export const branchCompliance = z.object({
  org: orgRef,
  ruleSet: ruleRef,
  period: periodRef,
  ...tally,
  slots: z.array(slotRef.extend({
    meetings: z.array(z.object({ id: z.string(), title: z.string(), heldOn: z.string(), counts: z.boolean(), reason: z.enum(['counts', 'no_quorum', 'nobody_present']) })),
  })),
});

// ---- study ----

export const studyListQuery = z.object({
  orgId: optionalId,
  kind: optionalEnum(keysOf(STUDY_KINDS)),
  from: optionalDate,
  to: optionalDate,
  q: optionalString(64),
  sort: optionalString(40).describe('heldOn (default -heldOn), hours, title'),
  ...pageQuery,
});
const hours = z.number().refine((v) => v > 0 && v <= 200 && Math.abs(v * 10 - Math.round(v * 10)) < 1e-9, { message: 'HOURS_FORMAT' });
export const createStudyBody = z.object({
  orgId: dbId,
  kind: studyKind,
  title: text(100).min(1),
  provider: text(100).optional().describe('course provider, or the speaker of a lecture'),
  heldOn: isoDate,
  hours,
  meetingId: optionalId.describe('a held meeting of this organisation the study took place at (第一议题)'),
  note: text(1000).optional(),
  memberIds: z.array(dbId).max(500).optional().describe('members who took part; default for a linked meeting: those present'),
});
export const updateStudyBody = z.object({ title: text(100).min(1).optional(), provider: text(100).optional(), note: text(1000).optional() });
export const addStudyRecordsBody = z.object({
  memberIds: z.array(dbId).min(1).max(500).refine((a) => new Set(a).size === a.length, { message: 'DUPLICATE_MEMBER' }),
  hours: hours.optional().describe('default: the session’s hours'),
  studiedOn: isoDate.optional().describe('default: the session’s date'),
});
export const correctStudyRecordBody = z.object({ hours });

export const studySession = z.object({
  id: z.string(),
  org: orgRef,
  kind: studyKind,
  title: z.string(),
  provider: z.string(),
  heldOn: z.string(),
  hours: z.number(),
  meetingId: z.string().nullable(),
  note: z.string(),
  participants: z.number().int(),
  totalHours: z.number(),
  can: z.object({ edit: z.boolean(), addRecords: z.boolean() }),
});
export const studyPage = pageOf(studySession);
export const studyDetail = studySession.extend({
  records: z.array(z.object({ id: z.string(), memberId: z.string(), name: z.string(), org: z.object({ id: z.string(), name: z.string() }), hours: z.number(), studiedOn: z.string() })),
});

export const studyHoursQuery = z.object({
  orgId: optionalId,
  year: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(2000).max(2100).optional()),
  by: z.preprocess(emptyAsUndefined, z.enum(['member', 'org']).default('member')),
  sort: optionalString(40).describe('-hours (default), hours, name'),
  ...pageQuery,
});
export const studyHours = z.object({
  summary: z.object({ hours: z.number(), members: z.number().int(), records: z.number().int() }),
  items: z.array(z.object({ id: z.string(), name: z.string(), org: z.object({ id: z.string(), name: z.string() }).nullable(), hours: z.number(), records: z.number().int(), members: z.number().int() })),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

// ---- a member's own ----

export const myMeetingsQuery = z.object({ status: optionalEnum(keysOf(MEETING_STATUS)), ...pageQuery });
const myMeeting = z.object({
  id: z.string(),
  kind: meetingKind,
  title: z.string(),
  status: meetingStatus,
  startsAt: z.string(),
  endsAt: z.string().nullable(),
  place: z.string(),
  host: z.string(),
  org: z.object({ id: z.string(), name: z.string() }),
  present: z.number().int(),
  expected: z.number().int(),
  quorumMet: z.boolean().nullable(),
  myAttendance: attendanceStatus.nullable(),
});
export const myMeetingsPage = pageOf(myMeeting);
export const myMeetingDetail = myMeeting.extend({ agenda: z.string(), minutes: z.string(), excused: z.number().int(), absent: z.number().int(), votingTotal: z.number().int().nullable(), votingPresent: z.number().int().nullable() });
export const myStudyQuery = z.object({ year: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(2000).max(2100).optional()) });
export const myStudy = z.object({
  year: z.number().int().nullable(),
  hours: z.number(),
  allTimeHours: z.number(),
  attended: z.object({ present: z.number().int(), listed: z.number().int() }).describe('meetings of the year on whose list the member stood, and at how many present'),
  records: z.array(z.object({ id: z.string(), kind: studyKind, title: z.string(), provider: z.string(), org: z.string(), hours: z.number(), studiedOn: z.string() })),
});
