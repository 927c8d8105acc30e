import { sql, type Kysely } from 'kysely';

// Issue 4 (the deadline sweep at city scale). A case's level place and owner place are always one
// of its own grid, community or street, which are foreign keys already. Their own foreign keys made
// every escalation check (and lock, FOR KEY SHARE) the community or street row, shared by the many
// cases escalated there together: 16 µs per escalated case, and multixacts when two sweep workers
// lock the same row. A check that they are the case's own places says more, at no lookup.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`
ALTER TABLE cases
  DROP CONSTRAINT cases_level_place_id_fkey,
  DROP CONSTRAINT cases_owner_place_id_fkey,
  ADD CONSTRAINT cases_level_place_own CHECK ((level_place_id IN (grid_id, community_id, street_id)) IS TRUE),
  ADD CONSTRAINT cases_owner_place_own CHECK ((owner_place_id IN (grid_id, community_id, street_id)) IS TRUE);
`).execute(db);
}
