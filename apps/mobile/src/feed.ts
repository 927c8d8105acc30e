// A member's branch feed (issue 5): the API shapes, and the unread count for the tab bar, kept up to
// date from the live stream (a feed event, or a reconnection, reads the count again).
import { reactive, watch } from 'vue';
import { api } from './api';
import { onFeedEvent } from './live';
import { session } from './session';

export interface FeedItem {
  id: string;
  orgId: string;
  orgName: string;
  kind: string;
  title: string;
  body: string;
  attachments: string[];
  /** the attachments described: photos (image/*) and documents with their names, in order */
  files: { id: string; mime: string; name: string | null; size: number }[];
  cascade: boolean;
  internal: boolean;
  authorName: string;
  createdAt: string;
  inherited: boolean;
  unread: boolean;
}
export interface FeedPage {
  items: FeedItem[];
  unread: number;
  readUpTo: string;
  nextBefore: string | null;
}
interface Person { name: string; role: string; termStart: string; termEnd: string | null }
export interface MyBranch {
  member: { id: string; name: string };
  branch: { id: string; name: string; kind: string; domain: string | null };
  secretary: Person | null;
  committee: Person[];
  above: { id: string; name: string; kind: string }[];
  memberCount: number;
  unread: number;
}

export const feedState = reactive({ unread: 0 });

export async function refreshFeedUnread(): Promise<void> {
  if (!session.me?.memberId) return;
  try {
    feedState.unread = (await api<FeedPage>('GET', '/api/me/feed?limit=1')).unread;
  } catch {
    /* only a badge: the next event reads it again */
  }
}

export async function markFeedRead(upTo?: string): Promise<void> {
  const res = await api<{ readUpTo: string; unread: number }>('POST', '/api/me/feed/read', upTo ? { upTo } : {});
  feedState.unread = res.unread;
}

let timer: ReturnType<typeof setTimeout> | undefined;
onFeedEvent(() => {
  // several items in a burst (a cascade from above) make one request
  clearTimeout(timer);
  timer = setTimeout(() => void refreshFeedUnread(), 300);
});
watch(() => session.me?.memberId ?? null, (id) => (id ? void refreshFeedUnread() : (feedState.unread = 0)), { immediate: true });
