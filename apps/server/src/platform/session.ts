import { randomBytes } from 'node:crypto';
import { ADMIN_GROUPS, PERMISSIONS, type PermissionKey } from '@tongxin/contracts';
import type { Database, Db, Executor } from '../db/database.js';
import type { Config } from '../config.js';
import type { Actor } from './actor.js';
import { sha256 } from './crypto.js';
import { AppError } from './errors.js';

export const SESSION_COOKIE = 'tx_session';
const TOUCH_AFTER_MS = 30_000; // refresh last_seen_at at most this often: one write per half minute, not per request

export async function createSession(db: Executor, accountId: string, kind: 'cookie' | 'bearer', config: Config, meta: { ip: string; userAgent?: string }) {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + config.sessionMaxMs);
  await db
    .insertInto('sessions')
    .values({ id: sha256(token), account_id: accountId, kind, expires_at: expiresAt, ip: meta.ip, user_agent: meta.userAgent?.slice(0, 300) ?? null })
    .execute();
  return { token, expiresAt };
}

// A short per-process cache of resolved sessions: most requests then need no session query. Another
// instance sees a logout, a disabled account or a changed role within the cache time (default 2 s);
// this instance sees its own changes at once (invalidateSessionCache).
const cache = new Map<string, { row: SessionRow; at: number }>();
const CACHE_MAX = 10_000;

/** Forget cached sessions: after any change to accounts, roles, scopes or sessions in this process. */
export function invalidateSessionCache(): void {
  cache.clear();
}

export async function revokeSession(db: Db, sessionId: string): Promise<void> {
  invalidateSessionCache();
  await db.updateTable('sessions').set({ revoked_at: new Date() }).where('id', '=', sessionId).where('revoked_at', 'is', null).execute();
}

export async function revokeAccountSessions(db: Executor, accountId: string): Promise<void> {
  invalidateSessionCache();
  await db.updateTable('sessions').set({ revoked_at: new Date() }).where('account_id', '=', accountId).where('revoked_at', 'is', null).execute();
}

export function isAdministrator(permissions: Iterable<string>): boolean {
  for (const p of permissions) {
    const group = PERMISSIONS[p as PermissionKey]?.group as string | undefined;
    if (group && (ADMIN_GROUPS as readonly string[]).includes(group)) return true;
  }
  return false;
}

interface SessionRow {
  session_id: string;
  last_seen_at: Date;
  expires_at: Date;
  id: string;
  username: string;
  display_name: string;
  status: string;
  totp_enabled: boolean;
  must_change_password: boolean;
  member_id: string | null;
  permissions: string[] | null;
  roles: { id: string; key: string; name: string }[] | null;
  org_scope: string[] | null;
  place_scope: string[] | null;
}

const RESOLVE_SQL = `
    SELECT s.id AS session_id, s.last_seen_at, s.expires_at,
           a.id, a.username, a.display_name, a.status, a.totp_enabled, a.must_change_password, a.member_id,
           (SELECT array_agg(DISTINCT p) FROM account_roles ar JOIN roles r ON r.id = ar.role_id
              CROSS JOIN LATERAL unnest(r.permissions) AS p WHERE ar.account_id = a.id) AS permissions,
           (SELECT json_agg(json_build_object('id', r.id, 'key', r.key, 'name', r.name) ORDER BY r.key)
              FROM account_roles ar JOIN roles r ON r.id = ar.role_id WHERE ar.account_id = a.id) AS roles,
           (SELECT array_agg(node_id) FROM account_scopes sc WHERE sc.account_id = a.id AND sc.kind = 'org') AS org_scope,
           (SELECT array_agg(node_id) FROM account_scopes sc WHERE sc.account_id = a.id AND sc.kind = 'place') AS place_scope
    FROM sessions s JOIN accounts a ON a.id = s.account_id
    WHERE s.id = $1 AND s.revoked_at IS NULL`;

/**
 * Resolves a session token to its actor in one query, applying idle and absolute expiry. The query
 * runs on every request: on PostgreSQL as a named prepared statement, so its plan is made once per
 * connection (planning it afresh cost 2 ms, three times more than running it).
 */
export async function resolveSession(database: Database, token: string, config: Config): Promise<Actor> {
  const db = database.db;
  const id = sha256(token);
  // PGlite multiplexes every connection onto one backend, where a named statement would collide
  // across connections (and schemas): there the statement stays unnamed.
  const now = Date.now();
  const cached = config.sessionCacheMs > 0 ? cache.get(id) : undefined;
  let row: SessionRow | undefined;
  if (cached && now - cached.at < config.sessionCacheMs) row = cached.row;
  else {
    const name = database.engine === 'postgresql' ? 'tx_resolve_session' : undefined;
    row = (await database.pool.query<SessionRow>({ name, text: RESOLVE_SQL, values: [id] })).rows[0];
    if (row && config.sessionCacheMs > 0) {
      if (cache.size >= CACHE_MAX) cache.clear();
      cache.set(id, { row, at: now });
    }
  }
  if (!row) throw new AppError('AUTH_REQUIRED');
  if (row.status !== 'active') {
    await revokeSession(db, id);
    throw new AppError('AUTH_ACCOUNT_DISABLED');
  }
  if (row.expires_at.getTime() <= now || now - row.last_seen_at.getTime() > config.sessionIdleMs) {
    await revokeSession(db, id);
    throw new AppError('AUTH_SESSION_EXPIRED');
  }
  if (now - row.last_seen_at.getTime() > TOUCH_AFTER_MS) {
    await db.updateTable('sessions').set({ last_seen_at: new Date(now) }).where('id', '=', id).execute();
    row.last_seen_at = new Date(now);
  }
  const permissions = new Set(row.permissions ?? []);
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    roles: row.roles ?? [],
    permissions,
    orgScope: (row.org_scope ?? []).map(String),
    placeScope: (row.place_scope ?? []).map(String),
    totpEnabled: row.totp_enabled,
    totpEnrolmentRequired: config.production && !row.totp_enabled && isAdministrator(permissions),
    mustChangePassword: row.must_change_password,
    memberId: row.member_id === null ? null : String(row.member_id),
    sessionId: id,
  };
}
