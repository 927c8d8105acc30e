import { sql, type Kysely } from 'kysely';

// Platform facts (the data-key check value) and first-login password changes; where in-service
// members work (the unit, as a place), for the coverage rules.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`
CREATE TABLE platform_meta (
  key        text PRIMARY KEY,
  value      text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE accounts ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;
ALTER TABLE accounts ADD COLUMN previous_login_at timestamptz;
ALTER TABLE members ADD COLUMN work_place_id bigint REFERENCES places(id);
CREATE INDEX members_work_place ON members(work_place_id) WHERE work_place_id IS NOT NULL;
`).execute(db);
}
