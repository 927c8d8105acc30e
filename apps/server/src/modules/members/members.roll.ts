import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';

// The roll of an organisation for other modules (issue 5, LIFE-1): who is expected at its meetings
// and who may vote there (full members; probationary members attend but do not vote).

export interface RollMember {
  id: string;
  name: string;
  status: 'probationary' | 'full';
}

/** Members on the roll directly in one organisation, ordered by name. */
export async function activeRoll(ex: Executor, orgId: string): Promise<RollMember[]> {
  const rows = await ex
    .selectFrom('members')
    .select(['id', 'name', 'status'])
    .where('org_id', '=', orgId)
    .where('state', '=', 'active')
    .orderBy(sql`name COLLATE "C"`)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: String(r.id), name: r.name, status: r.status }));
}
