import type { AppDeps } from '../../app.js';
import type { Executor, Tx } from '../../db/database.js';
import type { Actor, RequestContext } from '../../platform/actor.js';
import { requireAccess, requireMember, requirePermission } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { chinaMidnight, todayInChina } from '../../platform/dates.js';
import { AppError } from '../../platform/errors.js';
import { memberOrgs } from '../members/members.service.js';
import { orgNames } from '../orgs/orgs.service.js';
import { awardedInRange, entryById, findAward, lockMemberPoints, memberEntries, memberTotals, ranking, type EntryRow, type Period } from './points.repo.js';
import { chinaDay, pointsRulesOn, ruleAmount } from './points.rules.js';

// The points ledger (积分, MEM-9). What other modules call:
//   awardPoints(trx, …)  one entry per (member, source, source ref), amount from the rules in force,
//                        capped per month; a second call for the same reference adds nothing (null)
// The rest serves the routes: corrections, a member's ledger and balance, rankings.

export type PointsSource = 'meeting' | 'activity' | 'volunteer' | 'study' | 'case' | 'commitment' | 'correction';

export interface AwardInput {
  memberId: string;
  source: PointsSource;
  sourceRef: string;
  /** the member's branch at the time (for rankings); default: the member's organisation now */
  orgId?: string;
  at?: Date;
  note?: string;
  actor: { id: string | null; name: string };
}

/** Awards points in the caller's transaction (audited). Null when this reference was awarded already. */
export async function awardPoints(trx: Tx, input: AwardInput): Promise<{ entryId: string; amount: number } | null> {
  return awardPointsFor(trx, input);
}

/** awardPoints with the verified hours a per-hour rule multiplies (volunteer service). */
export async function awardPointsFor(trx: Tx, input: AwardInput & { hours?: number }): Promise<{ entryId: string; amount: number } | null> {
  if (input.source === 'correction') throw new AppError('BAD_REQUEST', { reason: 'corrections carry a reason: POST /api/points/corrections' });
  if (!input.sourceRef) throw new AppError('BAD_REQUEST', { reason: 'sourceRef is required' });
  const member = (await memberOrgs(trx, [input.memberId])).get(input.memberId);
  if (!member) throw new AppError('NOT_FOUND');
  await lockMemberPoints(trx, input.memberId);
  if (await findAward(trx, input.memberId, input.source, input.sourceRef)) return null;
  const at = input.at ?? new Date();
  const orgId = input.orgId ?? member.orgId;
  const inForce = await pointsRulesOn(trx, orgId, chinaDay(at));
  const rule = inForce.rules.sources[input.source];
  const given = ruleAmount(rule, input.hours ?? 1);
  let amount = given;
  if (rule.monthlyCap !== null && given > 0) {
    const month = chinaDay(at).slice(0, 7);
    const used = await awardedInRange(trx, input.memberId, input.source, chinaMidnight(`${month}-01`), chinaMidnight(nextMonth(month)));
    amount = Math.max(0, Math.min(given, rule.monthlyCap - used));
  }
  const row = await trx
    .insertInto('points_entries')
    .values({
      member_id: input.memberId, org_id: orgId, source: input.source, source_ref: input.sourceRef, rule_key: `${inForce.key}/${input.source}`, rule_amount: given, amount, at,
      note: input.note ?? '', actor_id: input.actor.id, actor_name: input.actor.name,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const entryId = String(row.id);
  await recordAudit(trx, {
    actorId: input.actor.id, actorName: input.actor.name, action: 'points.award', targetType: 'member', targetId: input.memberId, targetLabel: member.name,
    changes: { entryId, source: input.source, sourceRef: input.sourceRef, orgId, ruleKey: `${inForce.key}/${input.source}`, ruleAmount: given, amount, at: at.toISOString() },
  });
  return { entryId, amount };
}

/** The first day of the month after YYYY-MM, as YYYY-MM-DD. */
function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

/** 'all', a year 'YYYY' or a month 'YYYY-MM' (China time); default the current year. */
export function parsePeriod(period: string | undefined): Period {
  const p = period ?? todayInChina().slice(0, 4);
  if (p === 'all') return { key: 'all', from: null, to: null };
  if (/^\d{4}$/.test(p)) return { key: p, from: chinaMidnight(`${p}-01-01`), to: chinaMidnight(`${Number(p) + 1}-01-01`) };
  if (/^\d{4}-(0[1-9]|1[0-2])$/.test(p)) return { key: p, from: chinaMidnight(`${p}-01`), to: chinaMidnight(nextMonth(p)) };
  throw new AppError('VALIDATION_FAILED', {}, { period: 'PERIOD_FORMAT' });
}

async function presentEntries(ex: Executor, rows: EntryRow[]) {
  const names = await orgNames(ex, [...new Set(rows.map((r) => String(r.org_id)))]);
  return rows.map((r) => ({
    id: String(r.id),
    source: r.source,
    sourceRef: r.source_ref,
    ruleKey: r.rule_key,
    ruleAmount: r.rule_amount,
    amount: r.amount,
    capped: r.rule_amount !== null && r.amount < r.rule_amount,
    at: r.at.toISOString(),
    orgId: String(r.org_id),
    orgName: names.get(String(r.org_id)) ?? '',
    note: r.note,
    correctsId: r.corrects_id === null ? null : String(r.corrects_id),
    reason: r.reason,
    actorName: r.actor_name,
  }));
}

/** The member (by id) and the staff actor, when the member's organisation lies in the actor's scope. */
async function memberInScope(deps: AppDeps, ctx: RequestContext, memberId: string, permission: 'points:read' | 'points:correct'): Promise<{ actor: Actor; member: { orgId: string; name: string; state: string } }> {
  const { db } = deps.database;
  await requirePermission(db, ctx, permission, { type: 'member', id: memberId });
  const member = /^\d{1,18}$/.test(memberId) ? (await memberOrgs(db, [memberId])).get(memberId) : undefined;
  if (!member) throw new AppError('NOT_FOUND');
  const actor = await requireAccess(db, ctx, permission, 'org', [member.orgId]);
  return { actor, member };
}

async function summary(deps: AppDeps, memberId: string, member: { orgId: string; name: string }, period: Period) {
  const { db } = deps.database;
  const totals = await memberTotals(db, memberId, period);
  const branch = await ranking(db, { orgId: member.orgId, subtree: true, period, page: 1, pageSize: 1, memberId });
  const names = await orgNames(db, [member.orgId]);
  return {
    memberId, name: member.name, orgId: member.orgId, orgName: names.get(member.orgId) ?? '', period: period.key,
    balance: totals.balance, periodTotal: totals.periodTotal, bySource: totals.bySource,
    branchRank: branch.mine ? { rank: branch.mine.rank, of: branch.total } : null,
  };
}

export async function memberPoints(deps: AppDeps, ctx: RequestContext, memberId: string, period?: string) {
  const { member } = await memberInScope(deps, ctx, memberId, 'points:read');
  return summary(deps, memberId, member, parsePeriod(period));
}

export async function myPoints(deps: AppDeps, ctx: RequestContext, period?: string) {
  const { memberId } = await requireMember(deps.database.db, ctx);
  const member = (await memberOrgs(deps.database.db, [memberId])).get(memberId);
  if (!member) throw new AppError('NOT_FOUND');
  return summary(deps, memberId, member, parsePeriod(period));
}

type LedgerQuery = { period?: string; source?: string; page: number; pageSize: number };

async function ledger(deps: AppDeps, memberId: string, q: LedgerQuery) {
  const { db } = deps.database;
  const { rows, total } = await memberEntries(db, memberId, { ...q, period: parsePeriod(q.period) });
  return { items: await presentEntries(db, rows), total, page: q.page, pageSize: q.pageSize };
}

export async function memberLedger(deps: AppDeps, ctx: RequestContext, memberId: string, q: LedgerQuery) {
  await memberInScope(deps, ctx, memberId, 'points:read');
  return ledger(deps, memberId, q);
}

export async function myLedger(deps: AppDeps, ctx: RequestContext, q: LedgerQuery) {
  const { memberId } = await requireMember(deps.database.db, ctx);
  return ledger(deps, memberId, q);
}

/** A correction is a new entry with a reason; the corrected entry stays as it was. */
export async function correctPoints(deps: AppDeps, ctx: RequestContext, input: { memberId: string; amount: number; reason: string; correctsId?: string | null }) {
  const { actor, member } = await memberInScope(deps, ctx, input.memberId, 'points:correct');
  const { db } = deps.database;
  let orgId = member.orgId;
  if (input.correctsId) {
    const corrected = await entryById(db, input.correctsId);
    if (!corrected) throw new AppError('VALIDATION_FAILED', {}, { correctsId: 'NOT_FOUND' });
    if (String(corrected.member_id) !== input.memberId) throw new AppError('POINTS_ENTRY_OTHER_MEMBER', {}, { correctsId: 'POINTS_ENTRY_OTHER_MEMBER' });
    orgId = String(corrected.org_id); // the ranking of the branch that got the wrong amount is the one put right
  }
  const id = await db.transaction().execute(async (trx) => {
    await lockMemberPoints(trx, input.memberId);
    const row = await trx
      .insertInto('points_entries')
      .values({
        member_id: input.memberId, org_id: orgId, source: 'correction', source_ref: input.correctsId ? `entry:${input.correctsId}` : 'manual', amount: input.amount, at: new Date(),
        corrects_id: input.correctsId ?? null, reason: input.reason, actor_id: actor.id, actor_name: actor.displayName || actor.username,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId: actor.id, actorName: actor.username, action: 'points.correct', targetType: 'member', targetId: input.memberId, targetLabel: member.name, ip: ctx.ip,
      changes: { entryId: String(row.id), amount: input.amount, reason: input.reason, correctsId: input.correctsId ?? null, orgId },
    });
    return String(row.id);
  });
  return (await presentEntries(db, [(await entryById(db, id))!]))[0]!;
}

type RankingQuery = { orgId: string; subtree: boolean; period?: string; page: number; pageSize: number };

/** A ranking page with names and branches (also what publishing a ranking posts). */
export async function rankingView(deps: AppDeps, q: RankingQuery & { memberId?: string }) {
  const { db } = deps.database;
  const period = parsePeriod(q.period);
  const r = await ranking(db, { ...q, period });
  const ids = [...new Set([...r.rows.map((x) => x.member_id), ...(r.mine ? [r.mine.member_id] : [])])];
  const members = await memberOrgs(db, ids);
  const orgs = await orgNames(db, [...new Set([q.orgId, ...[...members.values()].map((m) => m.orgId)])]);
  const row = (x: { member_id: string; total: number; entries: number; rank: number }) => {
    const m = members.get(x.member_id);
    return { rank: x.rank, memberId: x.member_id, name: m?.name ?? '', orgId: m?.orgId ?? null, orgName: m ? (orgs.get(m.orgId) ?? '') : '', total: x.total, entries: x.entries, me: x.member_id === q.memberId };
  };
  return { orgId: q.orgId, orgName: orgs.get(q.orgId) ?? '', subtree: q.subtree, period: period.key, items: r.rows.map(row), total: r.total, page: q.page, pageSize: q.pageSize, mine: r.mine ? row(r.mine) : null };
}

/** Members ranked within a branch or a subtree in the actor's scope. */
export async function rankingFor(deps: AppDeps, ctx: RequestContext, q: RankingQuery) {
  await requireAccess(deps.database.db, ctx, 'points:read', 'org', [q.orgId]);
  return rankingView(deps, q);
}

/** The ranking of the member's own branch, with their own place. */
export async function myBranchRanking(deps: AppDeps, ctx: RequestContext, q: Omit<RankingQuery, 'orgId' | 'subtree'>) {
  const { memberId } = await requireMember(deps.database.db, ctx);
  const member = (await memberOrgs(deps.database.db, [memberId])).get(memberId);
  if (!member) throw new AppError('NOT_FOUND');
  return rankingView(deps, { ...q, orgId: member.orgId, subtree: true, memberId });
}
