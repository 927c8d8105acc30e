import type { Selectable } from 'kysely';
import type { AppDeps } from '../../app.js';
import type { Executor } from '../../db/database.js';
import type { AssistanceVisitsTable, CommunityReviewsTable, DifficultyRecordsTable, MobileRecordsTable } from '../../db/types.js';
import type { RequestContext } from '../../platform/actor.js';
import { namesOf, pathOf } from '../../platform/tree.js';
import { loadMember } from './members.access.js';
import { present } from './members.present.js';

// The member file (一党员一档案): the masked record with its history and every register.

const str = (v: string | null) => (v === null ? null : String(v));
const money = (n: number) => Math.round(n * 100) / 100;

export const reviewView = (r: Selectable<CommunityReviewsTable>) => ({ id: String(r.id), year: r.year, result: r.result, services: r.services, note: r.note, reviewedOn: r.reviewed_on });

export const mobileView = (r: Selectable<MobileRecordsTable>, orgNames: Map<string, string>) => ({
  id: String(r.id),
  memberId: String(r.member_id),
  direction: r.direction,
  placeText: r.place_text,
  contactOrgId: str(r.contact_org_id),
  contactOrgName: r.contact_org_id === null ? null : (orgNames.get(String(r.contact_org_id)) ?? null),
  cardNumber: r.card_number,
  startedOn: r.started_on,
  endedOn: r.ended_on,
  note: r.note,
});

export const visitView = (v: Selectable<AssistanceVisitsTable>) => ({ id: String(v.id), recordId: String(v.record_id), visitedOn: v.visited_on, visitor: v.visitor, amount: Number(v.amount), note: v.note });

export function difficultyView(d: Selectable<DifficultyRecordsTable>, visits: Selectable<AssistanceVisitsTable>[]) {
  const own = visits.filter((v) => String(v.record_id) === String(d.id));
  return {
    id: String(d.id),
    memberId: String(d.member_id),
    kind: d.kind,
    level: d.level,
    since: d.since,
    endedOn: d.ended_on,
    hasDetail: d.detail_enc !== null,
    visits: own.map(visitView),
    totals: { visits: own.length, amount: money(own.reduce((s, v) => s + Number(v.amount), 0)) },
  };
}

export async function registrationsOf(ex: Executor, memberId: string) {
  const regs = await ex.selectFrom('community_registrations').selectAll().where('member_id', '=', memberId).orderBy('registered_on', 'desc').orderBy('id', 'desc').execute();
  const reviews = regs.length ? await ex.selectFrom('community_reviews').selectAll().where('registration_id', 'in', regs.map((r) => r.id)).orderBy('year', 'desc').execute() : [];
  const names = await namesOf(ex, 'place', [...new Set(regs.map((r) => String(r.community_id)))]);
  return regs.map((r) => ({
    id: String(r.id),
    communityId: String(r.community_id),
    communityName: names.get(String(r.community_id)) ?? '',
    registeredOn: r.registered_on,
    endedOn: r.ended_on,
    note: r.note,
    reviews: reviews.filter((v) => String(v.registration_id) === String(r.id)).map(reviewView),
  }));
}

export async function mobileRecordsOf(ex: Executor, where: { memberId?: string; id?: string }) {
  let q = ex.selectFrom('mobile_records').selectAll();
  if (where.memberId) q = q.where('member_id', '=', where.memberId);
  if (where.id) q = q.where('id', '=', where.id);
  const rows = await q.orderBy('started_on', 'desc').orderBy('id', 'desc').execute();
  const names = await namesOf(ex, 'org', [...new Set(rows.flatMap((r) => (r.contact_org_id === null ? [] : [String(r.contact_org_id)])))]);
  return rows.map((r) => mobileView(r, names));
}

export async function difficultyOf(ex: Executor, where: { memberId?: string; id?: string }) {
  let q = ex.selectFrom('difficulty_records').selectAll();
  if (where.memberId) q = q.where('member_id', '=', where.memberId);
  if (where.id) q = q.where('id', '=', where.id);
  const records = await q.orderBy('since', 'desc').orderBy('id', 'desc').execute();
  const visits = records.length ? await ex.selectFrom('assistance_visits').selectAll().where('record_id', 'in', records.map((r) => r.id)).orderBy('visited_on').orderBy('id').execute() : [];
  return records.map((d) => difficultyView(d, visits));
}

async function historyOf(ex: Executor, memberId: string) {
  // In the order recorded: `at` is the effective date, which a late entry may put before earlier rows.
  const moves = await ex.selectFrom('member_moves').selectAll().where('member_id', '=', memberId).orderBy('id').execute();
  const names = await namesOf(ex, 'org', [...new Set(moves.flatMap((m) => [m.from_org_id, m.to_org_id]).filter((x): x is string => x !== null).map(String))]);
  const name = (id: string | null) => (id === null ? null : (names.get(String(id)) ?? null));
  return moves.map((m) => ({ id: String(m.id), at: new Date(m.at).toISOString(), kind: m.kind, fromOrgId: str(m.from_org_id), fromOrgName: name(m.from_org_id), toOrgId: str(m.to_org_id), toOrgName: name(m.to_org_id), reason: m.reason }));
}

export async function getMemberFile(deps: AppDeps, ctx: RequestContext, memberId: string) {
  const { actor, row } = await loadMember(deps, ctx, memberId, 'members:read');
  const { db } = deps.database;
  const [view] = await present(db, actor, [row]);
  const difficultyRecords = await difficultyOf(db, { memberId });
  const all = difficultyRecords.flatMap((d) => d.visits);
  return {
    ...view!,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    orgPath: await pathOf(db, 'org', String(row.org_id)),
    history: await historyOf(db, memberId),
    registrations: await registrationsOf(db, memberId),
    mobileRecords: await mobileRecordsOf(db, { memberId }),
    difficultyRecords,
    assistanceTotals: { visits: all.length, amount: money(all.reduce((s, v) => s + v.amount, 0)) },
  };
}
