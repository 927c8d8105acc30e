// Organisational life (三会一课 and the rest), compliance by the rule set, and study (issue 5: LIFE-1, LIFE-3).
import type { ComplianceState, MeetingAttendance, MeetingKind, MeetingStatus, StudyKind } from '@tongxin/contracts';
import type { FileInfo } from './feed';
import { http, type Query } from './http';
import type { Page } from './types';

export interface OrgRef { id: string; name: string; kind: string }
export interface MeetingCan { edit: boolean; record: boolean; cancel: boolean; attendance: boolean; lock: boolean }
export interface Meeting {
  id: string;
  org: OrgRef;
  branch: OrgRef;
  kind: MeetingKind;
  title: string;
  status: MeetingStatus;
  startsAt: string;
  endsAt: string | null;
  heldOn: string | null;
  place: string;
  host: string;
  expected: number;
  present: number;
  excused: number;
  absent: number;
  votingTotal: number | null;
  votingPresent: number | null;
  quorumMet: boolean | null;
  counts: boolean;
  locked: boolean;
  can: MeetingCan;
}
export interface AttendanceEntry { memberId: string; name: string; status: MeetingAttendance; voting: boolean; note: string }
export interface RollMember { memberId: string; name: string; status: 'probationary' | 'full' }
export interface MeetingDetail extends Meeting {
  recorder: string;
  agenda: string;
  minutes: string;
  attachments: string[];
  /** the attachments described: photos and documents (with their names), in order */
  files: FileInfo[];
  ruleVersion: string | null;
  cancelReason: string | null;
  lockedAt: string | null;
  attendance: AttendanceEntry[];
  roll: RollMember[];
  quorumRule: { share: number; ruleSet: string };
}
export interface MeetingFilters { orgId?: string; kind?: string; status?: string; from?: string; to?: string; q?: string }
export interface MeetingFields {
  title?: string;
  startsAt?: string;
  endsAt?: string | null;
  place?: string;
  host?: string;
  recorder?: string;
  agenda?: string;
  minutes?: string;
  attachments?: string[];
}
export interface AttendanceInput { memberId: string; status: MeetingAttendance; note?: string }

export type Period = 'year' | 'Q1' | 'Q2' | 'Q3' | 'Q4' | '01' | '02' | '03' | '04' | '05' | '06' | '07' | '08' | '09' | '10' | '11' | '12';
export interface SlotItem {
  kind: MeetingKind;
  every: 'month' | 'quarter' | 'year';
  idx: number;
  from: string;
  to: string;
  dueOn: string;
  times: number;
  held: number;
  state: ComplianceState;
  unit: OrgRef | null;
}
interface Tally { required: number; done: number; overdue: number; due: number; upcoming: number; rate: number | null }
export interface RuleRef { key: string; version: string; title: string }
export interface PeriodRef { year: number; period: Period; from: string; to: string; today: string }
export interface RankingItem extends Tally { rank: number; org: OrgRef; parent: { id: string; name: string } | null; nextDue: string | null; missing: SlotItem[] }
export interface ComplianceRanking {
  ruleSet: RuleRef;
  period: PeriodRef;
  summary: { branches: number; compliant: number; withOverdue: number; done: number; overdue: number; rate: number | null };
  items: RankingItem[];
  total: number;
  page: number;
  pageSize: number;
}
export interface SlotMeeting { id: string; title: string; heldOn: string; counts: boolean; reason: 'counts' | 'no_quorum' | 'nobody_present' }
export interface BranchCompliance extends Tally { org: OrgRef; ruleSet: RuleRef; period: PeriodRef; slots: (SlotItem & { meetings: SlotMeeting[] })[] }
export interface ComplianceQuery { orgId?: string; year: number; period: Period; q?: string; onlyOverdue?: boolean; sort?: string; page: number; pageSize: number }

export interface StudySession {
  id: string;
  org: OrgRef;
  kind: StudyKind;
  title: string;
  provider: string;
  heldOn: string;
  hours: number;
  meetingId: string | null;
  note: string;
  participants: number;
  totalHours: number;
  can: { edit: boolean; addRecords: boolean };
}
export interface StudyRecord { id: string; memberId: string; name: string; org: { id: string; name: string }; hours: number; studiedOn: string }
export interface StudyDetail extends StudySession { records: StudyRecord[] }
export interface StudyFilters { orgId?: string; kind?: string; from?: string; to?: string; q?: string }
export interface NewStudy { orgId: string; kind: StudyKind; title: string; provider?: string; heldOn: string; hours: number; meetingId?: string; note?: string; memberIds?: string[] }
export interface StudyHoursItem { id: string; name: string; org: { id: string; name: string } | null; hours: number; records: number; members: number }
export interface StudyHours { summary: { hours: number; members: number; records: number }; items: StudyHoursItem[]; total: number; page: number; pageSize: number }

const q = (v: object) => v as unknown as Query;

export const lifeApi = {
  meetings: (p: MeetingFilters & { page: number; pageSize: number; sort?: string }) => http.get<Page<Meeting>>('/life/meetings', q(p)),
  meeting: (id: string) => http.get<MeetingDetail>(`/life/meetings/${id}`),
  plan: (body: MeetingFields & { orgId: string; kind: MeetingKind; title: string; startsAt: string }) => http.post<MeetingDetail>('/life/meetings', body),
  update: (id: string, body: MeetingFields) => http.patch<MeetingDetail>(`/life/meetings/${id}`, body),
  record: (id: string, body: Omit<MeetingFields, 'title' | 'agenda'> & { attendance: AttendanceInput[] }) => http.post<MeetingDetail>(`/life/meetings/${id}/record`, body),
  attendance: (id: string, attendance: AttendanceInput[]) => http.put<MeetingDetail>(`/life/meetings/${id}/attendance`, { attendance }),
  cancel: (id: string, reason: string) => http.post<MeetingDetail>(`/life/meetings/${id}/cancel`, { reason }),
  lock: (id: string) => http.post<MeetingDetail>(`/life/meetings/${id}/lock`),

  ranking: (p: ComplianceQuery) => http.get<ComplianceRanking>('/life/compliance', q(p)),
  branch: (orgId: string, p: { year: number; period: Period }) => http.get<BranchCompliance>(`/life/branches/${orgId}/compliance`, q(p)),

  studies: (p: StudyFilters & { page: number; pageSize: number; sort?: string }) => http.get<Page<StudySession>>('/life/study/sessions', q(p)),
  study: (id: string) => http.get<StudyDetail>(`/life/study/sessions/${id}`),
  createStudy: (body: NewStudy) => http.post<StudyDetail>('/life/study/sessions', body),
  updateStudy: (id: string, body: { title?: string; provider?: string; note?: string }) => http.patch<StudyDetail>(`/life/study/sessions/${id}`, body),
  addRecords: (id: string, body: { memberIds: string[]; hours?: number; studiedOn?: string }) => http.post<StudyDetail>(`/life/study/sessions/${id}/records`, body),
  correctRecord: (id: string, hours: number) => http.patch<StudyDetail>(`/life/study/records/${id}`, { hours }),
  hours: (p: { orgId?: string; year?: number; by: 'member' | 'org'; sort?: string; page: number; pageSize: number }) => http.get<StudyHours>('/life/study/hours', q(p)),
};
