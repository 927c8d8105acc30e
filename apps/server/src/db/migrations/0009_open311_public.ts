import { sql, type Kysely } from 'kysely';

// CASE-7: a category is offered to Open311 clients (listed as a service, accepted in POST requests,
// its requests readable) only while it is marked public. Existing categories stay public.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`ALTER TABLE case_categories ADD COLUMN open311_public boolean NOT NULL DEFAULT true;`).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`ALTER TABLE case_categories DROP COLUMN IF EXISTS open311_public;`).execute(db);
}
