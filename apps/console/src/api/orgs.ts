// Organisations (党组织): the tree, lists of a subtree, lifecycle, committee, units, stats, history.
import { http, type Query } from './http';
import type { ListParams, Page, TreeNodeData } from './types';

export type OrgStatus = 'active' | 'abolished' | 'merged';
export interface OrgCan { edit: boolean; found: boolean; move: boolean; merge: boolean; abolish: boolean; manageCommittee: boolean }
export interface NamedRef { id: string; name: string; kind: string }

export interface Org {
  id: string;
  parentId: string | null;
  name: string;
  kind: string;
  domain: string | null;
  code: string | null;
  status: OrgStatus;
  placeId: string | null;
  foundedOn: string | null;
  abolishedOn: string | null;
  termStartedOn: string | null;
  termYears: number | null;
  termEndsOn: string | null;
  ownMembers: number;
  subtreeMembers: number;
  children: number;
  can: OrgCan;
}

export interface CommitteeMember {
  id: string;
  memberId: string | null;
  name: string;
  role: string;
  termStart: string;
  termEnd: string | null;
  endedOn: string | null;
}

export interface OrgDetail extends Org {
  contactPhone: string | null;
  note: string;
  mergedInto: { id: string; name: string } | null;
  place: NamedRef | null;
  path: NamedRef[];
  committee: CommitteeMember[];
}

export interface OrgStats {
  orgId: string;
  orgs: { total: number; byKind: Record<string, number>; byDomain: Record<string, number> };
  members: { total: number; byStatus: Record<string, number>; byCategory: Record<string, number> };
  own: { members: number; byStatus: Record<string, number>; children: number };
}

export interface OrgHistoryEntry {
  id: string;
  at: string;
  action: string;
  fromParent: { id: string; name: string } | null;
  toParent: { id: string; name: string } | null;
  details: unknown;
  actor: string | null;
}

export interface OrgFilters { q?: string; kind?: string; domain?: string; status?: OrgStatus | ''; parentId?: string }

/** The fields of the found (POST) and change (PATCH) forms. */
export interface OrgFields {
  name?: string;
  domain?: string | null;
  code?: string | null;
  placeId?: string | null;
  foundedOn?: string | null;
  termStartedOn?: string | null;
  termYears?: number | null;
  contactPhone?: string | null;
  note?: string;
}
export interface OrgFound extends OrgFields { parentId: string; kind: string; name: string }
export interface CommitteeInput { memberId?: string | null; name: string; role: string; termStart: string; termEnd?: string | null }

const enc = encodeURIComponent;

export const orgsApi = {
  children: (parentId?: string) => http.get<TreeNodeData[]>('/orgs/tree', { parentId }),
  list: (params: ListParams & OrgFilters) => http.get<Page<Org>>('/orgs', params as unknown as Query),
  get: (id: string) => http.get<OrgDetail>(`/orgs/${enc(id)}`),
  stats: (id: string) => http.get<OrgStats>(`/orgs/${enc(id)}/stats`),
  history: (id: string) => http.get<OrgHistoryEntry[]>(`/orgs/${enc(id)}/history`),
  found: (input: OrgFound) => http.post<{ id: string }>('/orgs', input),
  update: (id: string, patch: OrgFields) => http.patch<void>(`/orgs/${enc(id)}`, patch),
  move: (id: string, parentId: string, reason: string) => http.post<void>(`/orgs/${enc(id)}/move`, { parentId, reason }),
  merge: (id: string, intoId: string, reason: string) => http.post<{ members: number; children: number }>(`/orgs/${enc(id)}/merge`, { intoId, reason }),
  abolish: (id: string, reason: string, on?: string) => http.post<void>(`/orgs/${enc(id)}/abolish`, { reason, on: on || undefined }),
  units: (id: string) => http.get<NamedRef[]>(`/orgs/${enc(id)}/units`),
  setUnits: (id: string, placeIds: string[]) => http.put<NamedRef[]>(`/orgs/${enc(id)}/units`, { placeIds }),
  committee: (id: string, all = false) => http.get<CommitteeMember[]>(`/orgs/${enc(id)}/committee`, { all: all ? '1' : undefined }),
  addCommittee: (id: string, input: CommitteeInput) => http.post<{ id: string }>(`/orgs/${enc(id)}/committee`, input),
  endCommittee: (committeeId: string, endedOn: string) => http.post<void>(`/orgs/committee/${enc(committeeId)}/end`, { endedOn }),
};
