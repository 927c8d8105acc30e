import { sql, type Expression, type SqlBool } from 'kysely';
import type { PermissionKey } from '@tongxin/contracts';
import type { Executor } from '../db/database.js';
import type { Actor, RequestContext } from './actor.js';
import { recordAudit } from './audit.js';
import { AppError } from './errors.js';

// The one place that decides access: permission keys, data scope over the two trees, record checks.

export type ScopeKind = 'org' | 'place';
const CLOSURE = { org: 'org_closure', place: 'place_closure' } as const;

export function can(actor: Actor | null | undefined, permission: PermissionKey): boolean {
  return !!actor && actor.permissions.has(permission);
}

function scopeOf(actor: Actor, kind: ScopeKind): string[] {
  return kind === 'org' ? actor.orgScope : actor.placeScope;
}

/**
 * A WHERE condition keeping rows whose `column` (an org or place id) lies in the actor's subtrees.
 * The scope ids go in as a parameter: looking them up inside the same statement defeats the index.
 */
export function inScope(actor: Actor, kind: ScopeKind, column: Expression<unknown> | string): Expression<SqlBool> {
  const ids = scopeOf(actor, kind);
  if (ids.length === 0) return sql<SqlBool>`false`;
  const col = typeof column === 'string' ? sql.ref(column) : column;
  return sql<SqlBool>`${col} IN (SELECT descendant_id FROM ${sql.table(CLOSURE[kind])} WHERE ancestor_id = ANY(${ids}::bigint[]))`;
}

/** Ids among `ids` that lie inside the actor's scope. */
export async function idsInScope(ex: Executor, actor: Actor, kind: ScopeKind, ids: string[]): Promise<Set<string>> {
  const scope = scopeOf(actor, kind);
  if (ids.length === 0 || scope.length === 0) return new Set();
  const rows = await sql<{ id: string }>`
    SELECT DISTINCT descendant_id AS id FROM ${sql.table(CLOSURE[kind])}
    WHERE ancestor_id = ANY(${scope}::bigint[]) AND descendant_id = ANY(${ids}::bigint[])`.execute(ex);
  return new Set(rows.rows.map((r) => String(r.id)));
}

async function refuse(ex: Executor, ctx: RequestContext, permission: string, target?: { type: string; id?: string }, reason = 'permission') {
  await recordAudit(ex, {
    actorId: ctx.actor?.id,
    actorName: ctx.actor?.username,
    action: 'access.denied',
    targetType: target?.type ?? null,
    targetId: target?.id ?? null,
    result: 'denied',
    reason: `${reason}: ${permission}`,
    ip: ctx.ip,
  });
}

/** Throws FORBIDDEN (and leaves a refused-attempt audit entry) unless the actor holds the permission. */
export async function requirePermission(ex: Executor, ctx: RequestContext, permission: PermissionKey, target?: { type: string; id?: string }): Promise<Actor> {
  const actor = ctx.actor;
  if (!actor) throw new AppError('AUTH_REQUIRED');
  if (!actor.permissions.has(permission)) {
    await refuse(ex, ctx, permission, target);
    throw new AppError('FORBIDDEN');
  }
  return actor;
}

/**
 * Record check: the actor holds `permission` and every id lies in their scope. A record outside the
 * scope answers NOT_FOUND, so its existence is not revealed; the attempt is still audited.
 */
export async function requireAccess(ex: Executor, ctx: RequestContext, permission: PermissionKey, kind: ScopeKind, ids: string[]): Promise<Actor> {
  const actor = await requirePermission(ex, ctx, permission, { type: kind, id: ids.join(',') });
  const unique = [...new Set(ids)];
  if (!unique.every((id) => /^\d{1,18}$/.test(id))) throw new AppError('NOT_FOUND');
  const found = await idsInScope(ex, actor, kind, unique);
  const missing = unique.filter((id) => !found.has(id));
  if (missing.length > 0) {
    await refuse(ex, ctx, permission, { type: kind, id: missing.join(',') }, 'out_of_scope');
    throw new AppError('NOT_FOUND');
  }
  return actor;
}

/**
 * A member's own action (issue 5): the self:member permission and an account linked to a member.
 * Returns the actor and the member id; what the member may then see is their own records and their
 * branch's (each module checks the record against this member).
 */
export async function requireMember(ex: Executor, ctx: RequestContext): Promise<{ actor: Actor; memberId: string }> {
  const actor = await requirePermission(ex, ctx, 'self:member');
  if (!actor.memberId) throw new AppError('MEMBER_ACCOUNT_REQUIRED');
  return { actor, memberId: actor.memberId };
}
