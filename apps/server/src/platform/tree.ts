import { sql } from 'kysely';
import type { Executor } from '../db/database.js';

// Closure-table helpers shared by the two trees (organisations and places).
const TABLES = {
  org: { nodes: 'orgs', closure: 'org_closure' },
  place: { nodes: 'places', closure: 'place_closure' },
} as const;
export type TreeKind = keyof typeof TABLES;

/** Closure rows for a new leaf: itself at depth 0 and each ancestor of its parent one deeper. */
export async function addToClosure(ex: Executor, kind: TreeKind, id: string, parentId: string | null): Promise<void> {
  const closure = sql.table(TABLES[kind].closure);
  await sql`INSERT INTO ${closure} (ancestor_id, descendant_id, depth)
            SELECT ancestor_id, ${id}::bigint, depth + 1 FROM ${closure} WHERE descendant_id = ${parentId}::bigint
            UNION ALL SELECT ${id}::bigint, ${id}::bigint, 0`.execute(ex);
}

/** The node and its ancestors from the root down, for breadcrumbs. */
export async function pathOf(ex: Executor, kind: TreeKind, id: string): Promise<{ id: string; name: string; kind: string }[]> {
  const t = TABLES[kind];
  const { rows } = await sql<{ id: string; name: string; kind: string }>`
    SELECT n.id, n.name, n.kind FROM ${sql.table(t.closure)} c JOIN ${sql.table(t.nodes)} n ON n.id = c.ancestor_id
    WHERE c.descendant_id = ${id}::bigint ORDER BY c.depth DESC`.execute(ex);
  return rows.map((r) => ({ id: String(r.id), name: r.name, kind: r.kind }));
}

/** Names of the given nodes. */
export async function namesOf(ex: Executor, kind: TreeKind, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { rows } = await sql<{ id: string; name: string }>`
    SELECT id, name FROM ${sql.table(TABLES[kind].nodes)} WHERE id = ANY(${ids}::bigint[])`.execute(ex);
  return new Map(rows.map((r) => [String(r.id), r.name]));
}

/** Those of `ids` that lie in the subtree of `rootId` (itself included). */
export async function inSubtree(ex: Executor, kind: TreeKind, rootId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await sql<{ id: string }>`
    SELECT descendant_id AS id FROM ${sql.table(TABLES[kind].closure)}
    WHERE ancestor_id = ${rootId}::bigint AND descendant_id = ANY(${ids}::bigint[])`.execute(ex);
  return new Set(rows.map((r) => String(r.id)));
}
