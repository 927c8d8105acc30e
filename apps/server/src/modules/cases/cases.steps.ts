import type { Updateable } from 'kysely';
import type { Locale } from '@tongxin/contracts';
import type { Database, Tx } from '../../db/database.js';
import type { CasesTable } from '../../db/types.js';
import type { Actor, RequestContext } from '../../platform/actor.js';
import { idsInScope, requirePermission } from '../../platform/access.js';
import { AppError } from '../../platform/errors.js';
import { namesOf } from '../../platform/tree.js';
import { auditRefusal, canSee, factsFor } from './cases.access.js';
import { whoOf, type Who } from './cases.caller.js';
import { caseById, lockCase, type CaseRow } from './cases.repo.js';
import { caseRules, type CaseRules } from './cases.rules.js';
import { recordStep, type Step } from './cases.timeline.js';
import { assertFrom, levelLabel, stands, TRANSITIONS, type CaseAction, type CaseFacts } from './cases.workflow.js';

// Runs one workflow step on one case: permission, standing (area, holding unit, reporter), then in
// one transaction the locked row, the state check, the change, the timeline entry and the audit entry.
// Refusals are audited outside the transaction, so they stay in the log.

export interface StepContext {
  trx: Tx;
  /** the row, locked for the transaction */
  row: CaseRow;
  actor: Actor | null;
  who: Who;
  facts: CaseFacts;
  rules: CaseRules;
  now: Date;
  locale: Locale;
}

export interface StepOutcome<T> {
  set?: Updateable<CasesTable>;
  step?: Omit<Step, 'action' | 'from' | 'to' | 'at'>;
  result?: T;
}

export interface StepOptions {
  /** the caller proved to be the reporter another way (the tracking code of an anonymous report) */
  asReporter?: boolean;
  /** checks on the locked row before the state check (e.g. a second rating gets its own error) */
  guard?: (row: CaseRow, locale: Locale) => void;
}

async function refuseStanding(database: Database, ctx: RequestContext, row: CaseRow, action: CaseAction, facts: CaseFacts): Promise<never> {
  const { db } = database;
  const t = TRANSITIONS[action];
  if (!canSee(facts)) {
    await auditRefusal(db, ctx, String(row.id), `out_of_scope: case ${action}`);
    throw new AppError('NOT_FOUND');
  }
  if (t.standing === 'level') {
    await auditRefusal(db, ctx, String(row.id), `not_holding_unit: case ${action}`);
    const unit = (await namesOf(db, 'place', [String(row.level_place_id)])).get(String(row.level_place_id)) ?? '';
    throw new AppError('CASE_NOT_AT_MY_LEVEL', { level: levelLabel(row.level, ctx.locale), unit });
  }
  if (t.standing === 'reporter') {
    await auditRefusal(db, ctx, String(row.id), `not_reporter: case ${action}`);
    throw new AppError('CASE_NOT_REPORTER');
  }
  await auditRefusal(db, ctx, String(row.id), `out_of_scope: case ${action}`);
  throw new AppError('NOT_FOUND');
}

export async function runStep<T = void>(
  deps: { database: Database },
  ctx: RequestContext,
  caseId: string,
  action: CaseAction,
  apply: (s: StepContext) => Promise<StepOutcome<T>>,
  opts: StepOptions = {},
): Promise<T> {
  const { db } = deps.database;
  const t = TRANSITIONS[action];
  if (t.permission) await requirePermission(db, ctx, t.permission, { type: 'case', id: caseId });
  else if (!ctx.actor && !opts.asReporter) throw new AppError('AUTH_REQUIRED');
  const row = await caseById(db, caseId);
  if (!row) throw new AppError('NOT_FOUND');
  const facts = await factsFor(db, ctx.actor, row);
  if (opts.asReporter) facts.isReporter = true;
  if (!stands(t.standing, facts)) await refuseStanding(deps.database, ctx, row, action, facts);

  const now = new Date();
  const rules = (await caseRules(db, now)).rules;
  const who: Who = opts.asReporter && !ctx.actor ? { id: null, name: 'reporter (tracking code)', ip: ctx.ip } : whoOf(ctx);
  return db.transaction().execute(async (trx) => {
    const locked = await lockCase(trx, caseId);
    if (!locked) throw new AppError('NOT_FOUND');
    opts.guard?.(locked, ctx.locale);
    assertFrom(action, locked.state, ctx.locale);
    if (t.standing === 'level' && String(locked.level_place_id) !== String(row.level_place_id)) {
      // escalated by someone else in the meantime: the actor must hold the new level too
      const covered = ctx.actor ? await idsInScope(trx, ctx.actor, 'place', [String(locked.level_place_id)]) : new Set<string>();
      if (!covered.has(String(locked.level_place_id))) throw new AppError('CASE_NOT_AT_MY_LEVEL', { level: levelLabel(locked.level, ctx.locale), unit: '' });
    }
    const outcome = await apply({ trx, row: locked, actor: ctx.actor, who, facts, rules, now, locale: ctx.locale });
    const to = t.to ?? locked.state;
    await trx.updateTable('cases').set({ ...outcome.set, state: to, updated_at: now }).where('id', '=', caseId).execute();
    await recordStep(trx, who, { id: caseId, number: locked.number }, {
      action: t.event,
      from: locked.state,
      to,
      level: (outcome.set?.level as string | undefined) ?? locked.level,
      ...outcome.step,
      at: now,
    });
    return outcome.result as T;
  });
}
