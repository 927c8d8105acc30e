import type { CaseEvent } from '@tongxin/contracts';
import { sql, type RawBuilder } from 'kysely';
import type { Executor, Tx } from '../../db/database.js';
import { recordAudits, recordAuditsAndCommit, type AuditEntry } from '../../platform/audit.js';
import { publishMany, type BusEvent } from '../../platform/events.js';
import { caseStepNotifications } from '../notifications/notifications.service.js';
import type { Who } from './cases.caller.js';

// Every step of a case leaves a timeline entry (for the people in the story) and an audit entry
// (for the auditors), in the transaction of the step itself.

export interface Step {
  action: CaseEvent;
  from?: string | null;
  to?: string | null;
  level?: string | null;
  note?: string;
  attachments?: string[];
  departmentId?: string | null;
  whistleId?: string | null;
  details?: Record<string, unknown>;
  at?: Date;
  /** the reporter and followers when the caller knows them (a new case), to spare their lookup */
  audience?: string[];
}

export interface StepOf {
  who: Who;
  c: { id: string; number: string };
  step: Step;
}

const AUDIT_ACTION: Partial<Record<CaseEvent, string>> = {
  department_rated: 'case.department_rate',
  overdue_escalate: 'case.overdue',
  overdue_yellow: 'case.overdue',
  overdue_red: 'case.overdue',
};

export async function recordStep(trx: Tx, who: Who, c: { id: string; number: string }, step: Step, opts: { commit?: boolean } = {}): Promise<void> {
  await recordSteps(trx, [{ who, c, step }], opts);
}

/**
 * The timeline entries, notifications, live events and audit entries of several steps, in order, in
 * a few statements whatever their number (the deadline sweeper's batches). The audit entries go last:
 * the audit chain's lock is then held for the shortest time, until the commit. With `commit`, the
 * audit entries and the COMMIT go to the database in one message (recordAuditsAndCommit): the hot
 * paths (intake, the sweeper) end their transaction so, and must record their steps last.
 */
export async function recordSteps(trx: Tx, steps: readonly StepOf[], opts: { commit?: boolean } = {}): Promise<void> {
  if (steps.length > 0) {
    const eventIds = await insertTimeline(trx, steps);
    const notifications = await caseStepNotifications(trx, steps.map(({ c, step }) => noticeOf(c, step)));
    const live: BusEvent[] = steps.map(({ c, step }, i) => ({ type: 'case', caseId: c.id, number: c.number, action: step.action, eventId: eventIds[i]!, to: step.to ?? null }));
    await publishMany(trx, [...notifications, ...live]);
  }
  if (opts.commit) await recordAuditsAndCommit(trx, steps.map(auditOf));
  else await recordAudits(trx, steps.map(auditOf));
}

/** The timeline rows of steps, as jsonb_to_recordset takes them (with their ids when drawn beforehand). */
function timelineRows(steps: readonly StepOf[], ids?: readonly string[]) {
  return steps.map(({ who, c, step }, ord) => ({
    ord,
    id: ids?.[ord] ?? null,
    case_id: c.id,
    at: (step.at ?? new Date()).toISOString(),
    actor_id: who.id,
    actor_name: who.name,
    action: step.action,
    from_state: step.from ?? null,
    to_state: step.to ?? null,
    level: step.level ?? null,
    note: step.note ?? '',
    attachments: step.attachments ?? [],
    department_id: step.departmentId ?? null,
    whistle_id: step.whistleId ?? null,
    details: step.details ?? {},
  }));
}

/** Inserts the timeline entries in one statement (one parameter); returns their ids in the steps' order. */
async function insertTimeline(trx: Tx, steps: readonly StepOf[]): Promise<string[]> {
  const rows = timelineRows(steps);
  const { rows: ids } = await sql<{ id: string }>`
    INSERT INTO case_events (case_id, at, actor_id, actor_name, action, from_state, to_state, level, note, attachments, department_id, whistle_id, details)
    SELECT case_id, at, actor_id, actor_name, action, from_state, to_state, level, note, attachments, department_id, whistle_id, details
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(ord int, case_id bigint, at timestamptz, actor_id uuid, actor_name text, action text,
      from_state text, to_state text, level text, note text, attachments text[], department_id bigint, whistle_id bigint, details jsonb)
    ORDER BY ord
    RETURNING id`.execute(trx);
  // identities are drawn in insertion order, which is the steps' order
  return ids.map((r) => String(r.id)).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
}

/** A new timeline entry id, drawn in the caller's statement (see stepsInStatement). */
export const nextTimelineId = () => sql<string>`nextval(pg_get_serial_sequence('case_events', 'id'))`;

/**
 * For a caller that writes everything in one statement (a new case): with the timeline ids drawn
 * beforehand (nextTimelineId), the timeline insert to embed, and the live events and audit entries
 * of the steps. Their notifications are the caller's (caseStepNotificationsInStatement). With
 * `onlyIf`, the entries are written only where it holds (the caller's guard).
 */
export function stepsInStatement(steps: readonly StepOf[], ids: readonly string[], onlyIf: RawBuilder<boolean> = sql`true`) {
  const insert = sql`
    INSERT INTO case_events (id, case_id, at, actor_id, actor_name, action, from_state, to_state, level, note, attachments, department_id, whistle_id, details)
    SELECT id, case_id, at, actor_id, actor_name, action, from_state, to_state, level, note, attachments, department_id, whistle_id, details
    FROM jsonb_to_recordset(${JSON.stringify(timelineRows(steps, ids))}::jsonb) AS r(ord int, id bigint, case_id bigint, at timestamptz, actor_id uuid, actor_name text,
      action text, from_state text, to_state text, level text, note text, attachments text[], department_id bigint, whistle_id bigint, details jsonb)
    WHERE ${onlyIf}
    ORDER BY ord`;
  const live: BusEvent[] = steps.map(({ c, step }, i) => ({ type: 'case', caseId: c.id, number: c.number, action: step.action, eventId: ids[i]!, to: step.to ?? null }));
  return { insert, live, audit: steps.map(auditOf), notices: steps.map(({ c, step }) => noticeOf(c, step)) };
}

/** Live updates (PLAT-4): notifications for the people of the case, with the step. */
function noticeOf(c: { id: string; number: string }, step: Step) {
  const listed = (step.details?.departments as { id: string }[] | undefined)?.map((d) => d.id) ?? [];
  const departmentIds = step.departmentId ? [step.departmentId] : listed;
  const whistleKind = typeof step.details?.kind === 'string' ? step.details.kind : undefined;
  return { c, action: step.action, from: step.from, to: step.to, departmentIds, whistleKind, people: step.audience };
}

function auditOf({ who, c, step }: StepOf): AuditEntry {
  return {
    actorId: who.id,
    actorName: who.name,
    action: AUDIT_ACTION[step.action] ?? `case.${step.action}`,
    targetType: 'case',
    targetId: c.id,
    targetLabel: c.number,
    ip: who.ip,
    changes: {
      event: step.action,
      ...(step.from !== undefined ? { from: step.from } : {}),
      ...(step.to !== undefined ? { to: step.to } : {}),
      ...(step.level ? { level: step.level } : {}),
      ...(step.departmentId ? { departmentId: step.departmentId } : {}),
      ...(step.whistleId ? { whistleId: step.whistleId } : {}),
      ...(step.note ? { note: step.note.slice(0, 500) } : {}),
      ...(step.attachments?.length ? { attachments: step.attachments } : {}),
      ...step.details,
    },
  };
}

export interface TimelineEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  fromState: string | null;
  toState: string | null;
  level: string | null;
  note: string;
  attachments: string[];
  department: { id: string; name: string } | null;
  whistleId: string | null;
  details: Record<string, unknown>;
}

export async function timelineOf(ex: Executor, caseId: string): Promise<TimelineEntry[]> {
  const rows = await ex
    .selectFrom('case_events as e')
    .leftJoin('departments as d', 'd.id', 'e.department_id')
    .selectAll('e')
    .select('d.name as department_name')
    .where('e.case_id', '=', caseId)
    .orderBy('e.at')
    .orderBy('e.id')
    .execute();
  return rows.map((r) => ({
    id: String(r.id),
    at: r.at.toISOString(),
    actor: r.actor_name,
    action: r.action,
    fromState: r.from_state,
    toState: r.to_state,
    level: r.level,
    note: r.note,
    attachments: r.attachments,
    department: r.department_id ? { id: String(r.department_id), name: r.department_name ?? '' } : null,
    whistleId: r.whistle_id ? String(r.whistle_id) : null,
    details: r.details ?? {},
  }));
}
