// Member files (一党员一档案): search, create, change, move, leave, registers, import and export.
import { download, http, type Query } from './http';
import type { ListParams, Page } from './types';

export type MemberState = 'active' | 'transferred_out' | 'deceased' | 'left';
export interface MemberCan {
  edit: boolean;
  move: boolean;
  leave: boolean;
  revealSensitive: boolean;
  registerCommunity: boolean;
  review: boolean;
  addMobileRecord: boolean;
  addDifficulty: boolean;
}

export interface Member {
  id: string;
  name: string;
  gender: string;
  birthDate: string;
  ethnicity: string;
  idNumberMasked: string;
  phoneMasked: string | null;
  status: string;
  joinedOn: string;
  fullOn: string | null;
  category: string;
  education: string | null;
  occupation: string | null;
  workUnit: string | null;
  skills: string[];
  interests: string[];
  orgId: string;
  orgName: string;
  residencePlaceId: string | null;
  residenceName: string | null;
  workPlaceId: string | null;
  workPlaceName: string | null;
  state: MemberState;
  registered: boolean;
  can: MemberCan;
}

export interface MemberMove { id: string; at: string; kind: string; fromOrgId: string | null; fromOrgName: string | null; toOrgId: string | null; toOrgName: string | null; reason: string }
export interface Review { id: string; year: number; result: string; services: number; note: string; reviewedOn: string }
export interface Registration { id: string; communityId: string; communityName: string; registeredOn: string; endedOn: string | null; note: string; reviews: Review[] }
export interface MobileRecord { id: string; memberId: string; direction: string; placeText: string; contactOrgId: string | null; contactOrgName: string | null; cardNumber: string | null; startedOn: string; endedOn: string | null; note: string }
export interface Visit { id: string; recordId: string; visitedOn: string; visitor: string; amount: number; note: string }
export interface DifficultyRecord { id: string; memberId: string; kind: string; level: string; since: string; endedOn: string | null; hasDetail: boolean; visits: Visit[]; totals: { visits: number; amount: number } }

export interface MemberFile extends Member {
  createdAt: string;
  updatedAt: string;
  orgPath: { id: string; name: string; kind: string }[];
  history: MemberMove[];
  registrations: Registration[];
  mobileRecords: MobileRecord[];
  difficultyRecords: DifficultyRecord[];
  assistanceTotals: { visits: number; amount: number };
}

export interface MemberFilters {
  q?: string;
  idNumber?: string;
  phone?: string;
  orgId?: string;
  category?: string;
  status?: string;
  state?: MemberState | 'all' | '';
  notRegistered?: boolean | '';
}

export interface MemberInput {
  name: string;
  gender?: string;
  birthDate?: string;
  ethnicity?: string;
  idNumber: string;
  phone?: string | null;
  status: string;
  joinedOn: string;
  fullOn?: string | null;
  category: string;
  education?: string | null;
  occupation?: string | null;
  workUnit?: string | null;
  skills: string[];
  interests: string[];
  orgId: string;
  residencePlaceId?: string | null;
  workPlaceId?: string | null;
  source?: 'join' | 'transfer_in';
  reason?: string;
}
export type MemberPatch = Partial<Omit<MemberInput, 'orgId' | 'source' | 'reason'>>;

export interface ImportError { row: number; column: string; code: string; message: string }
export interface ImportPreview {
  rows: number;
  valid: number;
  errors: ImportError[];
  sample: { row: number; name: string; gender: string; birthDate: string; idNumberMasked: string; phoneMasked: string | null; status: string; joinedOn: string; fullOn: string | null; category: string; education: string | null; orgId: string; orgName: string; residenceName: string | null }[];
}

const enc = encodeURIComponent;
const base = (id: string) => `/members/${enc(id)}`;

export const membersApi = {
  list: (params: ListParams & MemberFilters) => http.get<Page<Member>>('/members', params as unknown as Query),
  get: (id: string) => http.get<MemberFile>(base(id)),
  create: (input: MemberInput) => http.post<Member>('/members', input),
  update: (id: string, patch: MemberPatch) => http.patch<Member>(base(id), patch),
  sensitive: (id: string, field: 'idNumber' | 'phone') => http.get<{ field: string; value: string | null }>(`${base(id)}/sensitive`, { field }),
  move: (id: string, input: { toOrgId: string; reason: string; on?: string }) => http.post<Member>(`${base(id)}/move`, input),
  leave: (id: string, input: { state: Exclude<MemberState, 'active'>; reason: string; on: string }) => http.post<Member>(`${base(id)}/leave`, input),
  registerCommunity: (id: string, input: { communityId: string; registeredOn: string; note?: string }) => http.post<Registration>(`${base(id)}/community-registration`, input),
  addReview: (id: string, input: { year: number; result: string; services: number; note?: string; reviewedOn?: string }) => http.post<Review>(`${base(id)}/community-reviews`, input),
  addMobileRecord: (id: string, input: { direction: string; placeText: string; contactOrgId?: string | null; cardNumber?: string | null; startedOn: string; endedOn?: string | null; note?: string }) =>
    http.post<MobileRecord>(`${base(id)}/mobile-records`, input),
  endMobileRecord: (recordId: string, input: { endedOn: string; note?: string }) => http.patch<MobileRecord>(`/members/mobile-records/${enc(recordId)}`, input),
  addDifficulty: (id: string, input: { kind: string; level: string; since: string; detail?: string | null }) => http.post<DifficultyRecord>(`${base(id)}/difficulty-records`, input),
  updateDifficulty: (recordId: string, input: { level?: string; endedOn?: string | null; detail?: string | null }) => http.patch<DifficultyRecord>(`/members/difficulty-records/${enc(recordId)}`, input),
  difficultyDetail: (recordId: string) => http.get<{ detail: string | null }>(`/members/difficulty-records/${enc(recordId)}/detail`),
  addVisit: (recordId: string, input: { visitedOn: string; visitor: string; amount: string; note?: string }) => http.post<Visit>(`/members/difficulty-records/${enc(recordId)}/visits`, input),
  template: (fallbackName: string) => download('/members/import/template', {}, fallbackName),
  preview: (file: File) => http.upload<ImportPreview>('/members/import/preview', file),
  commit: (file: File) => http.upload<{ imported: number; orgIds: string[] }>('/members/import/commit', file),
  exportXlsx: (filters: MemberFilters & { sort?: string; unmask?: boolean }, fallbackName: string) =>
    download('/members/export', { ...filters, unmask: filters.unmask ? '1' : undefined } as Query, fallbackName),
};
