// Live updates (GET /api/events, Server-Sent Events) while someone is logged in: the unread
// notification count for the tab bar, new notifications, and steps on cases, so that an open case
// view or my reports refresh themselves. Pages showing a case watch it (?watch=<ids>): the stream
// then also carries the steps of cases the account only may see (grid workers verifying).
//
// Reconnecting: the browser reconnects by itself after a dropped connection (retry: 3 s, with
// Last-Event-ID, so missed notifications are replayed); when the server refuses the stream (the
// session ended, a watched case vanished) the EventSource closes and this module retries with a
// growing delay. After every (re)connection the unread count is read again and case listeners are
// told that they may have missed steps (event null).
import { reactive, watch } from 'vue';
import { api } from './api';
import { session } from './session';

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
/** branch feed events (a member's own login, issue 5) */
export interface FeedEvent {
  itemId: string;
  orgId: string;
}
const feedListeners = new Set<(e: FeedEvent | null) => void>();
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
    live.unread = (await api<NoticePage>('GET', '/api/notifications?pageSize=1')).unread;
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
    if (everOpened) feedListeners.forEach((fn) => fn(null));
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
  es.addEventListener('feed', (m) => {
    if (source !== es) return;
    const e = JSON.parse((m as MessageEvent<string>).data) as FeedEvent;
    feedListeners.forEach((fn) => fn(e));
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

function start(): void {
  if (running) return;
  running = true;
  attempt = 0;
  everOpened = false;
  connect();
}

function stop(): void {
  running = false;
  clearTimeout(retryTimer);
  clearTimeout(pendingConnect);
  source?.close();
  source = null;
  currentUrl = '';
  live.connected = false;
  live.unread = 0;
}

// the stream runs exactly while someone is logged in
watch(() => session.me?.id ?? null, (id) => (id ? (stop(), start()) : stop()), { immediate: true });

/** Calls fn for every step on a case I may follow (and with null after a reconnection). Returns the unsubscribe. */
export function onCaseEvent(fn: (e: CaseEvent | null) => void): () => void {
  caseListeners.add(fn);
  return () => caseListeners.delete(fn);
}

/** Calls fn for every item posted to (or withdrawn from) my branch feed, and with null after a reconnection. */
export function onFeedEvent(fn: (e: FeedEvent | null) => void): () => void {
  feedListeners.add(fn);
  return () => feedListeners.delete(fn);
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

export async function markRead(id: string): Promise<Notice> {
  const n = await api<Notice>('POST', `/api/notifications/${id}/read`);
  await refreshUnread();
  return n;
}

export async function markAllRead(): Promise<number> {
  const res = await api<{ updated: number }>('POST', '/api/notifications/read-all');
  live.unread = 0;
  return res.updated;
}
