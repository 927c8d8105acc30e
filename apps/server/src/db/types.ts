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
  created_at: Timestamp;
  updated_at: Timestamp;
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
  last_login_at: Date | null;
  last_login_ip: string | null;
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

export interface DB {
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
}
