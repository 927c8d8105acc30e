import { CASE_STATES, WHISTLE_KINDS } from '@tongxin/contracts';
import { sql, type RawBuilder } from 'kysely';
import type { Executor, Tx } from '../../db/database.js';
import type { RequestContext } from '../../platform/actor.js';
import { recordAudit } from '../../platform/audit.js';
import { AppError, notFound } from '../../platform/errors.js';
import { publishMany, type BusEvent } from '../../platform/events.js';

// In-app notifications (PLAT-4): each account sees only its own. Rows are written in the
// transaction of the change they report, and announced on the event bus with it.

export interface NotificationView {
  id: string;
  kind: string;
  title: string;
  body: string;
  caseId: string | null;
  createdAt: string;
  readAt: string | null;
}

type Row = { id: string; kind: string; title: string; body: string; case_id: string | null; created_at: Date; read_at: Date | null };
export const toView = (r: Row): NotificationView => ({
  id: String(r.id),
  kind: r.kind,
  title: r.title,
  body: r.body,
  caseId: r.case_id ? String(r.case_id) : null,
  createdAt: r.created_at.toISOString(),
  readAt: r.read_at ? r.read_at.toISOString() : null,
});

export interface NewNotification {
  kind: string;
  title: string;
  body?: string;
  caseId?: string | null;
}

/** Notifies each account once (in the caller's transaction) and publishes one event per row. */
export async function notify(trx: Tx, accountIds: Iterable<string>, n: NewNotification): Promise<void> {
  const ids = [...new Set(accountIds)];
  if (ids.length === 0) return;
  await publishMany(trx, await insertNotifications(trx, [{ accountIds: ids, n }]));
}

/** Inserts the notifications of several changes in one statement; returns the events to publish with them. */
async function insertNotifications(trx: Tx, batch: { accountIds: Iterable<string>; n: NewNotification }[]): Promise<BusEvent[]> {
  const values = batch.flatMap(({ accountIds, n }) =>
    [...new Set(accountIds)].map((account_id) => ({ account_id, kind: n.kind, title: n.title, body: n.body ?? '', case_id: n.caseId ?? null })),
  );
  const events: BusEvent[] = [];
  // 5 parameters a row: chunks stay far below PostgreSQL's 65,535 parameters per statement
  for (let i = 0; i < values.length; i += 5000) {
    const rows = await trx.insertInto('notifications').values(values.slice(i, i + 5000)).returning(['id', 'account_id']).execute();
    // ids follow the order of the values; sorted, so the events go out in that order too
    rows.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    for (const r of rows) events.push({ type: 'notification', accountId: r.account_id, id: String(r.id) });
  }
  return events;
}

function actorOf(ctx: RequestContext) {
  if (!ctx.actor) throw new AppError('AUTH_REQUIRED');
  return ctx.actor;
}

export async function listNotifications(ex: Executor, ctx: RequestContext, q: { page: number; pageSize: number; unread?: boolean }) {
  const actor = actorOf(ctx);
  let base = ex.selectFrom('notifications').where('account_id', '=', actor.id);
  if (q.unread) base = base.where('read_at', 'is', null);
  const [items, counts] = await Promise.all([
    base
      .selectAll()
      .orderBy(sql`read_at IS NULL`, 'desc')
      .orderBy('id', 'desc')
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .execute(),
    ex
      .selectFrom('notifications')
      .where('account_id', '=', actor.id)
      .select([sql<string>`count(*) FILTER (WHERE read_at IS NULL)`.as('unread'), sql<string>`count(*)`.as('total')])
      .executeTakeFirstOrThrow(),
  ]);
  return { items: items.map(toView), total: q.unread ? Number(counts.unread) : Number(counts.total), unread: Number(counts.unread), page: q.page, pageSize: q.pageSize };
}

export async function markRead(db: Executor, ctx: RequestContext, id: string): Promise<NotificationView> {
  const actor = actorOf(ctx);
  if (!/^\d{1,18}$/.test(id)) throw notFound();
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('notifications').selectAll().where('id', '=', id).where('account_id', '=', actor.id).forUpdate().executeTakeFirst();
    if (!row) throw notFound();
    if (row.read_at) return toView(row);
    const updated = await trx.updateTable('notifications').set({ read_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'notification.read', targetType: 'notification', targetId: id, ip: ctx.ip });
    return toView(updated);
  });
}

export async function markAllRead(db: Executor, ctx: RequestContext): Promise<{ updated: number }> {
  const actor = actorOf(ctx);
  return db.transaction().execute(async (trx) => {
    const r = await trx.updateTable('notifications').set({ read_at: new Date() }).where('account_id', '=', actor.id).where('read_at', 'is', null).executeTakeFirst();
    const updated = Number(r.numUpdatedRows);
    if (updated > 0) await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'notification.read_all', targetType: 'account', targetId: actor.id, ip: ctx.ip, changes: { updated } });
    return { updated };
  });
}

/** Notifications of an account created after `afterId` (a reconnecting event stream's Last-Event-ID). */
export async function notificationsAfter(ex: Executor, accountId: string, afterId: string, limit = 100): Promise<NotificationView[]> {
  const rows = await ex.selectFrom('notifications').selectAll().where('account_id', '=', accountId).where('id', '>', afterId).orderBy('id').limit(limit).execute();
  return rows.map(toView);
}

export async function notificationById(ex: Executor, id: string): Promise<(NotificationView & { accountId: string }) | null> {
  const r = await ex.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? { ...toView(r), accountId: r.account_id } : null;
}

export async function lastNotificationId(ex: Executor, accountId: string): Promise<string> {
  const r = await ex.selectFrom('notifications').select(sql<string>`coalesce(max(id), 0)::text`.as('max')).where('account_id', '=', accountId).executeTakeFirstOrThrow();
  return r.max;
}

/** Who follows a case live: its reporter, its followers and the staff of the departments whistled for it. */
export async function caseAudience(ex: Executor, caseId: string): Promise<Set<string>> {
  const rows = await sql<{ account_id: string }>`
    SELECT reporter_account_id AS account_id FROM cases WHERE id = ${caseId} AND reporter_account_id IS NOT NULL
    UNION SELECT account_id FROM case_followers WHERE case_id = ${caseId}
    UNION SELECT s.account_id FROM case_whistles w JOIN department_staff s ON s.department_id = w.department_id WHERE w.case_id = ${caseId}`.execute(ex);
  return new Set(rows.rows.map((r) => String(r.account_id)));
}

const stateName = (s: string | null | undefined) => (s ? (CASE_STATES as Record<string, { zh: string }>)[s]?.zh ?? s : '');

/** One timeline entry, as the notifications see it. */
export interface CaseStepNotice {
  c: { id: string; number: string };
  action: string;
  from?: string | null;
  to?: string | null;
  departmentIds: string[];
  whistleKind?: string;
  /** the reporter and followers, when the caller already knows them (a new case: its reporter) */
  people?: string[];
}

/**
 * The notifications of one timeline entry: the reporter and followers hear of state changes, the
 * staff of whistled departments of the whistle. Called by the cases timeline in the step's transaction.
 */
export async function notifyCaseStep(trx: Tx, c: { id: string; number: string }, step: Omit<CaseStepNotice, 'c'>): Promise<void> {
  await publishMany(trx, await caseStepNotifications(trx, [{ c, ...step }]));
}

/**
 * notifyCaseStep for many entries at once (the deadline sweeper's batches): the same notifications,
 * with one lookup of the people, one of the department staff and one insert. Returns the events to
 * publish in the same transaction.
 */
export async function caseStepNotifications(trx: Tx, steps: readonly CaseStepNotice[]): Promise<BusEvent[]> {
  const changes = steps.filter((s) => s.to && s.to !== s.from);
  const lookup = [...new Set(changes.filter((s) => !s.people).map((s) => s.c.id))];
  const people = new Map<string, string[]>();
  if (lookup.length) {
    const rows = await sql<{ case_id: string; account_id: string }>`
      SELECT id AS case_id, reporter_account_id AS account_id FROM cases WHERE id = ANY(${lookup}::bigint[]) AND reporter_account_id IS NOT NULL
      UNION SELECT case_id, account_id FROM case_followers WHERE case_id = ANY(${lookup}::bigint[])`.execute(trx);
    for (const r of rows.rows) people.set(String(r.case_id), [...(people.get(String(r.case_id)) ?? []), String(r.account_id)]);
  }
  const whistled = [...new Set(steps.filter((s) => s.action === 'whistle').flatMap((s) => s.departmentIds))];
  const staff = new Map<string, string[]>();
  if (whistled.length) {
    const rows = await trx.selectFrom('department_staff').select(['department_id', 'account_id']).where('department_id', 'in', whistled).execute();
    for (const r of rows) staff.set(String(r.department_id), [...(staff.get(String(r.department_id)) ?? []), String(r.account_id)]);
  }
  return insertNotifications(trx, planNotices(steps, (c) => people.get(c) ?? [], (d) => staff.get(d) ?? []));
}

/** The notifications of timeline entries, given who follows each case and who staffs each department. */
function planNotices(steps: readonly CaseStepNotice[], peopleOf: (caseId: string) => string[], staffOf: (departmentId: string) => string[]) {
  const batch: { accountIds: string[]; n: NewNotification }[] = [];
  for (const step of steps) {
    const { c } = step;
    if (step.to && step.to !== step.from) {
      batch.push({
        accountIds: step.people ?? peopleOf(c.id),
        n: { kind: 'case_state', title: `案件 ${c.number}：${stateName(step.to)}`, body: step.from ? `${stateName(step.from)} → ${stateName(step.to)}` : stateName(step.to), caseId: c.id },
      });
    }
    if (step.action === 'whistle' && step.departmentIds.length) {
      const kind = step.whistleKind ? (WHISTLE_KINDS as Record<string, { zh: string }>)[step.whistleKind]?.zh ?? step.whistleKind : '';
      batch.push({ accountIds: step.departmentIds.flatMap(staffOf), n: { kind: 'case_whistle', title: `案件 ${c.number}：${kind || '吹哨'}`, body: '请在时限内报到', caseId: c.id } });
    }
  }
  return batch;
}

/** A new notification id, drawn in the caller's statement (see caseStepNotificationsInStatement). */
export const nextNotificationId = () => sql<string>`nextval(pg_get_serial_sequence('notifications', 'id'))`;

/**
 * The notifications of timeline entries whose people are given and that whistle no one (a new
 * case's report), for a caller that writes everything in one statement: how many ids to draw with
 * nextNotificationId, then, with those ids, the insert to embed and the events to publish with it.
 */
export function caseStepNotificationsInStatement(steps: readonly CaseStepNotice[]) {
  if (steps.some((s) => !s.people || s.action === 'whistle')) throw new Error('caseStepNotificationsInStatement: people must be known, and no whistles');
  const values = planNotices(steps, () => [], () => []).flatMap(({ accountIds, n }) =>
    [...new Set(accountIds)].map((account_id) => ({ account_id, kind: n.kind, title: n.title, body: n.body ?? '', case_id: n.caseId ?? null })),
  );
  return {
    count: values.length,
    /** with `onlyIf`, written only where it holds (the caller's guard) */
    withIds(ids: readonly string[], onlyIf: RawBuilder<boolean> = sql`true`) {
      const rows = values.map((v, i) => ({ ...v, id: ids[i]! }));
      const events: BusEvent[] = rows.map((r) => ({ type: 'notification', accountId: r.account_id, id: r.id }));
      const insert = rows.length
        ? sql`INSERT INTO notifications (id, account_id, kind, title, body, case_id)
            SELECT id, account_id, kind, title, body, case_id
            FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(id bigint, account_id uuid, kind text, title text, body text, case_id bigint)
            WHERE ${onlyIf}`
        : null;
      return { insert, events };
    },
  };
}
