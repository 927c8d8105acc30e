import type { ColumnType, Generated } from 'kysely';

// Row types of every table, as Kysely sees them. bigint ids are strings (see database.ts).
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Id = Generated<string>;

export interface PlacesTable {
  id: Id;
  parent_id: string | null;
  kind: string;
  name: string;
  code: string | null;
  sort_order: Generated<number>;
  geometry: ColumnType<unknown, string | null | undefined, string | null>;
  bbox: number[] | null;
  lng: number | null;
  lat: number | null;
  address: string | null;
  floors: number | null;
  building_use: string | null;
  households: number | null;
  units: number | null;
  attributes: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ClosureTable {
  ancestor_id: string;
  descendant_id: string;
  depth: number;
}

export interface OrgsTable {
  id: Id;
  parent_id: string | null;
  kind: string;
  domain: string | null;
  name: string;
  place_id: string | null;
  sort_order: Generated<number>;
  founded_on: string | null;
  abolished_on: string | null;
  status: Generated<'active' | 'abolished' | 'merged'>;
  code: string | null;
  merged_into_id: string | null;
  term_started_on: string | null;
  term_years: number | null;
  contact_phone: string | null;
  note: Generated<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OrgUnitsTable {
  org_id: string;
  place_id: string;
}

export interface OrgCommitteeMembersTable {
  id: Id;
  org_id: string;
  member_id: string | null;
  name: string;
  role: string;
  term_start: string;
  term_end: string | null;
  ended_on: string | null;
  created_at: Timestamp;
}

export interface OrgHistoryTable {
  id: Id;
  org_id: string;
  at: Timestamp;
  action: string;
  from_parent: string | null;
  to_parent: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  actor_id: string | null;
}

export interface OrgCountsTable {
  org_id: string;
  dim: string;
  key: string;
  n: number;
}

export interface MembersTable {
  id: Id;
  name: string;
  gender: 'male' | 'female';
  birth_date: string;
  ethnicity: Generated<string>;
  id_number_enc: string;
  id_number_hmac: string;
  id_number_masked: string;
  phone_enc: string | null;
  phone_hmac: string | null;
  phone_masked: string | null;
  status: 'probationary' | 'full';
  joined_on: string;
  full_on: string | null;
  category: string;
  education: string | null;
  occupation: string | null;
  work_unit: string | null;
  skills: ColumnType<string[], string[] | undefined, string[]>;
  interests: ColumnType<string[], string[] | undefined, string[]>;
  org_id: string;
  residence_place_id: string | null;
  work_place_id: string | null;
  state: Generated<'active' | 'transferred_out' | 'deceased' | 'left'>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MemberMovesTable {
  id: Id;
  member_id: string;
  at: Timestamp;
  kind: string;
  from_org_id: string | null;
  to_org_id: string | null;
  reason: Generated<string>;
  actor_id: string | null;
}

export interface CommunityRegistrationsTable {
  id: Id;
  member_id: string;
  community_id: string;
  registered_on: string;
  ended_on: string | null;
  note: Generated<string>;
}

export interface CommunityReviewsTable {
  id: Id;
  registration_id: string;
  year: number;
  result: string;
  services: Generated<number>;
  note: Generated<string>;
  reviewed_on: string;
}

export interface MobileRecordsTable {
  id: Id;
  member_id: string;
  direction: 'outflow' | 'inflow';
  place_text: string;
  contact_org_id: string | null;
  card_number: string | null;
  started_on: string;
  ended_on: string | null;
  note: Generated<string>;
}

export interface DifficultyRecordsTable {
  id: Id;
  member_id: string;
  kind: string;
  level: string;
  detail_enc: string | null;
  since: string;
  ended_on: string | null;
}

export interface AssistanceVisitsTable {
  id: Id;
  record_id: string;
  visited_on: string;
  visitor: string;
  amount: ColumnType<number, number | string | undefined, number | string>;
  note: Generated<string>;
}

export interface RuleSetsTable {
  id: Id;
  key: string;
  version: string;
  effective_from: string;
  title: string;
  rules: ColumnType<Record<string, unknown>, string, string>;
  created_at: Timestamp;
}

export interface RolesTable {
  id: Generated<string>;
  key: string;
  name: string;
  description: Generated<string>;
  builtin: Generated<boolean>;
  permissions: ColumnType<string[], string[] | undefined, string[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AccountsTable {
  id: Generated<string>;
  username: string;
  display_name: string;
  password_hash: string;
  phone_enc: string | null;
  phone_hmac: string | null;
  phone_masked: string | null;
  status: Generated<'active' | 'disabled'>;
  failed_logins: Generated<number>;
  locked_until: Date | null;
  totp_secret_enc: string | null;
  totp_pending_enc: string | null;
  totp_enabled: Generated<boolean>;
  totp_last_step: string | null;
  password_changed_at: Timestamp;
  must_change_password: Generated<boolean>;
  last_login_at: Date | null;
  previous_login_at: Date | null;
  last_login_ip: string | null;
  /** The party member whose own login this is (issue 5). */
  member_id: string | null;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AccountRolesTable {
  account_id: string;
  role_id: string;
}

export interface AccountScopesTable {
  account_id: string;
  kind: 'org' | 'place';
  node_id: string;
}

export interface SessionsTable {
  id: string;
  account_id: string;
  kind: 'cookie' | 'bearer';
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Date;
  revoked_at: Date | null;
  ip: string | null;
  user_agent: string | null;
}

export interface AuditLogTable {
  seq: string;
  at: Date;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  target_label: string | null;
  result: 'ok' | 'denied' | 'failed';
  reason: string | null;
  ip: string | null;
  changes: ColumnType<unknown, string | null, never>;
  prev_hash: string;
  hash: string;
}

export interface PlatformMetaTable {
  key: string;
  value: string;
  updated_at: Timestamp;
}

// Cases: whistle and report (issue 4)
export interface CaseCategoriesTable {
  id: Id;
  code: string;
  name_zh: string;
  name_en: string;
  group_name: Generated<string>;
  description: Generated<string>;
  default_priority: Generated<string>;
  anonymous_allowed: Generated<boolean>;
  deadline_hours: ColumnType<Record<string, number>, string | undefined, string>;
  active: Generated<boolean>;
  sort_order: Generated<number>;
  /** offered to Open311 clients (migration 0009) */
  open311_public: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DepartmentsTable {
  id: Id;
  code: string | null;
  name: string;
  kind: string;
  place_id: string;
  phone: string | null;
  active: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DepartmentStaffTable {
  department_id: string;
  account_id: string;
}

export interface CaseRoutesTable {
  place_id: string;
  category_id: string;
  department_ids: ColumnType<string[], string[], string[]>;
  updated_at: Timestamp;
}

export interface CaseCountersTable {
  day: string;
  n: number;
}

export interface CasesTable {
  id: Id;
  number: string;
  category_id: string;
  description: string;
  lng: number;
  lat: number;
  address: Generated<string>;
  grid_id: string;
  community_id: string | null;
  street_id: string | null;
  district_id: string | null;
  source: string;
  source_ref: string | null;
  reporter_account_id: string | null;
  reporter_label: string | null;
  tracking_code_hash: string | null;
  priority: string;
  state: Generated<string>;
  owner_place_id: string;
  owner_level: string;
  level: string;
  level_place_id: string;
  card: Generated<string>;
  attachments: ColumnType<string[], string[] | undefined, string[]>;
  reject_reason: string | null;
  first_due_at: Date | null;
  due_at: Date | null;
  red_at: Date | null;
  created_at: Timestamp;
  filed_at: Date | null;
  dispatched_at: Date | null;
  acknowledged_at: Date | null;
  handled_at: Date | null;
  closed_at: Date | null;
  rated_at: Date | null;
  rating: string | null;
  rating_note: string | null;
  reopen_count: Generated<number>;
  updated_at: Timestamp;
}

export interface CaseFollowersTable {
  case_id: string;
  account_id: string;
  at: Timestamp;
}

export interface NotificationsTable {
  id: Id;
  account_id: string;
  kind: string;
  title: string;
  body: Generated<string>;
  case_id: string | null;
  created_at: Timestamp;
  read_at: Date | null;
}

export interface CaseWhistlesTable {
  id: Id;
  case_id: string;
  department_id: string;
  kind: string;
  whistled_at: Timestamp;
  whistled_by: string | null;
  level: string;
  report_due_at: Date;
  reported_at: Date | null;
  reported_by: string | null;
  report_overdue: Generated<boolean>;
  result_due_at: Date;
  result_at: Date | null;
  result_by: string | null;
  result_note: string | null;
  result_attachments: ColumnType<string[], string[] | undefined, string[]>;
  street_rating: string | null;
  street_rating_note: string | null;
  rated_at: Date | null;
  rated_by: string | null;
}

export interface CaseEventsTable {
  id: Id;
  case_id: string;
  at: Timestamp;
  actor_id: string | null;
  actor_name: string;
  action: string;
  from_state: string | null;
  to_state: string | null;
  level: string | null;
  note: Generated<string>;
  attachments: ColumnType<string[], string[] | undefined, string[]>;
  department_id: string | null;
  whistle_id: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
}

export interface CaseDeadlinesTable {
  id: Id;
  case_id: string;
  whistle_id: string | null;
  kind: 'case_due' | 'case_red' | 'whistle_report';
  due_at: Date;
  processed_at: Date | null;
  outcome: string | null;
}

export interface FilesTable {
  id: Generated<string>;
  sha256: string;
  mime: string;
  size: number;
  width: number | null;
  height: number | null;
  gps_lng: number | null;
  gps_lat: number | null;
  thumbnail_key: string | null;
  uploaded_by: string | null;
  created_at: Timestamp;
  /** anonymous uploads (migration 0011): sha256 of the one-time token, its expiry, the client address, when a report claimed it */
  upload_token_hash: string | null;
  upload_expires_at: Date | null;
  upload_ip: string | null;
  claimed_at: Date | null;
  /** documents (migration 0017): the name as uploaded, cleaned; null for photos */
  name: string | null;
}

export interface Open311KeysTable {
  id: Generated<string>;
  name: string;
  key_hash: string;
  created_by: string | null;
  created_at: Timestamp;
  revoked_at: Date | null;
}

export interface OtpCodesTable {
  id: Generated<string>;
  phone_hmac: string;
  code_hash: string;
  expires_at: Date;
  attempts: Generated<number>;
  consumed_at: Date | null;
  ip: string | null;
  created_at: Generated<Date>;
}

/** The branch feed (migration 0011_feed). */
export interface FeedItemsTable {
  id: Id;
  org_id: string;
  kind: 'notice' | 'meeting' | 'activity' | 'vote_result' | 'new_member' | 'points_ranking' | 'commitment' | 'study';
  title: string;
  body: Generated<string>;
  attachments: ColumnType<string[], string[] | undefined, string[]>;
  cascade: Generated<boolean>;
  internal: Generated<boolean>;
  author_id: string | null;
  author_name: string;
  ref_type: string | null;
  ref_id: string | null;
  created_at: Timestamp;
  withdrawn_at: Date | null;
  withdrawn_by: string | null;
}

export interface FeedReadsTable {
  member_id: string;
  read_up_to: string;
  updated_at: Timestamp;
}

/** Members' yearly commitments and their fulfilment (migration 0011_feed). */
export interface CommitmentsTable {
  id: Id;
  member_id: string;
  org_id: string;
  year: number;
  status: Generated<'published' | 'locked'>;
  rule_version: string;
  published_at: Timestamp;
  updated_at: Timestamp;
  locked_at: Date | null;
  locked_by: string | null;
}

export interface CommitmentItemsTable {
  id: Id;
  commitment_id: string;
  position: number;
  text: string;
  status: Generated<'pending' | 'in_progress' | 'fulfilled' | 'not_fulfilled'>;
}

export interface CommitmentFulfilmentsTable {
  id: Id;
  item_id: string;
  status: 'in_progress' | 'fulfilled' | 'not_fulfilled';
  note: string;
  evidence: ColumnType<string[], string[] | undefined, string[]>;
  recorded_on: string;
  recorded_by: string | null;
  recorder_name: string;
  created_at: Timestamp;
}

/** Points ledger and rules (issue 5, MEM-9; migration 0012). */
export interface PointsRuleVersionsTable {
  id: Id;
  org_id: string;
  effective_from: string;
  title: Generated<string>;
  rules: ColumnType<Record<string, unknown>, string, string>;
  created_by: string | null;
  created_by_name: string;
  created_at: Timestamp;
}

export interface PointsEntriesTable {
  id: Id;
  member_id: string;
  org_id: string;
  source: 'meeting' | 'activity' | 'volunteer' | 'study' | 'case' | 'commitment' | 'correction';
  source_ref: string;
  rule_key: string | null;
  rule_amount: number | null;
  amount: number;
  at: Timestamp;
  note: Generated<string>;
  corrects_id: string | null;
  reason: string | null;
  actor_id: string | null;
  actor_name: string;
  created_at: Timestamp;
}

/** Activities, volunteer jobs, sign-ups and volunteer hours (issue 5, LIFE-2; migration 0012). */
export interface ActivitiesTable {
  id: Id;
  kind: 'activity' | 'volunteer';
  title: string;
  description: Generated<string>;
  org_id: string;
  place_id: string | null;
  organiser_name: Generated<string>;
  starts_at: Timestamp;
  ends_at: Timestamp;
  signup_deadline: Timestamp;
  location: string;
  lng: number | null;
  lat: number | null;
  capacity: number;
  skills: ColumnType<string[], string[] | undefined, string[]>;
  service_hours: ColumnType<number, number | string | undefined, number | string>;
  contact: Generated<string>;
  status: Generated<'published' | 'cancelled'>;
  cancel_reason: string | null;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ActivitySignupsTable {
  id: Id;
  activity_id: string;
  member_id: string;
  status: Generated<'signed_up' | 'cancelled'>;
  signed_up_at: Timestamp;
  cancelled_at: Date | null;
  checked_in_at: Date | null;
  attendance: 'present' | 'absent' | null;
  hours: ColumnType<number | null, number | string | null | undefined, number | string | null>;
  confirmed_at: Date | null;
  confirmed_by: string | null;
}

export interface VolunteersTable {
  member_id: string;
  number: string;
  registered_at: Timestamp;
}

export interface VolunteerHoursTable {
  id: Id;
  member_id: string;
  kind: 'service' | 'correction';
  activity_id: string | null;
  org_id: string;
  served_on: string;
  hours: ColumnType<number, number | string, number | string>;
  content: string;
  corrects_id: string | null;
  requested_by: string | null;
  approved_by: string | null;
  approved_by_name: string | null;
  reason: string | null;
  recorded_by: string | null;
  recorded_by_name: string;
  created_at: Timestamp;
}

export interface VolunteerCorrectionRequestsTable {
  id: Id;
  member_id: string;
  org_id: string;
  activity_id: string | null;
  entry_id: string | null;
  hours: ColumnType<number, number | string, number | string>;
  reason: string;
  status: Generated<'pending' | 'approved' | 'rejected'>;
  decided_by: string | null;
  decided_by_name: string | null;
  decided_at: Date | null;
  decision_note: string | null;
  correction_id: string | null;
  created_at: Timestamp;
}

export interface VolunteerCertificatesTable {
  id: Id;
  number: string;
  member_id: string;
  org_id: string;
  issued_on: string;
  hours: ColumnType<number, number | string, number | string>;
  content: ColumnType<Record<string, unknown>, string, string>;
  issued_by: string | null;
  issued_by_name: string;
  created_at: Timestamp;
}

// organisational life and study (migration 0014_org_life)
export type MeetingKindColumn = 'general_meeting' | 'committee_meeting' | 'group_meeting' | 'lecture' | 'theme_day' | 'life_meeting' | 'member_review' | 'talk';

export interface MeetingsTable {
  id: Id;
  org_id: string;
  branch_id: string;
  kind: MeetingKindColumn;
  title: string;
  status: Generated<'planned' | 'held' | 'cancelled'>;
  starts_at: Timestamp;
  ends_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  held_on: string | null;
  place: Generated<string>;
  host: Generated<string>;
  recorder: Generated<string>;
  agenda: Generated<string>;
  minutes: Generated<string>;
  attachments: ColumnType<string[], string[] | undefined, string[]>;
  expected: Generated<number>;
  present: Generated<number>;
  excused: Generated<number>;
  absent: Generated<number>;
  voting_total: number | null;
  voting_present: number | null;
  quorum_met: boolean | null;
  counts: Generated<boolean>;
  rule_version: string | null;
  cancel_reason: string | null;
  locked_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  locked_by: string | null;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MeetingAttendanceTable {
  meeting_id: string;
  member_id: string;
  status: 'present' | 'excused' | 'absent';
  voting: boolean;
  note: Generated<string>;
}

export interface StudySessionsTable {
  id: Id;
  org_id: string;
  kind: 'first_agenda' | 'course' | 'lecture';
  title: string;
  provider: Generated<string>;
  held_on: string;
  hours: number;
  meeting_id: string | null;
  note: Generated<string>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface StudyRecordsTable {
  id: Id;
  session_id: string;
  member_id: string;
  org_id: string;
  hours: number;
  studied_on: string;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DB {
  platform_meta: PlatformMetaTable;
  rate_windows: RateWindowsTable;
  places: PlacesTable;
  place_closure: ClosureTable;
  orgs: OrgsTable;
  org_closure: ClosureTable;
  roles: RolesTable;
  accounts: AccountsTable;
  account_roles: AccountRolesTable;
  account_scopes: AccountScopesTable;
  sessions: SessionsTable;
  audit_log: AuditLogTable;
  org_units: OrgUnitsTable;
  org_committee_members: OrgCommitteeMembersTable;
  org_history: OrgHistoryTable;
  org_counts: OrgCountsTable;
  members: MembersTable;
  member_moves: MemberMovesTable;
  community_registrations: CommunityRegistrationsTable;
  community_reviews: CommunityReviewsTable;
  mobile_records: MobileRecordsTable;
  difficulty_records: DifficultyRecordsTable;
  assistance_visits: AssistanceVisitsTable;
  rule_sets: RuleSetsTable;
  case_categories: CaseCategoriesTable;
  departments: DepartmentsTable;
  department_staff: DepartmentStaffTable;
  case_routes: CaseRoutesTable;
  case_counters: CaseCountersTable;
  cases: CasesTable;
  case_followers: CaseFollowersTable;
  case_whistles: CaseWhistlesTable;
  case_events: CaseEventsTable;
  case_deadlines: CaseDeadlinesTable;
  files: FilesTable;
  open311_keys: Open311KeysTable;
  notifications: NotificationsTable;
  otp_codes: OtpCodesTable;
  points_rule_versions: PointsRuleVersionsTable;
  points_entries: PointsEntriesTable;
  activities: ActivitiesTable;
  activity_signups: ActivitySignupsTable;
  volunteers: VolunteersTable;
  volunteer_hours: VolunteerHoursTable;
  volunteer_correction_requests: VolunteerCorrectionRequestsTable;
  volunteer_certificates: VolunteerCertificatesTable;
  feed_items: FeedItemsTable;
  feed_reads: FeedReadsTable;
  commitments: CommitmentsTable;
  commitment_items: CommitmentItemsTable;
  commitment_fulfilments: CommitmentFulfilmentsTable;
  meetings: MeetingsTable;
  meeting_attendance: MeetingAttendanceTable;
  study_sessions: StudySessionsTable;
  study_records: StudyRecordsTable;
}

export interface RateWindowsTable {
  key: string;
  started_at: Date;
  hits: number;
}
