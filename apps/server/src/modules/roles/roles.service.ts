import { sql } from 'kysely';
import { PERMISSION_KEYS, type PermissionKey } from '@tongxin/contracts';
import type { AppDeps } from '../../app.js';
import type { RequestContext } from '../../platform/actor.js';
import { can, requirePermission } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { AppError } from '../../platform/errors.js';
import { adminGroupsOf } from '../accounts/accounts.service.js';

// Built-in roles keep the permissions the platform gives them (a release may add keys): variations
// are custom roles. Editing the administrator roles would let one administrator widen another.

function checkPermissions(permissions: string[]) {
  const unknown = permissions.filter((p) => !PERMISSION_KEYS.includes(p as PermissionKey));
  if (unknown.length) throw new AppError('VALIDATION_FAILED', { unknown }, { permissions: `unknown: ${unknown.join(', ')}` });
  if (adminGroupsOf(permissions).size > 1) throw new AppError('ADMIN_SEPARATION');
}

export async function listRoles(deps: AppDeps, ctx: RequestContext, q: { q?: string; page: number; pageSize: number }) {
  const { db } = deps.database;
  const actor = await requirePermission(db, ctx, 'roles:read');
  let base = db.selectFrom('roles as r');
  if (q.q) {
    const like = `%${q.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    base = base.where((eb) => eb.or([eb('r.key', 'like', like), eb('r.name', 'like', like)]));
  }
  const [rows, total] = await Promise.all([
    base
      .selectAll('r')
      .select(sql<number>`(SELECT count(*)::int FROM account_roles ar WHERE ar.role_id = r.id)`.as('account_count'))
      .orderBy('r.builtin', 'desc')
      .orderBy('r.key')
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .execute(),
    base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  const write = can(actor, 'roles:write');
  return {
    items: rows.map((r) => ({
      id: r.id,
      key: r.key,
      name: r.name,
      description: r.description,
      builtin: r.builtin,
      permissions: r.permissions,
      accountCount: r.account_count,
      can: { edit: write && !r.builtin, delete: write && !r.builtin && r.account_count === 0 },
    })),
    total: total.n,
    page: q.page,
    pageSize: q.pageSize,
  };
}

export async function createRole(deps: AppDeps, ctx: RequestContext, input: { key: string; name: string; description?: string; permissions: string[] }) {
  const { db } = deps.database;
  const actor = await requirePermission(db, ctx, 'roles:write', { type: 'role' });
  checkPermissions(input.permissions);
  const exists = await db.selectFrom('roles').select('id').where('key', '=', input.key).executeTakeFirst();
  if (exists) throw new AppError('ROLE_KEY_TAKEN', { key: input.key }, { key: 'ROLE_KEY_TAKEN' });
  return db.transaction().execute(async (trx) => {
    const row = await trx.insertInto('roles').values({ key: input.key, name: input.name, description: input.description ?? '', permissions: [...new Set(input.permissions)].sort() }).returning('id').executeTakeFirstOrThrow();
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'role.create', targetType: 'role', targetId: row.id, targetLabel: input.key, ip: ctx.ip, changes: { name: input.name, permissions: input.permissions } });
    return { id: row.id };
  });
}

export async function updateRole(deps: AppDeps, ctx: RequestContext, id: string, input: { name?: string; description?: string; permissions?: string[] }) {
  const { db } = deps.database;
  const actor = await requirePermission(db, ctx, 'roles:write', { type: 'role', id });
  const role = await db.selectFrom('roles').selectAll().where('id', '=', id).executeTakeFirst();
  if (!role) throw new AppError('NOT_FOUND');
  if (role.builtin) throw new AppError('ROLE_BUILTIN');
  // Nobody widens a role they hold themselves (that would bypass "no self role assignment").
  if (actor.roles.some((r) => r.id === id)) throw new AppError('SELF_ACTION');
  if (input.permissions) {
    checkPermissions(input.permissions);
    // A change to a role reaches every holder: none may end up holding two administrator groups.
    const holders = await db
      .selectFrom('account_roles as ar')
      .innerJoin('roles as r', 'r.id', 'ar.role_id')
      .select(['ar.account_id', 'r.permissions'])
      .where('ar.account_id', 'in', db.selectFrom('account_roles').select('account_id').where('role_id', '=', id))
      .where('r.id', '!=', id)
      .execute();
    const byAccount = new Map<string, string[]>();
    for (const h of holders) byAccount.set(h.account_id, [...(byAccount.get(h.account_id) ?? []), ...h.permissions]);
    for (const perms of byAccount.values()) if (adminGroupsOf([...perms, ...input.permissions]).size > 1) throw new AppError('ADMIN_SEPARATION');
  }
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('roles')
      .set({
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.permissions ? { permissions: [...new Set(input.permissions)].sort() } : {}),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .execute();
    await recordAudit(trx, {
      actorId: actor.id, actorName: actor.username, action: 'role.update', targetType: 'role', targetId: id, targetLabel: role.key, ip: ctx.ip,
      changes: {
        ...(input.name !== undefined && input.name !== role.name ? { name: { from: role.name, to: input.name } } : {}),
        ...(input.permissions ? { permissions: { added: input.permissions.filter((p) => !role.permissions.includes(p)), removed: role.permissions.filter((p) => !input.permissions!.includes(p)) } } : {}),
      },
    });
  });
}

export async function deleteRole(deps: AppDeps, ctx: RequestContext, id: string) {
  const { db } = deps.database;
  const actor = await requirePermission(db, ctx, 'roles:write', { type: 'role', id });
  const role = await db.selectFrom('roles').selectAll().where('id', '=', id).executeTakeFirst();
  if (!role) throw new AppError('NOT_FOUND');
  if (role.builtin) throw new AppError('ROLE_BUILTIN');
  const used = await db.selectFrom('account_roles').select(sql<number>`count(*)::int`.as('n')).where('role_id', '=', id).executeTakeFirstOrThrow();
  if (used.n > 0) throw new AppError('ROLE_IN_USE', { count: used.n });
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('roles').where('id', '=', id).execute();
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'role.delete', targetType: 'role', targetId: id, targetLabel: role.key, ip: ctx.ip, changes: { name: role.name, permissions: role.permissions } });
  });
}
