import { sql, type Kysely } from 'kysely';

// Documents (PDF, Word, Excel, PowerPoint) attached to notices and meeting records: their name as
// uploaded (cleaned), shown in lists and used as the download's file name. Photos have none.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`ALTER TABLE files ADD COLUMN name text;`).execute(db);
}
