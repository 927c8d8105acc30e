import { sql } from 'kysely';
import type { CasePriority, DepartmentKind } from '@tongxin/contracts';
import type { Database, Executor } from '../../db/database.js';
import type { RequestContext } from '../../platform/actor.js';
import { can, requireAccess, requirePermission } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { AppError } from '../../platform/errors.js';
import { categoryByCode, departmentIdsOf, type CategoryRow, type DepartmentRow } from './cases.repo.js';

// Configuration (cases:configure): categories with their deadlines, departments and their staff.
// Categories are one dictionary for the whole city (they are also the Open311 services).

type Deps = { database: Database };

export interface Category {
  code: string;
  name: string;
  nameEn: string;
  group: string;
  description: string;
  defaultPriority: string;
  anonymousAllowed: boolean;
  deadlineHours: Record<string, number>;
  active: boolean;
  sortOrder: number;
  /** offered to Open311 clients as a service */
  open311Public: boolean;
}

export const presentCategory = (r: CategoryRow): Category => ({
  code: r.code,
  name: r.name_zh,
  nameEn: r.name_en,
  group: r.group_name,
  description: r.description,
  defaultPriority: r.default_priority,
  anonymousAllowed: r.anonymous_allowed,
  deadlineHours: r.deadline_hours ?? {},
  active: r.active,
  sortOrder: r.sort_order,
  open311Public: r.open311_public,
});

/** Categories in display order (active ones only unless asked); public: the report form and Open311 read it. */
export async function listCategories(ex: Executor, opts: { all?: boolean } = {}): Promise<Category[]> {
  let q = ex.selectFrom('case_categories').selectAll();
  if (!opts.all) q = q.where('active', '=', true);
  return (await q.orderBy('sort_order').orderBy('code').execute()).map(presentCategory);
}

export interface CategoryInput {
  name: string;
  nameEn: string;
  group?: string;
  description?: string;
  defaultPriority: CasePriority;
  anonymousAllowed: boolean;
  deadlineHours?: Partial<Record<CasePriority, number>>;
  active?: boolean;
  sortOrder?: number;
  /** offered to Open311 clients; unchanged when not given (new categories: true) */
  open311Public?: boolean;
}

export async function saveCategory(deps: Deps, ctx: RequestContext, code: string, input: CategoryInput, mode: 'create' | 'update'): Promise<Category> {
  const { db } = deps.database;
  const actor = await requirePermission(db, ctx, 'cases:configure', { type: 'case_category', id: code });
  const existing = await categoryByCode(db, code);
  if (mode === 'create' && existing) throw new AppError('CASE_CATEGORY_EXISTS', { code }, { code: 'CASE_CATEGORY_EXISTS' });
  if (mode === 'update' && !existing) throw new AppError('NOT_FOUND');
  const values = {
    name_zh: input.name,
    name_en: input.nameEn,
    group_name: input.group ?? '',
    description: input.description ?? '',
    default_priority: input.defaultPriority,
    anonymous_allowed: input.anonymousAllowed,
    deadline_hours: JSON.stringify(input.deadlineHours ?? {}),
    active: input.active ?? true,
    sort_order: input.sortOrder ?? 0,
    open311_public: input.open311Public ?? existing?.open311_public ?? true,
  };
  return db.transaction().execute(async (trx) => {
    const row = existing
      ? await trx.updateTable('case_categories').set({ ...values, updated_at: new Date() }).where('id', '=', existing.id).returningAll().executeTakeFirstOrThrow()
      : await trx.insertInto('case_categories').values({ code, ...values }).returningAll().executeTakeFirstOrThrow();
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'case.category_save', targetType: 'case_category', targetId: String(row.id), targetLabel: code, ip: ctx.ip, changes: { mode, ...input } });
    return presentCategory(row);
  });
}

export interface Department {
  id: string;
  code: string | null;
  name: string;
  kind: string;
  place: { id: string; name: string };
  phone: string | null;
  active: boolean;
  staff: { id: string; username: string; displayName: string }[];
}

async function presentDepartments(ex: Executor, rows: DepartmentRow[]): Promise<Department[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => String(r.id));
  const places = new Map((await ex.selectFrom('places').select(['id', 'name']).where('id', 'in', rows.map((r) => String(r.place_id))).execute()).map((p) => [String(p.id), p.name]));
  const staff = await ex
    .selectFrom('department_staff as s')
    .innerJoin('accounts as a', 'a.id', 's.account_id')
    .select(['s.department_id', 'a.id', 'a.username', 'a.display_name'])
    .where('s.department_id', 'in', ids)
    .orderBy('a.username')
    .execute();
  return rows.map((r) => ({
    id: String(r.id),
    code: r.code,
    name: r.name,
    kind: r.kind,
    place: { id: String(r.place_id), name: places.get(String(r.place_id)) ?? '' },
    phone: r.phone,
    active: r.active,
    staff: staff.filter((s) => String(s.department_id) === String(r.id)).map((s) => ({ id: String(s.id), username: s.username, displayName: s.display_name })),
  }));
}

/**
 * Departments that work in my area: their place lies in my scope or above it (a district bureau
 * serves every street). Department staff see their own departments.
 */
export async function listDepartments(deps: Deps, ctx: RequestContext, q: { placeId?: string } = {}): Promise<Department[]> {
  const { db } = deps.database;
  const actor = ctx.actor;
  if (!actor) throw new AppError('AUTH_REQUIRED');
  let query = db.selectFrom('departments as d').selectAll('d');
  if (can(actor, 'cases:read') || can(actor, 'cases:configure') || can(actor, 'cases:whistle')) {
    const scope = actor.placeScope;
    query = query.where(sql<boolean>`(d.place_id IN (SELECT descendant_id FROM place_closure WHERE ancestor_id = ANY(${scope}::bigint[]))
      OR d.place_id IN (SELECT ancestor_id FROM place_closure WHERE descendant_id = ANY(${scope}::bigint[])))`);
  } else {
    await requirePermission(db, ctx, 'cases:department');
    const mine = await departmentIdsOf(db, actor.id);
    query = query.where('d.id', 'in', mine.length ? mine : ['0']);
  }
  if (q.placeId) {
    await requireAccess(db, ctx, 'cases:read', 'place', [q.placeId]);
    query = query.where(sql<boolean>`d.place_id IN (SELECT ancestor_id FROM place_closure WHERE descendant_id = ${q.placeId}::bigint)`);
  }
  return presentDepartments(db, await query.orderBy('d.place_id').orderBy('d.kind').orderBy('d.id').execute());
}

export interface DepartmentInput {
  code?: string | null;
  name: string;
  kind: DepartmentKind;
  placeId: string;
  phone?: string | null;
  active?: boolean;
}

export async function saveDepartment(deps: Deps, ctx: RequestContext, id: string | null, input: DepartmentInput): Promise<Department> {
  const { db } = deps.database;
  const actor = await requireAccess(db, ctx, 'cases:configure', 'place', [input.placeId]);
  const existing = id ? await db.selectFrom('departments').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
  if (id && !existing) throw new AppError('NOT_FOUND');
  if (existing) await requireAccess(db, ctx, 'cases:configure', 'place', [String(existing.place_id)]);
  if (input.code) {
    const taken = await db.selectFrom('departments').select('id').where('code', '=', input.code).executeTakeFirst();
    if (taken && String(taken.id) !== id) throw new AppError('CODE_TAKEN', { code: input.code }, { code: 'CODE_TAKEN' });
  }
  const values = { code: input.code ?? null, name: input.name, kind: input.kind, place_id: input.placeId, phone: input.phone ?? null, active: input.active ?? true };
  const row = await db.transaction().execute(async (trx) => {
    const saved = existing
      ? await trx.updateTable('departments').set({ ...values, updated_at: new Date() }).where('id', '=', existing.id).returningAll().executeTakeFirstOrThrow()
      : await trx.insertInto('departments').values(values).returningAll().executeTakeFirstOrThrow();
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'case.department_save', targetType: 'department', targetId: String(saved.id), targetLabel: saved.name, ip: ctx.ip, changes: { mode: existing ? 'update' : 'create', ...input } });
    return saved;
  });
  return (await presentDepartments(db, [row]))[0]!;
}

/** The accounts that act for a department (they also need a role with cases:department). */
export async function setDepartmentStaff(deps: Deps, ctx: RequestContext, id: string, accountIds: string[]): Promise<Department> {
  const { db } = deps.database;
  const existing = await db.selectFrom('departments').selectAll().where('id', '=', id).executeTakeFirst();
  if (!existing) throw new AppError('NOT_FOUND');
  const actor = await requireAccess(db, ctx, 'cases:configure', 'place', [String(existing.place_id)]);
  const ids = [...new Set(accountIds)];
  const found = ids.length ? await db.selectFrom('accounts').select('id').where('id', 'in', ids).execute() : [];
  const missing = ids.find((a) => !found.some((f) => String(f.id) === a));
  if (missing) throw new AppError('NOT_FOUND', { id: missing });
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('department_staff').where('department_id', '=', id).execute();
    if (ids.length) await trx.insertInto('department_staff').values(ids.map((a) => ({ department_id: id, account_id: a }))).execute();
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'case.department_staff', targetType: 'department', targetId: id, targetLabel: existing.name, ip: ctx.ip, changes: { accountIds: ids } });
  });
  return (await presentDepartments(db, [existing]))[0]!;
}
