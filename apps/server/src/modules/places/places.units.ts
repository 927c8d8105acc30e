import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';

// Units for coverage (ORG-3): compounds, office buildings and enterprises under a place, each with
// the child of the root (the next level down) that contains it.
export interface UnitRow {
  id: string;
  kind: 'compound' | 'office_building' | 'enterprise';
  name: string;
  floors: number | null;
  levelId: string | null;
}

export async function unitsUnder(ex: Executor, rootId: string, minOfficeFloors: number): Promise<UnitRow[]> {
  const { rows } = await sql<{ id: string; kind: UnitRow['kind']; name: string; floors: number | null; level_id: string | null }>`
    SELECT p.id, p.kind, p.name, p.floors,
           (SELECT c2.ancestor_id FROM place_closure c2 JOIN places a ON a.id = c2.ancestor_id
             WHERE c2.descendant_id = p.id AND a.parent_id = ${rootId}::bigint) AS level_id
    FROM place_closure c JOIN places p ON p.id = c.descendant_id
    WHERE c.ancestor_id = ${rootId}::bigint
      AND (p.kind IN ('compound', 'enterprise') OR (p.kind = 'office_building' AND coalesce(p.floors, 0) >= ${minOfficeFloors}))
    ORDER BY p.kind, p.id`.execute(ex);
  return rows.map((r) => ({ id: String(r.id), kind: r.kind, name: r.name, floors: r.floors, levelId: r.level_id === null ? null : String(r.level_id) }));
}

/** The direct children of a place (the levels a coverage report breaks down by). */
export async function childPlaces(ex: Executor, parentId: string) {
  const rows = await ex.selectFrom('places').select(['id', 'name', 'kind', 'code']).where('parent_id', '=', parentId).orderBy('sort_order').orderBy('code').orderBy('id').execute();
  return rows.map((r) => ({ id: String(r.id), name: r.name, kind: r.kind, code: r.code }));
}

/** Ids of every place in the subtree (the root included). */
export async function subtreePlaceIds(ex: Executor, rootId: string): Promise<string[]> {
  const rows = await ex.selectFrom('place_closure').select('descendant_id').where('ancestor_id', '=', rootId).execute();
  return rows.map((r) => String(r.descendant_id));
}
