import { sql, type Selectable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { FeedItemsTable } from '../../db/types.js';
import type { FeedReach } from './feed.access.js';

export type FeedRow = Selectable<FeedItemsTable>;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);

/**
 * Items in the feed of an organisation's members: its own, and the cascading items of the
 * organisations above it (their ids go in as a parameter, so each side is an index range).
 */
export function feedOf(ex: Executor, reach: FeedReach) {
  return ex
    .selectFrom('feed_items as f')
    .where('f.withdrawn_at', 'is', null)
    .where((eb) => (reach.aboveIds.length ? eb.or([eb('f.org_id', '=', reach.orgId), eb.and([eb('f.cascade', '=', true), eb('f.org_id', 'in', reach.aboveIds)])]) : eb('f.org_id', '=', reach.orgId)));
}

/** Newest first, `limit` items older than `before`; one more tells whether there is a next page. */
export async function feedPage(ex: Executor, reach: FeedReach, q: { before?: string; limit: number; kind?: string }): Promise<{ rows: FeedRow[]; more: boolean }> {
  let query = feedOf(ex, reach).selectAll('f');
  if (q.before) query = query.where('f.id', '<', q.before);
  if (q.kind) query = query.where('f.kind', '=', q.kind as FeedRow['kind']);
  const rows = await query.orderBy('f.id', 'desc').limit(q.limit + 1).execute();
  return { rows: rows.slice(0, q.limit), more: rows.length > q.limit };
}

/** Items in the feed above a read marker (the unread ones), and the newest item's id. */
export async function unreadAndLatest(ex: Executor, reach: FeedReach, readUpTo: string): Promise<{ unread: number; latest: string }> {
  const row = await feedOf(ex, reach)
    .select([sql<number>`count(*) FILTER (WHERE f.id > ${readUpTo}::bigint)::int`.as('unread'), sql<string | null>`max(f.id)`.as('latest')])
    .executeTakeFirstOrThrow();
  return { unread: row.unread, latest: row.latest === null ? '0' : String(row.latest) };
}

export async function readMarker(ex: Executor, memberId: string): Promise<string> {
  const row = await ex.selectFrom('feed_reads').select('read_up_to').where('member_id', '=', memberId).executeTakeFirst();
  return row ? String(row.read_up_to) : '0';
}

/** Moves the marker forward only (two devices marking at once keep the larger). */
export async function advanceMarker(ex: Executor, memberId: string, upTo: string): Promise<void> {
  await sql`
    INSERT INTO feed_reads (member_id, read_up_to) VALUES (${memberId}::bigint, ${upTo}::bigint)
    ON CONFLICT (member_id) DO UPDATE SET read_up_to = GREATEST(feed_reads.read_up_to, EXCLUDED.read_up_to), updated_at = now()`.execute(ex);
}

export async function itemById(ex: Executor, id: string): Promise<FeedRow | undefined> {
  return ex.selectFrom('feed_items').selectAll().where('id', '=', id).where('withdrawn_at', 'is', null).executeTakeFirst();
}

export interface OrgFeedQuery {
  page: number;
  pageSize: number;
  kind?: string;
  q?: string;
  /** only the organisation's own items, not those cascading into it from above */
  own?: boolean;
}

/** An organisation's feed for staff, page by page with the total. */
export async function orgFeedPage(ex: Executor, reach: FeedReach, f: OrgFeedQuery): Promise<{ rows: FeedRow[]; total: number }> {
  let base = f.own ? ex.selectFrom('feed_items as f').where('f.withdrawn_at', 'is', null).where('f.org_id', '=', reach.orgId) : feedOf(ex, reach);
  if (f.kind) base = base.where('f.kind', '=', f.kind as FeedRow['kind']);
  if (f.q) base = base.where('f.title', 'like', `%${escapeLike(f.q)}%`);
  const [rows, total] = await Promise.all([
    base.selectAll('f').orderBy('f.id', 'desc').limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute(),
    base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: total.n };
}
