import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import { inScope } from '../../platform/access.js';
import type { Actor } from '../../platform/actor.js';

// The maintained subtree-count table (org_counts). Every change to members or organisations calls
// these in the same transaction, so GET /api/orgs/:id/stats is one index lookup at any level.
//
// Dimensions counted over the whole subtree (the organisation itself included):
//   orgs:total, org_kind:<kind>, org_domain:<domain|none>         — active organisations
//   members:total, member_status:<probationary|full>, member_category:<category> — active members
// Dimensions counted on the organisation itself only (prefix own_):
//   own_members:total, own_member_status:<status>, own_children:total

export interface CountDelta {
  orgId: string;
  dim: string;
  key: string;
  n: number;
  /** Only the organisation's own row, not its ancestors. */
  own?: boolean;
}

export interface MemberFacts {
  orgId: string;
  status: string;
  category: string;
}

export interface OrgFacts {
  orgId: string;
  parentId: string | null;
  kind: string;
  domain: string | null;
}

export function memberDeltas(m: MemberFacts, sign: 1 | -1): CountDelta[] {
  return [
    { orgId: m.orgId, dim: 'members', key: 'total', n: sign },
    { orgId: m.orgId, dim: 'member_status', key: m.status, n: sign },
    { orgId: m.orgId, dim: 'member_category', key: m.category, n: sign },
    { orgId: m.orgId, dim: 'own_members', key: 'total', n: sign, own: true },
    { orgId: m.orgId, dim: 'own_member_status', key: m.status, n: sign, own: true },
  ];
}

export function orgDeltas(o: OrgFacts, sign: 1 | -1): CountDelta[] {
  const d: CountDelta[] = [
    { orgId: o.orgId, dim: 'orgs', key: 'total', n: sign },
    { orgId: o.orgId, dim: 'org_kind', key: o.kind, n: sign },
    { orgId: o.orgId, dim: 'org_domain', key: o.domain ?? 'none', n: sign },
  ];
  if (o.parentId) d.push({ orgId: o.parentId, dim: 'own_children', key: 'total', n: sign, own: true });
  return d;
}

/** Applies deltas to every ancestor (or the organisation alone for own_ rows) in one statement. */
export async function applyCountDeltas(ex: Executor, deltas: CountDelta[]): Promise<void> {
  // Pre-aggregate so a batch (an import, a merge) is a single statement whatever its size.
  const agg = new Map<string, CountDelta>();
  for (const d of deltas) {
    const k = `${d.orgId}|${d.dim}|${d.key}|${d.own ? 1 : 0}`;
    const cur = agg.get(k);
    if (cur) cur.n += d.n;
    else agg.set(k, { ...d });
  }
  const list = [...agg.values()].filter((d) => d.n !== 0);
  if (list.length === 0) return;
  await sql`
    INSERT INTO org_counts (org_id, dim, key, n)
    SELECT c.ancestor_id, d.dim, d.key, sum(d.n)::int
    FROM unnest(${list.map((d) => d.orgId)}::bigint[], ${list.map((d) => d.dim)}::text[], ${list.map((d) => d.key)}::text[],
                ${list.map((d) => d.n)}::int[], ${list.map((d) => !!d.own)}::boolean[]) AS d(org_id, dim, key, n, own)
    JOIN org_closure c ON c.descendant_id = d.org_id AND (NOT d.own OR c.depth = 0)
    GROUP BY c.ancestor_id, d.dim, d.key
    ON CONFLICT (org_id, dim, key) DO UPDATE SET n = org_counts.n + EXCLUDED.n`.execute(ex);
}

/**
 * Moves the subtree counts of `orgId` from its current ancestors to those under `newParentId`,
 * and rewires the closure table. The caller has checked that newParentId is not inside the subtree.
 */
export async function moveSubtree(ex: Executor, orgId: string, newParentId: string): Promise<void> {
  const shift = (sign: 1 | -1) => sql`
    INSERT INTO org_counts (org_id, dim, key, n)
    SELECT c.ancestor_id, t.dim, t.key, ${sign}::int * t.n
    FROM org_closure c CROSS JOIN org_counts t
    WHERE c.descendant_id = ${orgId}::bigint AND c.depth > 0 AND t.org_id = ${orgId}::bigint AND t.dim NOT LIKE 'own\\_%'
    ON CONFLICT (org_id, dim, key) DO UPDATE SET n = org_counts.n + EXCLUDED.n`;
  await shift(-1).execute(ex);
  await sql`
    DELETE FROM org_closure
    WHERE descendant_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ${orgId}::bigint)
      AND ancestor_id IN (SELECT ancestor_id FROM org_closure WHERE descendant_id = ${orgId}::bigint AND depth > 0)`.execute(ex);
  await sql`
    INSERT INTO org_closure (ancestor_id, descendant_id, depth)
    SELECT p.ancestor_id, s.descendant_id, p.depth + s.depth + 1
    FROM org_closure p CROSS JOIN org_closure s
    WHERE p.descendant_id = ${newParentId}::bigint AND s.ancestor_id = ${orgId}::bigint`.execute(ex);
  await shift(1).execute(ex);
}

const RECOUNT_SQL = `
  WITH active_orgs AS (SELECT id, parent_id, kind, coalesce(domain, 'none') AS domain FROM orgs WHERE status = 'active'),
  active_members AS (SELECT org_id, status, category FROM members WHERE state = 'active'),
  facts AS (
    SELECT id AS org_id, 'orgs' AS dim, 'total' AS key, 1 AS n, false AS own FROM active_orgs
    UNION ALL SELECT id, 'org_kind', kind, 1, false FROM active_orgs
    UNION ALL SELECT id, 'org_domain', domain, 1, false FROM active_orgs
    UNION ALL SELECT parent_id, 'own_children', 'total', 1, true FROM active_orgs WHERE parent_id IS NOT NULL
    UNION ALL SELECT org_id, 'members', 'total', 1, false FROM active_members
    UNION ALL SELECT org_id, 'member_status', status, 1, false FROM active_members
    UNION ALL SELECT org_id, 'member_category', category, 1, false FROM active_members
    UNION ALL SELECT org_id, 'own_members', 'total', 1, true FROM active_members
    UNION ALL SELECT org_id, 'own_member_status', status, 1, true FROM active_members
  )
  SELECT c.ancestor_id AS org_id, f.dim, f.key, sum(f.n)::int AS n
  FROM facts f JOIN org_closure c ON c.descendant_id = f.org_id AND (NOT f.own OR c.depth = 0)
  GROUP BY c.ancestor_id, f.dim, f.key`;

/** The counts recomputed from scratch (tests compare this with the maintained table). */
export async function bruteForceCounts(ex: Executor): Promise<{ org_id: string; dim: string; key: string; n: number }[]> {
  return (await sql<{ org_id: string; dim: string; key: string; n: number }>`${sql.raw(RECOUNT_SQL)}`.execute(ex)).rows;
}

/** Rebuilds the whole count table (after a bulk load). */
export async function rebuildCounts(ex: Executor): Promise<void> {
  await sql`DELETE FROM org_counts`.execute(ex);
  await sql`INSERT INTO org_counts (org_id, dim, key, n) ${sql.raw(RECOUNT_SQL)}`.execute(ex);
}

type Counts = Record<string, Record<string, number>>;

function fold(rows: { dim: string; key: string; n: number }[]): Counts {
  const out: Counts = {};
  for (const r of rows) if (r.n !== 0) (out[r.dim] ??= {})[r.key] = r.n;
  return out;
}

/**
 * One organisation's own count as an SQL expression over a column of another module's set-based
 * query (issue 5: the full members of each branch in the organisational-life compliance ranking),
 * so the table stays this module's: a primary-key lookup per row, 0 when there is none.
 */
export function ownCountExpr(orgIdColumn: string, dim: 'own_members' | 'own_member_status' | 'own_children', key: string) {
  return sql<number>`coalesce((SELECT oc.n FROM org_counts oc WHERE oc.org_id = ${sql.ref(orgIdColumn)} AND oc.dim = ${dim} AND oc.key = ${key}), 0)`;
}

/** The subtree statistics of one organisation: one index lookup. */
export async function countsOf(ex: Executor, orgId: string): Promise<Counts> {
  return fold(await ex.selectFrom('org_counts').select(['dim', 'key', 'n']).where('org_id', '=', orgId).execute());
}

/**
 * The same, filtered by the actor's scope in the same statement (the hot path of flat management:
 * one query instead of a scope check and a lookup). Null when nothing came back, which is either an
 * organisation outside the scope or one without counts: the caller then asks requireAccess.
 */
export async function countsInScope(ex: Executor, actor: Actor, orgId: string): Promise<Counts | null> {
  const rows = await ex.selectFrom('org_counts').select(['dim', 'key', 'n']).where('org_id', '=', orgId).where(inScope(actor, 'org', 'org_id')).execute();
  return rows.length ? fold(rows) : null;
}
