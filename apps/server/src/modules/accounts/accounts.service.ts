import ExcelJS from 'exceljs';
import { ADMIN_GROUPS, PERMISSIONS, type PermissionKey } from '@tongxin/contracts';
import type { AppDeps } from '../../app.js';
import type { Executor } from '../../db/database.js';
import type { Actor, RequestContext } from '../../platform/actor.js';
import { requireAccess, requirePermission } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { mask } from '../../platform/crypto.js';
import { AppError } from '../../platform/errors.js';
import { checkPasswordPolicy, hashPassword } from '../../platform/passwords.js';
import { revokeAccountSessions } from '../../platform/session.js';
import { accountCan } from './accounts.policy.js';
import { findAccounts, findVisibleAccount, replaceScopes, rolesAndScopes, type AccountFilter, type AccountRow } from './accounts.repo.js';
import type { AccountView } from './accounts.schema.js';

type Scope = { kind: 'org' | 'place'; id: string };

async function present(ex: Executor, actor: Actor, rows: AccountRow[]): Promise<AccountView[]> {
  const { roles, scopes } = await rolesAndScopes(ex, rows.map((r) => r.id));
  return rows.map((r) => ({
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    phoneMasked: r.phone_masked,
    status: r.status,
    lockedUntil: r.locked_until && r.locked_until.getTime() > Date.now() ? r.locked_until.toISOString() : null,
    totpEnabled: r.totp_enabled,
    roles: roles.get(r.id) ?? [],
    scopes: scopes.get(r.id) ?? [],
    lastLoginAt: r.last_login_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
    can: accountCan(actor, { id: r.id, status: r.status, lockedUntil: r.locked_until, hasPhone: !!r.phone_masked }),
  }));
}

async function load(deps: AppDeps, ctx: RequestContext, id: string, permission: PermissionKey): Promise<{ actor: Actor; row: AccountRow }> {
  const { db } = deps.database;
  const actor = await requirePermission(db, ctx, permission, { type: 'account', id });
  const row = await findVisibleAccount(db, actor, id);
  if (!row) {
    await recordAudit(db, { actorId: actor.id, actorName: actor.username, action: 'access.denied', targetType: 'account', targetId: id, result: 'denied', reason: `out_of_scope: ${permission}`, ip: ctx.ip });
    throw new AppError('NOT_FOUND');
  }
  return { actor, row };
}

/** Every scope node must lie inside the actor's own scope: nobody hands out more than they hold. */
async function checkScopes(deps: AppDeps, ctx: RequestContext, scopes: Scope[]) {
  const { db } = deps.database;
  for (const kind of ['org', 'place'] as const) {
    const ids = scopes.filter((s) => s.kind === kind).map((s) => s.id);
    if (ids.length) await requireAccess(db, ctx, 'accounts:write', kind, ids);
  }
}

export async function listAccounts(deps: AppDeps, ctx: RequestContext, f: AccountFilter & { page: number; pageSize: number }) {
  const { db } = deps.database;
  const actor = await requirePermission(db, ctx, 'accounts:read');
  const { rows, total } = await findAccounts(db, actor, f, f);
  return { items: await present(db, actor, rows), total, page: f.page, pageSize: f.pageSize };
}

export async function getAccount(deps: AppDeps, ctx: RequestContext, id: string) {
  const { actor, row } = await load(deps, ctx, id, 'accounts:read');
  return (await present(deps.database.db, actor, [row]))[0]!;
}

/** The account as it stands after a change the actor was allowed to make. */
async function viewAfterChange(deps: AppDeps, actor: Actor, id: string) {
  const row = await findVisibleAccount(deps.database.db, actor, id);
  if (!row) throw new AppError('NOT_FOUND');
  return (await present(deps.database.db, actor, [row]))[0]!;
}

export async function createAccount(deps: AppDeps, ctx: RequestContext, input: { username: string; displayName: string; password: string; phone?: string | null; scopes: Scope[] }) {
  const { db } = deps.database;
  const actor = await requirePermission(db, ctx, 'accounts:write', { type: 'account' });
  checkPasswordPolicy(input.password);
  await checkScopes(deps, ctx, input.scopes);
  const exists = await db.selectFrom('accounts').select('id').where('username', '=', input.username).executeTakeFirst();
  if (exists) throw new AppError('USERNAME_TAKEN', { username: input.username }, { username: 'USERNAME_TAKEN' });
  const passwordHash = await hashPassword(input.password);
  const id = await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('accounts')
      .values({
        username: input.username,
        display_name: input.displayName,
        password_hash: passwordHash,
        phone_enc: input.phone ? deps.crypto.encrypt(input.phone) : null,
        phone_hmac: input.phone ? deps.crypto.lookupHash(input.phone) : null,
        phone_masked: mask(input.phone),
        must_change_password: true, // the administrator knows this password: the owner replaces it
        created_by: actor.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await replaceScopes(trx, row.id, input.scopes);
    await recordAudit(trx, {
      actorId: actor.id, actorName: actor.username, action: 'account.create', targetType: 'account', targetId: row.id, targetLabel: input.username, ip: ctx.ip,
      changes: { username: input.username, displayName: input.displayName, phone: mask(input.phone), password: true, scopes: input.scopes },
    });
    return row.id;
  });
  return viewAfterChange(deps, actor, id);
}

export async function updateAccount(deps: AppDeps, ctx: RequestContext, id: string, input: { displayName?: string; phone?: string | null; scopes?: Scope[] }) {
  const { actor, row } = await load(deps, ctx, id, 'accounts:write');
  if (input.scopes) await checkScopes(deps, ctx, input.scopes);
  const changes: Record<string, unknown> = {};
  await deps.database.db.transaction().execute(async (trx) => {
    const set: Record<string, unknown> = {};
    if (input.displayName !== undefined && input.displayName !== row.display_name) {
      set.display_name = input.displayName;
      changes.displayName = { from: row.display_name, to: input.displayName };
    }
    if (input.phone !== undefined) {
      set.phone_enc = input.phone ? deps.crypto.encrypt(input.phone) : null;
      set.phone_hmac = input.phone ? deps.crypto.lookupHash(input.phone) : null;
      set.phone_masked = mask(input.phone);
      changes.phone = { from: row.phone_masked, to: mask(input.phone) };
    }
    if (Object.keys(set).length) await trx.updateTable('accounts').set({ ...set, updated_at: new Date() }).where('id', '=', id).execute();
    if (input.scopes) {
      await replaceScopes(trx, id, input.scopes);
      changes.scopes = input.scopes;
    }
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'account.update', targetType: 'account', targetId: id, targetLabel: row.username, ip: ctx.ip, changes });
  });
  return viewAfterChange(deps, actor, id);
}

async function setStatus(deps: AppDeps, ctx: RequestContext, id: string, status: 'active' | 'disabled') {
  const { actor, row } = await load(deps, ctx, id, 'accounts:write');
  if (status === 'disabled' && actor.id === id) throw new AppError('SELF_ACTION');
  await deps.database.db.transaction().execute(async (trx) => {
    await trx.updateTable('accounts').set({ status, updated_at: new Date() }).where('id', '=', id).execute();
    if (status === 'disabled') await revokeAccountSessions(trx, id);
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: status === 'disabled' ? 'account.disable' : 'account.enable', targetType: 'account', targetId: id, targetLabel: row.username, ip: ctx.ip, changes: { status: { from: row.status, to: status } } });
  });
  return viewAfterChange(deps, actor, id);
}
export const disableAccount = (deps: AppDeps, ctx: RequestContext, id: string) => setStatus(deps, ctx, id, 'disabled');
export const enableAccount = (deps: AppDeps, ctx: RequestContext, id: string) => setStatus(deps, ctx, id, 'active');

export async function resetPassword(deps: AppDeps, ctx: RequestContext, id: string, newPassword: string) {
  const { actor, row } = await load(deps, ctx, id, 'accounts:write');
  if (actor.id === id) throw new AppError('SELF_ACTION');
  checkPasswordPolicy(newPassword, 'newPassword');
  const hash = await hashPassword(newPassword);
  await deps.database.db.transaction().execute(async (trx) => {
    await trx.updateTable('accounts').set({ password_hash: hash, password_changed_at: new Date(), must_change_password: true, failed_logins: 0, locked_until: null, updated_at: new Date() }).where('id', '=', id).execute();
    await revokeAccountSessions(trx, id);
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'account.reset_password', targetType: 'account', targetId: id, targetLabel: row.username, ip: ctx.ip, changes: { password: true } });
  });
}

export async function unlockAccount(deps: AppDeps, ctx: RequestContext, id: string) {
  const { actor, row } = await load(deps, ctx, id, 'accounts:unlock');
  await deps.database.db.transaction().execute(async (trx) => {
    await trx.updateTable('accounts').set({ failed_logins: 0, locked_until: null, updated_at: new Date() }).where('id', '=', id).execute();
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'account.unlock', targetType: 'account', targetId: id, targetLabel: row.username, ip: ctx.ip, changes: { lockedUntil: { from: row.locked_until?.toISOString() ?? null, to: null } } });
  });
  return viewAfterChange(deps, actor, id);
}

function adminGroupsOf(permissions: Iterable<string>): Set<string> {
  const groups = new Set<string>();
  for (const p of permissions) {
    const g = PERMISSIONS[p as PermissionKey]?.group as string | undefined;
    if (g && (ADMIN_GROUPS as readonly string[]).includes(g)) groups.add(g);
  }
  return groups;
}
export { adminGroupsOf };

export async function assignRoles(deps: AppDeps, ctx: RequestContext, id: string, roleIds: string[]) {
  const { actor, row } = await load(deps, ctx, id, 'accounts:assign_roles');
  if (actor.id === id) throw new AppError('SELF_ACTION');
  const { db } = deps.database;
  const unique = [...new Set(roleIds)];
  const roles = unique.length ? await db.selectFrom('roles').select(['id', 'key', 'permissions']).where('id', 'in', unique).execute() : [];
  if (roles.length !== unique.length) throw new AppError('VALIDATION_FAILED', {}, { roleIds: 'NOT_FOUND' });
  if (adminGroupsOf(roles.flatMap((r) => r.permissions)).size > 1) throw new AppError('ADMIN_SEPARATION');
  const before = (await rolesAndScopes(db, [id])).roles.get(id)?.map((r) => r.key) ?? [];
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('account_roles').where('account_id', '=', id).execute();
    if (unique.length) await trx.insertInto('account_roles').values(unique.map((role_id) => ({ account_id: id, role_id }))).execute();
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'account.assign_roles', targetType: 'account', targetId: id, targetLabel: row.username, ip: ctx.ip, changes: { roles: { from: before, to: roles.map((r) => r.key).sort() } } });
  });
  return viewAfterChange(deps, actor, id);
}

/** The full phone number, for a permission whose every use is audited. */
export async function revealPhone(deps: AppDeps, ctx: RequestContext, id: string) {
  const { actor, row } = await load(deps, ctx, id, 'accounts:read_sensitive');
  const { db } = deps.database;
  const enc = await db.selectFrom('accounts').select('phone_enc').where('id', '=', id).executeTakeFirstOrThrow();
  if (!enc.phone_enc) throw new AppError('NOT_FOUND');
  await recordAudit(db, { actorId: actor.id, actorName: actor.username, action: 'account.read_sensitive', targetType: 'account', targetId: id, targetLabel: row.username, ip: ctx.ip, changes: { field: 'phone' } });
  return { phone: deps.crypto.decrypt(enc.phone_enc) };
}

/** The filtered list as an Excel workbook (masked values only). */
export async function exportAccounts(deps: AppDeps, ctx: RequestContext, f: AccountFilter): Promise<Buffer> {
  const { db } = deps.database;
  const actor = await requirePermission(db, ctx, 'accounts:read');
  const { rows } = await findAccounts(db, actor, f);
  const items = await present(db, actor, rows);
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('账号');
  ws.columns = [
    { header: '用户名', key: 'username', width: 18 },
    { header: '姓名', key: 'displayName', width: 14 },
    { header: '手机号', key: 'phone', width: 16 },
    { header: '角色', key: 'roles', width: 28 },
    { header: '数据范围', key: 'scopes', width: 36 },
    { header: '状态', key: 'status', width: 8 },
    { header: '最近登录', key: 'lastLoginAt', width: 22 },
    { header: '创建时间', key: 'createdAt', width: 22 },
  ];
  ws.getRow(1).font = { bold: true };
  for (const a of items) {
    ws.addRow({ username: a.username, displayName: a.displayName, phone: a.phoneMasked ?? '', roles: a.roles.map((r) => r.name).join('、'), scopes: a.scopes.map((s) => s.name).join('、'), status: a.status === 'active' ? '正常' : '停用', lastLoginAt: a.lastLoginAt ?? '', createdAt: a.createdAt });
  }
  await recordAudit(db, { actorId: actor.id, actorName: actor.username, action: 'account.export', targetType: 'account', ip: ctx.ip, changes: { filter: f, rows: items.length } });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
