import type { AppDeps } from '../../app.js';
import type { RequestContext } from '../../platform/actor.js';
import { requireAccess } from '../../platform/access.js';
import { AppError } from '../../platform/errors.js';
import { postFeedItem } from '../feed/feed.service.js';
import { rankingView } from './points.service.js';

// The points ranking in the branch feed (MEM-2, MEM-9): a secretary publishes the ranking of a month
// or a year — the first places of the organisation's whole subtree — as a feed item of the
// organisation, which its members (and, when it cascades, the branches below) see in their feed.

export interface PublishRankingInput {
  orgId: string;
  /** YYYY-MM or YYYY */
  period: string;
  top: number;
  cascade: boolean;
}

const periodLabel = (key: string) => (key.length === 4 ? `${key}年度` : `${key.slice(0, 4)}年${Number(key.slice(5, 7))}月`);

export async function publishRanking(deps: AppDeps, ctx: RequestContext, input: PublishRankingInput) {
  const { db } = deps.database;
  await requireAccess(db, ctx, 'points:read', 'org', [input.orgId]);
  const actor = await requireAccess(db, ctx, 'feed:post', 'org', [input.orgId]);
  const r = await rankingView(deps, { orgId: input.orgId, subtree: true, period: input.period, page: 1, pageSize: input.top });
  const rows = r.items.filter((x) => x.total > 0);
  if (rows.length === 0) throw new AppError('POINTS_RANKING_EMPTY', { org: r.orgName, period: periodLabel(r.period) });
  const lines = rows.map((x) => `第${x.rank}名 ${x.name} ${x.total}分${x.orgId && x.orgId !== input.orgId ? ` · ${x.orgName}` : ''}`);
  const title = `${r.orgName}${periodLabel(r.period)}积分排行（前${rows.length}名）`;
  const id = await db.transaction().execute((trx) =>
    postFeedItem(trx, {
      orgId: input.orgId, kind: 'points_ranking', title, body: lines.join('\n'), cascade: input.cascade, internal: true,
      refType: 'points_ranking', refId: `${input.orgId}:${r.period}`, actor: { id: actor.id, name: actor.username }, authorName: actor.displayName || actor.username, ip: ctx.ip,
    }),
  );
  return { feedItemId: id, title, places: rows.length, total: r.total };
}
