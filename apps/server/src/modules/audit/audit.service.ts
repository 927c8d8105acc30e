import { sql } from 'kysely';
import type { AppDeps } from '../../app.js';
import type { RequestContext } from '../../platform/actor.js';
import { requirePermission } from '../../platform/access.js';
import { recordAudit, verifyAuditChain } from '../../platform/audit.js';

export interface AuditFilter {
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  result?: 'ok' | 'denied' | 'failed';
  from?: Date;
  to?: Date;
  page: number;
  pageSize: number;
}

export async function searchAudit(deps: AppDeps, ctx: RequestContext, f: AuditFilter) {
  const { db } = deps.database;
  const actor = await requirePermission(db, ctx, 'audit:read', { type: 'audit_log' });
  let q = db.selectFrom('audit_log');
  if (f.actor) q = q.where('actor_name', '=', f.actor.toLowerCase());
  if (f.action) q = q.where('action', '=', f.action);
  if (f.targetType) q = q.where('target_type', '=', f.targetType);
  if (f.targetId) q = q.where((eb) => eb.or([eb('target_id', '=', f.targetId!), eb('target_label', '=', f.targetId!)]));
  if (f.result) q = q.where('result', '=', f.result);
  if (f.from) q = q.where('at', '>=', f.from);
  if (f.to) q = q.where('at', '<=', f.to);
  const [rows, total] = await Promise.all([
    q.selectAll().orderBy('seq', 'desc').limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute(),
    q.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  // Reading the log is itself recorded, so the auditor is audited too.
  await recordAudit(db, { actorId: actor.id, actorName: actor.username, action: 'audit.read', targetType: 'audit_log', ip: ctx.ip, changes: { filter: { ...f, from: f.from?.toISOString(), to: f.to?.toISOString() } } });
  return {
    items: rows.map((r) => ({
      id: String(r.seq),
      seq: String(r.seq),
      at: r.at.toISOString(),
      actorId: r.actor_id,
      actorName: r.actor_name,
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      targetLabel: r.target_label,
      result: r.result,
      reason: r.reason,
      ip: r.ip,
      changes: r.changes ?? null,
      hash: r.hash,
    })),
    total: total.n,
    page: f.page,
    pageSize: f.pageSize,
  };
}

export async function verify(deps: AppDeps, ctx: RequestContext) {
  const { db } = deps.database;
  const actor = await requirePermission(db, ctx, 'audit:verify', { type: 'audit_log' });
  const result = await verifyAuditChain(db);
  await recordAudit(db, { actorId: actor.id, actorName: actor.username, action: 'audit.verify', targetType: 'audit_log', ip: ctx.ip, result: result.ok ? 'ok' : 'failed', changes: { checked: result.checked, firstBroken: result.firstBroken } });
  return result;
}
