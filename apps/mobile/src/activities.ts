// A member's activities, points and volunteer hours (issue 5: LIFE-2, MEM-9): shapes of the answers.
export type ActivityKind = 'activity' | 'volunteer';
export interface MySignup {
  status: 'signed_up' | 'cancelled';
  signedUpAt: string;
  cancelledAt: string | null;
  checkedInAt: string | null;
  attendance: 'present' | 'absent' | null;
  hours: number | null;
}
export interface Activity {
  id: string;
  kind: ActivityKind;
  title: string;
  description: string;
  orgName: string;
  placeName: string | null;
  organiserName: string;
  startsAt: string;
  endsAt: string;
  signupDeadline: string;
  location: string;
  capacity: number;
  skills: string[];
  serviceHours: number;
  contact: string;
  status: 'published' | 'cancelled';
  cancelReason: string | null;
  phase: 'open' | 'closed' | 'ongoing' | 'ended' | 'cancelled';
  points: number;
  counts: { signedUp: number; checkedIn: number };
  left: number;
  mine?: MySignup | null;
  audience?: 'org' | 'residence' | 'registered';
  skillsMatch?: boolean;
}
export interface MyActivity extends Activity {
  checkInOpensAt: string;
  checkInClosesAt: string;
}
export interface Menu {
  items: Activity[];
  total: number;
  page: number;
  pageSize: number;
  skills: string[];
}

export type PointsSource = 'meeting' | 'activity' | 'volunteer' | 'study' | 'case' | 'commitment' | 'correction';
export interface PointsSummary {
  name: string;
  orgName: string;
  period: string;
  balance: number;
  periodTotal: number;
  bySource: { source: PointsSource; total: number; entries: number }[];
  branchRank: { rank: number; of: number } | null;
}
export interface PointsEntry {
  id: string;
  source: PointsSource;
  amount: number;
  capped: boolean;
  ruleAmount: number | null;
  at: string;
  note: string;
  reason: string | null;
  orgName: string;
}
export interface RankRow { rank: number; memberId: string; name: string; total: number; entries: number; me: boolean }
export interface Ranking { orgName: string; period: string; items: RankRow[]; total: number; mine: RankRow | null }

export interface Volunteer {
  volunteerNumber: string | null;
  verifiedHours: number;
  scheduledHours: number;
  star: { level: number; nextLevelHours: number | null; scale: number[] };
  records: { id: string; kind: 'service' | 'correction'; activityId: string | null; orgId: string; orgName: string; servedOn: string; hours: number; content: string; requestedBy: string | null; approvedByName: string | null; reason: string | null }[];
  scheduled: { activityId: string; title: string; startsAt: string; hours: number }[];
  organisers: { orgId: string; orgName: string; hours: number }[];
  requests: { id: string; orgName: string; hours: number; reason: string; status: 'pending' | 'approved' | 'rejected'; decisionNote: string | null; createdAt: string }[];
  certificates: { id: string; number: string; orgName: string; issuedOn: string; hours: number }[];
}

/** The check-in code from a scanned QR code: the URL of the check-in page, or the bare code. */
export function codeFromScan(text: string): { activityId: string | null; code: string } | null {
  const t = text.trim();
  const m = /\/activities\/(\d+)\/check-in\?(?:.*&)?code=([0-9A-Za-z-]+)/.exec(t);
  if (m) return { activityId: m[1]!, code: m[2]! };
  return /^[0-9A-Za-z]{4}-?[0-9A-Za-z]{4}$/.test(t) ? { activityId: null, code: t } : null;
}
