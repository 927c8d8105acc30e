import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';

// What other modules need to know about a member to offer them activities and services (issue 5,
// LIFE-2): skills, category, the community they live in and the community they registered with.

export interface MemberServiceFacts {
  id: string;
  name: string;
  orgId: string;
  state: string;
  category: string;
  skills: string[];
  /** the member's residence place and the community above it (when it lies under one) */
  residencePlaceId: string | null;
  residenceCommunityId: string | null;
  /** the community of the open registration of an in-service member (在职党员社区报到) */
  registeredCommunityId: string | null;
}

export async function memberServiceFacts(ex: Executor, memberId: string): Promise<MemberServiceFacts | null> {
  const { rows } = await sql<{
    id: string; name: string; org_id: string; state: string; category: string; skills: string[]; residence_place_id: string | null; residence_community: string | null; registered_community: string | null;
  }>`
    SELECT m.id, m.name, m.org_id, m.state, m.category, m.skills, m.residence_place_id,
      (SELECT p.id FROM place_closure c JOIN places p ON p.id = c.ancestor_id
        WHERE c.descendant_id = m.residence_place_id AND p.kind = 'community' LIMIT 1) AS residence_community,
      (SELECT r.community_id FROM community_registrations r
        WHERE r.member_id = m.id AND r.ended_on IS NULL ORDER BY r.registered_on DESC LIMIT 1) AS registered_community
    FROM members m WHERE m.id = ${memberId}::bigint`.execute(ex);
  const r = rows[0];
  if (!r) return null;
  const str = (v: string | null) => (v === null ? null : String(v));
  return {
    id: String(r.id), name: r.name, orgId: String(r.org_id), state: r.state, category: r.category, skills: r.skills ?? [],
    residencePlaceId: str(r.residence_place_id), residenceCommunityId: str(r.residence_community), registeredCommunityId: str(r.registered_community),
  };
}
