import { sql } from 'kysely';
import type { CaseRating, WhistleKind } from '@tongxin/contracts';
import type { Database, Executor } from '../../db/database.js';
import type { RequestContext } from '../../platform/actor.js';
import { idsInScope, requirePermission } from '../../platform/access.js';
import { AppError } from '../../platform/errors.js';
import { auditRefusal } from './cases.access.js';
import { whoOf } from './cases.caller.js';
import { caseById, departmentIdsOf, departmentsByIds, lockCase, placeAtLevel, type CaseRow, type WhistleRow } from './cases.repo.js';
import { runStep } from './cases.steps.js';
import { recordStep } from './cases.timeline.js';
import { mayWhistleAt, notAllowed, whistleLevelError, WHISTLE_STEPS } from './cases.workflow.js';

// Whistle and report (吹哨报到): the street (or a configured community) calls departments in; each
// reports within the kind's deadline, then submits its result with photos; the street rates them.

type Deps = { database: Database };

/** Departments among `ids` that work where the case is (their place is the grid or one of its ancestors). */
async function departmentsCovering(ex: Executor, gridId: string, placeIds: string[]): Promise<Set<string>> {
  if (placeIds.length === 0) return new Set();
  const { rows } = await sql<{ id: string }>`
    SELECT ancestor_id AS id FROM place_closure WHERE descendant_id = ${gridId}::bigint AND ancestor_id = ANY(${placeIds}::bigint[])`.execute(ex);
  return new Set(rows.map((r) => String(r.id)));
}

export interface WhistleInput {
  kind: WhistleKind;
  departmentIds: string[];
  note: string;
}

export function whistleDepartments(deps: Deps, ctx: RequestContext, id: string, input: WhistleInput) {
  return runStep(deps, ctx, id, 'whistle', async ({ trx, row, rules, now, who, locale }) => {
    if (!mayWhistleAt(row.level, rules.communityMayWhistle)) throw whistleLevelError(row.level, rules.communityMayWhistle, locale);
    const wanted = [...new Set(input.departmentIds)];
    const departments = await departmentsByIds(trx, wanted);
    const found = new Map(departments.filter((d) => d.active).map((d) => [String(d.id), d]));
    const missing = wanted.find((d) => !found.has(d));
    if (missing) throw new AppError('CASE_DEPARTMENT_UNKNOWN', { id: missing });
    const covering = await departmentsCovering(trx, String(row.grid_id), departments.map((d) => String(d.place_id)));
    const outside = departments.find((d) => !covering.has(String(d.place_id)));
    if (outside) throw new AppError('CASE_DEPARTMENT_OUT_OF_AREA', { name: outside.name });
    const open = await trx.selectFrom('case_whistles').select('department_id').where('case_id', '=', row.id).where('department_id', 'in', wanted).where('result_at', 'is', null).executeTakeFirst();
    if (open) throw new AppError('CASE_DEPARTMENT_ALREADY_WHISTLED', { name: found.get(String(open.department_id))!.name });

    const kind = rules.whistle[input.kind];
    const reportDue = new Date(now.getTime() + kind.reportMinutes * 60_000);
    const resultDue = new Date(now.getTime() + kind.resultHours * 3_600_000);
    const inserted = await trx
      .insertInto('case_whistles')
      .values(wanted.map((d) => ({ case_id: row.id, department_id: d, kind: input.kind, whistled_at: now, whistled_by: who.id, level: row.level, report_due_at: reportDue, result_due_at: resultDue })))
      .returning(['id', 'department_id'])
      .execute();
    await trx.insertInto('case_deadlines').values(inserted.map((w) => ({ case_id: row.id, whistle_id: w.id, kind: 'whistle_report' as const, due_at: reportDue }))).execute();
    return {
      set: { acknowledged_at: row.acknowledged_at ?? now },
      step: {
        note: input.note,
        details: { kind: input.kind, reportDueAt: reportDue.toISOString(), departments: inserted.map((w) => ({ id: String(w.department_id), whistleId: String(w.id), name: found.get(String(w.department_id))!.name })) },
      },
      result: inserted.map((w) => ({ id: String(w.id), departmentId: String(w.department_id) })),
    };
  });
}

export interface DepartmentInput {
  /** which of the actor's departments answers (needed only for staff of several) */
  departmentId?: string;
  note: string;
  attachments?: string[];
}

/**
 * The actor's open whistle on the case. A department that was not whistled for the case gets
 * CASE_NOT_WHISTLED (404), which says nothing about whether the case exists.
 */
async function myWhistle(deps: Deps, ctx: RequestContext, caseId: string, departmentId: string | undefined, step: 'report' | 'result'): Promise<{ row: CaseRow; whistle: WhistleRow }> {
  const { db } = deps.database;
  const actor = await requirePermission(db, ctx, 'cases:department', { type: 'case', id: caseId });
  const mine = await departmentIdsOf(db, actor.id);
  if (mine.length === 0 || (departmentId && !mine.includes(departmentId))) {
    await auditRefusal(db, ctx, caseId, 'not_department_staff');
    throw new AppError('CASE_NOT_DEPARTMENT_STAFF');
  }
  const row = await caseById(db, caseId);
  const whistle = row
    ? await db.selectFrom('case_whistles').selectAll().where('case_id', '=', row.id).where('department_id', 'in', departmentId ? [departmentId] : mine).where('result_at', 'is', null).orderBy(sql`reported_at IS NULL`, step === 'report' ? 'desc' : 'asc').orderBy('id').executeTakeFirst()
    : undefined;
  if (!row || !whistle) {
    await auditRefusal(db, ctx, caseId, 'not_whistled');
    throw new AppError('CASE_NOT_WHISTLED');
  }
  return { row, whistle };
}

async function departmentStep(deps: Deps, ctx: RequestContext, caseId: string, step: 'report' | 'result', input: DepartmentInput) {
  const { whistle } = await myWhistle(deps, ctx, caseId, input.departmentId, step);
  const who = whoOf(ctx);
  const [department] = await departmentsByIds(deps.database.db, [String(whistle.department_id)]);
  const name = department?.name ?? '';
  await deps.database.db.transaction().execute(async (trx) => {
    const row = await lockCase(trx, caseId);
    if (!row) throw new AppError('NOT_FOUND');
    const spec = WHISTLE_STEPS[step];
    if (!spec.caseStates.includes(row.state as never)) throw notAllowed(row.state, spec.event, ctx.locale);
    const w = await trx.selectFrom('case_whistles').selectAll().where('id', '=', whistle.id).forUpdate().executeTakeFirstOrThrow();
    const now = new Date();
    let details: Record<string, unknown>;
    if (step === 'report') {
      if (w.reported_at) throw new AppError('CASE_WHISTLE_ALREADY_REPORTED', { name, at: w.reported_at.toISOString() });
      await trx.updateTable('case_whistles').set({ reported_at: now, reported_by: who.id }).where('id', '=', w.id).execute();
      await trx.updateTable('case_deadlines').set({ processed_at: now, outcome: 'met' }).where('whistle_id', '=', w.id).where('processed_at', 'is', null).execute();
      details = { kind: w.kind, onTime: now <= w.report_due_at, dueAt: w.report_due_at.toISOString() };
    } else {
      if (w.result_at) throw new AppError('CASE_WHISTLE_RESULT_SUBMITTED', { name });
      if (!w.reported_at) throw new AppError('CASE_WHISTLE_NOT_REPORTED', { name });
      await trx.updateTable('case_whistles').set({ result_at: now, result_by: who.id, result_note: input.note, result_attachments: input.attachments ?? [] }).where('id', '=', w.id).execute();
      details = { kind: w.kind, onTime: now <= w.result_due_at };
    }
    await trx.updateTable('cases').set({ updated_at: now }).where('id', '=', row.id).execute();
    await recordStep(trx, who, { id: caseId, number: row.number }, {
      action: WHISTLE_STEPS[step].event, level: row.level, note: input.note, attachments: input.attachments, departmentId: String(w.department_id), whistleId: String(w.id), details, at: now,
    });
  });
  return { whistleId: String(whistle.id) };
}

/** The department reports (acknowledges and arrives) within the whistle's deadline. */
export const departmentReport = (deps: Deps, ctx: RequestContext, caseId: string, input: DepartmentInput) => departmentStep(deps, ctx, caseId, 'report', input);
/** The department submits its result (with photos); the holding unit may then mark the case handled. */
export const departmentResult = (deps: Deps, ctx: RequestContext, caseId: string, input: DepartmentInput) => departmentStep(deps, ctx, caseId, 'result', input);

/** The unit that whistled (the street) rates a department's work on the case. */
export async function rateDepartment(deps: Deps, ctx: RequestContext, caseId: string, whistleId: string, input: { rating: CaseRating; note?: string }) {
  const { db } = deps.database;
  const actor = await requirePermission(db, ctx, WHISTLE_STEPS.rate.permission, { type: 'case', id: caseId });
  const row = await caseById(db, caseId);
  const whistle = row && /^\d{1,18}$/.test(whistleId) ? await db.selectFrom('case_whistles').selectAll().where('id', '=', whistleId).where('case_id', '=', row.id).executeTakeFirst() : undefined;
  const unit = row && whistle ? placeAtLevel(row, whistle.level) : null;
  if (!row || !whistle || !unit || !(await idsInScope(db, actor, 'place', [unit])).has(unit)) {
    await auditRefusal(db, ctx, caseId, 'out_of_scope: whistle rating');
    throw new AppError('NOT_FOUND');
  }
  const [department] = await departmentsByIds(db, [String(whistle.department_id)]);
  const name = department?.name ?? '';
  const who = whoOf(ctx);
  await db.transaction().execute(async (trx) => {
    const locked = await lockCase(trx, caseId);
    if (!locked) throw new AppError('NOT_FOUND');
    if (!WHISTLE_STEPS.rate.caseStates.includes(locked.state as never)) throw notAllowed(locked.state, WHISTLE_STEPS.rate.event, ctx.locale);
    const w = await trx.selectFrom('case_whistles').selectAll().where('id', '=', whistle.id).forUpdate().executeTakeFirstOrThrow();
    if (!w.result_at) throw new AppError('CASE_WHISTLE_NO_RESULT', { name });
    if (w.street_rating) throw new AppError('CASE_WHISTLE_ALREADY_RATED', { name });
    const now = new Date();
    await trx.updateTable('case_whistles').set({ street_rating: input.rating, street_rating_note: input.note ?? null, rated_at: now, rated_by: who.id }).where('id', '=', w.id).execute();
    await recordStep(trx, who, { id: caseId, number: locked.number }, {
      action: 'department_rated', level: locked.level, note: input.note, departmentId: String(w.department_id), whistleId: String(w.id), details: { rating: input.rating }, at: now,
    });
  });
}
