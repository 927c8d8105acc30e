// Cases (吹哨报到, issue 4): the list, one case with its timeline and whistles, the workflow actions,
// the department inbox, the rates ranking and the configuration (categories, departments, routing).
import { http } from './http';
import type { ListParams, Page } from './types';

export type CaseView = 'area' | 'mine' | 'department';
export interface Named { id: string; name: string }

export interface CaseSummary {
  id: string;
  number: string;
  category: { code: string; name: string; nameEn: string };
  description: string;
  lng: number;
  lat: number;
  address: string;
  state: string;
  priority: string;
  source: string;
  level: string;
  levelPlace: Named;
  grid: Named;
  communityId: string | null;
  streetId: string | null;
  card: string;
  overdue: boolean;
  dueAt: string | null;
  createdAt: string;
  updatedAt: string;
  dispatchedAt: string | null;
  closedAt: string | null;
  rating: string | null;
  attachments: string[];
}
export interface CasePage extends Page<CaseSummary> { view: string }

export interface CaseFilters {
  view?: CaseView | '';
  state?: string;
  category?: string;
  level?: string;
  placeId?: string;
  overdue?: string;
  card?: string;
  q?: string;
  from?: string;
  to?: string;
}

export interface TimelineEntry {
  id: string; at: string; actor: string; action: string; fromState: string | null; toState: string | null; level: string | null;
  note: string; attachments: string[]; department: Named | null; whistleId: string | null; details: Record<string, unknown>;
}
export interface Whistle {
  id: string; department: { id: string; name: string; kind: string }; kind: string; level: string;
  whistledAt: string; reportDueAt: string; reportedAt: string | null; reportOverdue: boolean;
  resultDueAt: string; resultAt: string | null; resultNote: string | null; resultAttachments: string[]; streetRating: string | null;
}
export interface DepartmentRef { id: string; name: string; kind: string }
export interface CaseDetail extends Omit<CaseSummary, 'category'> {
  category: { code: string; name: string; nameEn: string; anonymousAllowed: boolean };
  community: Named | null;
  street: Named | null;
  district: Named | null;
  owner: { level: string; place: Named };
  reporter: { username: string; displayName: string };
  sourceRef: string | null;
  rejectReason: string | null;
  firstDueAt: string | null;
  redAt: string | null;
  filedAt: string | null;
  acknowledgedAt: string | null;
  handledAt: string | null;
  ratedAt: string | null;
  ratingNote: string | null;
  reopenCount: number;
  reopenLimit: number;
  followers: number;
  mine: { reporter: boolean; follower: boolean; departments: string[] };
  whistles: Whistle[];
  proposedDepartments: { fromPlaceId: string | null; departments: DepartmentRef[] };
  timeline: TimelineEntry[];
  can: Record<string, boolean>;
}

export interface InboxItem {
  whistleId: string; caseId: string; number: string; category: string; description: string; address: string; lng: number; lat: number; caseState: string; street: string;
  department: Named; kind: string; whistledAt: string; reportDueAt: string; reportedAt: string | null; reportOverdue: boolean; resultDueAt: string; resultAt: string | null;
  status: 'awaiting_report' | 'awaiting_result' | 'done';
}

export type RateUnitKind = 'grid' | 'community' | 'street' | 'department';
export interface RateItem {
  rank: number; unit: { id: string; name: string; kind: string };
  cases: number; valid: number; dispatched: number; responded: number; resolved: number; rated: number; satisfied: number; basicallySatisfied: number;
  whistled: number; handled: number; onTime: number;
  responseRate: number | null; resolutionRate: number | null; satisfactionRate: number | null; composite: number | null; whistleRate: number | null; onTimeRate: number | null;
}
export interface RatesReport {
  unitKind: string; from: string; to: string;
  ruleSet: { key: string; version: string; weights: { response: number; resolution: number; satisfaction: number }; basicallySatisfiedWeight: number };
  items: RateItem[];
}

export type Priority = 'emergency' | 'urgent' | 'general' | 'complex';
export interface Category {
  code: string; name: string; nameEn: string; group: string; description: string; defaultPriority: string;
  anonymousAllowed: boolean; deadlineHours: Record<string, number>; active: boolean; sortOrder: number;
  /** offered to Open311 clients as a service */
  open311Public: boolean;
}
export interface CategoryInput {
  name: string; nameEn: string; group?: string; description?: string; defaultPriority: string; anonymousAllowed: boolean;
  deadlineHours?: Partial<Record<Priority, number>>; active?: boolean; sortOrder?: number; open311Public?: boolean;
}
export interface Department {
  id: string; code: string | null; name: string; kind: string; place: Named; phone: string | null; active: boolean;
  staff: { id: string; username: string; displayName: string }[];
}
export interface DepartmentInput { code?: string | null; name: string; kind: string; placeId: string; phone?: string | null; active?: boolean }
export interface RouteEntry {
  place: { id: string; name: string; kind: string };
  category: { code: string; name: string };
  departments: DepartmentRef[];
  updatedAt: string;
}

const ok = { ok: true } as const;
type Ok = typeof ok;
const enc = encodeURIComponent;

export const casesApi = {
  list: (p: ListParams & CaseFilters) => http.get<CasePage>('/cases', { ...p }),
  get: (id: string) => http.get<CaseDetail>(`/cases/${enc(id)}`),
  file: (id: string, body: { note?: string; priority?: string }) => http.post<Ok>(`/cases/${enc(id)}/file`, body),
  reject: (id: string, body: { reason: string }) => http.post<Ok>(`/cases/${enc(id)}/reject`, body),
  dispatch: (id: string, body: { note?: string; level?: string }) => http.post<Ok>(`/cases/${enc(id)}/dispatch`, body),
  accept: (id: string, body: { note?: string }) => http.post<Ok>(`/cases/${enc(id)}/accept`, body),
  escalate: (id: string, body: { note: string }) => http.post<Ok>(`/cases/${enc(id)}/escalate`, body),
  whistle: (id: string, body: { kind: string; departmentIds: string[]; note: string }) => http.post<{ id: string; departmentId: string }[]>(`/cases/${enc(id)}/whistle`, body),
  handled: (id: string, body: { note: string }) => http.post<Ok>(`/cases/${enc(id)}/handled`, body),
  departmentReport: (id: string, body: { departmentId?: string; note: string }) => http.post<{ whistleId: string }>(`/cases/${enc(id)}/department/report`, body),
  departmentResult: (id: string, body: { departmentId?: string; note: string }) => http.post<{ whistleId: string }>(`/cases/${enc(id)}/department/result`, body),
  rateDepartment: (id: string, whistleId: string, body: { rating: string; note?: string }) => http.post<Ok>(`/cases/${enc(id)}/whistles/${enc(whistleId)}/rate`, body),
  startVerification: (id: string, body: { note?: string }) => http.post<Ok>(`/cases/${enc(id)}/verify/start`, body),
  verify: (id: string, body: { passed: boolean; note?: string }) => http.post<Ok>(`/cases/${enc(id)}/verify`, body),
  card: (id: string, body: { card: 'yellow' | 'red'; note: string }) => http.post<Ok>(`/cases/${enc(id)}/card`, body),
  rate: (id: string, body: { rating: string; note?: string }) => http.post<Ok>(`/cases/${enc(id)}/rate`, body),
  reopen: (id: string, body: { note: string }) => http.post<Ok>(`/cases/${enc(id)}/reopen`, body),
  inbox: (done = false) => http.get<InboxItem[]>('/cases/inbox', { done: done ? '1' : undefined }),
  rates: (q: { unitKind: RateUnitKind; from?: string; to?: string }) => http.get<RatesReport>('/cases/rates', { ...q }),
  categories: (all = false) => http.get<Category[]>('/cases/categories', { all: all ? '1' : undefined }),
  createCategory: (body: CategoryInput & { code: string }) => http.post<Category>('/cases/categories', body),
  updateCategory: (code: string, body: CategoryInput) => http.put<Category>(`/cases/categories/${enc(code)}`, body),
  departments: (placeId?: string) => http.get<Department[]>('/cases/departments', { placeId }),
  createDepartment: (body: DepartmentInput) => http.post<Department>('/cases/departments', body),
  updateDepartment: (id: string, body: DepartmentInput) => http.put<Department>(`/cases/departments/${enc(id)}`, body),
  setStaff: (id: string, accountIds: string[]) => http.put<Department>(`/cases/departments/${enc(id)}/staff`, { accountIds }),
  routes: (q: { placeId?: string; category?: string } = {}) => http.get<RouteEntry[]>('/cases/routing', q),
  saveRoute: (body: { placeId: string; categoryCode: string; departmentIds: string[] }) => http.put<void>('/cases/routing', body),
  /** Whether the files API serves thumbnails (it may not be deployed yet). */
  async thumbnailsAvailable(fileId: string): Promise<boolean> {
    try {
      const res = await fetch(`/api/files/${enc(fileId)}/thumbnail`, { method: 'HEAD', credentials: 'same-origin' });
      return res.ok;
    } catch {
      return false;
    }
  },
};
