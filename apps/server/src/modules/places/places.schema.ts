import { z } from 'zod';
import { BUILDING_USES, type BuildingUse } from '@tongxin/contracts';
import { emptyAsUndefined, optionalString, pageOf, pageQuery } from '../../platform/pagination.js';
import { PLACE_KIND_KEYS } from './places.rules.js';

const id = z.string().regex(/^\d{1,18}$/);
export const placeIdParam = z.object({ id });
export const treeQuery = z.object({ parentId: z.preprocess(emptyAsUndefined, id.optional()) });
export const placeNode = z.object({ id: z.string(), parentId: z.string().nullable(), name: z.string(), kind: z.string(), code: z.string().nullable(), hasChildren: z.boolean() });

const kind = z.enum(PLACE_KIND_KEYS as [string, ...string[]]);
const buildingUse = z.enum(Object.keys(BUILDING_USES) as [BuildingUse, ...BuildingUse[]]);
/** A GeoJSON geometry object; its content is checked by places.geometry.ts so that errors name the place. */
const geometryIn = z.object({ type: z.string(), coordinates: z.unknown() }).describe('GeoJSON Polygon or MultiPolygon, WGS-84 [lng, lat]');
const count = (max: number) => z.number().int().min(0).max(max).nullable().optional();

const placeFields = {
  name: z.string().trim().min(1).max(100),
  code: z.preprocess(emptyAsUndefined, z.string().trim().max(40).nullable().optional()).describe('district 6, street 9, community 12, grid 15 digits (a grid without one gets the next free number)'),
  sortOrder: z.number().int().min(0).max(1_000_000).optional(),
  geometry: geometryIn.nullable().optional(),
  lng: z.number().min(-180).max(180).nullable().optional(),
  lat: z.number().min(-90).max(90).nullable().optional(),
  address: z.preprocess(emptyAsUndefined, z.string().trim().max(200).nullable().optional()),
  floors: count(300),
  buildingUse: buildingUse.nullable().optional(),
  households: count(100_000),
  units: count(100_000),
  attributes: z.record(z.string(), z.unknown()).optional(),
};

export const createPlaceBody = z.object({ parentId: id, kind, ...placeFields });
export const updatePlaceBody = z.object(placeFields).partial();
export type CreatePlaceInput = z.infer<typeof createPlaceBody>;
export type UpdatePlaceInput = z.infer<typeof updatePlaceBody>;

export const placeListQuery = z.object({
  q: optionalString(100),
  kind: z.preprocess(emptyAsUndefined, kind.optional()),
  parentId: treeQuery.shape.parentId.describe('only this place and its subtree'),
  code: z.preprocess(emptyAsUndefined, z.string().trim().regex(/^[0-9A-Za-z_-]{1,40}$/).optional()).describe('code prefix'),
  ...pageQuery,
});
export type PlaceListQuery = z.infer<typeof placeListQuery>;

const canSchema = z.object({ edit: z.boolean(), delete: z.boolean(), addChild: z.boolean(), importGeojson: z.boolean() });
const geometryOut = z.object({ type: z.string(), coordinates: z.unknown() });

export const placeListItem = z.object({
  id: z.string(),
  parentId: z.string().nullable(),
  name: z.string(),
  kind: z.string(),
  code: z.string().nullable(),
  address: z.string().nullable(),
  lng: z.number().nullable(),
  lat: z.number().nullable(),
  floors: z.number().nullable(),
  buildingUse: z.string().nullable(),
  households: z.number().describe('households of the buildings in its subtree'),
  hasBoundary: z.boolean(),
  can: canSchema,
});
export const placePage = pageOf(placeListItem);

export const warningSchema = z.object({
  code: z.literal('OUTSIDE_PARENT'),
  feature: z.string(),
  featureIndex: z.number().int().nullable(),
  placeCode: z.string().nullable(),
  parentCode: z.string().nullable(),
  outsideShare: z.number().describe('share of the area outside the parent (1 for a point outside)'),
  message: z.string(),
});
export type PlaceWarning = z.infer<typeof warningSchema>;

const kindCounts = z.record(z.string(), z.number().int());
export const placeDetail = placeListItem.extend({
  sortOrder: z.number().int(),
  geometry: geometryOut.nullable(),
  bbox: z.array(z.number()).nullable(),
  units: z.number().nullable(),
  attributes: z.record(z.string(), z.unknown()),
  path: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string() })),
  childCounts: kindCounts.describe('direct children by kind'),
  subtreeCounts: kindCounts.describe('all places below by kind'),
  childKinds: z.array(z.string()).describe('kinds that may be added under this place'),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type PlaceDetail = z.infer<typeof placeDetail>;
export const placeWritten = placeDetail.extend({ warnings: z.array(warningSchema) });

export const nextGridCode = z.object({ code: z.string(), communityCode: z.string() });

export const featureCollectionOut = z.object({
  type: z.literal('FeatureCollection'),
  bbox: z.array(z.number()).optional(),
  features: z.array(z.object({ type: z.literal('Feature'), id: z.string(), geometry: geometryOut, properties: z.record(z.string(), z.unknown()) })),
});

export const importBody = z.object({
  featureCollection: z.object({
    type: z.literal('FeatureCollection'),
    features: z.array(z.object({ type: z.string().optional(), geometry: z.unknown(), properties: z.record(z.string(), z.unknown()).nullable().optional() })).min(1).max(10_000),
  }),
  mapping: z.object({
    name: z.string().min(1).describe('property holding the name'),
    code: z.string().min(1).describe('property holding the code; a grid without one is numbered west→east, north→south'),
    kind: z.string().min(1).optional().describe('a place kind for every feature, or the property holding it; default: from the code length'),
    parentCode: z.string().min(1).optional().describe('property holding the parent code; default: parentId, then the code prefix'),
  }),
  parentId: id.optional(),
  dryRun: z.boolean().default(false),
});
export type ImportInput = z.infer<typeof importBody>;

export const importResult = z.object({
  dryRun: z.boolean(),
  created: z.number().int(),
  updated: z.number().int(),
  items: z.array(z.object({ featureIndex: z.number().int(), name: z.string(), code: z.string().nullable(), kind: z.string(), action: z.enum(['create', 'update']), id: z.string().nullable(), parentCode: z.string().nullable() })),
  warnings: z.array(warningSchema),
});
export type ImportResult = z.infer<typeof importResult>;
