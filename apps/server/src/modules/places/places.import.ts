import { formatMessage, PLACE_KINDS, type Locale, type PlaceKind } from '@tongxin/contracts';
import type { AppDeps } from '../../app.js';
import type { RequestContext } from '../../platform/actor.js';
import { idsInScope, requireAccess, requirePermission } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { AppError } from '../../platform/errors.js';
import { invalidateGridIndex } from './geo-index.js';
import { checkCode, gridCode, kindFromCode, lastGridSeq, parentCodeFromCode, readingOrder } from './places.codes.js';
import { checkArea, checkPoint, describeProblem, GeometryProblem, type Area, type BBox } from './places.geometry.js';
import { findPlace, insertPlace, placesByCodes, placesByIds, type PlaceRow } from './places.repo.js';
import { assertKindAllowed, isPlaceKind, kindLabel, kindRule, PLACE_RULES } from './places.rules.js';
import type { ImportInput, ImportResult, PlaceWarning } from './places.schema.js';
import { featureLabel, outsideParentWarning, type Shape } from './places.warnings.js';

// GeoJSON import: every feature is checked first; one invalid feature refuses the whole collection
// (naming it) and nothing is written. Otherwise places are upserted by code in one transaction
// with one audit entry; boundaries outside their parent come back as warnings.

const REASONS = {
  IMPORT_NO_NAME: { zh: '属性 {prop} 中没有名称', en: 'there is no name in property {prop}' },
  IMPORT_NO_KIND: { zh: '无法确定地点类型：请映射类型属性，或使用 6/9/12/15 位编码', en: 'the kind is unknown: map a kind property or use a 6, 9, 12 or 15-digit code' },
  IMPORT_BAD_KIND: { zh: '{value} 不是有效的地点类型', en: '{value} is not a place kind' },
  IMPORT_NO_PARENT: { zh: '找不到编码为 {code} 的上级', en: 'there is no parent with the code {code}' },
  IMPORT_PARENT_UNKNOWN: { zh: '未指定上级：请映射上级编码属性或选择上级', en: 'no parent: map a parent-code property or choose a parent place' },
  IMPORT_DUPLICATE_CODE: { zh: '编码 {code} 与 {other} 重复', en: 'the code {code} repeats that of {other}' },
} as const;

class ImportProblem extends Error {
  constructor(readonly reason: keyof typeof REASONS, readonly params: Record<string, string> = {}) {
    super(reason);
  }
}

interface FeatureError {
  featureIndex: number;
  feature: string;
  errorCode: string;
  reasonCode?: string;
  reason: string;
}

interface Parent {
  kind: string;
  code: string | null;
  name: string;
  geometry: Area | null;
  /** Set for a place already in the database. */
  id: string | null;
  /** Set for a place created by this import. */
  draft: Draft | null;
}

interface Draft {
  index: number;
  label: string;
  name: string;
  code: string | null;
  kind: PlaceKind;
  parentCode: string | null;
  shape: Shape & { bbox: BBox | null };
  existing: PlaceRow | null;
  parent: Parent | null;
  id: string | null;
}

const text = (v: unknown): string | null => {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return null;
  return v.trim() || null;
};

const KIND_BY_LABEL = new Map<string, PlaceKind>(Object.entries(PLACE_KINDS).flatMap(([k, d]) => [[d.zh, k as PlaceKind], [d.en.toLowerCase(), k as PlaceKind]]));

/** The kind of a feature: a fixed kind, a property (key or label), the stored place's kind, or the code's length. */
function kindOf(mapping: ImportInput['mapping'], props: Record<string, unknown>, code: string | null, storedKind: string | undefined): PlaceKind {
  if (mapping.kind && isPlaceKind(mapping.kind)) return mapping.kind;
  const value = mapping.kind ? text(props[mapping.kind]) : null;
  if (value) {
    const kind = isPlaceKind(value) ? value : KIND_BY_LABEL.get(value.toLowerCase());
    if (!kind) throw new ImportProblem('IMPORT_BAD_KIND', { value });
    return kind;
  }
  const inferred = storedKind && isPlaceKind(storedKind) ? storedKind : code ? kindFromCode(code) : null;
  if (!inferred) throw new ImportProblem('IMPORT_NO_KIND');
  return inferred;
}

/** A feature's geometry as the kind takes it: a boundary or a point. */
async function shapeOf(geometry: unknown, kind: PlaceKind, locale: Locale): Promise<Shape & { bbox: BBox | null }> {
  const rule = kindRule(kind);
  const g = geometry as { type?: unknown; coordinates?: unknown } | null | undefined;
  if (!g) throw new GeometryProblem('missing');
  if (g.type === 'Point') {
    if (!rule.point) throw new GeometryProblem('point_not_allowed', { kind: kindLabel(kind, locale) });
    const c = Array.isArray(g.coordinates) ? g.coordinates : null;
    if (!c || c.length < 2 || c.length > 3) throw new GeometryProblem('position', { at: 'coordinates' });
    const { lng, lat } = checkPoint(c[0], c[1], 'coordinates');
    return { geometry: null, bbox: null, lng, lat };
  }
  if (g.type === 'Polygon' || g.type === 'MultiPolygon') {
    if (!rule.polygon) throw new GeometryProblem('polygon_not_allowed', { kind: kindLabel(kind, locale) });
    const { geometry: area, bbox } = await checkArea(g);
    return { geometry: area, bbox, lng: null, lat: null };
  }
  const expected = [rule.polygon ? 'Polygon / MultiPolygon' : null, rule.point ? 'Point' : null].filter(Boolean).join(' / ');
  throw new GeometryProblem('type', { expected, type: String(g.type) });
}

function toFeatureError(index: number, label: string, e: unknown, locale: Locale): FeatureError {
  const base = { featureIndex: index, feature: label };
  if (e instanceof GeometryProblem) return { ...base, errorCode: 'GEOMETRY_INVALID', reasonCode: e.reason, reason: describeProblem(e, locale) };
  if (e instanceof ImportProblem) {
    const t = REASONS[e.reason][locale === 'en' ? 'en' : 'zh'];
    return { ...base, errorCode: e.reason, reason: t.replace(/\{(\w+)\}/g, (_, k: string) => e.params[k] ?? '') };
  }
  if (e instanceof AppError) return { ...base, errorCode: e.code, reason: formatMessage(e.code, e.params, locale) };
  throw e;
}

/** The refusal for a collection: the first geometry problem if there is one, else the first problem; all are listed. */
function refusal(errors: FeatureError[], names: Map<number, string>): AppError {
  const sorted = [...errors].sort((a, b) => a.featureIndex - b.featureIndex);
  const geometry = sorted.find((e) => e.errorCode === 'GEOMETRY_INVALID');
  const head = geometry ?? sorted[0]!;
  const params = { feature: head.feature, featureIndex: head.featureIndex, featureName: names.get(head.featureIndex) ?? null, reason: head.reason, errors: sorted };
  return geometry ? new AppError('GEOMETRY_INVALID', { ...params, reasonCode: head.reasonCode }) : new AppError('IMPORT_FEATURE_INVALID', { ...params, errorCode: head.errorCode });
}

export async function importGeojson(deps: AppDeps, ctx: RequestContext, input: ImportInput): Promise<ImportResult> {
  const { db } = deps.database;
  const locale = ctx.locale;
  const { mapping } = input;
  const actor = await requirePermission(db, ctx, 'places:write');
  let base: Parent | null = null;
  if (input.parentId) {
    await requireAccess(db, ctx, 'places:write', 'place', [input.parentId]);
    const row = (await findPlace(db, input.parentId))!;
    base = { kind: row.kind, code: row.code, name: row.name, geometry: row.geometry as Area | null, id: String(row.id), draft: null };
  }

  const errors: FeatureError[] = [];
  const names = new Map<number, string>();
  const failed = new Set<number>();
  const fail = (d: { index: number; label: string }, e: unknown) => {
    errors.push(toFeatureError(d.index, d.label, e, locale));
    failed.add(d.index);
  };

  // 1. Each feature on its own: name, code, kind, geometry. Places already stored are found by code.
  const features = input.featureCollection.features;
  const stored = await placesByCodes(db, [...new Set(features.map((f) => text((f.properties ?? {})[mapping.code])).filter((c): c is string => !!c))]);
  const drafts: Draft[] = [];
  for (const [index, f] of features.entries()) {
    const props = f.properties ?? {};
    const name = text(props[mapping.name]);
    if (name) names.set(index, name);
    const label = featureLabel(index, name);
    try {
      if (!name) throw new ImportProblem('IMPORT_NO_NAME', { prop: mapping.name });
      const code = text(props[mapping.code]);
      const kind = kindOf(mapping, props, code, code ? stored.get(code)?.kind : undefined);
      const shape = await shapeOf(f.geometry, kind, locale);
      drafts.push({ index, label, name, code, kind, parentCode: mapping.parentCode ? text(props[mapping.parentCode]) : null, shape, existing: null, parent: null, id: null });
    } catch (e) {
      fail({ index, label }, e);
    }
  }

  // 2. Codes: unique within the collection; existing ones are updated.
  const byCode = new Map<string, Draft>();
  for (const d of drafts) {
    if (!d.code) continue;
    const first = byCode.get(d.code);
    if (first) fail(d, new ImportProblem('IMPORT_DUPLICATE_CODE', { code: d.code, other: first.label }));
    else byCode.set(d.code, d);
  }
  const parentCodeOf = (d: Draft) => d.parentCode ?? (base || !d.code ? null : parentCodeFromCode(d.kind, d.code));
  const parentCodes = [...new Set(drafts.map(parentCodeOf).filter((c): c is string => !!c && !stored.has(c)))];
  for (const [code, row] of await placesByCodes(db, parentCodes)) stored.set(code, row);
  for (const d of drafts) d.existing = (d.code && stored.get(d.code)) || null;
  const storedParents = await placesByIds(db, drafts.flatMap((d) => (d.existing?.parent_id ? [String(d.existing.parent_id)] : [])));
  const scope = await idsInScope(db, actor, 'place', [...[...stored.values()].map((r) => String(r.id)), ...storedParents.keys()]);

  // 3. Parents, kind rules and code rules.
  const asParent = (code: string): Parent | null => {
    const d = byCode.get(code);
    if (d && !d.existing) return { kind: d.kind, code: d.code, name: d.name, geometry: d.shape.geometry, id: null, draft: d };
    const row = stored.get(code);
    if (!row || !scope.has(String(row.id))) return null;
    return { kind: row.kind, code: row.code, name: row.name, geometry: (d?.shape.geometry ?? (row.geometry as Area | null)), id: String(row.id), draft: null };
  };
  const toNumber: Draft[] = [];
  for (const d of drafts) {
    if (failed.has(d.index)) continue;
    try {
      if (d.existing) {
        const ex = d.existing;
        if (!scope.has(String(ex.id))) throw new AppError('NOT_FOUND');
        if (ex.kind !== d.kind) throw new AppError('PLACE_KIND_MISMATCH', { code: d.code, existingKind: kindLabel(ex.kind, locale), kind: kindLabel(d.kind, locale) });
        const parentRow = ex.parent_id ? storedParents.get(String(ex.parent_id)) : undefined;
        if (!parentRow || !scope.has(String(parentRow.id))) throw new AppError('FORBIDDEN');
        d.parent = (parentRow.code && asParent(parentRow.code)) || { kind: parentRow.kind, code: parentRow.code, name: parentRow.name, geometry: parentRow.geometry as Area | null, id: String(parentRow.id), draft: null };
        continue;
      }
      const pc = parentCodeOf(d);
      const parent = pc ? asParent(pc) : base;
      if (!parent) throw pc ? new ImportProblem('IMPORT_NO_PARENT', { code: pc }) : new ImportProblem('IMPORT_PARENT_UNKNOWN');
      d.parent = parent;
      assertKindAllowed(parent.kind, d.kind, locale);
      if (!d.code && d.kind === 'grid') toNumber.push(d);
      else d.code = checkCode(d.kind, d.code, parent, locale);
    } catch (e) {
      fail(d, e);
    }
  }

  // 4. New grids without a code are numbered west→east, north→south after the community's last number.
  const groups = new Map<string, Draft[]>();
  for (const d of toNumber) {
    const community = d.parent?.code;
    if (community) groups.set(community, [...(groups.get(community) ?? []), d]);
  }
  for (const [community, group] of groups) {
    const inFile = [...byCode.keys()].filter((c) => c.length === community.length + PLACE_RULES.gridSeqDigits && c.startsWith(community)).map((c) => Number(c.slice(community.length)));
    let seq = Math.max(await lastGridSeq(db, community), ...inFile, 0);
    for (const d of readingOrder(group.map((g) => ({ d: g, bbox: g.shape.bbox! }))).map((x) => x.d)) {
      seq += 1;
      if (seq >= 10 ** PLACE_RULES.gridSeqDigits) fail(d, new AppError('PLACE_CODE_EXHAUSTED', { name: d.parent!.name }));
      else d.code = gridCode(community, seq);
    }
  }

  if (errors.length > 0) throw refusal(errors, names);

  // 5. Warnings: boundaries (or points) outside their parent's boundary.
  const warnings: PlaceWarning[] = [];
  for (const d of drafts) {
    if (!d.parent) continue;
    const w = await outsideParentWarning({ ...d.shape, code: d.code }, d.parent, { label: d.label, index: d.index }, locale);
    if (w) warnings.push(w);
  }

  // 6. Write parent-first in one transaction, with one audit entry.
  const ordered = [...drafts].sort((a, b) => kindRule(a.kind).rank - kindRule(b.kind).rank || a.index - b.index);
  const created = drafts.filter((d) => !d.existing).length;
  const updated = drafts.length - created;
  if (!input.dryRun) {
    try {
      await db.transaction().execute(async (trx) => {
        for (const d of ordered) {
          const s = d.shape;
          if (d.existing) {
            d.id = String(d.existing.id);
            const set = s.geometry ? { geometry: JSON.stringify(s.geometry), bbox: s.bbox } : { lng: s.lng, lat: s.lat };
            await trx.updateTable('places').set({ ...set, updated_at: new Date() }).where('id', '=', d.id).execute();
          } else {
            const parentId = d.parent!.id ?? d.parent!.draft!.id!;
            d.id = await insertPlace(trx, { parentId, kind: d.kind, name: d.name, code: d.code, geometry: s.geometry, bbox: s.bbox, lng: s.lng, lat: s.lat });
          }
        }
        await recordAudit(trx, {
          actorId: actor.id,
          actorName: actor.username,
          action: 'place.import',
          targetType: 'place',
          targetId: input.parentId ?? null,
          targetLabel: base?.name ?? 'GeoJSON',
          ip: ctx.ip,
          changes: {
            features: drafts.length,
            created,
            updated,
            // key names avoid "code": the audit log redacts such keys as secrets
            places: ordered.slice(0, 200).map((d) => ({ id: d.id, identifier: d.code, name: d.name, kind: d.kind, action: d.existing ? 'update' : 'create' })),
            warnings: warnings.length,
          },
        });
      });
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new AppError('PLACE_CODE_TAKEN', { code: '—', name: '—' });
      throw e;
    }
    if (drafts.some((d) => d.kind === 'grid')) invalidateGridIndex(db);
  }

  return {
    dryRun: input.dryRun,
    created,
    updated,
    items: drafts.map((d) => ({
      featureIndex: d.index,
      name: d.name,
      code: d.code,
      kind: d.kind,
      action: d.existing ? ('update' as const) : ('create' as const),
      id: d.id ?? (d.existing ? String(d.existing.id) : null),
      parentCode: d.parent?.code ?? null,
    })),
    warnings,
  };
}
