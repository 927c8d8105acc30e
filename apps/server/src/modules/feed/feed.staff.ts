import { FEED_KINDS } from '@tongxin/contracts';
import type { AppDeps } from '../../app.js';
import type { RequestContext } from '../../platform/actor.js';
import { idsInScope, requireAccess, requirePermission } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { AppError } from '../../platform/errors.js';
import { publish } from '../../platform/events.js';
import { checkAttachments } from '../files/files.service.js';
import { getOrg } from '../orgs/orgs.service.js';
import { reachOf } from './feed.access.js';
import { feedItemCan } from './feed.policy.js';
import { present } from './feed.present.js';
import { itemById, orgFeedPage, type OrgFeedQuery } from './feed.repo.js';
import { postFeedItem } from './feed.service.js';

// Staff pages (MEM-2): an organisation's feed, posting notices (optionally to every organisation
// below), withdrawing them.

export async function orgFeed(deps: AppDeps, ctx: RequestContext, orgId: string, f: OrgFeedQuery) {
  const { db } = deps.database;
  const actor = await requireAccess(db, ctx, 'feed:read', 'org', [orgId]);
  const { rows, total } = await orgFeedPage(db, await reachOf(db, orgId), f);
  const inScope = await idsInScope(db, actor, 'org', [...new Set(rows.map((r) => String(r.org_id)))]);
  const items = (await present(db, rows, orgId)).map((i) => ({ ...i, can: feedItemCan(actor, i, inScope) }));
  return { items, total, page: f.page, pageSize: f.pageSize };
}

export interface NoticeInput {
  title: string;
  body: string;
  attachments: string[];
  cascade: boolean;
  internal: boolean;
}

export async function postNotice(deps: AppDeps, ctx: RequestContext, orgId: string, input: NoticeInput) {
  const { db } = deps.database;
  const actor = await requireAccess(db, ctx, 'feed:post', 'org', [orgId]);
  const org = await getOrg(db, orgId);
  if (!org || org.status !== 'active') throw new AppError('ORG_NOT_ACTIVE');
  await checkAttachments(db, ctx, input.attachments, { documents: true });
  const id = await db.transaction().execute((trx) =>
    postFeedItem(trx, {
      orgId, kind: 'notice', title: input.title, body: input.body, attachments: [...new Set(input.attachments)], cascade: input.cascade, internal: input.internal,
      actor: { id: actor.id, name: actor.username }, authorName: actor.displayName, ip: ctx.ip,
    }),
  );
  const [item] = await present(db, [(await itemById(db, id))!], orgId);
  return { ...item!, can: feedItemCan(actor, item!, new Set([orgId])) };
}

/** Withdraws a notice: it leaves every feed; the row stays for the audit trail. */
export async function withdrawNotice(deps: AppDeps, ctx: RequestContext, id: string) {
  const { db } = deps.database;
  await requirePermission(db, ctx, 'feed:post', { type: 'feed_item', id });
  const row = await itemById(db, id);
  if (!row) throw new AppError('NOT_FOUND');
  const orgId = String(row.org_id);
  const actor = await requireAccess(db, ctx, 'feed:post', 'org', [orgId]);
  if (row.kind !== 'notice') throw new AppError('FEED_NOT_A_NOTICE', { kind: FEED_KINDS[row.kind][ctx.locale === 'en' ? 'en' : 'zh'] });
  await db.transaction().execute(async (trx) => {
    const done = await trx.updateTable('feed_items').set({ withdrawn_at: new Date(), withdrawn_by: actor.id }).where('id', '=', id).where('withdrawn_at', 'is', null).returning('id').executeTakeFirst();
    if (!done) throw new AppError('NOT_FOUND'); // withdrawn meanwhile
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'feed.withdraw', targetType: 'feed_item', targetId: id, targetLabel: row.title, ip: ctx.ip, changes: { orgId, title: row.title } });
    await publish(trx, { type: 'feed', orgId, itemId: id });
  });
}
