import type { Locale, PlaceKind } from '@tongxin/contracts';
import type { AppDeps } from '../../app.js';
import type { Db, Executor } from '../../db/database.js';
import type { Actor, RequestContext } from '../../platform/actor.js';
import { idsInScope, requireAccess, requirePermission } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { AppError } from '../../platform/errors.js';
import { countOrgsAtPlace } from '../orgs/orgs.service.js';
import { invalidateGridIndex } from './geo-index.js';
import { checkCode, nextGridCodes } from './places.codes.js';
import { checkArea, checkPoint, geometryError, GeometryProblem, type Area, type BBox } from './places.geometry.js';
import { childSummary, findPlace, insertPlace, type PlaceRow } from './places.repo.js';
import { assertFieldsApplicable, assertKindAllowed, kindLabel, kindRule } from './places.rules.js';
import type { CreatePlaceInput, PlaceWarning, UpdatePlaceInput } from './places.schema.js';
import { presentPlace } from './places.service.js';
import { outsideParentWarning, type Shape } from './places.warnings.js';

// Creating, changing and deleting places: checks first, then one transaction ending with its audit entry.

const PG_UNIQUE = '23505';
const PG_FOREIGN_KEY = '23503';
const pgCode = (e: unknown) => (e as { code?: string } | null)?.code;

/** The shape a place will have: the given boundary and point checked against its kind, merged with the current ones. */
async function resolveShape(
  kind: PlaceKind,
  given: { geometry?: unknown; lng?: number | null; lat?: number | null },
  current: (Shape & { bbox: BBox | null }) | null,
  label: string,
  locale: Locale,
): Promise<Shape & { bbox: BBox | null }> {
  const rule = kindRule(kind);
  let geometry = current?.geometry ?? null;
  let bbox = current?.bbox ?? null;
  try {
    if (given.geometry !== undefined) {
      if (given.geometry === null) {
        geometry = null;
        bbox = null;
      } else {
        if (!rule.polygon) throw new GeometryProblem('polygon_not_allowed', { kind: kindLabel(kind, locale) });
        ({ geometry, bbox } = await checkArea(given.geometry));
      }
    }
    let lng = given.lng !== undefined ? given.lng : (current?.lng ?? null);
    let lat = given.lat !== undefined ? given.lat : (current?.lat ?? null);
    if ((lng === null) !== (lat === null)) throw new AppError('VALIDATION_FAILED', {}, { [lng === null ? 'lng' : 'lat']: 'PLACE_POINT_INCOMPLETE' });
    if (lng !== null && (given.lng !== undefined || given.lat !== undefined)) {
      if (!rule.point) throw new GeometryProblem('point_not_allowed', { kind: kindLabel(kind, locale) });
      ({ lng, lat } = checkPoint(lng, lat));
    }
    const shapeGiven = current === null || given.geometry !== undefined || given.lng !== undefined || given.lat !== undefined;
    if (shapeGiven && rule.located && geometry === null && lng === null) throw new AppError('PLACE_LOCATION_REQUIRED', { kind: kindLabel(kind, locale) });
    return { geometry, bbox, lng, lat };
  } catch (e) {
    if (e instanceof GeometryProblem) throw geometryError(e, label, locale);
    throw e;
  }
}

async function assertCodeFree(ex: Executor, actor: Actor, code: string | null, exceptId?: string): Promise<void> {
  if (!code) return;
  const holder = await ex.selectFrom('places').select(['id', 'name']).where('code', '=', code).executeTakeFirst();
  if (!holder || String(holder.id) === exceptId) return;
  // the holder's name only when the actor may see it
  const visible = (await idsInScope(ex, actor, 'place', [String(holder.id)])).has(String(holder.id));
  throw new AppError('PLACE_CODE_TAKEN', { code, name: visible ? holder.name : '—' });
}

/** A unique-index race lost to a concurrent write reads as the same refusal as the check before it. */
function mapWriteError(e: unknown, code: string | null, locale: Locale): unknown {
  if (pgCode(e) === PG_UNIQUE) return new AppError('PLACE_CODE_TAKEN', { code, name: '—' });
  if (pgCode(e) === PG_FOREIGN_KEY) return new AppError('PLACE_IN_USE', { what: locale === 'en' ? 'other records (member files, registrations …)' : '党员档案等其他记录' });
  return e;
}

async function warningsFor(ex: Executor, shape: Shape, row: { parent_id: string | null; code: string | null; name: string }, locale: Locale): Promise<PlaceWarning[]> {
  if (!row.parent_id || (!shape.geometry && shape.lng === null)) return [];
  const parent = await findPlace(ex, row.parent_id);
  if (!parent) return [];
  const w = await outsideParentWarning({ ...shape, code: row.code }, { geometry: parent.geometry as Area | null, code: parent.code, name: parent.name }, { label: row.name, index: null }, locale);
  return w ? [w] : [];
}

/** A place the actor can see and may change: its parent lies in their scope (FORBIDDEN, audited, otherwise). */
async function loadWritable(db: Db, ctx: RequestContext, id: string): Promise<{ actor: Actor; row: PlaceRow }> {
  const actor = await requireAccess(db, ctx, 'places:read', 'place', [id]);
  await requirePermission(db, ctx, 'places:write', { type: 'place', id });
  const row = await findPlace(db, id);
  if (!row) throw new AppError('NOT_FOUND');
  const parentId = row.parent_id === null ? null : String(row.parent_id);
  if (!parentId || !(await idsInScope(db, actor, 'place', [parentId])).has(parentId)) {
    await recordAudit(db, { actorId: actor.id, actorName: actor.username, action: 'access.denied', targetType: 'place', targetId: id, targetLabel: row.name, result: 'denied', reason: 'out_of_scope: places:write (parent)', ip: ctx.ip });
    throw new AppError('FORBIDDEN');
  }
  return { actor, row };
}

const kindFields = (i: { floors?: number | null; buildingUse?: string | null; households?: number | null; units?: number | null }) => ({
  floors: i.floors,
  buildingUse: i.buildingUse,
  households: i.households,
  units: i.units,
});

export async function createPlaceUnder(deps: AppDeps, ctx: RequestContext, input: CreatePlaceInput) {
  const { db } = deps.database;
  const locale = ctx.locale;
  const actor = await requireAccess(db, ctx, 'places:write', 'place', [input.parentId]);
  const parent = await findPlace(db, input.parentId);
  if (!parent) throw new AppError('NOT_FOUND');
  const kind = input.kind as PlaceKind;
  assertKindAllowed(parent.kind, kind, locale);
  assertFieldsApplicable(kind, kindFields(input));
  const shape = await resolveShape(kind, input, null, input.name, locale);
  const given = input.code?.trim() || null;
  let code = given === null && kind === 'grid' ? null : checkCode(kind, given, parent, locale);
  let id: string;
  try {
    id = await db.transaction().execute(async (trx) => {
      if (kind === 'grid' && code === null) code = (await nextGridCodes(trx, parent, 1, locale))[0]!;
      await assertCodeFree(trx, actor, code);
      const newId = await insertPlace(trx, {
        parentId: input.parentId,
        kind,
        name: input.name,
        code,
        sortOrder: input.sortOrder,
        ...shape,
        address: input.address ?? null,
        ...kindFields(input),
        attributes: input.attributes,
      });
      await recordAudit(trx, {
        actorId: actor.id,
        actorName: actor.username,
        action: 'place.create',
        targetType: 'place',
        targetId: newId,
        targetLabel: input.name,
        ip: ctx.ip,
        // key names avoid "code": the audit log redacts such keys as secrets
        changes: { parentId: input.parentId, kind, name: input.name, identifier: code, boundary: shape.bbox, point: shape.lng === null ? null : [shape.lng, shape.lat], address: input.address ?? null, ...kindFields(input) },
      });
      return newId;
    });
  } catch (e) {
    throw mapWriteError(e, code, locale);
  }
  if (kind === 'grid') invalidateGridIndex(db);
  const row = (await findPlace(db, id))!;
  return { ...(await presentPlace(db, actor, row)), warnings: await warningsFor(db, shape, row, locale) };
}

const SCALARS = [
  ['name', 'name'],
  ['sortOrder', 'sort_order'],
  ['address', 'address'],
  ['floors', 'floors'],
  ['buildingUse', 'building_use'],
  ['households', 'households'],
  ['units', 'units'],
] as const;

export async function updatePlace(deps: AppDeps, ctx: RequestContext, id: string, input: UpdatePlaceInput) {
  const { db } = deps.database;
  const locale = ctx.locale;
  const { actor, row } = await loadWritable(db, ctx, id);
  const kind = row.kind as PlaceKind;
  assertFieldsApplicable(kind, kindFields(input));
  const current = { geometry: row.geometry as Area | null, bbox: row.bbox as BBox | null, lng: row.lng, lat: row.lat };
  const shape = await resolveShape(kind, input, current, input.name ?? row.name, locale);

  const set: Record<string, unknown> = {};
  const changes: Record<string, unknown> = {};
  for (const [key, column] of SCALARS) {
    const value = input[key];
    if (value === undefined || value === row[column]) continue;
    set[column] = value;
    changes[key] = { from: row[column], to: value };
  }
  let code = row.code;
  if (input.code !== undefined && (input.code?.trim() || null) !== row.code) {
    if ((await childSummary(db, id, 0)).count > 0) throw new AppError('PLACE_CODE_LOCKED');
    const parent = row.parent_id === null ? null : ((await findPlace(db, row.parent_id)) ?? null);
    code = checkCode(kind, input.code, parent, locale);
    set.code = code;
    changes.identifier = { from: row.code, to: code };
  }
  const boundaryChanged = input.geometry !== undefined && JSON.stringify(shape.geometry) !== JSON.stringify(current.geometry);
  if (boundaryChanged) {
    set.geometry = shape.geometry ? JSON.stringify(shape.geometry) : null;
    set.bbox = shape.bbox;
    changes.boundary = { from: current.bbox, to: shape.bbox };
  }
  const pointChanged = shape.lng !== row.lng || shape.lat !== row.lat;
  if (pointChanged) {
    Object.assign(set, { lng: shape.lng, lat: shape.lat });
    changes.point = { from: row.lng === null ? null : [row.lng, row.lat], to: shape.lng === null ? null : [shape.lng, shape.lat] };
  }
  if (input.attributes !== undefined && JSON.stringify(input.attributes) !== JSON.stringify(row.attributes)) {
    set.attributes = JSON.stringify(input.attributes);
    changes.attributes = { from: row.attributes, to: input.attributes };
  }

  if (Object.keys(set).length > 0) {
    try {
      await db.transaction().execute(async (trx) => {
        if (set.code !== undefined) await assertCodeFree(trx, actor, code, id);
        await trx.updateTable('places').set({ ...set, updated_at: new Date() }).where('id', '=', id).execute();
        await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'place.update', targetType: 'place', targetId: id, targetLabel: (input.name ?? row.name), ip: ctx.ip, changes });
      });
    } catch (e) {
      throw mapWriteError(e, code, locale);
    }
    if (kind === 'grid') invalidateGridIndex(db);
  }
  const after = (await findPlace(db, id))!;
  const warnings = boundaryChanged || pointChanged ? await warningsFor(db, shape, after, locale) : [];
  return { ...(await presentPlace(db, actor, after)), warnings };
}

/** Deletes a leaf place no organisation or record refers to. */
export async function deletePlace(deps: AppDeps, ctx: RequestContext, id: string): Promise<void> {
  const { db } = deps.database;
  const locale = ctx.locale;
  const { actor, row } = await loadWritable(db, ctx, id);
  const children = await childSummary(db, id);
  if (children.count > 0) throw new AppError('PLACE_HAS_CHILDREN', { count: children.count, names: children.names.join(locale === 'en' ? ', ' : '、') });
  const orgs = await countOrgsAtPlace(db, id);
  if (orgs > 0) throw new AppError('PLACE_IN_USE', { count: orgs, what: locale === 'en' ? `${orgs} organisation(s)` : `${orgs} 个党组织` });
  try {
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('places').where('id', '=', id).execute();
      await recordAudit(trx, {
        actorId: actor.id,
        actorName: actor.username,
        action: 'place.delete',
        targetType: 'place',
        targetId: id,
        targetLabel: row.name,
        ip: ctx.ip,
        changes: { parentId: row.parent_id === null ? null : String(row.parent_id), kind: row.kind, name: row.name, identifier: row.code, boundary: row.bbox },
      });
    });
  } catch (e) {
    throw mapWriteError(e, row.code, locale);
  }
  if (row.kind === 'grid') invalidateGridIndex(db);
}
