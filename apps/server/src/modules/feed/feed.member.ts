import type { AppDeps } from '../../app.js';
import type { RequestContext } from '../../platform/actor.js';
import { recordAudit } from '../../platform/audit.js';
import { AppError } from '../../platform/errors.js';
import { listCommittee } from '../orgs/orgs.committee.js';
import { countsOf } from '../orgs/org-counts.js';
import { getOrg, orgPath } from '../orgs/orgs.service.js';
import { mayReadItem, memberBranch, reachOf, refuseItem } from './feed.access.js';
import { present } from './feed.present.js';
import { advanceMarker, feedPage, itemById, readMarker, unreadAndLatest } from './feed.repo.js';

// A member's own pages (MEM-2): my branch, its feed with unread marks, marking it read.

export async function myBranch(deps: AppDeps, ctx: RequestContext) {
  const { db } = deps.database;
  const me = await memberBranch(db, ctx);
  const [org, path, committee, counts, marker] = await Promise.all([getOrg(db, me.orgId), orgPath(db, me.orgId), listCommittee(deps, me.orgId), countsOf(db, me.orgId), readMarker(db, me.memberId)]);
  const { unread } = await unreadAndLatest(db, await reachOf(db, me.orgId), marker);
  const people = committee.map((c) => ({ name: c.name, role: c.role, termStart: c.termStart, termEnd: c.termEnd }));
  return {
    member: { id: me.memberId, name: me.name },
    branch: { id: me.orgId, name: org!.name, kind: org!.kind, domain: org!.domain },
    secretary: people.find((p) => p.role === 'secretary') ?? null,
    committee: people,
    above: path.filter((p) => p.id !== me.orgId),
    memberCount: counts.own_members?.total ?? 0,
    unread,
  };
}

export async function myFeed(deps: AppDeps, ctx: RequestContext, q: { before?: string; limit: number; kind?: string }) {
  const { db } = deps.database;
  const me = await memberBranch(db, ctx);
  const reach = await reachOf(db, me.orgId);
  const [marker, page] = await Promise.all([readMarker(db, me.memberId), feedPage(db, reach, q)]);
  const { unread } = await unreadAndLatest(db, reach, marker);
  const items = (await present(db, page.rows, me.orgId)).map((i) => ({ ...i, unread: BigInt(i.id) > BigInt(marker) }));
  return { items, unread, readUpTo: marker, nextBefore: page.more ? items.at(-1)!.id : null };
}

/** One item: from my feed, or a public item of another organisation; anything else is not found. */
export async function myFeedItem(deps: AppDeps, ctx: RequestContext, id: string) {
  const { db } = deps.database;
  const me = await memberBranch(db, ctx);
  const row = await itemById(db, id);
  if (!row) throw new AppError('NOT_FOUND');
  if (!(await mayReadItem(db, me.actor, row))) return refuseItem(db, ctx, id);
  const marker = await readMarker(db, me.memberId);
  const [item] = await present(db, [row], me.orgId);
  return { ...item!, unread: BigInt(item!.id) > BigInt(marker) };
}

/** Marks my feed read up to an item (default: the newest); the marker never moves back. */
export async function markFeedRead(deps: AppDeps, ctx: RequestContext, upTo?: string) {
  const { db } = deps.database;
  const me = await memberBranch(db, ctx);
  const reach = await reachOf(db, me.orgId);
  const before = await readMarker(db, me.memberId);
  const { latest } = await unreadAndLatest(db, reach, before);
  // never beyond the newest item of my feed: a marker ahead of it would hide items still to come
  const target = upTo && BigInt(upTo) < BigInt(latest) ? upTo : latest;
  if (BigInt(target) > BigInt(before)) {
    await db.transaction().execute(async (trx) => {
      await advanceMarker(trx, me.memberId, target);
      await recordAudit(trx, { actorId: me.actor.id, actorName: me.actor.username, action: 'feed.read', targetType: 'member', targetId: me.memberId, targetLabel: me.name, ip: ctx.ip, changes: { readUpTo: { from: before, to: target } } });
    });
  }
  const readUpTo = await readMarker(db, me.memberId);
  return { readUpTo, unread: (await unreadAndLatest(db, reach, readUpTo)).unread };
}
