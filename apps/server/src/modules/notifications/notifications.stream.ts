import type { ServerResponse } from 'node:http';
import type { Database } from '../../db/database.js';
import type { BusEvent, EventBus } from '../../platform/events.js';
import { feedAudience } from '../feed/feed.service.js';
import { caseAudience, lastNotificationId, notificationById, notificationsAfter, type NotificationView } from './notifications.service.js';

// GET /api/events: Server-Sent Events for the logged-in account. Each instance keeps its open
// streams by account and fans out what its event bus receives:
//   event: notification — a notification addressed to the account (id: the notification id)
//   event: case         — a step on a case the account reported, follows, or was whistled for
//                         (id: "<last notification id>-c<timeline entry id>")
//   event: feed         — an item posted to (or withdrawn from) the branch feed of the account's member
//                         (id: "<last notification id>-f<item id>")
// A reconnecting client's Last-Event-ID (its leading number) replays the notifications after it.
// A page showing one case (the console's case page, the mobile case view) opens the stream with
// ?watch=<case ids>: it then also hears the steps on those cases, once the route has checked that the
// account may see each of them. Scope-based delivery to every viewer of an area is not done.

export const HEARTBEAT_MS = 25_000;
export const RETRY_MS = 3_000;

interface Stream {
  accountId: string;
  res: ServerResponse;
  cursor: bigint;
  /** case ids the page watches (checked by the route) */
  watch: ReadonlySet<string>;
  /** the party member of a member's own login: their branch feed is heard (issue 5) */
  memberId: string | null;
  close(): void;
}

export interface StreamHub {
  open(accountId: string, res: ServerResponse, lastEventId: string | undefined, watch?: readonly string[], memberId?: string | null): Promise<void>;
  closeAll(): void;
  readonly size: number;
}

const frame = (event: string, id: string, data: unknown) => `event: ${event}\nid: ${id}\ndata: ${JSON.stringify(data)}\n\n`;

export function createStreamHub(database: Database, bus: EventBus, log: { error(obj: unknown, msg: string): void }): StreamHub {
  const byAccount = new Map<string, Set<Stream>>();
  const { db } = database;

  const sendNotification = (s: Stream, n: NotificationView) => {
    const id = BigInt(n.id);
    if (id > s.cursor) s.cursor = id;
    s.res.write(frame('notification', n.id, n));
  };

  const onEvent = async (e: BusEvent) => {
    if (e.type === 'notification') {
      const streams = byAccount.get(e.accountId);
      if (!streams?.size) return;
      const n = await notificationById(db, e.id);
      if (n) for (const s of streams) sendNotification(s, n);
      return;
    }
    if (e.type === 'feed') {
      const byMember = new Map<string, Stream[]>();
      for (const set of byAccount.values()) for (const s of set) if (s.memberId) byMember.set(s.memberId, [...(byMember.get(s.memberId) ?? []), s]);
      if (byMember.size === 0) return;
      for (const memberId of await feedAudience(db, e.itemId, [...byMember.keys()])) {
        for (const s of byMember.get(memberId)!) s.res.write(frame('feed', `${s.cursor}-f${e.itemId}`, { itemId: e.itemId, orgId: e.orgId }));
      }
      return;
    }
    if (byAccount.size === 0) return;
    const targets = new Set<Stream>();
    for (const set of byAccount.values()) for (const s of set) if (s.watch.has(e.caseId)) targets.add(s);
    const audience = await caseAudience(db, e.caseId);
    for (const accountId of audience) for (const s of byAccount.get(accountId) ?? []) targets.add(s);
    for (const s of targets) {
      s.res.write(frame('case', `${s.cursor}-c${e.eventId}`, { caseId: e.caseId, number: e.number, action: e.action, to: e.to, eventId: e.eventId }));
    }
  };
  bus.subscribe((e) => void onEvent(e).catch((err) => log.error({ err }, 'event fan-out failed')));

  return {
    get size() {
      let n = 0;
      for (const set of byAccount.values()) n += set.size;
      return n;
    },
    async open(accountId, res, lastEventId, watch = [], memberId = null) {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(`retry: ${RETRY_MS}\n: connected\n\n`);
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
      const stream: Stream = {
        accountId,
        res,
        cursor: 0n,
        watch: new Set(watch),
        memberId,
        close() {
          clearInterval(heartbeat);
          const set = byAccount.get(accountId);
          set?.delete(stream);
          if (set && set.size === 0) byAccount.delete(accountId);
          if (!res.writableEnded) res.end();
        },
      };
      res.on('close', () => stream.close());
      let set = byAccount.get(accountId);
      if (!set) byAccount.set(accountId, (set = new Set()));
      set.add(stream);
      const after = /^(\d{1,18})/.exec(lastEventId ?? '')?.[1];
      if (after) {
        stream.cursor = BigInt(after);
        for (const n of await notificationsAfter(db, accountId, after)) if (BigInt(n.id) > BigInt(after)) sendNotification(stream, n);
      } else {
        const last = BigInt(await lastNotificationId(db, accountId));
        if (last > stream.cursor) stream.cursor = last;
      }
    },
    closeAll() {
      for (const set of [...byAccount.values()]) for (const s of [...set]) s.close();
    },
  };
}
