// The branch feed (支部动态) and members' commitments (党员承诺践诺), issue 5.
import { http } from './http';
import type { Page } from './types';

export type FeedKind = 'notice' | 'meeting' | 'activity' | 'vote_result' | 'new_member' | 'points_ranking' | 'commitment' | 'study';

export interface FeedItem {
  id: string;
  orgId: string;
  orgName: string;
  kind: FeedKind;
  title: string;
  body: string;
  attachments: string[];
  /** the attachments described: photos (image/*) and documents (with their names), in order */
  files: FileInfo[];
  cascade: boolean;
  internal: boolean;
  authorName: string;
  refType: string | null;
  refId: string | null;
  createdAt: string;
  /** posted to an organisation above the one whose feed is shown */
  inherited: boolean;
  can: { withdraw: boolean };
}

export interface OrgFeedFilters {
  kind?: FeedKind | '';
  q?: string;
  own?: boolean;
}

export interface NoticeInput {
  title: string;
  body: string;
  attachments: string[];
  cascade: boolean;
  internal: boolean;
}

export interface UploadedPhoto { id: string; mime: string; size: number }
/** An attached file as lists show it (GET /api/files/:id serves it; documents as downloads). */
export interface FileInfo { id: string; mime: string; name: string | null; size: number }
export const isPhoto = (f: FileInfo) => f.mime.startsWith('image/');
/** The documents one may attach to notices and meeting records (the server reads the type from the bytes). */
export const DOCUMENT_ACCEPT = '.pdf,.docx,.xlsx,.pptx,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.openxmlformats-officedocument.presentationml.presentation';

export const feedApi = {
  list: (orgId: string, params: OrgFeedFilters & { page: number; pageSize: number }) => http.get<Page<FeedItem>>(`/orgs/${orgId}/feed`, { ...params, own: params.own ? 'true' : undefined }),
  post: (orgId: string, input: NoticeInput) => http.post<FeedItem>(`/orgs/${orgId}/feed`, input),
  withdraw: (id: string) => http.del(`/feed/items/${id}`),
  uploadPhoto: (file: File) => http.upload<UploadedPhoto>('/files', file),
  uploadDocument: (file: File) => http.upload<FileInfo & { createdAt: string }>('/files/documents', file),
};

export const fileUrl = (id: string) => `/api/files/${encodeURIComponent(id)}`;
export const thumbUrl = (id: string) => `/api/files/${encodeURIComponent(id)}/thumbnail`;

export type CommitmentItemStatus = 'pending' | 'in_progress' | 'fulfilled' | 'not_fulfilled';
export interface Fulfilment {
  id: string;
  status: Exclude<CommitmentItemStatus, 'pending'>;
  note: string;
  evidence: string[];
  recordedOn: string;
  recorderName: string;
  createdAt: string;
}
export interface CommitmentItem { id: string; position: number; text: string; status: CommitmentItemStatus; fulfilments: Fulfilment[] }
export interface Commitment {
  id: string;
  memberId: string;
  memberName: string;
  orgId: string;
  orgName: string;
  year: number;
  status: 'published' | 'locked';
  ruleVersion: string;
  publishedAt: string;
  updatedAt: string;
  lockedAt: string | null;
  items: CommitmentItem[];
  can: { edit: boolean; lock: boolean; reopen: boolean; record: boolean };
}
export interface FulfilmentInput { status: Fulfilment['status']; note: string; evidence: string[]; recordedOn?: string }

export const commitmentsApi = {
  ofMember: (memberId: string) => http.get<{ items: Commitment[] }>(`/members/${memberId}/commitments`),
  lock: (id: string) => http.post<Commitment>(`/commitments/${id}/lock`),
  reopen: (id: string, reason: string) => http.post<Commitment>(`/commitments/${id}/reopen`, { reason }),
  record: (itemId: string, input: FulfilmentInput) => http.post<Commitment>(`/commitments/items/${itemId}/fulfilments`, input),
};
