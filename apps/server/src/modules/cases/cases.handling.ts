import type { CaseLevel, CasePriority } from '@tongxin/contracts';
import type { Database } from '../../db/database.js';
import type { RequestContext } from '../../platform/actor.js';
import { AppError } from '../../platform/errors.js';
import { cancelCaseDeadlines, categoryById, levelAbove, placeAtLevel, scheduleCaseDeadlines, type CaseRow } from './cases.repo.js';
import { deadlineHoursOf, type CaseRules } from './cases.rules.js';
import { runStep, type StepContext } from './cases.steps.js';

// Command (file, reject, dispatch) and the unit holding the case (take up, escalate, mark handled).

type Deps = { database: Database };

export interface NoteInput {
  note?: string;
  attachments?: string[];
}

/** A fresh deadline from now for the case's category and priority; the red card at `redCardFactor` times it. */
export async function renewDeadline(s: StepContext, row: CaseRow, rules: CaseRules, priority = row.priority) {
  const category = await categoryById(s.trx, String(row.category_id));
  const hours = deadlineHoursOf(rules, category?.deadline_hours, priority);
  const dueAt = new Date(s.now.getTime() + hours * 3_600_000);
  const redAt = new Date(s.now.getTime() + hours * rules.redCardFactor * 3_600_000);
  await cancelCaseDeadlines(s.trx, String(row.id), s.now);
  await scheduleCaseDeadlines(s.trx, String(row.id), dueAt, redAt);
  return { dueAt, redAt, hours };
}

export function fileCase(deps: Deps, ctx: RequestContext, id: string, input: NoteInput & { priority?: CasePriority }) {
  return runStep(deps, ctx, id, 'file', async ({ row, now }) => ({
    set: { filed_at: now, ...(input.priority ? { priority: input.priority } : {}) },
    step: { note: input.note, details: input.priority && input.priority !== row.priority ? { priority: { from: row.priority, to: input.priority } } : {} },
  }));
}

export function rejectCase(deps: Deps, ctx: RequestContext, id: string, input: { reason: string }) {
  return runStep(deps, ctx, id, 'reject', async () => ({ set: { reject_reason: input.reason }, step: { note: input.reason } }));
}

/** Dispatch to the unit that handles it (its grid unless another level is chosen): the clock starts. */
export function dispatchCase(deps: Deps, ctx: RequestContext, id: string, input: NoteInput & { level?: CaseLevel }) {
  return runStep(deps, ctx, id, 'dispatch', async (s) => {
    const level = input.level ?? 'grid';
    const placeId = placeAtLevel(s.row, level);
    if (!placeId) throw new AppError('BAD_REQUEST', { reason: `no ${level} for this case` }, { level: 'BAD_REQUEST' });
    const { dueAt, redAt, hours } = await renewDeadline(s, s.row, s.rules);
    return {
      set: { dispatched_at: s.now, first_due_at: s.row.first_due_at ?? dueAt, due_at: dueAt, red_at: redAt, level, level_place_id: placeId },
      step: { note: input.note, level, details: { dueAt: dueAt.toISOString(), hours } },
    };
  });
}

/** The holding unit takes the case up (the response the response rate counts). */
export function acceptCase(deps: Deps, ctx: RequestContext, id: string, input: NoteInput) {
  return runStep(deps, ctx, id, 'accept', async ({ row, now }) => ({
    set: { acknowledged_at: row.acknowledged_at ?? now },
    step: { note: input.note },
  }));
}

/** One level up: grid → community → street. The owner stays the unit that first received it. */
export function escalateCase(deps: Deps, ctx: RequestContext, id: string, input: NoteInput & { note: string }) {
  return runStep(deps, ctx, id, 'escalate', async ({ row }) => {
    const up = levelAbove(row);
    if (!up) throw new AppError('CASE_TOP_LEVEL');
    return { set: { level: up.level, level_place_id: up.placeId }, step: { note: input.note, attachments: input.attachments, details: { fromLevel: row.level } } };
  });
}

export function markHandled(deps: Deps, ctx: RequestContext, id: string, input: NoteInput & { note: string }) {
  return runStep(deps, ctx, id, 'mark_handled', async ({ trx, row, now }) => {
    const open = await trx
      .selectFrom('case_whistles as w')
      .innerJoin('departments as d', 'd.id', 'w.department_id')
      .select('d.name')
      .where('w.case_id', '=', row.id)
      .where('w.result_at', 'is', null)
      .execute();
    if (open.length) throw new AppError('CASE_WHISTLES_OPEN', { count: open.length, names: open.map((o) => o.name).join('、') });
    return { set: { handled_at: now, acknowledged_at: row.acknowledged_at ?? now }, step: { note: input.note, attachments: input.attachments } };
  });
}
