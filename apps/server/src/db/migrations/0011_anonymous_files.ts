import { sql, type Kysely } from 'kysely';

// PLAT-6: photos of anonymous reports. An anonymous upload has no account (uploaded_by IS NULL); it
// carries the sha256 of a one-time upload token, an expiry and the client address. The anonymous
// report that presents the token claims the file (claimed_at); unclaimed ones are removed after expiry.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`
ALTER TABLE files
  ADD COLUMN upload_token_hash text,
  ADD COLUMN upload_expires_at timestamptz,
  ADD COLUMN upload_ip text,
  ADD COLUMN claimed_at timestamptz;
CREATE INDEX files_anonymous_pending ON files (upload_expires_at) WHERE uploaded_by IS NULL AND claimed_at IS NULL;
CREATE INDEX files_anonymous_ip ON files (upload_ip, upload_expires_at) WHERE uploaded_by IS NULL AND claimed_at IS NULL;
`).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`
DROP INDEX IF EXISTS files_anonymous_pending, files_anonymous_ip;
ALTER TABLE files DROP COLUMN IF EXISTS upload_token_hash, DROP COLUMN IF EXISTS upload_expires_at, DROP COLUMN IF EXISTS upload_ip, DROP COLUMN IF EXISTS claimed_at;
`).execute(db);
}
