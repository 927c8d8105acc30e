import type { AppDeps } from '../../app.js';
import type { Tx } from '../../db/database.js';
import type { RequestContext } from '../../platform/actor.js';
import { requireAccess } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { todayInChina } from '../../platform/dates.js';
import { AppError } from '../../platform/errors.js';
import { activeMembersOf, moveAllMembers } from '../members/members.service.js';
import { applyCountDeltas, moveSubtree, orgDeltas } from './org-counts.js';
import { checkChildKind } from './orgs.policy.js';
import { createOrg, getOrg, orgNames } from './orgs.service.js';

// Founding, changing, moving, merging and abolishing organisations: each in one transaction with
// its history row, its count changes and its audit entry.

export interface FoundInput {
  parentId: string;
  kind: string;
  domain?: string | null;
  name: string;
  code?: string | null;
  placeId?: string | null;
  foundedOn?: string | null;
  termStartedOn?: string | null;
  termYears?: number | null;
  contactPhone?: string | null;
  note?: string;
}

async function history(trx: Tx, orgId: string, action: string, actorId: string, extra: { fromParent?: string | null; toParent?: string | null; details?: Record<string, unknown> } = {}) {
  await trx
    .insertInto('org_history')
    .values({ org_id: orgId, action, from_parent: extra.fromParent ?? null, to_parent: extra.toParent ?? null, details: JSON.stringify(extra.details ?? {}), actor_id: actorId })
    .execute();
}

async function activeOrg(trx: Tx, id: string) {
  const org = await getOrg(trx, id);
  if (!org) throw new AppError('NOT_FOUND');
  if (org.status !== 'active') throw new AppError('ORG_NOT_ACTIVE');
  return org;
}

async function checkPlace(deps: AppDeps, ctx: RequestContext, placeId: string | null | undefined) {
  if (placeId) await requireAccess(deps.database.db, ctx, 'orgs:write', 'place', [placeId]);
}

export async function foundOrg(deps: AppDeps, ctx: RequestContext, input: FoundInput): Promise<string> {
  const actor = await requireAccess(deps.database.db, ctx, 'orgs:write', 'org', [input.parentId]);
  await checkPlace(deps, ctx, input.placeId);
  return deps.database.db.transaction().execute(async (trx) => {
    const parent = await activeOrg(trx, input.parentId);
    checkChildKind(parent.kind, input.kind, ctx.locale);
    if (input.code && (await trx.selectFrom('orgs').select('id').where('code', '=', input.code).executeTakeFirst())) {
      throw new AppError('CODE_TAKEN', { code: input.code }, { code: 'CODE_TAKEN' });
    }
    const id = await createOrg(trx, { parentId: input.parentId, kind: input.kind, domain: input.domain ?? null, name: input.name, placeId: input.placeId ?? null, foundedOn: input.foundedOn ?? null });
    await trx
      .updateTable('orgs')
      .set({ code: input.code ?? null, term_started_on: input.termStartedOn ?? null, term_years: input.termYears ?? null, contact_phone: input.contactPhone ?? null, note: input.note ?? '' })
      .where('id', '=', id)
      .execute();
    await history(trx, id, 'found', actor.id, { toParent: input.parentId, details: { kind: input.kind, domain: input.domain ?? null, name: input.name } });
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'org.found', targetType: 'org', targetId: id, targetLabel: input.name, ip: ctx.ip, changes: { ...input } });
    return id;
  });
}

export interface UpdateInput {
  name?: string;
  domain?: string | null;
  code?: string | null;
  placeId?: string | null;
  foundedOn?: string | null;
  termStartedOn?: string | null;
  termYears?: number | null;
  contactPhone?: string | null;
  note?: string;
}

const COLUMN: Record<keyof UpdateInput, string> = {
  name: 'name', domain: 'domain', code: 'code', placeId: 'place_id', foundedOn: 'founded_on', termStartedOn: 'term_started_on', termYears: 'term_years', contactPhone: 'contact_phone', note: 'note',
};

export async function updateOrg(deps: AppDeps, ctx: RequestContext, id: string, input: UpdateInput): Promise<void> {
  const actor = await requireAccess(deps.database.db, ctx, 'orgs:write', 'org', [id]);
  await checkPlace(deps, ctx, input.placeId);
  await deps.database.db.transaction().execute(async (trx) => {
    const org = await activeOrg(trx, id);
    const before = org as unknown as Record<string, unknown>;
    const set: Record<string, unknown> = {};
    const changes: Record<string, unknown> = {};
    for (const [k, col] of Object.entries(COLUMN) as [keyof UpdateInput, string][]) {
      const v = input[k];
      if (v === undefined || String(before[col] ?? '') === String(v ?? '')) continue;
      set[col] = v;
      changes[k] = { from: before[col] ?? null, to: v };
    }
    if (Object.keys(set).length === 0) return;
    if (input.code && (await trx.selectFrom('orgs').select('id').where('code', '=', input.code).where('id', '!=', id).executeTakeFirst())) {
      throw new AppError('CODE_TAKEN', { code: input.code }, { code: 'CODE_TAKEN' });
    }
    if (input.domain !== undefined && (input.domain ?? null) !== org.domain) {
      // the domain is a counted dimension: move this organisation's contribution
      await applyCountDeltas(trx, [
        { orgId: id, dim: 'org_domain', key: org.domain ?? 'none', n: -1 },
        { orgId: id, dim: 'org_domain', key: input.domain ?? 'none', n: 1 },
      ]);
    }
    await trx.updateTable('orgs').set({ ...set, updated_at: new Date() }).where('id', '=', id).execute();
    await history(trx, id, 'update', actor.id, { details: changes });
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'org.update', targetType: 'org', targetId: id, targetLabel: org.name, ip: ctx.ip, changes });
  });
}

/** Moves an organisation (and its subtree) under another parent; the closure table and counts follow. */
export async function moveOrg(deps: AppDeps, ctx: RequestContext, id: string, newParentId: string, reason = ''): Promise<void> {
  const actor = await requireAccess(deps.database.db, ctx, 'orgs:write', 'org', [id, newParentId]);
  await deps.database.db.transaction().execute(async (trx) => {
    const org = await activeOrg(trx, id);
    if (org.parent_id === null) throw new AppError('ORG_MOVE_INTO_DESCENDANT');
    const inside = await trx.selectFrom('org_closure').select('depth').where('ancestor_id', '=', id).where('descendant_id', '=', newParentId).executeTakeFirst();
    if (inside) throw new AppError('ORG_MOVE_INTO_DESCENDANT');
    const parent = await activeOrg(trx, newParentId);
    checkChildKind(parent.kind, org.kind, ctx.locale);
    if (String(org.parent_id) === newParentId) return;
    await moveSubtree(trx, id, newParentId);
    await applyCountDeltas(trx, [
      { orgId: String(org.parent_id), dim: 'own_children', key: 'total', n: -1, own: true },
      { orgId: newParentId, dim: 'own_children', key: 'total', n: 1, own: true },
    ]);
    await trx.updateTable('orgs').set({ parent_id: newParentId, updated_at: new Date() }).where('id', '=', id).execute();
    await history(trx, id, 'move', actor.id, { fromParent: String(org.parent_id), toParent: newParentId, details: { reason } });
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'org.move', targetType: 'org', targetId: id, targetLabel: org.name, ip: ctx.ip, changes: { parentId: { from: String(org.parent_id), to: newParentId }, reason } });
  });
}

/**
 * Merges `id` into `intoId`: its members and sub-organisations move to the survivor, and it is
 * marked merged (kept, with its history, never deleted).
 */
export async function mergeOrg(deps: AppDeps, ctx: RequestContext, id: string, intoId: string, reason = ''): Promise<{ members: number; children: number }> {
  const actor = await requireAccess(deps.database.db, ctx, 'orgs:write', 'org', [id, intoId]);
  return deps.database.db.transaction().execute(async (trx) => {
    if (id === intoId) throw new AppError('ORG_MOVE_INTO_DESCENDANT');
    const org = await activeOrg(trx, id);
    const into = await activeOrg(trx, intoId);
    const inside = await trx.selectFrom('org_closure').select('depth').where('ancestor_id', '=', id).where('descendant_id', '=', intoId).executeTakeFirst();
    if (inside) throw new AppError('ORG_MOVE_INTO_DESCENDANT');
    const children = await trx.selectFrom('orgs').select(['id', 'kind']).where('parent_id', '=', id).where('status', '=', 'active').execute();
    for (const c of children) checkChildKind(into.kind, c.kind, ctx.locale);
    const members = await moveAllMembers(trx, id, intoId, actor.id, reason || `merged into ${into.name}`);
    for (const c of children) {
      await moveSubtree(trx, String(c.id), intoId);
      await trx.updateTable('orgs').set({ parent_id: intoId, updated_at: new Date() }).where('id', '=', c.id).execute();
      await history(trx, String(c.id), 'move', actor.id, { fromParent: id, toParent: intoId, details: { reason: 'parent merged' } });
    }
    await applyCountDeltas(trx, [
      { orgId: intoId, dim: 'own_children', key: 'total', n: children.length, own: true },
      { orgId: id, dim: 'own_children', key: 'total', n: -children.length, own: true },
      ...orgDeltas({ orgId: id, parentId: org.parent_id === null ? null : String(org.parent_id), kind: org.kind, domain: org.domain }, -1),
    ]);
    const today = todayInChina();
    await trx.updateTable('orgs').set({ status: 'merged', merged_into_id: intoId, abolished_on: today, updated_at: new Date() }).where('id', '=', id).execute();
    await trx.updateTable('org_committee_members').set({ ended_on: today }).where('org_id', '=', id).where('ended_on', 'is', null).execute();
    await history(trx, id, 'merged', actor.id, { toParent: intoId, details: { into: into.name, members, children: children.length, reason } });
    await history(trx, intoId, 'merge_in', actor.id, { details: { from: org.name, fromId: id, members, children: children.length } });
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'org.merge', targetType: 'org', targetId: id, targetLabel: org.name, ip: ctx.ip, changes: { into: intoId, members, children: children.length, reason } });
    return { members, children: children.length };
  });
}

/** Abolishes an organisation; refused while members or sub-organisations remain, naming them. */
export async function abolishOrg(deps: AppDeps, ctx: RequestContext, id: string, reason: string, on?: string): Promise<void> {
  const actor = await requireAccess(deps.database.db, ctx, 'orgs:write', 'org', [id]);
  await deps.database.db.transaction().execute(async (trx) => {
    const org = await activeOrg(trx, id);
    if (org.parent_id === null) throw new AppError('FORBIDDEN');
    const members = await activeMembersOf(trx, id, 5);
    if (members.count > 0) throw new AppError('ORG_HAS_MEMBERS', { count: members.count, names: members.names.join('、') + (members.count > members.names.length ? ' …' : '') });
    const children = await trx.selectFrom('orgs').select('name').where('parent_id', '=', id).where('status', '=', 'active').orderBy('id').execute();
    if (children.length > 0) throw new AppError('ORG_HAS_CHILDREN', { count: children.length, names: children.slice(0, 5).map((c) => c.name).join('、') });
    await applyCountDeltas(trx, orgDeltas({ orgId: id, parentId: String(org.parent_id), kind: org.kind, domain: org.domain }, -1));
    const day = on ?? todayInChina();
    await trx.updateTable('orgs').set({ status: 'abolished', abolished_on: day, updated_at: new Date() }).where('id', '=', id).execute();
    await trx.updateTable('org_committee_members').set({ ended_on: day }).where('org_id', '=', id).where('ended_on', 'is', null).execute();
    await history(trx, id, 'abolish', actor.id, { fromParent: String(org.parent_id), details: { reason, on: day } });
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'org.abolish', targetType: 'org', targetId: id, targetLabel: org.name, ip: ctx.ip, changes: { reason, on: day } });
  });
}

export async function orgHistory(deps: AppDeps, id: string) {
  const rows = await deps.database.db
    .selectFrom('org_history as h')
    .leftJoin('accounts as a', 'a.id', 'h.actor_id')
    .select(['h.id', 'h.at', 'h.action', 'h.from_parent', 'h.to_parent', 'h.details', 'a.username'])
    .where('h.org_id', '=', id)
    .orderBy('h.at', 'desc')
    .orderBy('h.id', 'desc')
    .execute();
  const ids = [...new Set(rows.flatMap((r) => [r.from_parent, r.to_parent]).filter((x): x is string => !!x).map(String))];
  const names = await orgNames(deps.database.db, ids);
  return rows.map((r) => ({
    id: String(r.id),
    at: r.at.toISOString(),
    action: r.action,
    fromParent: r.from_parent ? { id: String(r.from_parent), name: names.get(String(r.from_parent)) ?? '' } : null,
    toParent: r.to_parent ? { id: String(r.to_parent), name: names.get(String(r.to_parent)) ?? '' } : null,
    details: r.details,
    actor: r.username ?? null,
  }));
}
