import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { Actor } from '../../platform/actor.js';
import { inScope } from '../../platform/access.js';
import { parseSort } from '../../platform/pagination.js';
import { namesOf } from '../../platform/tree.js';

export interface AccountFilter {
  q?: string;
  status?: 'active' | 'disabled';
  roleId?: string;
  sort?: string;
}

const SORTS = { username: 'a.username', createdAt: 'a.created_at', lastLoginAt: 'a.last_login_at', displayName: 'a.display_name' } as const;
// Text sorts use the C collation explicitly so PGlite (default C) and PostgreSQL order alike.
const TEXT_SORTS = new Set(['username', 'displayName']);

/**
 * Accounts the actor may see and manage: those whose every scope node lies inside the actor's scope
 * (an account reaching further than the actor is not the actor's to manage), including accounts not
 * attached anywhere yet (just created, waiting for a scope).
 */
function visible(ex: Executor, actor: Actor, f: AccountFilter) {
  let q = ex.selectFrom('accounts as a').where((eb) =>
    eb.not(
      eb.exists(
        eb
          .selectFrom('account_scopes as s')
          .select('s.account_id')
          .whereRef('s.account_id', '=', 'a.id')
          .where((e) => e.not(e.or([e.and([e('s.kind', '=', 'org'), inScope(actor, 'org', 's.node_id')]), e.and([e('s.kind', '=', 'place'), inScope(actor, 'place', 's.node_id')])]))),
      ),
    ),
  );
  if (f.q) {
    const like = `%${f.q.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    // the same expression as the trigram index accounts_search_trgm, so the index serves it
    q = q.where(sql<boolean>`(a.username || ' ' || a.display_name) LIKE ${like}`);
  }
  if (f.status) q = q.where('a.status', '=', f.status);
  if (f.roleId) q = q.where('a.id', 'in', ex.selectFrom('account_roles').select('account_id').where('role_id', '=', f.roleId));
  return q;
}

const COLUMNS = ['a.id', 'a.username', 'a.display_name', 'a.phone_masked', 'a.status', 'a.locked_until', 'a.totp_enabled', 'a.last_login_at', 'a.created_at'] as const;
export type AccountRow = { id: string; username: string; display_name: string; phone_masked: string | null; status: 'active' | 'disabled'; locked_until: Date | null; totp_enabled: boolean; last_login_at: Date | null; created_at: Date };

export async function findAccounts(ex: Executor, actor: Actor, f: AccountFilter, page?: { page: number; pageSize: number }) {
  const base = visible(ex, actor, f);
  const sort = parseSort(f.sort, Object.keys(SORTS) as (keyof typeof SORTS)[], 'createdAt', 'desc');
  const orderExpr = TEXT_SORTS.has(sort.field) ? sql`${sql.ref(SORTS[sort.field])} COLLATE "C"` : sql.ref(SORTS[sort.field]);
  let rowsQ = base.select(COLUMNS).orderBy(orderExpr, sort.dir).orderBy('a.id');
  if (page) rowsQ = rowsQ.limit(page.pageSize).offset((page.page - 1) * page.pageSize);
  const [rows, total] = await Promise.all([rowsQ.execute(), page ? base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow() : Promise.resolve(null)]);
  return { rows: rows as AccountRow[], total: total?.n ?? rows.length };
}

export async function findVisibleAccount(ex: Executor, actor: Actor, id: string): Promise<AccountRow | undefined> {
  return (await visible(ex, actor, {}).select(COLUMNS).where('a.id', '=', id).executeTakeFirst()) as AccountRow | undefined;
}

/** Roles and scope nodes (with names) of the given accounts, in two queries for any page size. */
export async function rolesAndScopes(ex: Executor, ids: string[]) {
  if (ids.length === 0) return { roles: new Map<string, { id: string; key: string; name: string }[]>(), scopes: new Map<string, { kind: 'org' | 'place'; id: string; name: string }[]>() };
  const [roleRows, scopeRows] = await Promise.all([
    ex.selectFrom('account_roles as ar').innerJoin('roles as r', 'r.id', 'ar.role_id').select(['ar.account_id', 'r.id', 'r.key', 'r.name']).where('ar.account_id', 'in', ids).orderBy('r.key').execute(),
    ex.selectFrom('account_scopes').selectAll().where('account_id', 'in', ids).orderBy('kind').orderBy('node_id').execute(),
  ]);
  const orgNames = await namesOf(ex, 'org', scopeRows.filter((s) => s.kind === 'org').map((s) => String(s.node_id)));
  const placeNames = await namesOf(ex, 'place', scopeRows.filter((s) => s.kind === 'place').map((s) => String(s.node_id)));
  const roles = new Map<string, { id: string; key: string; name: string }[]>();
  for (const r of roleRows) roles.set(r.account_id, [...(roles.get(r.account_id) ?? []), { id: r.id, key: r.key, name: r.name }]);
  const scopes = new Map<string, { kind: 'org' | 'place'; id: string; name: string }[]>();
  for (const s of scopeRows) {
    const id = String(s.node_id);
    const name = (s.kind === 'org' ? orgNames : placeNames).get(id) ?? id;
    scopes.set(s.account_id, [...(scopes.get(s.account_id) ?? []), { kind: s.kind, id, name }]);
  }
  return { roles, scopes };
}

export async function replaceScopes(ex: Executor, accountId: string, scopes: { kind: 'org' | 'place'; id: string }[]) {
  await ex.deleteFrom('account_scopes').where('account_id', '=', accountId).execute();
  if (scopes.length) await ex.insertInto('account_scopes').values(scopes.map((s) => ({ account_id: accountId, kind: s.kind, node_id: s.id }))).execute();
}
