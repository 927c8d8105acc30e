import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';

// Facts about organisations that coverage and branch-health rules read (ORG-3, ORG-4).

export interface OrgHealthFacts {
  id: string;
  name: string;
  kind: string;
  domain: string | null;
  placeId: string | null;
  ownMembers: number;
  ownFullMembers: number;
  sittingCommittee: number;
  units: number;
  termEndsOn: string | null;
}

/** Active organisations bound to any of the given places, with their own counts and committee size. */
export async function orgFactsAtPlaces(ex: Executor, placeIds: string[]): Promise<OrgHealthFacts[]> {
  if (placeIds.length === 0) return [];
  const { rows } = await sql<{
    id: string; name: string; kind: string; domain: string | null; place_id: string | null; own_members: number; own_full: number; sitting: number; units: number; term_ends_on: string | null;
  }>`
    SELECT o.id, o.name, o.kind, o.domain, o.place_id,
      coalesce((SELECT n FROM org_counts WHERE org_id = o.id AND dim = 'own_members' AND key = 'total'), 0) AS own_members,
      coalesce((SELECT n FROM org_counts WHERE org_id = o.id AND dim = 'own_member_status' AND key = 'full'), 0) AS own_full,
      (SELECT count(*)::int FROM org_committee_members m WHERE m.org_id = o.id AND m.ended_on IS NULL) AS sitting,
      (SELECT count(*)::int FROM org_units u WHERE u.org_id = o.id) AS units,
      CASE WHEN o.term_started_on IS NOT NULL AND o.term_years IS NOT NULL
           THEN to_char(o.term_started_on + make_interval(years => o.term_years), 'YYYY-MM-DD') END AS term_ends_on
    FROM orgs o
    WHERE o.status = 'active' AND o.place_id = ANY(${placeIds}::bigint[])
    ORDER BY o.id`.execute(ex);
  return rows.map((r) => ({
    id: String(r.id), name: r.name, kind: r.kind, domain: r.domain, placeId: r.place_id === null ? null : String(r.place_id),
    ownMembers: r.own_members, ownFullMembers: r.own_full, sittingCommittee: r.sitting, units: r.units, termEndsOn: r.term_ends_on,
  }));
}

/** Which units each active organisation covers: its own place (own) or the units of a joint branch. */
export async function coverageOfUnits(ex: Executor, unitIds: string[]): Promise<{ unitId: string; orgId: string; name: string; kind: string; via: 'own' | 'joint' }[]> {
  if (unitIds.length === 0) return [];
  const { rows } = await sql<{ unit_id: string; org_id: string; name: string; kind: string; via: 'own' | 'joint' }>`
    SELECT o.place_id AS unit_id, o.id AS org_id, o.name, o.kind, 'own' AS via FROM orgs o
      WHERE o.status = 'active' AND o.place_id = ANY(${unitIds}::bigint[])
    UNION ALL
    SELECT u.place_id, o.id, o.name, o.kind, 'joint' FROM org_units u JOIN orgs o ON o.id = u.org_id
      WHERE o.status = 'active' AND u.place_id = ANY(${unitIds}::bigint[])`.execute(ex);
  return rows.map((r) => ({ unitId: String(r.unit_id), orgId: String(r.org_id), name: r.name, kind: r.kind, via: r.via }));
}
