import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import type { RequestContext } from '../../platform/actor.js';
import { inScope, requirePermission } from '../../platform/access.js';
import { ruleSetOn, type CaseRules } from '../../platform/rules.js';
import { CASE_RULES_KEY, chinaDay } from './cases.rules.js';

// Rates (CASE-5) per unit and period, with the formula of the rule set in force at the period's end
// (domain-rules.md §7):
//   response     = acknowledged within the deadline ÷ dispatched   (departments: reported in time ÷ whistles)
//   resolution   = closed ÷ valid (filed) cases                   (departments: results ÷ whistles)
//   satisfaction = (satisfied + w × basically satisfied) ÷ rated  (departments: the street's ratings)
//   composite    = weights · (response, resolution, satisfaction); null while a part is undefined
//   whistle rate = whistled cases ÷ valid cases; on-time = handled by the deadline ÷ handled
// Grids, communities and streets count the cases located in them, created in the period;
// departments count the whistles they received in the period for cases in my area.

export type UnitKind = 'grid' | 'community' | 'street' | 'department';

interface Counts {
  unit_id: string;
  cases: number;
  valid: number;
  dispatched: number;
  responded: number;
  resolved: number;
  rated: number;
  satisfied: number;
  basically: number;
  whistled: number;
  handled: number;
  on_time: number;
}

export interface RateRow {
  rank: number;
  unit: { id: string; name: string; kind: UnitKind };
  cases: number;
  valid: number;
  dispatched: number;
  responded: number;
  resolved: number;
  rated: number;
  satisfied: number;
  basicallySatisfied: number;
  whistled: number;
  handled: number;
  onTime: number;
  responseRate: number | null;
  resolutionRate: number | null;
  satisfactionRate: number | null;
  composite: number | null;
  whistleRate: number | null;
  onTimeRate: number | null;
}

const ratio = (n: number, d: number) => (d > 0 ? n / d : null);
const round = (v: number | null) => (v === null ? null : Math.round(v * 10_000) / 10_000);

/** The formula, apart from the SQL, so tests and other callers can apply it to their own counts. */
export function ratesOf(c: { dispatched: number; responded: number; valid: number; resolved: number; rated: number; satisfied: number; basically: number; whistled: number; handled: number; onTime: number }, rules: CaseRules, unitKind: UnitKind) {
  const response = ratio(c.responded, c.dispatched);
  const resolution = ratio(c.resolved, c.valid);
  const satisfaction = ratio(c.satisfied + rules.basicallySatisfiedWeight * c.basically, c.rated);
  const w = rules.weights;
  const composite = response === null || resolution === null || satisfaction === null ? null : w.response * response + w.resolution * resolution + w.satisfaction * satisfaction;
  return {
    responseRate: round(response),
    resolutionRate: round(resolution),
    satisfactionRate: round(satisfaction),
    composite: round(composite),
    whistleRate: unitKind === 'department' ? null : round(ratio(c.whistled, c.valid)),
    onTimeRate: round(ratio(c.onTime, c.handled)),
  };
}

const PLACE_COLUMN = { grid: 'grid_id', community: 'community_id', street: 'street_id' } as const;

export interface RatesQuery {
  unitKind: UnitKind;
  from?: string;
  to?: string;
}

export async function caseRates(deps: { database: Database }, ctx: RequestContext, q: RatesQuery) {
  const { db } = deps.database;
  const actor = await requirePermission(db, ctx, 'cases:read');
  const today = chinaDay(new Date());
  const to = q.to ?? today;
  const from = q.from ?? `${to.slice(0, 8)}01`;
  const start = new Date(`${from}T00:00:00+08:00`);
  const end = new Date(new Date(`${to}T00:00:00+08:00`).getTime() + 86_400_000);
  const ruleSet = await ruleSetOn<CaseRules>(db, CASE_RULES_KEY, to);

  let counts: Counts[];
  let names: Map<string, string>;
  if (q.unitKind === 'department') {
    const { rows } = await sql<Counts & { name: string }>`
      SELECT w.department_id AS unit_id, d.name,
        count(*)::int AS cases, count(*)::int AS valid, count(*)::int AS dispatched,
        count(*) FILTER (WHERE w.reported_at IS NOT NULL AND w.reported_at <= w.report_due_at)::int AS responded,
        count(*) FILTER (WHERE w.result_at IS NOT NULL)::int AS resolved,
        count(*) FILTER (WHERE w.street_rating IS NOT NULL)::int AS rated,
        count(*) FILTER (WHERE w.street_rating = 'satisfied')::int AS satisfied,
        count(*) FILTER (WHERE w.street_rating = 'basically_satisfied')::int AS basically,
        0 AS whistled,
        count(*) FILTER (WHERE w.result_at IS NOT NULL)::int AS handled,
        count(*) FILTER (WHERE w.result_at IS NOT NULL AND w.result_at <= w.result_due_at)::int AS on_time
      FROM case_whistles w JOIN departments d ON d.id = w.department_id JOIN cases c ON c.id = w.case_id
      WHERE w.whistled_at >= ${start} AND w.whistled_at < ${end} AND ${inScope(actor, 'place', 'c.grid_id')}
      GROUP BY w.department_id, d.name`.execute(db);
    counts = rows;
    names = new Map(rows.map((r) => [String(r.unit_id), r.name]));
  } else {
    const col = sql.ref(`c.${PLACE_COLUMN[q.unitKind]}`);
    const { rows } = await sql<Counts & { name: string }>`
      SELECT ${col} AS unit_id, p.name,
        count(*)::int AS cases,
        count(*) FILTER (WHERE c.filed_at IS NOT NULL)::int AS valid,
        count(*) FILTER (WHERE c.dispatched_at IS NOT NULL)::int AS dispatched,
        count(*) FILTER (WHERE c.acknowledged_at IS NOT NULL AND c.first_due_at IS NOT NULL AND c.acknowledged_at <= c.first_due_at)::int AS responded,
        count(*) FILTER (WHERE c.closed_at IS NOT NULL AND c.state IN ('closed', 'rated'))::int AS resolved,
        count(*) FILTER (WHERE c.rating IS NOT NULL)::int AS rated,
        count(*) FILTER (WHERE c.rating = 'satisfied')::int AS satisfied,
        count(*) FILTER (WHERE c.rating = 'basically_satisfied')::int AS basically,
        count(*) FILTER (WHERE c.filed_at IS NOT NULL AND EXISTS (SELECT 1 FROM case_whistles w WHERE w.case_id = c.id))::int AS whistled,
        count(*) FILTER (WHERE c.handled_at IS NOT NULL)::int AS handled,
        count(*) FILTER (WHERE c.handled_at IS NOT NULL AND c.due_at IS NOT NULL AND c.handled_at <= c.due_at)::int AS on_time
      FROM cases c JOIN places p ON p.id = ${col}
      WHERE c.created_at >= ${start} AND c.created_at < ${end} AND ${inScope(actor, 'place', col)}
      GROUP BY ${col}, p.name`.execute(db);
    counts = rows;
    names = new Map(rows.map((r) => [String(r.unit_id), r.name]));
  }

  const items = counts.map((c) => ({
    unit: { id: String(c.unit_id), name: names.get(String(c.unit_id)) ?? '', kind: q.unitKind },
    cases: c.cases,
    valid: c.valid,
    dispatched: c.dispatched,
    responded: c.responded,
    resolved: c.resolved,
    rated: c.rated,
    satisfied: c.satisfied,
    basicallySatisfied: c.basically,
    whistled: c.whistled,
    handled: c.handled,
    onTime: c.on_time,
    ...ratesOf({ ...c, onTime: c.on_time }, ruleSet.rules, q.unitKind),
  }));
  items.sort((a, b) => (b.composite ?? -1) - (a.composite ?? -1) || b.cases - a.cases || a.unit.name.localeCompare(b.unit.name, 'zh-CN') || Number(a.unit.id) - Number(b.unit.id));
  return {
    unitKind: q.unitKind,
    from,
    to,
    ruleSet: { key: ruleSet.key, version: ruleSet.version, weights: ruleSet.rules.weights, basicallySatisfiedWeight: ruleSet.rules.basicallySatisfiedWeight },
    items: items.map((it, i): RateRow => ({ rank: i + 1, ...it })),
  };
}
