import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { Actor } from '../../platform/actor.js';
import { inScope } from '../../platform/access.js';
import { parseSort } from '../../platform/pagination.js';
import { addToClosure, namesOf, pathOf } from '../../platform/tree.js';
import { applyCountDeltas, orgDeltas } from './org-counts.js';

export interface OrgNode {
  id: string;
  parentId: string | null;
  name: string;
  kind: string;
  hasChildren: boolean;
}

export const orgNames = (ex: Executor, ids: string[]) => namesOf(ex, 'org', ids);
export const orgPath = (ex: Executor, id: string) => pathOf(ex, 'org', id);

export interface NewOrg {
  parentId: string | null;
  kind: string;
  domain?: string | null;
  name: string;
  placeId?: string | null;
  foundedOn?: string | null;
  sortOrder?: number;
}

export async function createOrg(ex: Executor, o: NewOrg): Promise<string> {
  const row = await ex
    .insertInto('orgs')
    .values({ parent_id: o.parentId, kind: o.kind, domain: o.domain ?? null, name: o.name, place_id: o.placeId ?? null, founded_on: o.foundedOn ?? null, sort_order: o.sortOrder ?? 0 })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = String(row.id);
  await addToClosure(ex, 'org', id, o.parentId);
  await applyCountDeltas(ex, orgDeltas({ orgId: id, parentId: o.parentId, kind: o.kind, domain: o.domain ?? null }, 1));
  return id;
}

export async function orgChildren(ex: Executor, actor: Actor, parentId?: string): Promise<OrgNode[]> {
  let q = ex
    .selectFrom('orgs as o')
    .select(['o.id', 'o.parent_id', 'o.name', 'o.kind'])
    .select(sql<boolean>`EXISTS (SELECT 1 FROM orgs c WHERE c.parent_id = o.id AND c.status = 'active')`.as('has_children'))
    .where('o.status', '=', 'active');
  q = parentId
    ? q.where('o.parent_id', '=', parentId).where(inScope(actor, 'org', 'o.id'))
    : q.where('o.id', 'in', actor.orgScope.length ? actor.orgScope : ['0']);
  const rows = await q.orderBy('o.sort_order').orderBy('o.id').execute();
  return rows.map((r) => ({ id: String(r.id), parentId: r.parent_id === null ? null : String(r.parent_id), name: r.name, kind: r.kind, hasChildren: r.has_children }));
}

/** Organisations attached to a place or covering it as a unit (the places module refuses to delete it then). */
export async function countOrgsAtPlace(ex: Executor, placeId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM orgs
    WHERE place_id = ${placeId}::bigint OR id IN (SELECT org_id FROM org_units WHERE place_id = ${placeId}::bigint)`.execute(ex);
  return Number(rows[0]?.n ?? 0);
}

export async function getOrg(ex: Executor, id: string) {
  return ex.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface OrgListQuery {
  q?: string;
  kind?: string;
  domain?: string;
  status?: 'active' | 'abolished' | 'merged';
  parentId?: string;
  sort?: string;
  page: number;
  pageSize: number;
}

const SORTS = { name: 'o.name', kind: 'o.kind', foundedOn: 'o.founded_on', members: 'subtree_members', id: 'o.id' } as const;

/**
 * Organisations in the actor's scope (optionally one subtree, whose root the caller has checked with
 * requireAccess), searchable by name, with their counts.
 */
export async function listOrgs(ex: Executor, actor: Actor, query: OrgListQuery) {
  let base = ex.selectFrom('orgs as o').where('o.status', '=', query.status ?? 'active');
  if (query.q) base = base.where('o.name', 'like', `%${query.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`);
  if (query.kind) base = base.where('o.kind', '=', query.kind);
  if (query.domain) base = base.where('o.domain', '=', query.domain);
  // the subtree root goes in as a parameter: a closure lookup inside the statement defeats the index
  // A subtree root the caller has checked with requireAccess lies inside the scope, and so does its
  // whole subtree: the scope filter (a semi-join over every organisation in scope) is then redundant.
  if (query.parentId) base = base.where(sql<boolean>`o.id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ${query.parentId}::bigint)`);
  else base = base.where(inScope(actor, 'org', 'o.id'));
  const sort = parseSort(query.sort, Object.keys(SORTS) as (keyof typeof SORTS)[], 'id');
  const [items, total] = await Promise.all([
    base
      .selectAll('o')
      .select([
        sql<number>`coalesce((SELECT n FROM org_counts WHERE org_id = o.id AND dim = 'own_members' AND key = 'total'), 0)`.as('own_members'),
        sql<number>`coalesce((SELECT n FROM org_counts WHERE org_id = o.id AND dim = 'members' AND key = 'total'), 0)`.as('subtree_members'),
        sql<number>`coalesce((SELECT n FROM org_counts WHERE org_id = o.id AND dim = 'own_children' AND key = 'total'), 0)`.as('children'),
      ])
      .orderBy(sql.ref(SORTS[sort.field]), sort.dir)
      .orderBy('o.id')
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize)
      .execute(),
    base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: total.n };
}
