import { sql, type Kysely } from 'kysely';

// Rate limits shared by every server instance (platform/limits.ts): one row per limited key (a
// route and client address, an Open311 key, an address's failed logins) with its fixed window's
// start and the hits in it. Before, each instance counted in its own memory, so N instances
// allowed N times each limit, and a restart forgot them.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`
CREATE TABLE rate_windows (
  key        text PRIMARY KEY,
  started_at timestamptz NOT NULL,
  hits       integer NOT NULL
);
CREATE INDEX rate_windows_started ON rate_windows(started_at);
`).execute(db);
}
