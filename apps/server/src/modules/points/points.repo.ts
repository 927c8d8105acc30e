import { sql, type Selectable } from 'kysely';
import type { Db, Executor } from '../../db/database.js';
import type { PointsEntriesTable } from '../../db/types.js';

// Queries over the points ledger. Balances and rankings are sums over points_entries, never stored.

export type EntryRow = Selectable<PointsEntriesTable>;

/** A period as a half-open range of instants; `all` has none. */
export interface Period {
  key: string;
  from: Date | null;
  to: Date | null;
}

/** Serialises awards to one member, so the monthly cap holds under concurrent awards. */
export async function lockMemberPoints(ex: Executor, memberId: string): Promise<void> {
  // the two-key form keeps this apart from the audit chain's single-key lock
  await sql`SELECT pg_advisory_xact_lock(7270012, ${Number(BigInt(memberId) % 2147483647n)}::int)`.execute(ex);
}

export async function findAward(ex: Executor, memberId: string, source: string, sourceRef: string) {
  return ex.selectFrom('points_entries').select(['id', 'amount']).where('member_id', '=', memberId).where('source', '=', source as 'meeting').where('source_ref', '=', sourceRef).where('source', '!=', 'correction').executeTakeFirst();
}

/** Points of one source a member received in [from, to) (the monthly cap counts these). */
export async function awardedInRange(ex: Executor, memberId: string, source: string, from: Date, to: Date): Promise<number> {
  const row = await ex
    .selectFrom('points_entries')
    .select(sql<number>`coalesce(sum(amount), 0)::int`.as('n'))
    .where('member_id', '=', memberId)
    .where('source', '=', source as 'meeting')
    .where('at', '>=', from)
    .where('at', '<', to)
    .executeTakeFirstOrThrow();
  return row.n;
}

export async function entryById(ex: Executor, id: string) {
  return ex.selectFrom('points_entries').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The period's condition on the entry time (the column `at` of points_entries). */
const inPeriod = (p: Period) => sql<boolean>`${p.from ? sql`at >= ${p.from}` : sql`true`} AND ${p.to ? sql`at < ${p.to}` : sql`true`}`;

/** A member's balance (all time), the period's total, and the period's total per source. */
export async function memberTotals(ex: Executor, memberId: string, p: Period) {
  const all = await ex.selectFrom('points_entries').select(sql<number>`coalesce(sum(amount), 0)::int`.as('n')).where('member_id', '=', memberId).executeTakeFirstOrThrow();
  const bySource = await ex
    .selectFrom('points_entries')
    .select(['source', sql<number>`sum(amount)::int`.as('total'), sql<number>`count(*)::int`.as('entries')])
    .where('member_id', '=', memberId)
    .where(inPeriod(p))
    .groupBy('source')
    .orderBy('source')
    .execute();
  return { balance: all.n, periodTotal: bySource.reduce((s, r) => s + r.total, 0), bySource };
}

export async function memberEntries(ex: Executor, memberId: string, f: { source?: string; page: number; pageSize: number } & { period: Period }) {
  let base = ex.selectFrom('points_entries').where('member_id', '=', memberId).where(inPeriod(f.period));
  if (f.source) base = base.where('source', '=', f.source as 'meeting');
  const [rows, total] = await Promise.all([
    base.selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute(),
    base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: total.n };
}

export interface RankRow {
  member_id: string;
  total: number;
  entries: number;
  rank: number;
}

/**
 * Members ranked by their points in an organisation's subtree (entries carry the member's branch at
 * the time) or in the organisation alone, with the member's own row when asked. The root goes in as
 * a parameter; the index points_entries_org_at (org_id, at) INCLUDE (member_id, amount) serves one
 * index-only range scan per organisation of the subtree. One statement: the totals are computed once
 * and read for the page, the member's own row and the count.
 */
export async function ranking(db: Db, f: { orgId: string; subtree: boolean; period: Period; page: number; pageSize: number; memberId?: string }) {
  const orgFilter = f.subtree ? sql`e.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ${f.orgId}::bigint)` : sql`e.org_id = ${f.orgId}::bigint`;
  const from = f.period.from ? sql`AND e.at >= ${f.period.from}` : sql``;
  const to = f.period.to ? sql`AND e.at < ${f.period.to}` : sql``;
  const me = f.memberId ?? '0';
  const rows = await db.transaction().execute(async (trx) => {
    // a city-wide ranking sorts hundreds of thousands of totals: let it do so in memory
    await sql`SET LOCAL work_mem = '64MB'`.execute(trx);
    const { rows } = await sql<RankRow & { part: 'page' | 'mine'; n: number }>`
      WITH totals AS MATERIALIZED (
        SELECT e.member_id, sum(e.amount)::int AS total, count(*)::int AS entries
        FROM points_entries e WHERE ${orgFilter} ${from} ${to}
        GROUP BY e.member_id
      ),
      ranked AS MATERIALIZED (SELECT member_id, total, entries, (rank() OVER (ORDER BY total DESC))::int AS rank FROM totals),
      page AS (SELECT * FROM ranked ORDER BY rank, member_id LIMIT ${f.pageSize} OFFSET ${(f.page - 1) * f.pageSize})
      SELECT 'page' AS part, p.*, (SELECT count(*)::int FROM totals) AS n FROM page p
      UNION ALL SELECT 'mine', r.*, NULL FROM ranked r WHERE r.member_id = ${me}::bigint
      UNION ALL SELECT 'count', NULL, NULL, NULL, NULL, (SELECT count(*)::int FROM totals)`.execute(trx);
    return rows;
  });
  const page = rows.filter((r) => r.part === 'page').sort((a, b) => a.rank - b.rank || Number(a.member_id) - Number(b.member_id));
  const mine = rows.find((r) => r.part === 'mine');
  const total = rows.find((r) => (r.part as string) === 'count')?.n ?? 0;
  const strip = ({ part: _p, n: _n, ...r }: RankRow & { part: string; n: number }) => ({ ...r, member_id: String(r.member_id) });
  return { rows: page.map(strip), total, mine: f.memberId && mine ? strip(mine) : null };
}
