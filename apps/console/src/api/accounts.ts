import { download, http, type Query } from './http';
import type { Account, AccountStatus, ListParams, Page, ScopeKind } from './types';

export interface AccountFilters { q?: string; status?: AccountStatus | ''; roleId?: string }
export interface ScopeInput { kind: ScopeKind; id: string }
export interface AccountCreate { username: string; displayName: string; password: string; phone?: string; scopes: ScopeInput[] }
export interface AccountPatch { displayName?: string; phone?: string; scopes?: ScopeInput[] }

export const accountsApi = {
  list: (params: ListParams & AccountFilters) => http.get<Page<Account>>('/accounts', params as unknown as Query),
  get: (id: string) => http.get<Account>(`/accounts/${encodeURIComponent(id)}`),
  phone: (id: string) => http.get<{ phone: string }>(`/accounts/${encodeURIComponent(id)}/phone`),
  create: (input: AccountCreate) => http.post<Account>('/accounts', input),
  update: (id: string, patch: AccountPatch) => http.patch<Account>(`/accounts/${encodeURIComponent(id)}`, patch),
  disable: (id: string) => http.post<Account>(`/accounts/${encodeURIComponent(id)}/disable`),
  enable: (id: string) => http.post<Account>(`/accounts/${encodeURIComponent(id)}/enable`),
  unlock: (id: string) => http.post<Account>(`/accounts/${encodeURIComponent(id)}/unlock`),
  resetPassword: (id: string, newPassword: string) =>
    http.post<void>(`/accounts/${encodeURIComponent(id)}/reset-password`, { newPassword }),
  assignRoles: (id: string, roleIds: string[]) =>
    http.put<Account>(`/accounts/${encodeURIComponent(id)}/roles`, { roleIds }),
  exportXlsx: (filters: AccountFilters & { sort?: string }, fallbackName: string) =>
    download('/accounts/export', filters as Query, fallbackName),
};
