import { createHash } from 'node:crypto';
import { sql, type RawBuilder, type Selectable } from 'kysely';
import type { CaseLevel } from '@tongxin/contracts';
import type { Database, Executor, Tx } from '../../db/database.js';
import type { CaseCategoriesTable, CasesTable, CaseWhistlesTable, DepartmentsTable } from '../../db/types.js';

// Row access of the cases module: other modules call the services, never these tables.

export type CaseRow = Selectable<CasesTable>;
export type CategoryRow = Selectable<CaseCategoriesTable>;
export type WhistleRow = Selectable<CaseWhistlesTable>;
export type DepartmentRow = Selectable<DepartmentsTable>;

export const isId = (id: string) => /^\d{1,18}$/.test(id);

export async function caseById(ex: Executor, id: string): Promise<CaseRow | undefined> {
  if (!isId(id)) return undefined;
  return ex.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The case row locked for the rest of the transaction: steps on one case run one after another. */
export async function lockCase(trx: Tx, id: string): Promise<CaseRow | undefined> {
  return trx.selectFrom('cases').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function categoryByCode(ex: Executor, code: string): Promise<CategoryRow | undefined> {
  return ex.selectFrom('case_categories').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function categoryById(ex: Executor, id: string): Promise<CategoryRow | undefined> {
  return ex.selectFrom('case_categories').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function departmentsByIds(ex: Executor, ids: string[]): Promise<DepartmentRow[]> {
  if (ids.length === 0) return [];
  return ex.selectFrom('departments').selectAll().where('id', 'in', ids).orderBy('id').execute();
}

/** Departments an account works for. */
export async function departmentIdsOf(ex: Executor, accountId: string): Promise<string[]> {
  const rows = await ex.selectFrom('department_staff').select('department_id').where('account_id', '=', accountId).execute();
  return rows.map((r) => String(r.department_id));
}

/**
 * Runs a statement of the intake's hot path outside any transaction: on PostgreSQL as a named
 * prepared statement (parsed and planned once per connection; unnamed, parsing and planning took a
 * quarter of the database's work per case), named by its text. PGlite's connections share one
 * backend, where names would collide: there it runs unnamed, as every other statement does.
 */
// a handful of texts (the intake's statements and their variants)
const statementNames = new Map<string, string>();

export async function runPrepared<R>(database: Database, query: RawBuilder<R>): Promise<R[]> {
  const compiled = query.compile(database.db);
  if (database.engine !== 'postgresql') return (await database.db.executeQuery<R>(compiled)).rows;
  let name = statementNames.get(compiled.sql);
  if (!name) {
    name = `tx_${createHash('sha1').update(compiled.sql).digest('hex').slice(0, 24)}`;
    statementNames.set(compiled.sql, name);
  }
  return (await database.pool.query({ name, text: compiled.sql, values: [...compiled.parameters] })).rows as R[];
}

/** What the intake needs of a category. */
export type IntakeCategory = Pick<CategoryRow, 'id' | 'code' | 'name_zh' | 'active' | 'anonymous_allowed' | 'default_priority'>;

export const LEVELS: CaseLevel[] = ['grid', 'community', 'street'];

/** The place of the unit at a level of the case (its grid, community or street). */
export function placeAtLevel(row: Pick<CaseRow, 'grid_id' | 'community_id' | 'street_id'>, level: string): string | null {
  const id = level === 'grid' ? row.grid_id : level === 'community' ? row.community_id : level === 'street' ? row.street_id : null;
  return id === null ? null : String(id);
}

/** The next level up that exists for this case (a grid outside any community goes to the street). */
export function levelAbove(row: Pick<CaseRow, 'level' | 'grid_id' | 'community_id' | 'street_id'>): { level: CaseLevel; placeId: string } | null {
  for (const level of LEVELS.slice(LEVELS.indexOf(row.level as CaseLevel) + 1)) {
    const placeId = placeAtLevel(row, level);
    if (placeId) return { level, placeId };
  }
  return null;
}

export async function whistlesOf(ex: Executor, caseId: string): Promise<(WhistleRow & { department_name: string; department_kind: string })[]> {
  return ex
    .selectFrom('case_whistles as w')
    .innerJoin('departments as d', 'd.id', 'w.department_id')
    .selectAll('w')
    .select(['d.name as department_name', 'd.kind as department_kind'])
    .where('w.case_id', '=', caseId)
    .orderBy('w.id')
    .execute();
}

/** Deadline rows for the case's current deadline (the sweeper acts on them when they fall due). */
export async function scheduleCaseDeadlines(trx: Tx, caseId: string, dueAt: Date, redAt: Date): Promise<void> {
  await trx
    .insertInto('case_deadlines')
    .values([
      { case_id: caseId, kind: 'case_due', due_at: dueAt },
      { case_id: caseId, kind: 'case_red', due_at: redAt },
    ])
    .execute();
}

/** Pending deadline rows of a case that no longer apply (a new deadline replaces them). */
export async function cancelCaseDeadlines(trx: Tx, caseId: string, at: Date): Promise<void> {
  await trx
    .updateTable('case_deadlines')
    .set({ processed_at: at, outcome: 'replaced' })
    .where('case_id', '=', caseId)
    .where('kind', 'in', ['case_due', 'case_red'])
    .where('processed_at', 'is', null)
    .execute();
}
