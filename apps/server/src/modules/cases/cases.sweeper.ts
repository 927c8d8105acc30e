import type { Database, Tx } from '../../db/database.js';
import type { CaseDeadlinesTable } from '../../db/types.js';
import type { Selectable } from 'kysely';
import type { Who } from './cases.caller.js';
import { levelAbove, type CaseRow } from './cases.repo.js';
import { recordStep } from './cases.timeline.js';
import { RUNNING_STATES } from './cases.workflow.js';

// The deadline sweeper (CASE-4). Due rows of case_deadlines are taken in small batches with
// SELECT … FOR UPDATE SKIP LOCKED, so several server instances on one PostgreSQL never act on the
// same deadline twice; each batch commits with its case changes, timeline and audit entries.
//   case_due:       an overdue case escalates one level by itself and gets a yellow card
//   case_red:       overdue by `redCardFactor` times its deadline: a red card
//   whistle_report: a department that has not reported in time is marked overdue

export interface SweepResult {
  processed: number;
  escalated: number;
  yellow: number;
  red: number;
  whistlesOverdue: number;
  moot: number;
}

const SWEEPER: Who = { id: null, name: 'system:sweeper', ip: null };
type Deadline = Selectable<CaseDeadlinesTable>;

async function processDeadline(trx: Tx, d: Deadline, c: CaseRow, now: Date, result: SweepResult): Promise<string> {
  const running = RUNNING_STATES.includes(c.state as never);
  if (d.kind === 'whistle_report') {
    const w = await trx.selectFrom('case_whistles').selectAll().where('id', '=', d.whistle_id!).forUpdate().executeTakeFirst();
    if (!w || w.reported_at || w.result_at) return 'moot';
    await trx.updateTable('case_whistles').set({ report_overdue: true }).where('id', '=', w.id).execute();
    await recordStep(trx, SWEEPER, { id: String(c.id), number: c.number }, {
      action: 'whistle_overdue', level: c.level, departmentId: String(w.department_id), whistleId: String(w.id), at: now, details: { kind: w.kind, dueAt: w.report_due_at.toISOString() },
    });
    result.whistlesOverdue += 1;
    return 'overdue';
  }
  const current = d.kind === 'case_due' ? c.due_at : c.red_at;
  if (!running || !current || current.getTime() !== d.due_at.getTime()) return 'moot';
  if (d.kind === 'case_red') {
    if (c.card === 'red') return 'moot';
    await trx.updateTable('cases').set({ card: 'red', updated_at: now }).where('id', '=', c.id).execute();
    await recordStep(trx, SWEEPER, { id: String(c.id), number: c.number }, { action: 'overdue_red', from: c.state, to: c.state, level: c.level, at: now, details: { card: 'red', redAt: d.due_at.toISOString() } });
    c.card = 'red';
    result.red += 1;
    return 'red';
  }
  const up = levelAbove(c);
  const card = c.card === 'red' ? 'red' : 'yellow';
  const to = up ? 'dispatched' : c.state;
  await trx
    .updateTable('cases')
    .set({ card, state: to, ...(up ? { level: up.level, level_place_id: up.placeId } : {}), updated_at: now })
    .where('id', '=', c.id)
    .execute();
  await recordStep(trx, SWEEPER, { id: String(c.id), number: c.number }, {
    action: up ? 'overdue_escalate' : 'overdue_yellow', from: c.state, to, level: up?.level ?? c.level, at: now,
    details: { card, dueAt: d.due_at.toISOString(), ...(up ? { fromLevel: c.level } : {}) },
  });
  Object.assign(c, { card, state: to, ...(up ? { level: up.level, level_place_id: up.placeId } : {}) });
  if (up) result.escalated += 1;
  if (card === 'yellow') result.yellow += 1;
  return up ? 'escalated' : 'yellow';
}

/**
 * Processes every deadline due at `now`, batch by batch; returns what it did. Neither the deadline
 * rows nor the cases are waited for (SKIP LOCKED on both): a case locked by a request or another
 * instance is left for the next sweep, so a sweeper never takes part in a lock cycle.
 */
export async function sweepOnce(deps: { database: Database }, now: Date = new Date(), opts: { batchSize?: number } = {}): Promise<SweepResult> {
  const { db } = deps.database;
  const size = opts.batchSize ?? 50;
  const result: SweepResult = { processed: 0, escalated: 0, yellow: 0, red: 0, whistlesOverdue: 0, moot: 0 };
  const skipped: string[] = [];
  for (;;) {
    const taken = await db.transaction().execute(async (trx) => {
      let q = trx.selectFrom('case_deadlines').selectAll().where('processed_at', 'is', null).where('due_at', '<=', now);
      if (skipped.length) q = q.where('id', 'not in', skipped);
      const due = await q.orderBy('due_at').orderBy('id').limit(size).forUpdate().skipLocked().execute();
      if (due.length === 0) return 0;
      const ids = [...new Set(due.map((d) => String(d.case_id)))];
      const cases = new Map((await trx.selectFrom('cases').selectAll().where('id', 'in', ids).orderBy('id').forUpdate().skipLocked().execute()).map((c) => [String(c.id), c]));
      for (const d of due) {
        const c = cases.get(String(d.case_id));
        if (!c) {
          skipped.push(String(d.id));
          continue;
        }
        const outcome = await processDeadline(trx, d, c, now, result);
        if (outcome === 'moot') result.moot += 1;
        await trx.updateTable('case_deadlines').set({ processed_at: now, outcome }).where('id', '=', d.id).execute();
        result.processed += 1;
      }
      return due.length;
    });
    if (taken < size) return result;
  }
}

export interface SweeperHandle {
  stop(): Promise<void>;
}

/** Sweeps every `intervalMs` until stopped; one sweep at a time per instance; errors are logged, not fatal. */
export function startCaseSweeper(deps: { database: Database }, intervalMs: number, log: { error(obj: unknown, msg: string): void; info?(obj: unknown, msg: string): void }): SweeperHandle {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    running = sweepOnce(deps)
      .then((r) => {
        if (r.processed > 0) log.info?.({ sweep: r }, 'case deadlines swept');
      })
      .catch((err) => log.error({ err }, 'case deadline sweep failed'))
      .finally(() => {
        running = null;
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, intervalMs);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
