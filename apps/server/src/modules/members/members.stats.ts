import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';

/**
 * Active full members per unit, for the formation rules: a compound counts the members who live in
 * it (or its buildings), an office building or enterprise those who work there.
 */
export async function fullMembersByUnit(ex: Executor, units: { id: string; kind: string }[]): Promise<Map<string, number>> {
  const residence = units.filter((u) => u.kind === 'compound').map((u) => u.id);
  const work = units.filter((u) => u.kind !== 'compound').map((u) => u.id);
  const out = new Map<string, number>();
  const count = async (column: 'residence_place_id' | 'work_place_id', ids: string[]) => {
    if (ids.length === 0) return;
    const { rows } = await sql<{ unit_id: string; n: number }>`
      SELECT c.ancestor_id AS unit_id, count(*)::int AS n
      FROM members m JOIN place_closure c ON c.descendant_id = m.${sql.ref(column)}
      WHERE m.state = 'active' AND m.status = 'full' AND c.ancestor_id = ANY(${ids}::bigint[])
      GROUP BY c.ancestor_id`.execute(ex);
    for (const r of rows) out.set(String(r.unit_id), (out.get(String(r.unit_id)) ?? 0) + r.n);
  };
  await count('residence_place_id', residence);
  await count('work_place_id', work);
  return out;
}
