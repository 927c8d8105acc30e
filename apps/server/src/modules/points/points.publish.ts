import type { AppDeps } from '../../app.js';
import type { RequestContext } from '../../platform/actor.js';
import { requireAccess } from '../../platform/access.js';
import { AppError } from '../../platform/errors.js';
import { postFeedItem } from '../feed/feed.service.js';
import { memberOrgs } from '../members/members.service.js';
import { orgNames } from '../orgs/orgs.service.js';
import { ranking } from './points.repo.js';
import { parsePeriod } from './points.service.js';

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
  const period = parsePeriod(input.period);
  const orgName = (await orgNames(db, [input.orgId])).get(input.orgId) ?? '';
  const r = await ranking(db, { orgId: input.orgId, subtree: true, period, page: 1, pageSize: input.top });
  const rows = r.rows.filter((x) => x.total > 0);
  if (rows.length === 0) throw new AppError('POINTS_RANKING_EMPTY', { org: orgName, period: periodLabel(period.key) });
  const members = await memberOrgs(db, rows.map((x) => x.member_id));
  const branches = await orgNames(db, [...new Set([...members.values()].map((m) => m.orgId))]);
  const lines = rows.map((x) => {
    const m = members.get(x.member_id);
    const branch = m && m.orgId !== input.orgId ? ` · ${branches.get(m.orgId) ?? ''}` : '';
    return `第${x.rank}名 ${m?.name ?? ''} ${x.total}分${branch}`;
  });
  const title = `${orgName}${periodLabel(period.key)}积分排行（前${rows.length}名）`;
  const id = await db.transaction().execute((trx) =>
    postFeedItem(trx, {
      orgId: input.orgId, kind: 'points_ranking', title, body: lines.join('\n'), cascade: input.cascade, internal: true,
      refType: 'points_ranking', refId: `${input.orgId}:${period.key}`, actor: { id: actor.id, name: actor.username }, authorName: actor.displayName || actor.username, ip: ctx.ip,
    }),
  );
  return { feedItemId: id, title, places: rows.length, total: r.total };
}
