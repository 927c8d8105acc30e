import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { Actor } from '../../platform/actor.js';
import { inScope } from '../../platform/access.js';
import { addToClosure, namesOf, pathOf } from '../../platform/tree.js';

export interface PlaceNode {
  id: string;
  parentId: string | null;
  name: string;
  kind: string;
  code: string | null;
  hasChildren: boolean;
}

export const placeNames = (ex: Executor, ids: string[]) => namesOf(ex, 'place', ids);
export const placePath = (ex: Executor, id: string) => pathOf(ex, 'place', id);

export async function createPlace(ex: Executor, p: { parentId: string | null; kind: string; name: string; code?: string | null; sortOrder?: number }): Promise<string> {
  const row = await ex
    .insertInto('places')
    .values({ parent_id: p.parentId, kind: p.kind, name: p.name, code: p.code ?? null, sort_order: p.sortOrder ?? 0 })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = String(row.id);
  await addToClosure(ex, 'place', id, p.parentId);
  return id;
}

/** Children of a node within the actor's scope, or the actor's scope roots when no parent is given. */
export async function placeChildren(ex: Executor, actor: Actor, parentId?: string): Promise<PlaceNode[]> {
  let q = ex
    .selectFrom('places as p')
    .select(['p.id', 'p.parent_id', 'p.name', 'p.kind', 'p.code'])
    .select(sql<boolean>`EXISTS (SELECT 1 FROM places c WHERE c.parent_id = p.id)`.as('has_children'));
  q = parentId
    ? q.where('p.parent_id', '=', parentId).where(inScope(actor, 'place', 'p.id'))
    : q.where('p.id', 'in', actor.placeScope.length ? actor.placeScope : ['0']);
  const rows = await q.orderBy('p.sort_order').orderBy('p.code').orderBy('p.id').execute();
  return rows.map((r) => ({ id: String(r.id), parentId: r.parent_id === null ? null : String(r.parent_id), name: r.name, kind: r.kind, code: r.code, hasChildren: r.has_children }));
}

export async function getPlace(ex: Executor, id: string) {
  return ex.selectFrom('places').selectAll().where('id', '=', id).executeTakeFirst();
}
