import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { Actor } from '../../platform/actor.js';
import { inScope } from '../../platform/access.js';
import { addToClosure } from '../../platform/tree.js';
import { bboxOf, type Area, type BBox } from './places.geometry.js';

// SQL of the places module. Subtrees go through place_closure with the root id as a parameter.

export interface NewPlace {
  parentId: string | null;
  kind: string;
  name: string;
  code?: string | null;
  sortOrder?: number;
  geometry?: Area | null;
  /** Computed from the geometry when omitted. */
  bbox?: BBox | null;
  lng?: number | null;
  lat?: number | null;
  address?: string | null;
  floors?: number | null;
  buildingUse?: string | null;
  households?: number | null;
  units?: number | null;
  attributes?: Record<string, unknown>;
}

const columns = (p: NewPlace) => {
  const geometry = p.geometry ?? null;
  return {
    parent_id: p.parentId,
    kind: p.kind,
    name: p.name,
    code: p.code ?? null,
    sort_order: p.sortOrder ?? 0,
    geometry: geometry ? JSON.stringify(geometry) : null,
    bbox: geometry ? (p.bbox ?? bboxOf(geometry)) : null,
    lng: p.lng ?? null,
    lat: p.lat ?? null,
    address: p.address ?? null,
    floors: p.floors ?? null,
    building_use: p.buildingUse ?? null,
    households: p.households ?? null,
    units: p.units ?? null,
    attributes: JSON.stringify(p.attributes ?? {}),
  };
};

/** Inserts a place and its closure rows; returns its id. */
export async function insertPlace(ex: Executor, p: NewPlace): Promise<string> {
  const row = await ex.insertInto('places').values(columns(p)).returning('id').executeTakeFirstOrThrow();
  const id = String(row.id);
  await addToClosure(ex, 'place', id, p.parentId);
  return id;
}

/** Inserts siblings under one parent in two statements (seeds); returns their ids in order. */
export async function insertSiblings(ex: Executor, parentId: string, list: Omit<NewPlace, 'parentId'>[]): Promise<string[]> {
  if (list.length === 0) return [];
  const rows = await ex.insertInto('places').values(list.map((p) => columns({ ...p, parentId }))).returning('id').execute();
  const ids = rows.map((r) => String(r.id));
  await sql`INSERT INTO place_closure (ancestor_id, descendant_id, depth)
            SELECT c.ancestor_id, n.id, c.depth + 1 FROM place_closure c CROSS JOIN unnest(${ids}::bigint[]) AS n(id) WHERE c.descendant_id = ${parentId}::bigint
            UNION ALL SELECT n.id, n.id, 0 FROM unnest(${ids}::bigint[]) AS n(id)`.execute(ex);
  return ids;
}

export async function findPlace(ex: Executor, id: string) {
  return ex.selectFrom('places').selectAll().where('id', '=', id).executeTakeFirst();
}
export type PlaceRow = NonNullable<Awaited<ReturnType<typeof findPlace>>>;

/** Places by code (the unique key of imports). */
export async function placesByCodes(ex: Executor, codes: string[]): Promise<Map<string, PlaceRow>> {
  if (codes.length === 0) return new Map();
  const rows = await ex.selectFrom('places').selectAll().where('code', 'in', codes).execute();
  return new Map(rows.map((r) => [r.code!, r]));
}

export async function placesByIds(ex: Executor, ids: string[]): Promise<Map<string, PlaceRow>> {
  if (ids.length === 0) return new Map();
  const rows = await ex.selectFrom('places').selectAll().where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [String(r.id), r]));
}

/** Households of the buildings in each place's subtree (a building counts its own). */
export async function householdsUnder(ex: Executor, ids: string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const { rows } = await sql<{ id: string; n: number }>`
    SELECT c.ancestor_id AS id, coalesce(sum(p.households), 0)::int AS n
    FROM place_closure c JOIN places p ON p.id = c.descendant_id
    WHERE c.ancestor_id = ANY(${ids}::bigint[]) AND p.kind = 'building'
    GROUP BY c.ancestor_id`.execute(ex);
  return new Map(rows.map((r) => [String(r.id), Number(r.n)]));
}

/** Places below one place by kind: direct children and the whole subtree. */
export async function countsBelow(ex: Executor, id: string): Promise<{ children: Record<string, number>; subtree: Record<string, number> }> {
  const { rows } = await sql<{ kind: string; children: number; subtree: number }>`
    SELECT p.kind, count(*) FILTER (WHERE c.depth = 1)::int AS children, count(*)::int AS subtree
    FROM place_closure c JOIN places p ON p.id = c.descendant_id
    WHERE c.ancestor_id = ${id}::bigint AND c.depth > 0
    GROUP BY p.kind`.execute(ex);
  const children: Record<string, number> = {};
  const subtree: Record<string, number> = {};
  for (const r of rows) {
    if (r.children > 0) children[r.kind] = r.children;
    subtree[r.kind] = r.subtree;
  }
  return { children, subtree };
}

/** How many children a place has and the names of the first few. */
export async function childSummary(ex: Executor, id: string, limit = 5): Promise<{ count: number; names: string[] }> {
  const [rows, total] = await Promise.all([
    ex.selectFrom('places').select('name').where('parent_id', '=', id).orderBy('sort_order').orderBy('code').orderBy('id').limit(limit).execute(),
    ex.selectFrom('places').select(sql<number>`count(*)::int`.as('n')).where('parent_id', '=', id).executeTakeFirstOrThrow(),
  ]);
  return { count: total.n, names: rows.map((r) => r.name) };
}

/** Places in the actor's scope, searchable by name, kind, code prefix and subtree. */
export async function searchPlaces(ex: Executor, actor: Actor, f: { q?: string; kind?: string; parentId?: string; code?: string }, page: { page: number; pageSize: number }) {
  let base = ex.selectFrom('places as p').where(inScope(actor, 'place', 'p.id'));
  if (f.q) base = base.where('p.name', 'ilike', `%${f.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`);
  if (f.kind) base = base.where('p.kind', '=', f.kind);
  if (f.code) base = base.where('p.code', 'like', `${f.code.replace(/[\\%_]/g, (c) => '\\' + c)}%`);
  if (f.parentId) base = base.where(sql<boolean>`p.id IN (SELECT descendant_id FROM place_closure WHERE ancestor_id = ${f.parentId}::bigint)`);
  const [rows, total] = await Promise.all([
    base
      .select(['p.id', 'p.parent_id', 'p.name', 'p.kind', 'p.code', 'p.address', 'p.lng', 'p.lat', 'p.floors', 'p.building_use'])
      .select(sql<boolean>`p.geometry IS NOT NULL`.as('has_boundary'))
      .orderBy(sql`p.code IS NULL`)
      .orderBy('p.code')
      .orderBy('p.sort_order')
      .orderBy('p.id')
      .limit(page.pageSize)
      .offset((page.page - 1) * page.pageSize)
      .execute(),
    base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: total.n };
}
export type PlaceListRow = Awaited<ReturnType<typeof searchPlaces>>['rows'][number];

/** Children with a boundary or a point, for the map preview. */
export async function childShapes(ex: Executor, parentId: string) {
  return ex
    .selectFrom('places')
    .select(['id', 'name', 'kind', 'code', 'geometry', 'bbox', 'lng', 'lat', 'address', 'floors', 'building_use', 'households'])
    .where('parent_id', '=', parentId)
    .where((eb) => eb.or([eb('geometry', 'is not', null), eb.and([eb('lng', 'is not', null), eb('lat', 'is not', null)])]))
    .orderBy('sort_order')
    .orderBy('code')
    .orderBy('id')
    .execute();
}
