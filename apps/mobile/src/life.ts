// A member's organisational life and study (issue 5: LIFE-1, LIFE-3): shapes of /api/me/meetings and /api/me/study.
import type { MeetingAttendance, MeetingKind, MeetingStatus, StudyKind } from '@tongxin/contracts';
import { api } from './api';

export interface MyMeeting {
  id: string;
  kind: MeetingKind;
  title: string;
  status: MeetingStatus;
  startsAt: string;
  endsAt: string | null;
  place: string;
  host: string;
  org: { id: string; name: string };
  present: number;
  expected: number;
  quorumMet: boolean | null;
  myAttendance: MeetingAttendance | null;
}
export interface MyMeetingDetail extends MyMeeting {
  agenda: string;
  minutes: string;
  excused: number;
  absent: number;
  votingTotal: number | null;
  votingPresent: number | null;
}
export interface MyStudy {
  year: number | null;
  hours: number;
  allTimeHours: number;
  attended: { present: number; listed: number };
  records: { id: string; kind: StudyKind; title: string; provider: string; org: string; hours: number; studiedOn: string }[];
}

export const lifeApi = {
  meetings: (page: number, status = '') => api<{ items: MyMeeting[]; total: number }>('GET', `/api/me/meetings?page=${page}&pageSize=20${status ? `&status=${status}` : ''}`),
  meeting: (id: string) => api<MyMeetingDetail>('GET', `/api/me/meetings/${encodeURIComponent(id)}`),
  study: (year?: number) => api<MyStudy>('GET', `/api/me/study${year ? `?year=${year}` : ''}`),
};
