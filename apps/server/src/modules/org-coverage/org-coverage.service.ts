import { formatWarning, type WarningCode } from '@tongxin/contracts';
import type { AppDeps } from '../../app.js';
import type { RequestContext } from '../../platform/actor.js';
import { requireAccess } from '../../platform/access.js';
import { todayInChina } from '../../platform/dates.js';
import { AppError } from '../../platform/errors.js';
import { ruleSetOn, type OrgRules } from '../../platform/rules.js';
import { fullMembersByUnit } from '../members/members.stats.js';
import { coverageOfUnits, orgFactsAtPlaces } from '../orgs/orgs.health.js';
import { childPlaces, subtreePlaceIds, unitsUnder } from '../places/places.units.js';
import { getPlace } from '../places/places.service.js';

// Coverage (ORG-3) and branch health (ORG-4) for a place's subtree, from the org_rules rule set in
// force on the given date. Every warning names its rule and links to a place or an organisation.

const UNIT_KINDS = ['compound', 'office_building', 'enterprise'] as const;
type UnitKind = (typeof UNIT_KINDS)[number];
const BRANCH_KINDS = ['branch', 'joint_branch', 'temporary_branch'];

export interface Rate {
  total: number;
  covered: number;
  rate: number | null;
}
const rate = (total: number, covered: number): Rate => ({ total, covered, rate: total ? Math.round((covered / total) * 10_000) / 10_000 : null });

export interface Warning {
  rule: WarningCode;
  ruleSet: string;
  severity: 'violation' | 'warning';
  target: { type: 'place' | 'org'; id: string; name: string };
  params: Record<string, unknown>;
  message: string;
  remedy: string;
}

export interface CoverageQuery {
  date?: string;
  unitKind?: UnitKind;
  covered?: boolean;
  page: number;
  pageSize: number;
}

function addDays(day: string, days: number) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
const daysBetween = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);

export async function coverageReport(deps: AppDeps, ctx: RequestContext, placeId: string, q: CoverageQuery) {
  const { db } = deps.database;
  await requireAccess(db, ctx, 'places:read', 'place', [placeId]);
  const place = await getPlace(db, placeId);
  if (!place) throw new AppError('NOT_FOUND');
  const today = q.date ?? todayInChina();
  const ruleSet = await ruleSetOn<OrgRules>(db, 'org_rules', today);
  const rules = ruleSet.rules;
  const tag = `org_rules@${ruleSet.version}`;

  const units = await unitsUnder(db, placeId, rules.officeBuildingMinFloors);
  const [covering, fullByUnit, levels, orgs] = await Promise.all([
    coverageOfUnits(db, units.map((u) => u.id)),
    fullMembersByUnit(db, units),
    childPlaces(db, placeId),
    subtreePlaceIds(db, placeId).then((ids) => orgFactsAtPlaces(db, ids)),
  ]);
  const byUnit = new Map<string, typeof covering>();
  for (const c of covering) byUnit.set(c.unitId, [...(byUnit.get(c.unitId) ?? []), c]);

  const warnings: Warning[] = [];
  const warn = (rule: WarningCode, severity: Warning['severity'], target: Warning['target'], params: Record<string, unknown>) =>
    warnings.push({ rule, ruleSet: tag, severity, target, params, ...formatWarning(rule, { name: target.name, ...params }, ctx.locale) });

  const levelName = new Map(levels.map((l) => [l.id, l.name]));
  const unitRows = units.map((u) => {
    const by = byUnit.get(u.id) ?? [];
    const fullMembers = fullByUnit.get(u.id) ?? 0;
    const ownBranch = by.some((c) => c.via === 'own' && c.kind !== 'joint_branch');
    const target = { type: 'place' as const, id: u.id, name: u.name };
    if (by.length === 0) {
      if (fullMembers >= rules.ownBranchMinFullMembers) warn('unit_needs_own_branch', 'violation', target, { fullMembers });
      else warn('unit_uncovered', 'warning', target, { fullMembers, maxUnits: rules.jointBranchMaxUnits });
    } else if (!ownBranch && fullMembers >= rules.ownBranchMinFullMembers) {
      warn('unit_needs_own_branch', 'warning', target, { fullMembers });
    }
    return { id: u.id, name: u.name, kind: u.kind, floors: u.floors, level: u.levelId ? { id: u.levelId, name: levelName.get(u.levelId) ?? '' } : null, covered: by.length > 0, ownBranch, fullMembers, coveredBy: by.map((c) => ({ id: c.orgId, name: c.name, kind: c.kind, via: c.via })) };
  });

  for (const o of orgs) {
    const target = { type: 'org' as const, id: o.id, name: o.name };
    if (o.kind === 'joint_branch' && o.units > rules.jointBranchMaxUnits) warn('joint_branch_too_many_units', 'violation', target, { units: o.units, maxUnits: rules.jointBranchMaxUnits });
    if (BRANCH_KINDS.includes(o.kind) && o.ownMembers > rules.branchMaxMembers) warn('branch_too_large', o.ownMembers > rules.committeeOverMembers ? 'violation' : 'warning', target, { members: o.ownMembers, max: rules.branchMaxMembers });
    if (BRANCH_KINDS.includes(o.kind) && o.ownFullMembers >= rules.committeeRequiredFullMembers && o.sittingCommittee < rules.committeeMinSize) {
      warn('committee_required', 'violation', target, { fullMembers: o.ownFullMembers, sitting: o.sittingCommittee });
    }
    if (o.termEndsOn) {
      if (o.termEndsOn < today) warn('term_expired', 'violation', target, { termEndsOn: o.termEndsOn });
      else if (o.termEndsOn <= addDays(today, rules.termWarningDays)) warn('term_ending', 'warning', target, { termEndsOn: o.termEndsOn, days: daysBetween(today, o.termEndsOn) });
    }
  }

  const summarise = (rows: typeof unitRows) => {
    const out: Record<UnitKind | 'all', Rate> = { compound: rate(0, 0), office_building: rate(0, 0), enterprise: rate(0, 0), all: rate(0, 0) };
    for (const k of UNIT_KINDS) {
      const of = rows.filter((r) => r.kind === k);
      out[k] = rate(of.length, of.filter((r) => r.covered).length);
    }
    out.all = rate(rows.length, rows.filter((r) => r.covered).length);
    return out;
  };

  let listed = unitRows;
  if (q.unitKind) listed = listed.filter((u) => u.kind === q.unitKind);
  if (q.covered !== undefined) listed = listed.filter((u) => u.covered === q.covered);
  const severityOrder = { violation: 0, warning: 1 };
  warnings.sort((a, b) => severityOrder[a.severity] - severityOrder[b.severity] || a.rule.localeCompare(b.rule));

  return {
    place: { id: String(place.id), name: place.name, kind: place.kind },
    date: today,
    ruleSet: { key: ruleSet.key, version: ruleSet.version, title: ruleSet.title, effectiveFrom: ruleSet.effectiveFrom },
    summary: summarise(unitRows),
    levels: levels.map((l) => ({ ...l, ...summarise(unitRows.filter((u) => u.level?.id === l.id)) })),
    units: { items: listed.slice((q.page - 1) * q.pageSize, q.page * q.pageSize), total: listed.length, page: q.page, pageSize: q.pageSize },
    warnings,
  };
}
