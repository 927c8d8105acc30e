import { CASE_STATES, WHISTLE_KINDS } from '@tongxin/contracts';
import { sql } from 'kysely';
import type { Executor, Tx } from '../../db/database.js';
import type { RequestContext } from '../../platform/actor.js';
import { recordAudit } from '../../platform/audit.js';
import { AppError, notFound } from '../../platform/errors.js';
import { publish } from '../../platform/events.js';

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
  const rows = await trx
    .insertInto('notifications')
    .values(ids.map((account_id) => ({ account_id, kind: n.kind, title: n.title, body: n.body ?? '', case_id: n.caseId ?? null })))
    .returning(['id', 'account_id'])
    .execute();
  for (const r of rows) await publish(trx, { type: 'notification', accountId: r.account_id, id: String(r.id) });
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

/**
 * The notifications of one timeline entry: the reporter and followers hear of state changes, the
 * staff of whistled departments of the whistle. Called by the cases timeline in the step's transaction.
 */
export async function notifyCaseStep(
  trx: Tx,
  c: { id: string; number: string },
  step: { action: string; from?: string | null; to?: string | null; departmentIds: string[]; whistleKind?: string },
): Promise<void> {
  if (step.to && step.to !== step.from) {
    const people = await sql<{ account_id: string }>`
      SELECT reporter_account_id AS account_id FROM cases WHERE id = ${c.id} AND reporter_account_id IS NOT NULL
      UNION SELECT account_id FROM case_followers WHERE case_id = ${c.id}`.execute(trx);
    await notify(trx, people.rows.map((r) => String(r.account_id)), {
      kind: 'case_state',
      title: `案件 ${c.number}：${stateName(step.to)}`,
      body: step.from ? `${stateName(step.from)} → ${stateName(step.to)}` : stateName(step.to),
      caseId: c.id,
    });
  }
  if (step.action === 'whistle' && step.departmentIds.length) {
    const staff = await trx.selectFrom('department_staff').select('account_id').where('department_id', 'in', step.departmentIds).execute();
    const kind = step.whistleKind ? (WHISTLE_KINDS as Record<string, { zh: string }>)[step.whistleKind]?.zh ?? step.whistleKind : '';
    await notify(trx, staff.map((s) => String(s.account_id)), { kind: 'case_whistle', title: `案件 ${c.number}：${kind || '吹哨'}`, body: '请在时限内报到', caseId: c.id });
  }
}
