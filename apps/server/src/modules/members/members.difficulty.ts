import { sql } from 'kysely';
import type { AppDeps } from '../../app.js';
import type { RequestContext } from '../../platform/actor.js';
import { inScope, requirePermission } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { AppError } from '../../platform/errors.js';
import { namesOf } from '../../platform/tree.js';
import { loadMember, memberOfRecord, writeMember } from './members.access.js';
import { difficultyOf, visitView } from './members.file.js';
import { escapeLike } from './members.repo.js';
import { todayInChina } from './members.rules.js';
import { checkListAccess } from './members.service.js';

// Members in difficulty (困难党员, MEM-6): the register, its assistance visits and their amounts.
// Hardship and health details are sensitive: stored encrypted, revealed only with an audit entry.

const invalid = (field: string, code: string) => new AppError('VALIDATION_FAILED', {}, { [field]: code });

async function recordMember(deps: AppDeps, ctx: RequestContext, recordId: string) {
  await requirePermission(deps.database.db, ctx, 'members:write', { type: 'difficulty_record', id: recordId });
  const memberId = await memberOfRecord(deps.database.db, 'difficulty_records', recordId);
  if (!memberId) throw new AppError('NOT_FOUND');
  return memberId;
}

export async function addDifficulty(deps: AppDeps, ctx: RequestContext, memberId: string, input: { kind: string; level: string; since: string; detail?: string | null }) {
  return writeMember(deps, ctx, memberId, async (trx, m, actor) => {
    if (input.since > todayInChina()) throw invalid('since', 'DATE_IN_FUTURE');
    const row = await trx
      .insertInto('difficulty_records')
      .values({ member_id: memberId, kind: input.kind, level: input.level, since: input.since, detail_enc: input.detail ? deps.crypto.encrypt(input.detail) : null })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId: actor.id, actorName: actor.username, action: 'member.difficulty', targetType: 'member', targetId: memberId, targetLabel: m.name, ip: ctx.ip,
      changes: { recordId: String(row.id), kind: input.kind, level: input.level, since: input.since, detail: !!input.detail },
    });
    return (await difficultyOf(trx, { id: String(row.id) }))[0]!;
  });
}

/** Changes the level or the detail, or ends the record (the hardship is over). */
export async function updateDifficulty(deps: AppDeps, ctx: RequestContext, recordId: string, input: { level?: string; endedOn?: string | null; detail?: string | null }) {
  const memberId = await recordMember(deps, ctx, recordId);
  return writeMember(deps, ctx, memberId, async (trx, m, actor) => {
    const rec = await trx.selectFrom('difficulty_records').selectAll().where('id', '=', recordId).forUpdate().executeTakeFirstOrThrow();
    if (rec.ended_on) throw new AppError('RECORD_ENDED');
    const set: Record<string, unknown> = {};
    const changes: Record<string, unknown> = { recordId };
    if (input.level && input.level !== rec.level) [set.level, changes.level] = [input.level, { from: rec.level, to: input.level }];
    if (input.endedOn) {
      if (input.endedOn < rec.since) throw invalid('endedOn', 'DATE_BEFORE_START');
      if (input.endedOn > todayInChina()) throw invalid('endedOn', 'DATE_IN_FUTURE');
      [set.ended_on, changes.endedOn] = [input.endedOn, input.endedOn];
    }
    if (input.detail !== undefined) [set.detail_enc, changes.detail] = [input.detail ? deps.crypto.encrypt(input.detail) : null, input.detail ? 'changed' : 'removed'];
    if (Object.keys(set).length) await trx.updateTable('difficulty_records').set(set).where('id', '=', recordId).execute();
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'member.difficulty_update', targetType: 'member', targetId: memberId, targetLabel: m.name, ip: ctx.ip, changes });
    return (await difficultyOf(trx, { id: recordId }))[0]!;
  });
}

export async function addVisit(deps: AppDeps, ctx: RequestContext, recordId: string, input: { visitedOn: string; visitor: string; amount: string; note: string }) {
  const memberId = await recordMember(deps, ctx, recordId);
  return writeMember(deps, ctx, memberId, async (trx, m, actor) => {
    const rec = await trx.selectFrom('difficulty_records').selectAll().where('id', '=', recordId).executeTakeFirstOrThrow();
    if (input.visitedOn > todayInChina()) throw invalid('visitedOn', 'DATE_IN_FUTURE');
    if (input.visitedOn < rec.since || (rec.ended_on && input.visitedOn > rec.ended_on)) throw invalid('visitedOn', 'VISIT_OUTSIDE_RECORD');
    const row = await trx
      .insertInto('assistance_visits')
      .values({ record_id: recordId, visited_on: input.visitedOn, visitor: input.visitor, amount: input.amount, note: input.note })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId: actor.id, actorName: actor.username, action: 'member.visit', targetType: 'member', targetId: memberId, targetLabel: m.name, ip: ctx.ip,
      changes: { recordId, visitId: String(row.id), visitedOn: input.visitedOn, visitor: input.visitor, amount: input.amount },
    });
    return visitView(row);
  });
}

/** The detail of one difficulty record, for a permission whose every use is audited. */
export async function revealDifficultyDetail(deps: AppDeps, ctx: RequestContext, recordId: string) {
  const { db } = deps.database;
  await requirePermission(db, ctx, 'members:read_sensitive', { type: 'difficulty_record', id: recordId });
  const memberId = await memberOfRecord(db, 'difficulty_records', recordId);
  if (!memberId) throw new AppError('NOT_FOUND');
  const { actor, row } = await loadMember(deps, ctx, memberId, 'members:read_sensitive');
  const rec = await db.selectFrom('difficulty_records').select('detail_enc').where('id', '=', recordId).executeTakeFirstOrThrow();
  if (!rec.detail_enc) return { detail: null };
  await recordAudit(db, { actorId: actor.id, actorName: actor.username, action: 'member.read_sensitive', targetType: 'member', targetId: memberId, targetLabel: row.name, ip: ctx.ip, changes: { field: 'difficultyDetail', recordId } });
  return { detail: deps.crypto.decrypt(rec.detail_enc) };
}

export interface DifficultyQuery {
  q?: string;
  orgId?: string;
  kind?: string;
  level?: string;
  open: boolean;
  page: number;
  pageSize: number;
}

const LEVEL_ORDER = sql`CASE d.level WHEN 'severe' THEN 0 WHEN 'moderate' THEN 1 ELSE 2 END`;

/** The register: one row per record with its visits and amounts, the most severe first. */
export async function listDifficulty(deps: AppDeps, ctx: RequestContext, f: DifficultyQuery) {
  const actor = await checkListAccess(deps, ctx, 'members:read', f.orgId);
  const { db } = deps.database;
  let base = db.selectFrom('difficulty_records as d').innerJoin('members as m', 'm.id', 'd.member_id');
  base = f.orgId ? base.where(sql<boolean>`m.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ${f.orgId}::bigint)`) : base.where(inScope(actor, 'org', 'm.org_id'));
  if (f.open) base = base.where('d.ended_on', 'is', null).where('m.state', '=', 'active');
  if (f.q) base = base.where('m.name', 'like', `%${escapeLike(f.q)}%`);
  if (f.kind) base = base.where('d.kind', '=', f.kind);
  if (f.level) base = base.where('d.level', '=', f.level);
  const visits = sql<number>`(SELECT count(*)::int FROM assistance_visits v WHERE v.record_id = d.id)`;
  const amount = sql<number>`(SELECT coalesce(sum(v.amount), 0) FROM assistance_visits v WHERE v.record_id = d.id)`;
  const lastVisit = sql<string | null>`(SELECT max(v.visited_on) FROM assistance_visits v WHERE v.record_id = d.id)`;
  const [rows, totals] = await Promise.all([
    base
      .select(['d.id', 'd.member_id', 'm.name', 'm.org_id', 'd.kind', 'd.level', 'd.since', 'd.ended_on'])
      .select([visits.as('visits'), amount.as('amount'), lastVisit.as('last_visit_on')])
      .orderBy(LEVEL_ORDER)
      .orderBy('d.since', 'desc')
      .orderBy('d.id')
      .limit(f.pageSize)
      .offset((f.page - 1) * f.pageSize)
      .execute(),
    base
      .select([
        sql<number>`count(*)::int`.as('records'),
        sql<number>`coalesce(sum(${visits}), 0)::int`.as('visits'),
        sql<number>`coalesce(sum(${amount}), 0)::numeric(14, 2)`.as('amount'),
      ])
      .executeTakeFirstOrThrow(),
  ]);
  const orgNames = await namesOf(db, 'org', [...new Set(rows.map((r) => String(r.org_id)))]);
  return {
    items: rows.map((r) => ({
      id: String(r.id),
      memberId: String(r.member_id),
      memberName: r.name,
      orgId: String(r.org_id),
      orgName: orgNames.get(String(r.org_id)) ?? '',
      kind: r.kind,
      level: r.level,
      since: r.since,
      endedOn: r.ended_on,
      visits: Number(r.visits),
      amount: Number(r.amount),
      lastVisitOn: r.last_visit_on,
    })),
    total: totals.records,
    totals: { records: totals.records, visits: Number(totals.visits), amount: Number(totals.amount) },
    page: f.page,
    pageSize: f.pageSize,
  };
}
