import { sql } from 'kysely';
import type { FeedKind } from '@tongxin/contracts';
import type { Executor, Tx } from '../../db/database.js';
import type { RequestContext } from '../../platform/actor.js';
import { recordAudit } from '../../platform/audit.js';
import { publish } from '../../platform/events.js';
import { inSubtree } from '../../platform/tree.js';
import { memberOrgs } from '../members/members.service.js';
import { mayReadItem } from './feed.access.js';

// The branch feed (MEM-2): what other modules may call.
//   postFeedItem     posts an item in the caller's transaction (audited, published live on commit)
//   feedAudience     which of some members have an item in their feed (the live stream's fan-out)
//   mayViewFeedFile  whether the caller may see a file because a feed item they may read carries it

export type { FeedKind };

export interface FeedItemInput {
  orgId: string;
  kind: FeedKind;
  title: string;
  body?: string;
  refType?: string;
  refId?: string;
  /** also reaches every organisation below orgId */
  cascade?: boolean;
  /** only members of the subtree the item reaches see it (default); a public item any member may read */
  internal?: boolean;
  actor: { id: string | null; name: string };
  /** the name shown on the item (a person's display name); the actor's name when absent */
  authorName?: string;
  /** file ids the caller has already checked (modules/files checkAttachments) */
  attachments?: string[];
  ip?: string | null;
}

/** Posts one item to an organisation's feed, in the caller's transaction; returns its id. */
export async function postFeedItem(trx: Tx, item: FeedItemInput): Promise<string> {
  const row = await trx
    .insertInto('feed_items')
    .values({
      org_id: item.orgId,
      kind: item.kind,
      title: item.title,
      body: item.body ?? '',
      attachments: item.attachments ?? [],
      cascade: item.cascade ?? false,
      internal: item.internal ?? true,
      author_id: item.actor.id,
      author_name: item.authorName ?? item.actor.name,
      ref_type: item.refType ?? null,
      ref_id: item.refId ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = String(row.id);
  await recordAudit(trx, {
    actorId: item.actor.id, actorName: item.actor.name, action: 'feed.post', targetType: 'feed_item', targetId: id, targetLabel: item.title, ip: item.ip ?? null,
    changes: { orgId: item.orgId, kind: item.kind, cascade: item.cascade ?? false, internal: item.internal ?? true, refType: item.refType ?? null, refId: item.refId ?? null, attachments: item.attachments?.length ?? 0 },
  });
  await publish(trx, { type: 'feed', orgId: item.orgId, itemId: id });
  return id;
}

/**
 * Those of `memberIds` whose feed holds the item: members on the roll of its organisation or, for a
 * cascading item, of any organisation below it. A withdrawn item keeps its audience, so their pages
 * hear that it went.
 */
export async function feedAudience(ex: Executor, itemId: string, memberIds: string[]): Promise<Set<string>> {
  const item = await ex.selectFrom('feed_items').select(['org_id', 'cascade']).where('id', '=', itemId).executeTakeFirst();
  if (!item || memberIds.length === 0) return new Set();
  const orgId = String(item.org_id);
  const members = [...(await memberOrgs(ex, memberIds)).entries()].filter(([, m]) => m.state === 'active');
  const reached = item.cascade ? await inSubtree(ex, 'org', orgId, [...new Set(members.map(([, m]) => m.orgId))]) : new Set([orgId]);
  return new Set(members.filter(([, m]) => reached.has(m.orgId)).map(([id]) => id));
}

/** For modules/files: a file attached to a feed item the caller may read may be seen. */
export async function mayViewFeedFile(ex: Executor, ctx: RequestContext, fileId: string): Promise<boolean> {
  if (!ctx.actor) return false;
  const items = await ex
    .selectFrom('feed_items')
    .select(['org_id', 'cascade', 'internal'])
    .where(sql<boolean>`attachments @> ARRAY[${fileId}]::text[]`)
    .where('withdrawn_at', 'is', null)
    .limit(20)
    .execute();
  for (const item of items) if (await mayReadItem(ex, ctx.actor, item)) return true;
  return false;
}

/** The member behind a request and their organisation (for the commitments module). */
export { memberBranch, type MemberContext } from './feed.access.js';
