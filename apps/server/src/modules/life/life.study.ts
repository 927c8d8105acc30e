import { sql } from 'kysely';
import { STUDY_KINDS, type StudyKind } from '@tongxin/contracts';
import type { AppDeps } from '../../app.js';
import type { Executor, Tx } from '../../db/database.js';
import type { Actor, RequestContext } from '../../platform/actor.js';
import { inScope, requireAccess, requirePermission } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { chinaMidnight, todayInChina } from '../../platform/dates.js';
import { AppError } from '../../platform/errors.js';
import { parseSort } from '../../platform/pagination.js';
import { inSubtree } from '../../platform/tree.js';
import { postFeedItem } from '../feed/feed.service.js';
import { memberOrgs } from '../members/members.service.js';
import { getOrg, orgNames } from '../orgs/orgs.service.js';
import { awardPoints } from '../points/points.service.js';
import { studyCan } from './life.policy.js';
import { attendanceOf, meetingById } from './life.repo.js';

// Study (LIFE-3): first-agenda study sessions (第一议题), courses with hours (先锋学院) and
// secretaries' lectures; each member's hours in records of their own, with the member's
// organisation at the time, so hours sum per member, per branch and over any subtree.

interface SessionRow {
  id: string; org_id: string; org_name: string; org_kind: string; kind: StudyKind; title: string; provider: string; held_on: string; hours: number; meeting_id: string | null; note: string; participants: number; total_hours: number;
}

function sessions(ex: Executor) {
  return ex
    .selectFrom('study_sessions as s')
    .innerJoin('orgs as o', 'o.id', 's.org_id')
    .select(['s.id', 's.org_id', 'o.name as org_name', 'o.kind as org_kind', 's.kind', 's.title', 's.provider', 's.held_on', 's.hours', 's.meeting_id', 's.note'])
    .select(sql<number>`(SELECT count(*) FROM study_records r WHERE r.session_id = s.id)::int`.as('participants'))
    .select(sql<number>`(SELECT coalesce(sum(r.hours), 0) FROM study_records r WHERE r.session_id = s.id)::float8`.as('total_hours'));
}

const view = (actor: Actor, r: SessionRow) => ({
  id: String(r.id), org: { id: String(r.org_id), name: r.org_name, kind: r.org_kind }, kind: r.kind, title: r.title, provider: r.provider, heldOn: r.held_on, hours: Number(r.hours),
  meetingId: r.meeting_id === null ? null : String(r.meeting_id), note: r.note, participants: r.participants, totalHours: Number(r.total_hours), can: studyCan(actor),
});

const SORTS = { heldOn: 's.held_on', hours: 's.hours', title: 's.title' } as const;

export async function listStudy(deps: AppDeps, ctx: RequestContext, f: { orgId?: string; kind?: string; from?: string; to?: string; q?: string; sort?: string; page: number; pageSize: number }) {
  const { db } = deps.database;
  const actor = f.orgId ? await requireAccess(db, ctx, 'life:read', 'org', [f.orgId]) : await requirePermission(db, ctx, 'life:read');
  let q = sessions(db);
  q = f.orgId ? q.where('s.org_id', 'in', db.selectFrom('org_closure').select('descendant_id').where('ancestor_id', '=', f.orgId)) : q.where(inScope(actor, 'org', 's.org_id'));
  if (f.kind) q = q.where('s.kind', '=', f.kind as StudyKind);
  if (f.from) q = q.where('s.held_on', '>=', f.from);
  if (f.to) q = q.where('s.held_on', '<=', f.to);
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    q = q.where((eb) => eb.or([eb('s.title', 'like', like), eb('s.provider', 'like', like)]));
  }
  const sort = parseSort(f.sort, Object.keys(SORTS) as (keyof typeof SORTS)[], 'heldOn', 'desc');
  const order = sort.field === 'title' ? sql`${sql.ref(SORTS.title)} COLLATE "C"` : sql.ref(SORTS[sort.field]);
  const [rows, total] = await Promise.all([
    q.orderBy(order, sort.dir).orderBy('s.id', 'desc').limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute(),
    q.clearSelect().select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: (rows as SessionRow[]).map((r) => view(actor, r)), total: total.n, page: f.page, pageSize: f.pageSize };
}

async function loadSession(deps: AppDeps, ctx: RequestContext, id: string, permission: 'life:read' | 'life:write'): Promise<{ actor: Actor; row: SessionRow }> {
  const { db } = deps.database;
  await requirePermission(db, ctx, permission, { type: 'study_session', id });
  const row = (await sessions(db).where('s.id', '=', id).executeTakeFirst()) as SessionRow | undefined;
  if (!row) throw new AppError('NOT_FOUND');
  return { actor: await requireAccess(db, ctx, permission, 'org', [String(row.org_id)]), row };
}

export async function getStudy(deps: AppDeps, ctx: RequestContext, id: string) {
  const { actor, row } = await loadSession(deps, ctx, id, 'life:read');
  return detail(deps.database.db, actor, row);
}

async function detail(ex: Executor, actor: Actor, row: SessionRow) {
  const records = await ex.selectFrom('study_records').selectAll().where('session_id', '=', row.id).orderBy('id').execute();
  const members = await memberOrgs(ex, records.map((r) => String(r.member_id)));
  const orgs = await orgNames(ex, [...new Set(records.map((r) => String(r.org_id)))]);
  return {
    ...view(actor, row),
    records: records.map((r) => ({
      id: String(r.id), memberId: String(r.member_id), name: members.get(String(r.member_id))?.name ?? '', org: { id: String(r.org_id), name: orgs.get(String(r.org_id)) ?? '' }, hours: Number(r.hours), studiedOn: r.studied_on,
    })),
  };
}

async function after(deps: AppDeps, actor: Actor, id: string) {
  const row = (await sessions(deps.database.db).where('s.id', '=', id).executeTakeFirst()) as SessionRow;
  return detail(deps.database.db, actor, row);
}

/**
 * The members may study with the organisation: active, on the roll of its subtree (a party group
 * holds no members: its branch's). Returns each one's organisation now.
 */
async function eligible(ex: Executor, org: { id: string | number; kind: string; parent_id: string | null; name: string }, memberIds: string[]): Promise<Map<string, string>> {
  const root = org.kind === 'party_group' && org.parent_id ? String(org.parent_id) : String(org.id);
  const found = await memberOrgs(ex, memberIds);
  const inside = await inSubtree(ex, 'org', root, [...new Set([...found.values()].map((m) => m.orgId))]);
  const bad = memberIds.filter((id) => {
    const m = found.get(id);
    return !m || m.state !== 'active' || !inside.has(m.orgId);
  });
  if (bad.length) throw new AppError('STUDY_MEMBERS_OUTSIDE_ORG', { names: bad.map((id) => `#${id}`).join('、'), org: org.name }, { memberIds: 'STUDY_MEMBERS_OUTSIDE_ORG' });
  return new Map(memberIds.map((id) => [id, found.get(id)!.orgId]));
}

/** Inserts records and awards study points (once per member and session). */
async function addRecords(trx: Tx, actor: Actor, session: { id: string; title: string; kind: StudyKind }, members: Map<string, string>, hours: number, studiedOn: string) {
  const ids = [...members.keys()];
  const taken = ids.length ? await trx.selectFrom('study_records').select('member_id').where('session_id', '=', session.id).where('member_id', 'in', ids).execute() : [];
  if (taken.length) {
    const names = await memberOrgs(trx, taken.map((t) => String(t.member_id)));
    throw new AppError('STUDY_RECORD_EXISTS', { names: [...names.values()].map((n) => n.name).join('、') }, { memberIds: 'STUDY_RECORD_EXISTS' });
  }
  if (ids.length) {
    await trx.insertInto('study_records').values(ids.map((memberId) => ({ session_id: session.id, member_id: memberId, org_id: members.get(memberId)!, hours, studied_on: studiedOn, created_by: actor.id }))).execute();
  }
  let awarded = 0;
  for (const memberId of ids) {
    const award = await awardPoints(trx, {
      memberId, source: 'study', sourceRef: `study:${session.id}`, orgId: members.get(memberId), at: chinaMidnight(studiedOn),
      note: `${STUDY_KINDS[session.kind].zh}：${session.title}`, actor: { id: actor.id, name: actor.username },
    });
    if (award) awarded++;
  }
  return awarded;
}

export interface CreateStudyInput { orgId: string; kind: StudyKind; title: string; provider?: string; heldOn: string; hours: number; meetingId?: string; note?: string; memberIds?: string[] }

export async function createStudy(deps: AppDeps, ctx: RequestContext, input: CreateStudyInput) {
  const { db } = deps.database;
  const actor = await requireAccess(db, ctx, 'life:write', 'org', [input.orgId]);
  const org = (await getOrg(db, input.orgId))!;
  if (org.status !== 'active') throw new AppError('ORG_NOT_ACTIVE');
  if (input.heldOn > todayInChina()) throw new AppError('STUDY_DATE_IN_FUTURE', {}, { heldOn: 'STUDY_DATE_IN_FUTURE' });
  let memberIds = [...new Set(input.memberIds ?? [])];
  if (input.meetingId) {
    const m = await meetingById(db, input.meetingId);
    if (!m || m.status !== 'held' || (String(m.org_id) !== input.orgId && String(m.branch_id) !== input.orgId)) throw new AppError('STUDY_MEETING_INVALID', {}, { meetingId: 'STUDY_MEETING_INVALID' });
    // those present at the meeting studied there, unless the clerk lists the participants
    if (!input.memberIds) memberIds = (await attendanceOf(db, input.meetingId)).filter((a) => a.status === 'present').map((a) => String(a.member_id));
  }
  const members = await eligible(db, org, memberIds);
  const id = await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('study_sessions')
      .values({ org_id: input.orgId, kind: input.kind, title: input.title, provider: input.provider ?? '', held_on: input.heldOn, hours: input.hours, meeting_id: input.meetingId ?? null, note: input.note ?? '', created_by: actor.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    const id = String(row.id);
    const awarded = await addRecords(trx, actor, { id, title: input.title, kind: input.kind }, members, input.hours, input.heldOn);
    if (input.kind !== 'course') {
      // a session the organisation held together goes to its feed; individual course records do not
      await postFeedItem(trx, {
        orgId: org.kind === 'party_group' && org.parent_id ? String(org.parent_id) : input.orgId, kind: 'study', title: `${STUDY_KINDS[input.kind].zh}：${input.title}`,
        body: `${input.heldOn}，${input.hours} 学时，${members.size} 名党员参加${input.provider ? `（${input.provider}）` : ''}。`, refType: 'study_session', refId: id,
        actor: { id: actor.id, name: actor.username }, authorName: actor.displayName, ip: ctx.ip,
      });
    }
    await recordAudit(trx, {
      actorId: actor.id, actorName: actor.username, action: 'study.session_create', targetType: 'study_session', targetId: id, targetLabel: input.title, ip: ctx.ip,
      changes: { orgId: input.orgId, kind: input.kind, heldOn: input.heldOn, hours: input.hours, meetingId: input.meetingId ?? null, members: [...members.keys()], pointsAwarded: awarded },
    });
    return id;
  });
  return after(deps, actor, id);
}

export async function updateStudy(deps: AppDeps, ctx: RequestContext, id: string, input: { title?: string; provider?: string; note?: string }) {
  const { actor, row } = await loadSession(deps, ctx, id, 'life:write');
  const set: Record<string, string> = {};
  const changes: Record<string, unknown> = {};
  for (const k of ['title', 'provider', 'note'] as const) {
    if (input[k] === undefined || input[k] === row[k]) continue;
    set[k] = input[k]!;
    changes[k] = { from: row[k], to: input[k] };
  }
  await deps.database.db.transaction().execute(async (trx) => {
    if (Object.keys(set).length) await trx.updateTable('study_sessions').set({ ...set, updated_at: new Date() }).where('id', '=', id).execute();
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'study.session_update', targetType: 'study_session', targetId: id, targetLabel: row.title, ip: ctx.ip, changes });
  });
  return after(deps, actor, id);
}

/** Members who completed a course or made up a session later: hours up to the session's. */
export async function addStudyRecords(deps: AppDeps, ctx: RequestContext, id: string, input: { memberIds: string[]; hours?: number; studiedOn?: string }) {
  const { actor, row } = await loadSession(deps, ctx, id, 'life:write');
  const { db } = deps.database;
  const hours = input.hours ?? Number(row.hours);
  if (hours > Number(row.hours)) throw new AppError('STUDY_HOURS_ABOVE_SESSION', { hours: Number(row.hours) }, { hours: 'STUDY_HOURS_ABOVE_SESSION' });
  const studiedOn = input.studiedOn ?? row.held_on;
  if (studiedOn > todayInChina()) throw new AppError('STUDY_DATE_IN_FUTURE', {}, { studiedOn: 'STUDY_DATE_IN_FUTURE' });
  if (studiedOn < row.held_on) throw new AppError('VALIDATION_FAILED', {}, { studiedOn: 'DATE_INVALID' });
  const org = (await getOrg(db, String(row.org_id)))!;
  const members = await eligible(db, org, input.memberIds);
  await db.transaction().execute(async (trx) => {
    // one clerk at a time per session: the duplicate check and the insert stay together
    await trx.selectFrom('study_sessions').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
    const awarded = await addRecords(trx, actor, { id, title: row.title, kind: row.kind }, members, hours, studiedOn);
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'study.records_add', targetType: 'study_session', targetId: id, targetLabel: row.title, ip: ctx.ip, changes: { members: input.memberIds, hours, studiedOn, pointsAwarded: awarded } });
  });
  return after(deps, actor, id);
}

/** Corrects one member's hours (the points already awarded per session stay: they do not depend on hours). */
export async function correctStudyRecord(deps: AppDeps, ctx: RequestContext, recordId: string, hours: number) {
  const { db } = deps.database;
  await requirePermission(db, ctx, 'life:write', { type: 'study_record', id: recordId });
  const rec = await db.selectFrom('study_records').selectAll().where('id', '=', recordId).executeTakeFirst();
  if (!rec) throw new AppError('NOT_FOUND');
  const { actor, row } = await loadSession(deps, ctx, String(rec.session_id), 'life:write');
  if (hours > Number(row.hours)) throw new AppError('STUDY_HOURS_ABOVE_SESSION', { hours: Number(row.hours) }, { hours: 'STUDY_HOURS_ABOVE_SESSION' });
  const name = (await memberOrgs(db, [String(rec.member_id)])).get(String(rec.member_id))?.name ?? '';
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('study_records').set({ hours, updated_at: new Date() }).where('id', '=', recordId).execute();
    await recordAudit(trx, {
      actorId: actor.id, actorName: actor.username, action: 'study.record_update', targetType: 'study_record', targetId: recordId, targetLabel: `${row.title} / ${name}`, ip: ctx.ip,
      changes: { memberId: String(rec.member_id), hours: { from: Number(rec.hours), to: hours } },
    });
  });
  return after(deps, actor, String(rec.session_id));
}

export interface HoursQuery { orgId?: string; year?: number; by: 'member' | 'org'; sort?: string; page: number; pageSize: number }

/** Study hours per member or per organisation (the member's when recorded) in a subtree, with the subtree's totals. */
export async function studyHours(deps: AppDeps, ctx: RequestContext, q: HoursQuery) {
  const { db } = deps.database;
  const actor = q.orgId ? await requireAccess(db, ctx, 'life:read', 'org', [q.orgId]) : await requirePermission(db, ctx, 'life:read');
  const roots = q.orgId ? [q.orgId] : actor.orgScope;
  const where = sql`r.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ANY(${roots}::bigint[]))
    ${q.year ? sql`AND r.studied_on BETWEEN ${`${q.year}-01-01`}::date AND ${`${q.year}-12-31`}::date` : sql``}`;
  const { rows: [sum] } = await sql<{ hours: number; members: number; records: number }>`
    SELECT coalesce(sum(r.hours), 0)::float8 AS hours, count(DISTINCT r.member_id)::int AS members, count(*)::int AS records FROM study_records r WHERE ${where}`.execute(db);
  const dir = q.sort === 'hours' ? sql`ASC` : sql`DESC`;
  const order = q.sort === 'name' && q.by === 'org' ? sql`o.name COLLATE "C" ASC` : q.sort === 'records' ? sql`records DESC` : sql`hours ${dir}`;
  const offset = (q.page - 1) * q.pageSize;
  if (q.by === 'org') {
    const { rows } = await sql<{ id: string; name: string; hours: number; records: number; members: number; total: number }>`
      SELECT r.org_id AS id, o.name, sum(r.hours)::float8 AS hours, count(*)::int AS records, count(DISTINCT r.member_id)::int AS members, (count(*) OVER ())::int AS total
      FROM study_records r JOIN orgs o ON o.id = r.org_id WHERE ${where}
      GROUP BY r.org_id, o.name ORDER BY ${order}, r.org_id LIMIT ${q.pageSize} OFFSET ${offset}`.execute(db);
    return {
      summary: sum!, total: rows[0]?.total ?? (await countGroups(db, where, 'r.org_id')),
      items: rows.map((r) => ({ id: String(r.id), name: r.name, org: null, hours: r.hours, records: r.records, members: r.members })), page: q.page, pageSize: q.pageSize,
    };
  }
  const { rows } = await sql<{ id: string; hours: number; records: number; total: number }>`
    SELECT r.member_id AS id, sum(r.hours)::float8 AS hours, count(*)::int AS records, (count(*) OVER ())::int AS total
    FROM study_records r WHERE ${where}
    GROUP BY r.member_id ORDER BY ${order}, r.member_id LIMIT ${q.pageSize} OFFSET ${offset}`.execute(db);
  const members = await memberOrgs(db, rows.map((r) => String(r.id)));
  const orgs = await orgNames(db, [...new Set([...members.values()].map((m) => m.orgId))]);
  return {
    summary: sum!, total: rows[0]?.total ?? (await countGroups(db, where, 'r.member_id')),
    items: rows.map((r) => {
      const m = members.get(String(r.id));
      return { id: String(r.id), name: m?.name ?? '', org: m ? { id: m.orgId, name: orgs.get(m.orgId) ?? '' } : null, hours: r.hours, records: r.records, members: 1 };
    }),
    page: q.page, pageSize: q.pageSize,
  };
}

async function countGroups(ex: Executor, where: ReturnType<typeof sql>, column: 'r.org_id' | 'r.member_id'): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(DISTINCT ${sql.ref(column)})::int AS n FROM study_records r WHERE ${where}`.execute(ex);
  return rows[0]?.n ?? 0;
}
