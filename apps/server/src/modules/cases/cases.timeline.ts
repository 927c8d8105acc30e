import type { CaseEvent } from '@tongxin/contracts';
import type { Executor, Tx } from '../../db/database.js';
import { recordAudit } from '../../platform/audit.js';
import { publish } from '../../platform/events.js';
import { notifyCaseStep } from '../notifications/notifications.service.js';
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
}

const AUDIT_ACTION: Partial<Record<CaseEvent, string>> = {
  department_rated: 'case.department_rate',
  overdue_escalate: 'case.overdue',
  overdue_yellow: 'case.overdue',
  overdue_red: 'case.overdue',
};

export async function recordStep(trx: Tx, who: Who, c: { id: string; number: string }, step: Step): Promise<void> {
  const entry = await trx
    .insertInto('case_events')
    .values({
      case_id: c.id,
      at: step.at ?? new Date(),
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
      details: JSON.stringify(step.details ?? {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await announceStep(trx, c, step, String(entry.id));
  await recordAudit(trx, {
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
  });
}

/** Live updates (PLAT-4): notifications for the people of the case and a case event, with the step. */
async function announceStep(trx: Tx, c: { id: string; number: string }, step: Step, eventId: string): Promise<void> {
  const listed = (step.details?.departments as { id: string }[] | undefined)?.map((d) => d.id) ?? [];
  const departmentIds = step.departmentId ? [step.departmentId] : listed;
  const whistleKind = typeof step.details?.kind === 'string' ? step.details.kind : undefined;
  await notifyCaseStep(trx, c, { action: step.action, from: step.from, to: step.to, departmentIds, whistleKind });
  await publish(trx, { type: 'case', caseId: c.id, number: c.number, action: step.action, eventId, to: step.to ?? null });
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
