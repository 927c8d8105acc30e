// Shapes of the API's responses, as agreed in the API contract.
import type { PermissionKey } from '@tongxin/contracts';

export type ScopeKind = 'org' | 'place';
export interface ScopeRef { kind: ScopeKind; id: string; name: string }
export interface RoleRef { id: string; key: string; name: string }

export interface Me {
  id: string;
  username: string;
  displayName: string;
  roles: RoleRef[];
  permissions: string[];
  scopes: ScopeRef[];
  totpEnabled: boolean;
  totpEnrolmentRequired: boolean;
  /** The password was set by an administrator (or printed at first start): change it first. */
  mustChangePassword: boolean;
  /** Optional: when the server reports it, the home page shows it. */
  lastLoginAt?: string | null;
  /** Set when this is a party member's own login. */
  memberId?: string | null;
}

export interface Page<T> { items: T[]; total: number; page: number; pageSize: number }

export interface ListParams {
  page: number;
  pageSize: number;
  sort?: string;
}

export type AccountStatus = 'active' | 'disabled';

export interface Account {
  id: string;
  username: string;
  displayName: string;
  phoneMasked: string | null;
  status: AccountStatus;
  lockedUntil: string | null;
  totpEnabled: boolean;
  roles: RoleRef[];
  scopes: ScopeRef[];
  lastLoginAt: string | null;
  createdAt: string;
  can: {
    edit: boolean;
    disable: boolean;
    enable: boolean;
    resetPassword: boolean;
    assignRoles: boolean;
    unlock: boolean;
    revealPhone: boolean;
  };
}

export interface Role {
  id: string;
  key: string;
  name: string;
  description: string | null;
  builtin: boolean;
  permissions: string[];
  accountCount: number;
  can: { edit: boolean; delete: boolean };
}

export type PermissionGroupKey = 'directory' | 'system' | 'security' | 'audit' | 'business' | (string & {});
export interface PermissionInfo { key: PermissionKey | string; zh: string; en: string; group: PermissionGroupKey }

export type AuditResult = 'ok' | 'denied' | 'failed';
export interface AuditEntry {
  id: string;
  seq: number | string;
  at: string;
  actorId: string | null;
  actorName: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  targetLabel: string | null;
  result: AuditResult;
  ip: string | null;
  changes: Record<string, unknown> | null;
  reason: string | null;
  hash: string;
}

export interface AuditVerifyResult {
  ok: boolean;
  checked: number;
  /** reason: 'hash' (content altered), 'link' (chain link broken), 'gap' (rows missing). */
  firstBroken: null | { seq: number | string; at: string; id?: string; reason?: string };
}

export interface TreeNodeData {
  id: string;
  name: string;
  kind: string;
  code?: string;
  hasChildren: boolean;
}
