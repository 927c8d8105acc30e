// Live updates (GET /api/events, Server-Sent Events) for the console: the unread notification count
// and the latest notifications for the bell in the top bar, and steps on cases, so that an open case
// page refreshes itself. A case page watches its case (?watch=<ids>): the stream then also carries
// the steps of cases the account may see without being their reporter (command centres, grids).
// The bell starts the stream when the layout is shown and stops it when it goes (logout).
//
// Reconnecting: the browser reconnects by itself after a dropped connection (retry: 3 s, with
// Last-Event-ID, so missed notifications are replayed); when the server refuses the stream (the
// session ended, a watched case vanished) the EventSource closes and this module retries with a
// growing delay. After every (re)connection the unread count is read again and case listeners are
// told that they may have missed steps (event null).
import { reactive } from 'vue';
import { http } from '@/api/http';

export interface Notice {
  id: string;
  kind: string;
  title: string;
  body: string;
  caseId: string | null;
  createdAt: string;
  readAt: string | null;
}
export interface CaseEvent {
  caseId: string;
  number: string;
  action: string;
  to: string | null;
  eventId: string;
}
export interface NoticePage {
  items: Notice[];
  total: number;
  unread: number;
  page: number;
  pageSize: number;
}

export const live = reactive({ unread: 0, connected: false });

const caseListeners = new Set<(e: CaseEvent | null) => void>();
const noticeListeners = new Set<(n: Notice) => void>();
const watched = new Map<string, number>();
const MAX_WATCH = 10;

let source: EventSource | null = null;
let currentUrl = '';
let running = false;
/** a connection was open before (since start): a new one may have missed steps */
let everOpened = false;
let attempt = 0;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let pendingConnect: ReturnType<typeof setTimeout> | undefined;

function streamUrl(): string {
  const ids = [...watched.keys()].slice(-MAX_WATCH);
  return ids.length ? `/api/events?watch=${ids.join(',')}` : '/api/events';
}

export async function refreshUnread(): Promise<void> {
  try {
    live.unread = (await http.get<NoticePage>('/notifications', { pageSize: 1 }, { quiet401: true })).unread;
  } catch {
    /* the count is a help; the next connection reads it again */
  }
}

function connect(): void {
  clearTimeout(retryTimer);
  if (!running || typeof EventSource === 'undefined') return;
  const url = streamUrl();
  if (source && url === currentUrl && source.readyState !== EventSource.CLOSED) return;
  source?.close();
  currentUrl = url;
  const es = new EventSource(url, { withCredentials: true });
  source = es;
  es.onopen = () => {
    if (source !== es) return;
    live.connected = true;
    attempt = 0;
    void refreshUnread();
    if (everOpened) caseListeners.forEach((fn) => fn(null)); // reconnected: steps may have been missed
    everOpened = true;
  };
  es.addEventListener('notification', (m) => {
    if (source !== es) return;
    const n = JSON.parse((m as MessageEvent<string>).data) as Notice;
    if (!n.readAt) live.unread += 1;
    noticeListeners.forEach((fn) => fn(n));
  });
  es.addEventListener('case', (m) => {
    if (source !== es) return;
    const e = JSON.parse((m as MessageEvent<string>).data) as CaseEvent;
    caseListeners.forEach((fn) => fn(e));
  });
  es.onerror = () => {
    if (source !== es) return;
    live.connected = false;
    if (es.readyState !== EventSource.CLOSED) return; // the browser is reconnecting by itself
    source = null;
    const delay = Math.min(30_000, 1_000 * 2 ** attempt++);
    retryTimer = setTimeout(connect, delay);
  };
}

/** Reconnects soon (a batch of watch changes makes one new connection). */
function reconnectSoon(): void {
  clearTimeout(pendingConnect);
  pendingConnect = setTimeout(connect, 50);
}

export function startLive(): void {
  if (running) return;
  running = true;
  attempt = 0;
  everOpened = false;
  connect();
}

export function stopLive(): void {
  running = false;
  clearTimeout(retryTimer);
  clearTimeout(pendingConnect);
  source?.close();
  source = null;
  currentUrl = '';
  live.connected = false;
  live.unread = 0;
}


/** Calls fn for every step on a case I may follow (and with null after a reconnection). Returns the unsubscribe. */
export function onCaseEvent(fn: (e: CaseEvent | null) => void): () => void {
  caseListeners.add(fn);
  return () => caseListeners.delete(fn);
}

export function onNotice(fn: (n: Notice) => void): () => void {
  noticeListeners.add(fn);
  return () => noticeListeners.delete(fn);
}

/** Also hear the steps on this case (the account must be allowed to see it). Returns the unwatch. */
export function watchCase(id: string): () => void {
  watched.set(id, (watched.get(id) ?? 0) + 1);
  if (watched.get(id) === 1) reconnectSoon();
  return () => {
    const n = (watched.get(id) ?? 1) - 1;
    if (n > 0) watched.set(id, n);
    else {
      watched.delete(id);
      reconnectSoon();
    }
  };
}

export function listNotices(page: number, pageSize: number): Promise<NoticePage> {
  return http.get<NoticePage>('/notifications', { page, pageSize });
}

export async function markRead(id: string): Promise<Notice> {
  const n = await http.post<Notice>(`/notifications/${encodeURIComponent(id)}/read`);
  await refreshUnread();
  return n;
}

export async function markAllRead(): Promise<number> {
  const res = await http.post<{ updated: number }>('/notifications/read-all');
  live.unread = 0;
  return res.updated;
}
