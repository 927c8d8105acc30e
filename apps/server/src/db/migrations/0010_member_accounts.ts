import { sql, type Kysely } from 'kysely';

// Issue 5 (MEM-2): an account may be a party member's own login. The member sees their branch, its
// feed, activities and points through it. One account per member.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`
ALTER TABLE accounts ADD COLUMN member_id bigint REFERENCES members(id);
CREATE UNIQUE INDEX accounts_member ON accounts (member_id) WHERE member_id IS NOT NULL;
`).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`DROP INDEX IF EXISTS accounts_member; ALTER TABLE accounts DROP COLUMN IF EXISTS member_id;`).execute(db);
}
