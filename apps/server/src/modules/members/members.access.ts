import { MEMBER_STATES, type MemberState, type PermissionKey } from '@tongxin/contracts';
import type { AppDeps } from '../../app.js';
import type { Executor, Tx } from '../../db/database.js';
import type { Actor, RequestContext } from '../../platform/actor.js';
import { idsInScope, requireAccess, requirePermission } from '../../platform/access.js';
import { AppError } from '../../platform/errors.js';
import { lockMember, memberById, type MemberRow } from './members.repo.js';

// Record checks for member files: a file is in scope when its organisation is; outside the scope it
// answers 404 like a file that does not exist.

export async function loadMember(deps: AppDeps, ctx: RequestContext, id: string, permission: PermissionKey): Promise<{ actor: Actor; row: MemberRow }> {
  const { db } = deps.database;
  const actor = await requirePermission(db, ctx, permission, { type: 'member', id });
  const row = await memberById(db, id);
  if (!row) throw new AppError('NOT_FOUND');
  await requireAccess(db, ctx, permission, 'org', [String(row.org_id)]);
  return { actor, row };
}

export const stateLabel = (state: string, locale: 'zh-CN' | 'en') => MEMBER_STATES[state as MemberState]?.[locale === 'en' ? 'en' : 'zh'] ?? state;

/**
 * Runs a write on one member file: access is checked first (outside the transaction, so that a refusal
 * stays in the audit log), then the row is locked and re-checked, as a concurrent move may have
 * changed its organisation in between.
 */
export async function writeMember<T>(
  deps: AppDeps,
  ctx: RequestContext,
  id: string,
  fn: (trx: Tx, locked: NonNullable<Awaited<ReturnType<typeof lockMember>>>, actor: Actor) => Promise<T>,
  opts: { activeOnly?: boolean; before?: (actor: Actor, row: MemberRow) => Promise<void> } = {},
): Promise<T> {
  const { actor, row } = await loadMember(deps, ctx, id, 'members:write');
  await opts.before?.(actor, row);
  return deps.database.db.transaction().execute(async (trx) => {
    const locked = await lockMember(trx, id);
    if (!locked) throw new AppError('NOT_FOUND');
    if (String(locked.org_id) !== String(row.org_id) && !(await idsInScope(trx, actor, 'org', [String(locked.org_id)])).size) throw new AppError('NOT_FOUND');
    if ((opts.activeOnly ?? true) && locked.state !== 'active') throw new AppError('MEMBER_NOT_ACTIVE', { state: stateLabel(locked.state, ctx.locale) });
    return fn(trx, locked, actor);
  });
}

/** The member of a register record (mobile, difficulty), checked like the member itself. */
export async function memberOfRecord(ex: Executor, table: 'mobile_records' | 'difficulty_records', recordId: string): Promise<string | undefined> {
  const r = await ex.selectFrom(table).select('member_id').where('id', '=', recordId).executeTakeFirst();
  return r ? String(r.member_id) : undefined;
}
