import { sql, type Kysely } from 'kysely';

// Issue 4 (CASE-6): one-time login codes sent by SMS to residents. Only a keyed hash of the code is
// kept; attempts are counted per code.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`
CREATE TABLE otp_codes (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  phone_hmac   text NOT NULL,
  code_hash    text NOT NULL,
  expires_at   timestamptz NOT NULL,
  attempts     integer NOT NULL DEFAULT 0,
  consumed_at  timestamptz,
  ip           text,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX otp_codes_phone ON otp_codes (phone_hmac, created_at);
`).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS otp_codes`.execute(db);
}
