import { sql } from 'kysely';
import type { Database, Executor } from '../../db/database.js';
import type { RequestContext } from '../../platform/actor.js';
import { inScope, requireAccess, requirePermission } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { AppError } from '../../platform/errors.js';
import { categoryByCode, departmentsByIds } from './cases.repo.js';

// The routing table (CASE-3): place × category → departments. A case's proposal comes from the
// nearest ancestor of its grid (the grid itself first) with an entry for its category.

type Deps = { database: Database };

export interface ProposedDepartment {
  id: string;
  name: string;
  kind: string;
}

export async function proposeDepartments(ex: Executor, gridId: string, categoryId: string): Promise<{ fromPlaceId: string | null; departments: ProposedDepartment[] }> {
  const { rows } = await sql<{ place_id: string; department_ids: string[] }>`
    SELECT r.place_id, r.department_ids FROM place_closure c
    JOIN case_routes r ON r.place_id = c.ancestor_id AND r.category_id = ${categoryId}::bigint
    WHERE c.descendant_id = ${gridId}::bigint
    ORDER BY c.depth LIMIT 1`.execute(ex);
  const hit = rows[0];
  if (!hit) return { fromPlaceId: null, departments: [] };
  const order = hit.department_ids.map(String);
  const departments = (await departmentsByIds(ex, order)).filter((d) => d.active);
  departments.sort((a, b) => order.indexOf(String(a.id)) - order.indexOf(String(b.id)));
  return { fromPlaceId: String(hit.place_id), departments: departments.map((d) => ({ id: String(d.id), name: d.name, kind: d.kind })) };
}

export interface RouteEntry {
  place: { id: string; name: string; kind: string };
  category: { code: string; name: string };
  departments: ProposedDepartment[];
  updatedAt: string;
}

/** Entries at places in the actor's scope (optionally one subtree). */
export async function listRoutes(deps: Deps, ctx: RequestContext, q: { placeId?: string; category?: string }): Promise<RouteEntry[]> {
  const { db } = deps.database;
  const actor = await requirePermission(db, ctx, 'cases:read');
  if (q.placeId) await requireAccess(db, ctx, 'cases:read', 'place', [q.placeId]);
  let query = db
    .selectFrom('case_routes as r')
    .innerJoin('places as p', 'p.id', 'r.place_id')
    .innerJoin('case_categories as k', 'k.id', 'r.category_id')
    .select(['r.place_id', 'r.department_ids', 'r.updated_at', 'p.name as place_name', 'p.kind as place_kind', 'k.code', 'k.name_zh'])
    .where(inScope(actor, 'place', 'r.place_id'));
  if (q.placeId) query = query.where(sql<boolean>`r.place_id IN (SELECT descendant_id FROM place_closure WHERE ancestor_id = ${q.placeId}::bigint)`);
  if (q.category) query = query.where('k.code', '=', q.category);
  const rows = await query.orderBy('r.place_id').orderBy('k.sort_order').orderBy('k.code').execute();
  const departments = new Map((await departmentsByIds(db, [...new Set(rows.flatMap((r) => r.department_ids.map(String)))])).map((d) => [String(d.id), d]));
  return rows.map((r) => ({
    place: { id: String(r.place_id), name: r.place_name, kind: r.place_kind },
    category: { code: r.code, name: r.name_zh },
    departments: r.department_ids.map(String).filter((id) => departments.has(id)).map((id) => ({ id, name: departments.get(id)!.name, kind: departments.get(id)!.kind })),
    updatedAt: r.updated_at.toISOString(),
  }));
}

/** Sets (or, with no departments, removes) the entry for a place and a category. */
export async function saveRoute(deps: Deps, ctx: RequestContext, input: { placeId: string; categoryCode: string; departmentIds: string[] }): Promise<void> {
  const { db } = deps.database;
  const actor = await requireAccess(db, ctx, 'cases:configure', 'place', [input.placeId]);
  const category = await categoryByCode(db, input.categoryCode);
  if (!category) throw new AppError('CASE_CATEGORY_UNKNOWN', { code: input.categoryCode }, { categoryCode: 'CASE_CATEGORY_UNKNOWN' });
  const ids = [...new Set(input.departmentIds)];
  const departments = await departmentsByIds(db, ids);
  const missing = ids.find((id) => !departments.some((d) => String(d.id) === id && d.active));
  if (missing) throw new AppError('CASE_DEPARTMENT_UNKNOWN', { id: missing }, { departmentIds: 'CASE_DEPARTMENT_UNKNOWN' });
  // a department proposed for a place must work over all of it: its place is the place or an ancestor
  const { rows } = await sql<{ id: string }>`
    SELECT ancestor_id AS id FROM place_closure WHERE descendant_id = ${input.placeId}::bigint AND ancestor_id = ANY(${departments.map((d) => String(d.place_id))}::bigint[])`.execute(db);
  const covering = new Set(rows.map((r) => String(r.id)));
  const outside = departments.find((d) => !covering.has(String(d.place_id)));
  if (outside) throw new AppError('CASE_DEPARTMENT_OUT_OF_AREA', { name: outside.name });
  await db.transaction().execute(async (trx) => {
    if (ids.length === 0) {
      await trx.deleteFrom('case_routes').where('place_id', '=', input.placeId).where('category_id', '=', category.id).execute();
    } else {
      await trx
        .insertInto('case_routes')
        .values({ place_id: input.placeId, category_id: category.id, department_ids: ids })
        .onConflict((oc) => oc.columns(['place_id', 'category_id']).doUpdateSet({ department_ids: ids, updated_at: new Date() }))
        .execute();
    }
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'case.routing_save', targetType: 'place', targetId: input.placeId, targetLabel: category.code, ip: ctx.ip, changes: { category: category.code, departmentIds: ids } });
  });
}
