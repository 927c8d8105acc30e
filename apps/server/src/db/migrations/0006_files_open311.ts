import { sql, type Kysely } from 'kysely';

// Issue 4: uploaded photos (PLAT-6) and the API keys of Open311 clients (CASE-7).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`
CREATE TABLE files (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  sha256         text NOT NULL,                 -- of the stored (metadata-free) bytes; the storage key
  mime           text NOT NULL,
  size           integer NOT NULL,
  width          integer,
  height         integer,
  gps_lng        double precision,              -- read from EXIF before it was removed
  gps_lat        double precision,
  thumbnail_key  text,                          -- sha256 of the thumbnail
  uploaded_by    uuid REFERENCES accounts(id),
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX files_uploaded_by ON files (uploaded_by, created_at);
-- which cases carry a file (its access check): only rows with photos enter the indexes
CREATE INDEX cases_attachments ON cases USING gin (attachments) WHERE attachments <> '{}';
CREATE INDEX case_events_attachments ON case_events USING gin (attachments) WHERE attachments <> '{}';
CREATE INDEX case_whistles_attachments ON case_whistles USING gin (result_attachments) WHERE result_attachments <> '{}';

CREATE TABLE open311_keys (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL,
  key_hash    text NOT NULL UNIQUE,             -- sha256 of the key; the key itself is shown once
  created_by  uuid REFERENCES accounts(id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
`).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS cases_attachments, case_events_attachments, case_whistles_attachments`.execute(db);
  await sql`DROP TABLE IF EXISTS open311_keys, files`.execute(db);
}
