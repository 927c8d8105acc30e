import { sql, type Selectable } from 'kysely';
import type { CaseLevel } from '@tongxin/contracts';
import type { Executor, Tx } from '../../db/database.js';
import type { CaseCategoriesTable, CasesTable, CaseWhistlesTable, DepartmentsTable } from '../../db/types.js';
import { chinaDay } from './cases.rules.js';

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

/** The next case number of the day (AJ20261123-0001); the counter row serialises concurrent intakes. */
export async function nextCaseNumber(trx: Tx, at: Date): Promise<string> {
  const day = chinaDay(at).replace(/-/g, '');
  const { rows } = await sql<{ n: number }>`
    INSERT INTO case_counters (day, n) VALUES (${day}, 1)
    ON CONFLICT (day) DO UPDATE SET n = case_counters.n + 1
    RETURNING n`.execute(trx);
  return `AJ${day}-${String(rows[0]!.n).padStart(4, '0')}`;
}

export const LEVELS: CaseLevel[] = ['grid', 'community', 'street'];

/** The place of the unit at a level of the case (its grid, community or street). */
export function placeAtLevel(row: Pick<CaseRow, 'grid_id' | 'community_id' | 'street_id'>, level: string): string | null {
  const id = level === 'grid' ? row.grid_id : level === 'community' ? row.community_id : level === 'street' ? row.street_id : null;
  return id === null ? null : String(id);
}

/** The next level up that exists for this case (a grid outside any community goes to the street). */
export function levelAbove(row: CaseRow): { level: CaseLevel; placeId: string } | null {
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
