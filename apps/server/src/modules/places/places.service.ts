import { sql } from 'kysely';
import type { AppDeps } from '../../app.js';
import type { Executor } from '../../db/database.js';
import type { Actor, RequestContext } from '../../platform/actor.js';
import { idsInScope, inScope, requireAccess, requirePermission } from '../../platform/access.js';
import { AppError } from '../../platform/errors.js';
import { namesOf, pathOf } from '../../platform/tree.js';
import { countOrgsAtPlace } from '../orgs/orgs.service.js';
import { nextGridCodes } from './places.codes.js';
import type { BBox } from './places.geometry.js';
import { placeCan } from './places.policy.js';
import { childShapes, countsBelow, findPlace, householdsUnder, insertPlace, insertSiblings, searchPlaces, type NewPlace, type PlaceListRow, type PlaceRow } from './places.repo.js';
import { childKinds } from './places.rules.js';
import type { PlaceDetail, PlaceListQuery } from './places.schema.js';

// Reading places: the tree picker, search, one place with its roll-ups, the map preview.

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

/** Inserts a place with its closure rows, without checks (seeds; services check first). */
export const createPlace = (ex: Executor, p: NewPlace): Promise<string> => insertPlace(ex, p);
/** Inserts siblings under one parent in two statements, without checks (seeds). */
export const createPlaces = (ex: Executor, parentId: string, list: Omit<NewPlace, 'parentId'>[]): Promise<string[]> => insertSiblings(ex, parentId, list);

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
  return findPlace(ex, id);
}

const idOrNull = (v: string | null) => (v === null ? null : String(v));

/** Whether each place's parent lies in the actor's scope (a place is edited from the level above). */
async function parentsInScope(ex: Executor, actor: Actor, rows: { parent_id: string | null }[]): Promise<Set<string>> {
  const parents = [...new Set(rows.map((r) => r.parent_id).filter((p): p is string => p !== null).map(String))];
  return idsInScope(ex, actor, 'place', parents);
}

function listItem(actor: Actor, r: PlaceListRow | PlaceRow, households: number, parentInScope: boolean) {
  return {
    id: String(r.id),
    parentId: idOrNull(r.parent_id),
    name: r.name,
    kind: r.kind,
    code: r.code,
    address: r.address,
    lng: r.lng,
    lat: r.lat,
    floors: r.floors,
    buildingUse: r.building_use,
    households,
    hasBoundary: 'has_boundary' in r ? r.has_boundary : r.geometry !== null,
    can: placeCan(actor, { kind: r.kind, parentInScope }),
  };
}

/** One place as the API shows it: every field, its path, counts below it by kind, households rolled up. */
export async function presentPlace(ex: Executor, actor: Actor, row: PlaceRow): Promise<PlaceDetail> {
  const id = String(row.id);
  const path = await pathOf(ex, 'place', id);
  const counts = await countsBelow(ex, id);
  const households = (await householdsUnder(ex, [id])).get(id) ?? 0;
  const orgRefs = await countOrgsAtPlace(ex, id);
  const parentInScope = (await parentsInScope(ex, actor, [row])).has(String(row.parent_id));
  const children = Object.values(counts.children).reduce((a, b) => a + b, 0);
  return {
    ...listItem(actor, row, households, parentInScope),
    can: placeCan(actor, { kind: row.kind, parentInScope, children, orgRefs }),
    sortOrder: row.sort_order,
    geometry: (row.geometry as PlaceDetail['geometry']) ?? null,
    bbox: row.bbox,
    units: row.units,
    attributes: row.attributes ?? {},
    path,
    childCounts: counts.children,
    subtreeCounts: counts.subtree,
    childKinds: childKinds(row.kind),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export async function getPlaceDetail(deps: AppDeps, ctx: RequestContext, id: string): Promise<PlaceDetail> {
  const { db } = deps.database;
  const actor = await requireAccess(db, ctx, 'places:read', 'place', [id]);
  const row = await findPlace(db, id);
  if (!row) throw new AppError('NOT_FOUND');
  return presentPlace(db, actor, row);
}

export async function listPlaces(deps: AppDeps, ctx: RequestContext, query: PlaceListQuery) {
  const { db } = deps.database;
  const actor = await requirePermission(db, ctx, 'places:read');
  if (query.parentId) await requireAccess(db, ctx, 'places:read', 'place', [query.parentId]);
  const { rows, total } = await searchPlaces(db, actor, query, query);
  const ids = rows.map((r) => String(r.id));
  const households = await householdsUnder(db, ids);
  const parents = await parentsInScope(db, actor, rows);
  return {
    items: rows.map((r) => listItem(actor, r, households.get(String(r.id)) ?? 0, r.parent_id !== null && parents.has(String(r.parent_id)))),
    total,
    page: query.page,
    pageSize: query.pageSize,
  };
}

/** The children's boundaries (or points where they have none) as a FeatureCollection, for the map preview. */
export async function childrenGeoJson(deps: AppDeps, ctx: RequestContext, id: string) {
  const { db } = deps.database;
  await requireAccess(db, ctx, 'places:read', 'place', [id]);
  const rows = await childShapes(db, id);
  const households = await householdsUnder(db, rows.map((r) => String(r.id)));
  const box: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  const grow = (b: readonly number[]) => {
    box[0] = Math.min(box[0], b[0]!);
    box[1] = Math.min(box[1], b[1]!);
    box[2] = Math.max(box[2], b[2]!);
    box[3] = Math.max(box[3], b[3]!);
  };
  const features = rows.map((r) => {
    const point = r.lng !== null && r.lat !== null ? { type: 'Point', coordinates: [r.lng, r.lat] } : null;
    const geometry = (r.geometry as { type: string; coordinates: unknown } | null) ?? point!;
    if (r.geometry && r.bbox) grow(r.bbox);
    else if (point) grow([r.lng!, r.lat!, r.lng!, r.lat!]);
    return {
      type: 'Feature' as const,
      id: String(r.id),
      geometry,
      properties: {
        id: String(r.id),
        name: r.name,
        kind: r.kind,
        code: r.code,
        address: r.address,
        floors: r.floors,
        buildingUse: r.building_use,
        households: households.get(String(r.id)) ?? 0,
        lng: r.lng,
        lat: r.lat,
      },
    };
  });
  return { type: 'FeatureCollection' as const, ...(features.length && Number.isFinite(box[0]) ? { bbox: box } : {}), features };
}

/** The next free grid code in a community (for the create form). */
export async function nextGridCodeFor(deps: AppDeps, ctx: RequestContext, id: string) {
  const { db } = deps.database;
  await requireAccess(db, ctx, 'places:write', 'place', [id]);
  const row = await findPlace(db, id);
  if (!row) throw new AppError('NOT_FOUND');
  const [code] = await nextGridCodes(db, row, 1, ctx.locale);
  return { code: code!, communityCode: row.code! };
}
