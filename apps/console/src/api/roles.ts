import { http, type Query } from './http';
import type { ListParams, Page, PermissionInfo, Role } from './types';

export interface RoleCreate { key: string; name: string; description?: string; permissions: string[] }
export interface RolePatch { name?: string; description?: string; permissions?: string[] }

export const rolesApi = {
  list: (params: ListParams & { q?: string }) => http.get<Page<Role>>('/roles', params as unknown as Query),
  /** Answers { id } (201). */
  create: (input: RoleCreate) => http.post<{ id: string }>('/roles', input),
  /** Answers 204. */
  update: (id: string, patch: RolePatch) => http.patch<void>(`/roles/${encodeURIComponent(id)}`, patch),
  remove: (id: string) => http.del(`/roles/${encodeURIComponent(id)}`),
  permissions: () => http.get<PermissionInfo[]>('/permissions'),
  /** Every role, for pickers (the API caps pageSize at 100). */
  async all(): Promise<Role[]> {
    const out: Role[] = [];
    for (let page = 1; page <= 20; page++) {
      const res = await rolesApi.list({ page, pageSize: 100 });
      out.push(...res.items);
      if (out.length >= res.total || res.items.length === 0) break;
    }
    return out;
  },
};
