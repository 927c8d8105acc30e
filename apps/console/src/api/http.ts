// A small fetch wrapper: same-origin cookies, Accept-Language from the UI locale,
// JSON in and out, and one error type carrying the API's stable error code.
import { i18n, currentLocale } from '@/i18n';

export type Query = Record<string, string | number | boolean | null | undefined>;

export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly params: Record<string, unknown> = {},
    public readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Codes after which the session is gone: the app sends the user back to the login page. */
export const SESSION_CODES = ['AUTH_REQUIRED', 'AUTH_SESSION_EXPIRED'];

type Handler = (err: ApiError) => void;
let sessionLostHandler: Handler | null = null;
let enrolmentHandler: Handler | null = null;

/** Called once by main.ts, so that any 401 anywhere ends on the login page. */
export function onSessionLost(handler: Handler): void { sessionLostHandler = handler; }
/** Called once by main.ts: administrators without TOTP are sent to their profile. */
export function onEnrolmentRequired(handler: Handler): void { enrolmentHandler = handler; }

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** A multipart body (file uploads); sent as is, the browser sets its Content-Type. */
  form?: FormData;
  /** Do not trigger the global "session lost" redirect (login page, boot-time /auth/me). */
  quiet401?: boolean;
  signal?: AbortSignal;
}

export function buildUrl(path: string, query?: Query): string {
  const url = path.startsWith('/api') ? path : `/api${path}`;
  if (!query) return url;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    qs.append(k, String(v));
  }
  const s = qs.toString();
  return s ? `${url}?${s}` : url;
}

function t(key: string): string {
  return i18n.global.t(key);
}

async function send(method: string, path: string, opts: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Language': currentLocale(),
  };
  let body: string | FormData | undefined;
  if (opts.form) {
    body = opts.form;
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(buildUrl(path, opts.query), {
      method, headers, body, credentials: 'same-origin', signal: opts.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'NETWORK_ERROR', t('error.network'));
  }
  if (!res.ok) throw await toError(res, opts);
  return res;
}

async function toError(res: Response, opts: RequestOptions): Promise<ApiError> {
  let err: ApiError;
  try {
    const data = (await res.json()) as { error?: { code?: string; message?: string; params?: Record<string, unknown>; fields?: Record<string, string> } };
    const e = data.error ?? {};
    err = new ApiError(res.status, e.code ?? `HTTP_${res.status}`, e.message ?? t('error.http'), e.params ?? {}, e.fields ?? {});
  } catch {
    const key = res.status >= 500 ? 'error.server' : 'error.http';
    err = new ApiError(res.status, `HTTP_${res.status}`, `${t(key)} (HTTP ${res.status})`);
  }
  if (res.status === 401 && SESSION_CODES.includes(err.code) && !opts.quiet401) sessionLostHandler?.(err);
  if (res.status === 403 && (err.code === 'AUTH_TOTP_ENROLMENT_REQUIRED' || err.code === 'AUTH_PASSWORD_CHANGE_REQUIRED')) enrolmentHandler?.(err);
  return err;
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await send(method, path, opts);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const http = {
  get: <T>(path: string, query?: Query, opts: RequestOptions = {}) => request<T>('GET', path, { ...opts, query }),
  post: <T>(path: string, body?: unknown, opts: RequestOptions = {}) => request<T>('POST', path, { ...opts, body }),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, { body }),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, { body }),
  del: <T = void>(path: string) => request<T>('DELETE', path),
  /** POSTs one file as multipart/form-data in the field `field`. */
  upload: <T>(path: string, file: Blob, field = 'file', name?: string) => {
    const form = new FormData();
    form.append(field, file, name ?? (file instanceof File ? file.name : 'upload'));
    return request<T>('POST', path, { form });
  },
};

/** Downloads a file (e.g. an .xlsx export) through fetch so that errors can be shown. */
export async function download(path: string, query: Query, fallbackName: string): Promise<void> {
  const res = await send('GET', path, { query });
  const blob = await res.blob();
  const name = fileNameFrom(res.headers.get('Content-Disposition')) ?? fallbackName;
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

function fileNameFrom(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*=(?:UTF-8'')?([^;]+)/i.exec(header);
  if (star?.[1]) {
    try { return decodeURIComponent(star[1].trim().replace(/^"|"$/g, '')); } catch { /* fall through */ }
  }
  const plain = /filename="?([^";]+)"?/i.exec(header);
  return plain?.[1] ?? null;
}
