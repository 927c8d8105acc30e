// Calls to the Tongxin API on the same origin (cookie session). Errors carry the server's stable code
// and its localised message.

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly fields?: Record<string, string>) {
    super(message);
  }
}

let locale = 'zh-CN';
export function setApiLocale(l: string): void {
  locale = l;
}

/** Called when the server says the session is gone (the router sends the user to the login page). */
let onUnauthorised: (() => void) | null = null;
export function handleUnauthorised(fn: () => void): void {
  onUnauthorised = fn;
}

export async function api<T>(method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown): Promise<T> {
  const isForm = typeof FormData !== 'undefined' && body instanceof FormData;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers: { 'Accept-Language': locale, ...(body !== undefined && !isForm ? { 'Content-Type': 'application/json' } : {}) },
      body: body === undefined ? undefined : isForm ? (body as FormData) : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', locale.startsWith('zh') ? '网络不可用，请检查网络后重试' : 'The network is unavailable; try again');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const data = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string; fields?: Record<string, string> } } | undefined)?.error;
    if (res.status === 401 && (err?.code === 'AUTH_REQUIRED' || err?.code === 'AUTH_SESSION_EXPIRED')) onUnauthorised?.();
    throw new ApiError(res.status, err?.code ?? 'HTTP_' + res.status, err?.message ?? res.statusText, err?.fields);
  }
  return data as T;
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    const field = e.fields ? Object.values(e.fields)[0] : undefined;
    return field && field !== e.code ? `${e.message}（${field}）` : e.message;
  }
  return e instanceof Error ? e.message : String(e);
}

// Shapes of the answers used by these pages (see /api/docs).
export interface Me {
  id: string;
  username: string;
  displayName: string;
  roles: { key: string; name: string }[];
  permissions: string[];
  /** set when this is a party member's own login: the member pages (my branch, feed, commitments) show */
  memberId: string | null;
}
export interface Category {
  code: string;
  name: string;
  nameEn: string;
  group: string;
  description: string;
  anonymousAllowed: boolean;
}
export interface Uploaded {
  id: string;
  gps: { lng: number; lat: number } | null;
}
/** POST /api/files/anonymous: the token is presented once, by the anonymous report. */
export interface AnonymousUploaded extends Uploaded {
  uploadToken: string;
  expiresAt: string;
}
export interface Created {
  id: string;
  number: string;
  trackingCode: string | null;
  grid: { name: string };
}
export interface Duplicate {
  id: string;
  number: string;
  state: string;
  description: string;
  address: string;
  distanceMeters: number;
  createdAt: string;
  followers: number;
}
export interface CaseSummary {
  id: string;
  number: string;
  category: { code: string; name: string; nameEn: string };
  description: string;
  address: string;
  state: string;
  grid: { name: string };
  createdAt: string;
  closedAt: string | null;
  rating: string | null;
  attachments: string[];
}
export interface TimelineEntry {
  at: string;
  action: string;
  toState: string | null;
  note: string;
  attachments: string[];
  actor?: string;
  department: { name: string } | string | null;
}
export interface CaseDetail extends CaseSummary {
  reopenCount: number;
  reopenLimit: number;
  ratingNote: string | null;
  mine: { reporter: boolean; follower: boolean };
  timeline: TimelineEntry[];
  can: Record<string, boolean>;
}
export interface PublicCase {
  number: string;
  category: { code: string; name: string; nameEn: string };
  description: string;
  address: string;
  state: string;
  grid: string;
  createdAt: string;
  closedAt: string | null;
  rating: string | null;
  attachments: string[];
  timeline: TimelineEntry[];
}
