import { sql, type SelectQueryBuilder } from 'kysely';
import type { CaseState } from '@tongxin/contracts';
import type { Database, Executor } from '../../db/database.js';
import type { DB } from '../../db/types.js';
import type { Actor, RequestContext } from '../../platform/actor.js';
import { can, inScope, requireAccess, requirePermission } from '../../platform/access.js';
import { parseSort } from '../../platform/pagination.js';
import { namesOf } from '../../platform/tree.js';
import { departmentIdsOf } from './cases.repo.js';
import { RUNNING_STATES } from './cases.workflow.js';

// Case lists: the area of a command or supervision centre, my own reports, a department's whistles.
// searchCases is the building block other modules (Open311) use to read cases.

export interface CaseSummary {
  id: string;
  number: string;
  category: { code: string; name: string; nameEn: string };
  description: string;
  lng: number;
  lat: number;
  address: string;
  state: CaseState;
  priority: string;
  source: string;
  level: string;
  levelPlace: { id: string; name: string };
  grid: { id: string; name: string };
  communityId: string | null;
  streetId: string | null;
  card: string;
  overdue: boolean;
  dueAt: string | null;
  createdAt: string;
  updatedAt: string;
  dispatchedAt: string | null;
  closedAt: string | null;
  rating: string | null;
  attachments: string[];
}

type Q = SelectQueryBuilder<DB & { c: DB['cases'] }, 'c', object>;

export interface CaseFilter {
  ids?: string[];
  states?: string[];
  categoryCodes?: string[];
  level?: string;
  /** a grid, community or street (or any place): cases in its subtree */
  placeId?: string;
  overdue?: boolean;
  card?: string;
  q?: string;
  createdFrom?: Date;
  createdTo?: Date;
  updatedFrom?: Date;
  updatedTo?: Date;
  sort?: string;
  limit: number;
  offset?: number;
}

const SORTS = { createdAt: 'c.created_at', updatedAt: 'c.updated_at', dueAt: 'c.due_at', number: 'c.number', state: 'c.state' } as const;

function applyFilter(q: Q, f: CaseFilter): Q {
  if (f.ids) q = q.where('c.id', 'in', f.ids.length ? f.ids : ['0']);
  if (f.states?.length) q = q.where('c.state', 'in', f.states);
  if (f.categoryCodes?.length) q = q.where('c.category_id', 'in', (eb) => eb.selectFrom('case_categories').select('id').where('code', 'in', f.categoryCodes!));
  if (f.level) q = q.where('c.level', '=', f.level);
  if (f.placeId) q = q.where(sql<boolean>`c.grid_id IN (SELECT descendant_id FROM place_closure WHERE ancestor_id = ${f.placeId}::bigint)`);
  if (f.overdue !== undefined) {
    const overdue = sql<boolean>`(c.due_at IS NOT NULL AND c.due_at < now() AND c.state = ANY(${[...RUNNING_STATES]}::text[]))`;
    q = q.where(f.overdue ? overdue : sql<boolean>`NOT ${overdue}`);
  }
  if (f.card) q = q.where('c.card', '=', f.card);
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (ch) => '\\' + ch)}%`;
    q = q.where((eb) => eb.or([eb('c.number', 'like', like), eb('c.description', 'like', like), eb('c.address', 'like', like)]));
  }
  if (f.createdFrom) q = q.where('c.created_at', '>=', f.createdFrom);
  if (f.createdTo) q = q.where('c.created_at', '<', f.createdTo);
  if (f.updatedFrom) q = q.where('c.updated_at', '>=', f.updatedFrom);
  if (f.updatedTo) q = q.where('c.updated_at', '<', f.updatedTo);
  return q;
}

/** Cases matching a filter, already limited to what the caller may see by `restrict`. */
export async function searchCases(ex: Executor, f: CaseFilter, restrict: (q: Q) => Q = (q) => q): Promise<{ items: CaseSummary[]; total: number }> {
  const base = applyFilter(restrict(ex.selectFrom('cases as c') as unknown as Q), f);
  const sort = parseSort(f.sort, Object.keys(SORTS) as (keyof typeof SORTS)[], 'createdAt', 'desc');
  const [rows, total] = await Promise.all([
    base
      .innerJoin('case_categories as k', 'k.id', 'c.category_id')
      .innerJoin('places as g', 'g.id', 'c.grid_id')
      .innerJoin('places as lp', 'lp.id', 'c.level_place_id')
      .selectAll('c')
      .select(['k.code as category_code', 'k.name_zh as category_name', 'k.name_en as category_name_en', 'g.name as grid_name', 'lp.name as level_place_name'])
      .select(sql<boolean>`(c.due_at IS NOT NULL AND c.due_at < now() AND c.state = ANY(${[...RUNNING_STATES]}::text[]))`.as('overdue'))
      .orderBy(sql.ref(SORTS[sort.field]), sort.dir)
      .orderBy('c.id', 'desc')
      .limit(f.limit)
      .offset(f.offset ?? 0)
      .execute(),
    base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  const items = rows.map((r) => ({
    id: String(r.id),
    number: r.number,
    category: { code: r.category_code, name: r.category_name, nameEn: r.category_name_en },
    description: r.description,
    lng: r.lng,
    lat: r.lat,
    address: r.address,
    state: r.state as CaseState,
    priority: r.priority,
    source: r.source,
    level: r.level,
    levelPlace: { id: String(r.level_place_id), name: r.level_place_name },
    grid: { id: String(r.grid_id), name: r.grid_name },
    communityId: r.community_id === null ? null : String(r.community_id),
    streetId: r.street_id === null ? null : String(r.street_id),
    card: r.card,
    overdue: r.overdue,
    dueAt: r.due_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    dispatchedAt: r.dispatched_at?.toISOString() ?? null,
    closedAt: r.closed_at?.toISOString() ?? null,
    rating: r.rating,
    attachments: r.attachments,
  }));
  return { items, total: (total as { n: number }).n };
}

export type CaseView = 'area' | 'mine' | 'department';

export interface ListQuery {
  view?: CaseView;
  state?: string;
  category?: string;
  level?: string;
  placeId?: string;
  overdue?: boolean;
  card?: string;
  q?: string;
  from?: string;
  to?: string;
  sort?: string;
  page: number;
  pageSize: number;
}

const dayStart = (d: string) => new Date(`${d}T00:00:00+08:00`);
const dayAfter = (d: string) => new Date(dayStart(d).getTime() + 86_400_000);

/** The list page: my area (cases:read), my own reports and follows, or my department's whistles. */
export async function listCases(deps: { database: Database }, ctx: RequestContext, query: ListQuery) {
  const { db } = deps.database;
  const view: CaseView = query.view ?? (can(ctx.actor, 'cases:read') ? 'area' : can(ctx.actor, 'cases:department') ? 'department' : 'mine');
  const permission = view === 'area' ? 'cases:read' : view === 'department' ? 'cases:department' : 'cases:report';
  const actor: Actor = await requirePermission(db, ctx, permission);
  if (query.placeId) await requireAccess(db, ctx, 'cases:read', 'place', [query.placeId]);
  let restrict: (q: Q) => Q;
  if (view === 'area') restrict = (q) => q.where(inScope(actor, 'place', 'c.grid_id'));
  else if (view === 'mine') {
    restrict = (q) => q.where((eb) => eb.or([eb('c.reporter_account_id', '=', actor.id), eb('c.id', 'in', eb.selectFrom('case_followers').select('case_id').where('account_id', '=', actor.id))]));
  } else {
    const departments = await departmentIdsOf(db, actor.id);
    restrict = (q) => q.where('c.id', 'in', (eb) => eb.selectFrom('case_whistles').select('case_id').where('department_id', 'in', departments.length ? departments : ['0']));
  }
  const { items, total } = await searchCases(db, {
    states: query.state ? query.state.split(',') : undefined,
    categoryCodes: query.category ? query.category.split(',') : undefined,
    level: query.level,
    placeId: query.placeId,
    overdue: query.overdue,
    card: query.card,
    q: query.q,
    createdFrom: query.from ? dayStart(query.from) : undefined,
    createdTo: query.to ? dayAfter(query.to) : undefined,
    sort: query.sort,
    limit: query.pageSize,
    offset: (query.page - 1) * query.pageSize,
  }, restrict);
  return { view, items, total, page: query.page, pageSize: query.pageSize };
}

/** Whistles waiting for my departments (the department inbox), oldest deadline first. */
export async function departmentInbox(deps: { database: Database }, ctx: RequestContext, opts: { done?: boolean }) {
  const { db } = deps.database;
  const actor = await requirePermission(db, ctx, 'cases:department');
  const departments = await departmentIdsOf(db, actor.id);
  if (departments.length === 0) return [];
  let q = db
    .selectFrom('case_whistles as w')
    .innerJoin('cases as c', 'c.id', 'w.case_id')
    .innerJoin('departments as d', 'd.id', 'w.department_id')
    .innerJoin('case_categories as k', 'k.id', 'c.category_id')
    .select(['w.id', 'w.case_id', 'w.kind', 'w.whistled_at', 'w.report_due_at', 'w.reported_at', 'w.report_overdue', 'w.result_due_at', 'w.result_at', 'd.id as department_id', 'd.name as department_name', 'c.number', 'c.description', 'c.address', 'c.lng', 'c.lat', 'c.state', 'c.street_id', 'k.name_zh as category_name'])
    .where('w.department_id', 'in', departments);
  q = opts.done ? q.where('w.result_at', 'is not', null) : q.where('w.result_at', 'is', null);
  const rows = await q.orderBy('w.report_due_at').orderBy('w.id').limit(200).execute();
  const streets = await namesOf(db, 'place', [...new Set(rows.map((r) => r.street_id).filter((s): s is string => s !== null).map(String))]);
  return rows.map((r) => ({
    whistleId: String(r.id),
    caseId: String(r.case_id),
    number: r.number,
    category: r.category_name,
    description: r.description,
    address: r.address,
    lng: r.lng,
    lat: r.lat,
    caseState: r.state,
    street: r.street_id ? (streets.get(String(r.street_id)) ?? '') : '',
    department: { id: String(r.department_id), name: r.department_name },
    kind: r.kind,
    whistledAt: r.whistled_at.toISOString(),
    reportDueAt: r.report_due_at.toISOString(),
    reportedAt: r.reported_at?.toISOString() ?? null,
    reportOverdue: r.report_overdue,
    resultDueAt: r.result_due_at.toISOString(),
    resultAt: r.result_at?.toISOString() ?? null,
    status: (r.result_at ? 'done' : r.reported_at ? 'awaiting_result' : 'awaiting_report') as 'done' | 'awaiting_result' | 'awaiting_report',
  }));
}
