import { randomBytes } from 'node:crypto';
import type { Database, Executor } from '../../db/database.js';
import type { RequestContext } from '../../platform/actor.js';
import { requirePermission } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { sha256 } from '../../platform/crypto.js';
import { AppError } from '../../platform/errors.js';

// API keys of Open311 clients, issued and revoked by the system administrator (open311:keys).
// Only the sha256 of a key is stored; the key itself is shown once, when it is created.

type Deps = { database: Database };

export interface Open311Key {
  id: string;
  name: string;
  createdBy: string | null;
  createdAt: string;
  revokedAt: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function listKeys(deps: Deps, ctx: RequestContext): Promise<Open311Key[]> {
  const { db } = deps.database;
  await requirePermission(db, ctx, 'open311:keys', { type: 'open311_key' });
  const rows = await db
    .selectFrom('open311_keys as k')
    .leftJoin('accounts as a', 'a.id', 'k.created_by')
    .select(['k.id', 'k.name', 'k.created_at', 'k.revoked_at', 'a.username'])
    .orderBy('k.created_at', 'desc')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, createdBy: r.username ?? null, createdAt: r.created_at.toISOString(), revokedAt: r.revoked_at?.toISOString() ?? null }));
}

export async function createKey(deps: Deps, ctx: RequestContext, name: string): Promise<Open311Key & { key: string }> {
  const { db } = deps.database;
  const actor = await requirePermission(db, ctx, 'open311:keys', { type: 'open311_key' });
  const key = randomBytes(32).toString('base64url');
  return db.transaction().execute(async (trx) => {
    const row = await trx.insertInto('open311_keys').values({ name, key_hash: sha256(key), created_by: actor.id }).returning(['id', 'created_at']).executeTakeFirstOrThrow();
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'open311.key.create', targetType: 'open311_key', targetId: row.id, targetLabel: name, ip: ctx.ip, changes: { name } });
    return { id: row.id, name, createdBy: actor.username, createdAt: row.created_at.toISOString(), revokedAt: null, key };
  });
}

export async function revokeKey(deps: Deps, ctx: RequestContext, id: string): Promise<void> {
  const { db } = deps.database;
  const actor = await requirePermission(db, ctx, 'open311:keys', { type: 'open311_key', id });
  if (!UUID.test(id)) throw new AppError('OPEN311_KEY_NOT_FOUND');
  await db.transaction().execute(async (trx) => {
    const row = await trx.updateTable('open311_keys').set({ revoked_at: new Date() }).where('id', '=', id).where('revoked_at', 'is', null).returning(['id', 'name']).executeTakeFirst();
    if (!row) throw new AppError('OPEN311_KEY_NOT_FOUND');
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'open311.key.revoke', targetType: 'open311_key', targetId: id, targetLabel: row.name, ip: ctx.ip });
  });
}

/** The client holding a key, or null for a missing, unknown or revoked key. */
export async function clientOfKey(ex: Executor, key: string | undefined): Promise<{ id: string; name: string } | null> {
  if (!key || key.length > 200) return null;
  const row = await ex.selectFrom('open311_keys').select(['id', 'name']).where('key_hash', '=', sha256(key)).where('revoked_at', 'is', null).executeTakeFirst();
  return row ?? null;
}
