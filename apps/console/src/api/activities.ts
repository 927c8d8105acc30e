// Activities and volunteering (LIFE-2), points (MEM-9), volunteer hours and certificates — issue 5.
import { buildUrl, http } from './http';
import type { Page } from './types';

export type ActivityKind = 'activity' | 'volunteer';
export type ActivityPhase = 'open' | 'closed' | 'ongoing' | 'ended' | 'cancelled';

export interface Activity {
  id: string;
  kind: ActivityKind;
  title: string;
  description: string;
  orgId: string;
  orgName: string;
  placeId: string | null;
  placeName: string | null;
  organiserName: string;
  startsAt: string;
  endsAt: string;
  signupDeadline: string;
  location: string;
  lng: number | null;
  lat: number | null;
  capacity: number;
  skills: string[];
  serviceHours: number;
  contact: string;
  status: 'published' | 'cancelled';
  cancelReason: string | null;
  phase: ActivityPhase;
  points: number;
  counts: { signedUp: number; checkedIn: number; present: number; absent: number };
  left: number;
  can?: { edit: boolean; cancel: boolean; checkIn: boolean; confirm: boolean };
}

export interface ActivityFilters {
  orgId?: string;
  kind?: ActivityKind | '';
  phase?: 'upcoming' | 'ongoing' | 'ended' | 'cancelled' | '';
  q?: string;
  from?: string;
  to?: string;
}

export interface ActivityInput {
  kind: ActivityKind;
  orgId: string;
  title: string;
  description: string;
  placeId: string | null;
  organiserName: string;
  startsAt: string;
  endsAt: string;
  signupDeadline: string | null;
  location: string;
  capacity: number;
  skills: string[];
  serviceHours: number;
  contact: string;
}

export interface Signup {
  id: string;
  memberId: string;
  name: string;
  orgName: string;
  volunteerNumber: string | null;
  status: 'signed_up' | 'cancelled';
  signedUpAt: string;
  cancelledAt: string | null;
  checkedInAt: string | null;
  attendance: 'present' | 'absent' | null;
  hours: number | null;
  confirmedAt: string | null;
}

export interface CheckInScreen {
  activityId: string;
  title: string;
  open: boolean;
  opensAt: string;
  closesAt: string;
  code: string | null;
  path: string | null;
  qr: string | null;
  refreshAt: string | null;
  stepSeconds: number;
  serverTime: string;
  signedUp: number;
  checkedIn: number;
}

export type PointsSource = 'meeting' | 'activity' | 'volunteer' | 'study' | 'case' | 'commitment' | 'correction';
export type RuleSource = Exclude<PointsSource, 'correction'>;
export interface SourceRule { amount: number; unit: 'each' | 'hour'; monthlyCap: number | null }
export interface PointsRules { sources: Record<RuleSource, SourceRule> }

export interface RankRow { rank: number; memberId: string; name: string; orgId: string | null; orgName: string; total: number; entries: number; me: boolean }
export interface Ranking { orgId: string; orgName: string; subtree: boolean; period: string; items: RankRow[]; total: number; page: number; pageSize: number; mine: RankRow | null }

export interface PointsEntry {
  id: string;
  source: PointsSource;
  sourceRef: string;
  ruleKey: string | null;
  ruleAmount: number | null;
  amount: number;
  capped: boolean;
  at: string;
  orgId: string;
  orgName: string;
  note: string;
  correctsId: string | null;
  reason: string | null;
  actorName: string;
}

export interface PointsSummary {
  memberId: string;
  name: string;
  orgId: string;
  orgName: string;
  period: string;
  balance: number;
  periodTotal: number;
  bySource: { source: PointsSource; total: number; entries: number }[];
  branchRank: { rank: number; of: number } | null;
}

export interface RulesView {
  orgId: string;
  today: string;
  inForce: { key: string; orgId: string | null; orgName: string | null; version: string; effectiveFrom: string; title: string; rules: PointsRules };
  own: { id: string; effectiveFrom: string; title: string; rules: PointsRules; createdByName: string; createdAt: string }[];
  platform: { version: string; effectiveFrom: string; title: string; rules: PointsRules }[];
}

export interface VolunteerRow { memberId: string; name: string; orgName: string; volunteerNumber: string | null; hours: number; records: number; totalHours: number; star: number }
export interface HoursRecord {
  id: string; kind: 'service' | 'correction'; activityId: string | null; orgId: string; orgName: string; servedOn: string; hours: number; content: string;
  correctsId: string | null; requestedBy: string | null; approvedByName: string | null; reason: string | null; recordedByName: string; createdAt: string;
}
export interface Certificate { id: string; number: string; orgId: string; orgName: string; issuedOn: string; hours: number; issuedByName: string }
export interface CorrectionRequest {
  id: string; memberId: string; name: string; volunteerNumber: string | null; orgId: string; orgName: string; activityId: string | null; activityTitle: string | null; entryId: string | null;
  hours: number; reason: string; status: 'pending' | 'approved' | 'rejected'; decidedByName: string | null; decidedAt: string | null; decisionNote: string | null; createdAt: string;
}
export interface VolunteerRecord {
  memberId: string;
  name: string;
  volunteerNumber: string | null;
  verifiedHours: number;
  scheduledHours: number;
  star: { level: number; nextLevelHours: number | null; scale: number[]; ruleVersion: string };
  records: HoursRecord[];
  scheduled: { activityId: string; title: string; startsAt: string; hours: number }[];
  organisers: { orgId: string; orgName: string; hours: number }[];
  requests: Omit<CorrectionRequest, 'memberId' | 'name' | 'volunteerNumber' | 'activityTitle'>[];
  certificates: Certificate[];
}

export const activitiesApi = {
  list: (q: ActivityFilters & { page: number; pageSize: number; sort?: string }) => http.get<Page<Activity>>('/activities', { ...q }),
  get: (id: string) => http.get<Activity>(`/activities/${id}`),
  publish: (body: ActivityInput) => http.post<Activity>('/activities', body),
  update: (id: string, body: Partial<ActivityInput>) => http.patch<Activity>(`/activities/${id}`, body),
  cancel: (id: string, reason: string) => http.post<Activity>(`/activities/${id}/cancel`, { reason }),
  signups: (id: string) => http.get<Signup[]>(`/activities/${id}/signups`),
  checkInCode: (id: string) => http.get<CheckInScreen>(`/activities/${id}/check-in-code`),
  confirm: (id: string, items: { signupId: string; attended: boolean; hours?: number }[]) => http.post<Signup[]>(`/activities/${id}/attendance`, { items }),
};

export const pointsApi = {
  ranking: (q: { orgId: string; scope: 'subtree' | 'direct'; period: string; page: number; pageSize: number }) => http.get<Ranking>('/points/rankings', { ...q }),
  member: (memberId: string, period: string) => http.get<PointsSummary>(`/points/members/${memberId}`, { period }),
  entries: (memberId: string, q: { period: string; page: number; pageSize: number }) => http.get<Page<PointsEntry>>(`/points/members/${memberId}/entries`, { ...q }),
  correct: (body: { memberId: string; amount: number; reason: string; correctsId?: string | null }) => http.post<PointsEntry>('/points/corrections', body),
  rules: (orgId: string) => http.get<RulesView>('/points/rules', { orgId }),
  addRules: (body: { orgId: string; effectiveFrom: string; title: string; rules: PointsRules }) => http.post<RulesView>('/points/rules', body),
  publish: (body: { orgId: string; period: string; top: number; cascade: boolean }) => http.post<{ feedItemId: string; title: string; places: number; total: number }>('/points/rankings/publish', body),
};

export const volunteerApi = {
  volunteers: (q: { orgId: string; page: number; pageSize: number }) => http.get<Page<VolunteerRow>>('/volunteer/volunteers', { ...q }),
  member: (memberId: string) => http.get<VolunteerRecord>(`/volunteer/members/${memberId}`),
  correct: (body: { memberId: string; orgId: string; hours: number; reason: string; requestedBy: string; correctsId?: string | null }) => http.post<VolunteerRecord & { id: string }>('/volunteer/corrections', body),
  requests: (q: { orgId: string; status?: string; page: number; pageSize: number }) => http.get<Page<CorrectionRequest>>('/volunteer/correction-requests', { ...q }),
  decide: (id: string, approve: boolean, note: string) => http.post<CorrectionRequest>(`/volunteer/correction-requests/${id}/decision`, { approve, note }),
  issue: (body: { memberId: string; orgId: string; personInCharge?: string; contact?: string }) => http.post<Certificate>('/volunteer/certificates', body),
  printUrl: (id: string) => buildUrl(`/volunteer/certificates/${id}/print`),
};
