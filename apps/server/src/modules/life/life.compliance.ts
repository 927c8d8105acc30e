import { sql, type RawBuilder } from 'kysely';
import type { AppDeps } from '../../app.js';
import type { Executor } from '../../db/database.js';
import type { RequestContext } from '../../platform/actor.js';
import { requireAccess, requirePermission } from '../../platform/access.js';
import { todayInChina } from '../../platform/dates.js';
import { AppError } from '../../platform/errors.js';
import type { LifeMeetingKind, LifeRules, RuleSet } from '../../platform/rules.js';
import { ownCountExpr } from '../orgs/org-counts.js';
import { getOrg } from '../orgs/orgs.service.js';
import { lifeRulesOn, periodRange, slotsFor, type LifePeriod, type Slot } from './life.rules.js';

// Compliance (LIFE-1): for each branch and period, which required meetings were held (counting
// ones: somebody present, a valid quorum for a general meeting), which are missing and when each
// is or was due. One set-based statement serves any subtree: the branches from the closure table,
// the required slots of the period as an unnested array, the counting meetings from the partial
// index meetings_compliance (branch_id, kind, held_on), joined by (unit, kind, slot number).

type State = 'done' | 'overdue' | 'due' | 'upcoming';

interface Frame {
  /** subtree roots, or exact branch ids */
  roots?: string[];
  ids?: string[];
  q?: string;
  rules: LifeRules;
  slots: Slot[];
  today: string;
}

/** The slot a meeting falls in, by its kind's frequency: its month, its quarter, or 1 for the year. */
function slotNumber(f: Frame) {
  const every = (e: Slot['every']) => [...new Set(f.slots.filter((s) => s.every === e).map((s) => s.kind))];
  return sql`CASE WHEN m.kind = ANY(${every('month')}::text[]) THEN extract(month FROM m.held_on)::int WHEN m.kind = ANY(${every('quarter')}::text[]) THEN extract(quarter FROM m.held_on)::int ELSE 1 END`;
}

// Which slots a unit owes: a branch every slot of its kinds (committee meetings only with a
// committee), a party group its group meetings; neither owes a slot that ended before it was founded.
const branchOwes = (f: Frame) => sql`(s.kind <> 'committee_meeting' OR b.full_members >= ${f.rules.committeeFromFullMembers}) AND (b.founded_on IS NULL OR b.founded_on <= s.ends)`;
const groupOwes = sql`(g.founded_on IS NULL OR g.founded_on <= s.ends)`;

/**
 * The common table expressions: b (the branches), g (their party groups), s (the period's slots,
 * phase 0 past, 1 open now, 2 to come), h (counting meetings per unit, kind and slot number).
 */
function base(f: Frame): RawBuilder<unknown> {
  const which = f.ids ? sql`o.id = ANY(${f.ids}::bigint[])` : sql`o.id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ANY(${f.roots ?? []}::bigint[]))`;
  const named = f.q ? sql`AND o.name LIKE ${`%${f.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`}` : sql``;
  const col = <K extends keyof Slot>(k: K) => f.slots.map((s) => s[k]);
  const from = f.slots.reduce((a, s) => (s.from < a ? s.from : a), '9999-12-31');
  const to = f.slots.reduce((a, s) => (s.to > a ? s.to : a), '0000-01-01');
  return sql`
    b AS (
      SELECT o.id, o.name, o.kind, o.parent_id, o.founded_on, ${ownCountExpr('o.id', 'own_member_status', 'full')} AS full_members
      FROM orgs o
      WHERE ${which} AND o.status = 'active' AND o.kind = ANY(${f.rules.branchKinds}::text[]) ${named}
    ),
    g AS (
      SELECT o.id, o.name, o.parent_id AS branch_id, o.founded_on FROM orgs o
      WHERE o.parent_id IN (SELECT id FROM b) AND o.kind = 'party_group' AND o.status = 'active'
    ),
    s AS (
      SELECT s.*, CASE WHEN s.ends < ${f.today}::date THEN 0 WHEN s.starts <= ${f.today}::date THEN 1 ELSE 2 END AS phase
      FROM unnest(${col('kind')}::text[], ${col('every')}::text[], ${col('idx')}::int[], ${col('from')}::date[], ${col('to')}::date[], ${col('times')}::int[])
        AS s(kind, every, idx, starts, ends, times)
    ),
    h AS (
      SELECT m.branch_id, CASE WHEN m.kind = 'group_meeting' THEN m.org_id ELSE m.branch_id END AS unit_id, m.kind, ${slotNumber(f)} AS idx, count(*)::int AS n
      FROM meetings m
      WHERE m.counts AND m.branch_id IN (SELECT id FROM b) AND m.held_on BETWEEN ${from}::date AND ${to}::date
      GROUP BY 1, 2, 3, 4
    )`;
}

/** Per slot (small sets of branches): u, every slot a unit owes; x, with what was held in it and its state. */
function perSlot(f: Frame): RawBuilder<unknown> {
  return sql`${base(f)},
    u AS (
      SELECT b.id AS branch_id, b.id AS unit_id, s.kind, s.every, s.idx, s.starts, s.ends, s.times, s.phase
      FROM b JOIN s ON s.kind <> 'group_meeting' AND ${branchOwes(f)}
      UNION ALL
      SELECT g.branch_id, g.id, s.kind, s.every, s.idx, s.starts, s.ends, s.times, s.phase
      FROM g JOIN s ON s.kind = 'group_meeting' AND ${groupOwes}
    ),
    x AS (
      SELECT u.*, coalesce(h.n, 0) AS held,
        CASE WHEN coalesce(h.n, 0) >= u.times THEN 'done' WHEN u.phase = 0 THEN 'overdue' WHEN u.phase = 1 THEN 'due' ELSE 'upcoming' END AS state
      FROM u LEFT JOIN h ON h.unit_id = u.unit_id AND h.kind = u.kind AND h.idx = u.idx
    )`;
}

/** A slot's phase as the SQL computes it: 0 past, 1 open today, 2 to come. */
const phaseOf = (s: Slot, today: string) => (s.to < today ? 0 : s.from <= today ? 1 : 2);

/**
 * Per branch (any subtree): what it owes by phase (need) and what it did by phase (got). A unit
 * founded before the period owes every slot of its kinds, so its share of need is a sum of
 * constants counted here from the slots; only units founded during the period are matched slot by
 * slot. Overdue = owed in the past minus done in the past.
 */
function perBranch(f: Frame): RawBuilder<unknown> {
  const start = f.slots.reduce((a, s) => (s.from < a ? s.from : a), '9999-12-31');
  const count = (pred: (s: Slot) => boolean) => [0, 1, 2].map((ph) => f.slots.filter((s) => pred(s) && phaseOf(s, f.today) === ph).length);
  const plain = count((s) => s.kind !== 'group_meeting' && s.kind !== 'committee_meeting');
  const committee = count((s) => s.kind === 'committee_meeting');
  const group = count((s) => s.kind === 'group_meeting');
  const oldBranch = sql`(b.founded_on IS NULL OR b.founded_on <= ${start}::date)`;
  const oldGroup = sql`(g.founded_on IS NULL OR g.founded_on <= ${start}::date)`;
  const perPhase = (ph: 0 | 1 | 2) =>
    sql`${plain[ph]!}::int + CASE WHEN b.full_members >= ${f.rules.committeeFromFullMembers} THEN ${committee[ph]!}::int ELSE 0 END`;
  return sql`${base(f)},
    owed AS (
      SELECT b.id AS branch_id, ${perPhase(0)} AS p0, ${perPhase(1)} AS p1, ${perPhase(2)} AS p2 FROM b WHERE ${oldBranch}
      UNION ALL
      SELECT g.branch_id, count(*)::int * ${group[0]!}::int, count(*)::int * ${group[1]!}::int, count(*)::int * ${group[2]!}::int FROM g WHERE ${oldGroup} GROUP BY g.branch_id
      UNION ALL
      SELECT branch_id, (count(*) FILTER (WHERE phase = 0))::int, (count(*) FILTER (WHERE phase = 1))::int, (count(*) FILTER (WHERE phase = 2))::int
      FROM (
        SELECT b.id AS branch_id, s.phase FROM b JOIN s ON s.kind <> 'group_meeting' AND ${branchOwes(f)} WHERE NOT ${oldBranch}
        UNION ALL
        SELECT g.branch_id, s.phase FROM g JOIN s ON s.kind = 'group_meeting' AND ${groupOwes} WHERE NOT ${oldGroup}
      ) young
      GROUP BY branch_id
    ),
    need AS (
      SELECT branch_id, sum(p0 + p1 + p2)::int AS required, sum(p0)::int AS past, sum(p1)::int AS open FROM owed GROUP BY branch_id
    ),
    got AS (
      SELECT h.branch_id, count(*)::int AS done, (count(*) FILTER (WHERE s.phase = 0))::int AS past, (count(*) FILTER (WHERE s.phase = 1))::int AS open
      FROM h JOIN s ON s.kind = h.kind AND s.idx = h.idx AND h.n >= s.times
        JOIN b ON b.id = h.branch_id
        LEFT JOIN g ON g.id = h.unit_id AND h.kind = 'group_meeting'
      WHERE CASE WHEN h.kind = 'group_meeting' THEN g.id IS NOT NULL AND ${groupOwes} ELSE ${branchOwes(f)} END
      GROUP BY h.branch_id
    )`;
}

interface SlotRow { branch_id: string; unit_id: string; kind: LifeMeetingKind; every: Slot['every']; idx: number; starts: string; ends: string; times: number; held: number; state: State; unit_name: string | null }

async function slotRows(ex: Executor, f: Frame, states: State[]): Promise<SlotRow[]> {
  const { rows } = await sql<SlotRow>`
    WITH ${perSlot(f)}
    SELECT x.branch_id, x.unit_id, x.kind, x.every, x.idx, x.starts, x.ends, x.times, x.held, x.state, g.name AS unit_name
    FROM x LEFT JOIN g ON g.id = x.unit_id AND x.kind = 'group_meeting'
    WHERE x.state = ANY(${states}::text[])
    ORDER BY x.branch_id, x.ends, x.kind, x.unit_id`.execute(ex);
  return rows;
}

const slotView = (r: SlotRow) => ({
  kind: r.kind, every: r.every, idx: r.idx, from: r.starts, to: r.ends, dueOn: r.ends, times: r.times, held: r.held, state: r.state,
  unit: r.kind === 'group_meeting' ? { id: String(r.unit_id), name: r.unit_name ?? '', kind: 'party_group' } : null,
});

async function setting(ex: Executor, year: number, period: LifePeriod) {
  const range = periodRange(year, period);
  // the version in force at the period's end judges it (as the case rates do)
  const rules = await lifeRulesOn(ex, range.to);
  return { range, rules, slots: slotsFor(rules.rules, year, period), today: todayInChina() };
}
const ruleRef = (r: RuleSet<LifeRules>) => ({ key: r.key, version: r.version, title: r.title });

const SORTS: Record<string, RawBuilder<unknown>> = {
  '-rate': sql`w.rate DESC NULLS LAST, w.overdue ASC`,
  rate: sql`w.rate ASC NULLS LAST, w.overdue DESC`,
  '-overdue': sql`w.overdue DESC`,
  overdue: sql`w.overdue ASC`,
  '-done': sql`w.done DESC`,
  done: sql`w.done ASC`,
  name: sql`w.name COLLATE "C" ASC`,
};

interface RankRow {
  id: string; name: string; kind: string; parent_id: string | null; parent_name: string | null; required: number; done: number; overdue: number; due: number; upcoming: number;
  rate: number | null; rank: number; branches: number; compliant: number; with_overdue: number; all_done: number; all_overdue: number; total: number;
}

export interface RankingQuery { orgId?: string; year: number; period: LifePeriod; q?: string; onlyOverdue?: boolean; sort?: string; page: number; pageSize: number }

async function rankPage(ex: Executor, f: Frame, q: RankingQuery, page: number): Promise<RankRow[]> {
  const { rows } = await sql<RankRow>`
    WITH ${perBranch(f)},
    r AS (
      SELECT b.id, b.name, b.kind, b.parent_id, coalesce(need.required, 0) AS required, coalesce(got.done, 0) AS done,
        coalesce(need.past, 0) - coalesce(got.past, 0) AS overdue,
        coalesce(need.open, 0) - coalesce(got.open, 0) AS due,
        (coalesce(need.required, 0) - coalesce(need.past, 0) - coalesce(need.open, 0)) - (coalesce(got.done, 0) - coalesce(got.past, 0) - coalesce(got.open, 0)) AS upcoming
      FROM b LEFT JOIN need ON need.branch_id = b.id LEFT JOIN got ON got.branch_id = b.id
    ),
    rr AS (
      SELECT r.*, CASE WHEN r.done + r.overdue = 0 THEN NULL ELSE r.done::float8 / (r.done + r.overdue) END AS rate FROM r
    ),
    w AS (
      SELECT rr.*, (rank() OVER (ORDER BY rr.rate DESC NULLS LAST))::int AS rank,
        (count(*) OVER ())::int AS branches,
        (count(*) FILTER (WHERE rr.overdue = 0 AND rr.required > 0) OVER ())::int AS compliant,
        (count(*) FILTER (WHERE rr.overdue > 0) OVER ())::int AS with_overdue,
        (sum(rr.done) OVER ())::int AS all_done,
        (sum(rr.overdue) OVER ())::int AS all_overdue
      FROM rr
    )
    SELECT w.*, p.name AS parent_name, (count(*) OVER ())::int AS total
    FROM w LEFT JOIN orgs p ON p.id = w.parent_id
    WHERE ${q.onlyOverdue ? sql`w.overdue > 0` : sql`true`}
    ORDER BY ${SORTS[q.sort ?? '-rate'] ?? SORTS['-rate']!}, w.name COLLATE "C", w.id
    LIMIT ${q.pageSize} OFFSET ${(page - 1) * q.pageSize}`.execute(ex);
  return rows;
}

/** Branches of a subtree (or of the whole scope) ranked by compliance, with each one's missing meetings. */
export async function complianceRanking(deps: AppDeps, ctx: RequestContext, q: RankingQuery) {
  const { db } = deps.database;
  const actor = q.orgId ? await requireAccess(db, ctx, 'life:read', 'org', [q.orgId]) : await requirePermission(db, ctx, 'life:read');
  const { range, rules, slots, today } = await setting(db, q.year, q.period);
  const f: Frame = { roots: q.orgId ? [q.orgId] : actor.orgScope, q: q.q, rules: rules.rules, slots, today };
  const rows = await rankPage(db, f, q, q.page);
  // a page past the end still reports the totals
  const totals = rows[0] ?? (q.page > 1 ? (await rankPage(db, f, q, 1))[0] : undefined);
  // the page's branches, slot by slot: what is missing, and the next due date of what is not done yet
  const open = rows.length ? await slotRows(db, { ...f, roots: undefined, q: undefined, ids: rows.map((r) => String(r.id)) }, ['overdue', 'due', 'upcoming']) : [];
  const byBranch = new Map<string, { missing: ReturnType<typeof slotView>[]; nextDue: string | null }>();
  for (const m of open) {
    const e = byBranch.get(String(m.branch_id)) ?? { missing: [], nextDue: null };
    if (m.state !== 'upcoming') e.missing.push(slotView(m));
    if (m.state !== 'overdue' && (e.nextDue === null || m.ends < e.nextDue)) e.nextDue = m.ends;
    byBranch.set(String(m.branch_id), e);
  }
  return {
    ruleSet: ruleRef(rules),
    period: { year: q.year, period: q.period, ...range, today },
    summary: {
      branches: totals?.branches ?? 0, compliant: totals?.compliant ?? 0, withOverdue: totals?.with_overdue ?? 0, done: totals?.all_done ?? 0, overdue: totals?.all_overdue ?? 0,
      rate: totals && totals.all_done + totals.all_overdue > 0 ? totals.all_done / (totals.all_done + totals.all_overdue) : null,
    },
    items: rows.map((r) => ({
      rank: r.rank, org: { id: String(r.id), name: r.name, kind: r.kind }, parent: r.parent_id ? { id: String(r.parent_id), name: r.parent_name ?? '' } : null,
      required: r.required, done: r.done, overdue: r.overdue, due: r.due, upcoming: r.upcoming, rate: r.rate, nextDue: byBranch.get(String(r.id))?.nextDue ?? null, missing: byBranch.get(String(r.id))?.missing ?? [],
    })),
    total: totals?.total ?? 0,
    page: q.page,
    pageSize: q.pageSize,
  };
}

interface HeldRow { id: string; title: string; held_on: string; kind: string; counts: boolean; present: number; quorum_met: boolean | null; unit_id: string; idx: number }

/** One branch: every required slot of the period with its state and the meetings held in it. */
export async function branchCompliance(deps: AppDeps, ctx: RequestContext, orgId: string, q: { year: number; period: LifePeriod }) {
  const { db } = deps.database;
  await requireAccess(db, ctx, 'life:read', 'org', [orgId]);
  const org = (await getOrg(db, orgId))!;
  const { range, rules, slots, today } = await setting(db, q.year, q.period);
  if (!rules.rules.branchKinds.includes(org.kind)) throw new AppError('LIFE_ORG_NOT_BRANCH', { org: org.name });
  if (org.status !== 'active') throw new AppError('ORG_NOT_ACTIVE');
  const f: Frame = { ids: [orgId], rules: rules.rules, slots, today };
  const rows = await slotRows(db, f, ['done', 'overdue', 'due', 'upcoming']);
  const from = slots.reduce((a, s) => (s.from < a ? s.from : a), '9999-12-31');
  const to = slots.reduce((a, s) => (s.to > a ? s.to : a), '0000-01-01');
  // held meetings of the slots, counting or not (a general meeting without quorum is shown with its reason)
  const { rows: held } = await sql<HeldRow>`
    SELECT m.id, m.title, m.held_on, m.kind, m.counts, m.present, m.quorum_met,
      CASE WHEN m.kind = 'group_meeting' THEN m.org_id ELSE m.branch_id END AS unit_id, ${slotNumber(f)} AS idx
    FROM meetings m
    WHERE m.branch_id = ${orgId}::bigint AND m.status = 'held' AND m.held_on BETWEEN ${from}::date AND ${to}::date
    ORDER BY m.held_on, m.id`.execute(db);
  const bySlot = new Map<string, HeldRow[]>();
  for (const m of held) {
    const k = `${m.unit_id}|${m.kind}|${m.idx}`;
    bySlot.set(k, [...(bySlot.get(k) ?? []), m]);
  }
  const tally = { required: rows.length, done: 0, overdue: 0, due: 0, upcoming: 0 };
  for (const r of rows) tally[r.state]++;
  return {
    org: { id: String(org.id), name: org.name, kind: org.kind },
    ruleSet: ruleRef(rules),
    period: { year: q.year, period: q.period, ...range, today },
    ...tally,
    rate: tally.done + tally.overdue > 0 ? tally.done / (tally.done + tally.overdue) : null,
    slots: rows.map((r) => ({
      ...slotView(r),
      meetings: (bySlot.get(`${r.unit_id}|${r.kind}|${r.idx}`) ?? []).map((m) => ({
        id: String(m.id), title: m.title, heldOn: m.held_on, counts: m.counts, reason: m.counts ? ('counts' as const) : m.present === 0 ? ('nobody_present' as const) : ('no_quorum' as const),
      })),
    })),
  };
}
