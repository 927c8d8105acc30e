import type { MultiPolygon, Polygon, Position } from 'geojson';
import type { Locale } from '@tongxin/contracts';
import { AppError } from '../../platform/errors.js';

// Geometry of places: boundaries are GeoJSON Polygon or MultiPolygon in WGS-84 (RFC 7946), points
// are lng/lat. Everything is checked before anything is written; a problem names the feature.

export type Area = Polygon | MultiPolygon;
/** [minLng, minLat, maxLng, maxLat] */
export type BBox = [number, number, number, number];

type Turf = typeof import('@turf/turf');
let turfModule: Promise<Turf> | undefined;
/** @turf/turf takes ~0.2 s to load: only code paths that use geometry pay for it. */
export const loadTurf = (): Promise<Turf> => (turfModule ??= import('@turf/turf'));

/** Where in the coordinates a ring sits: polygon index (MultiPolygon only) and ring index (0 = outer). */
interface RingRef { poly: number | null; ring: number }

const REASONS = {
  missing: { zh: '缺少图形', en: 'there is no geometry' },
  type: { zh: '类型须为 {expected}，收到 {type}', en: 'the type must be {expected}, got {type}' },
  shape: { zh: '坐标结构不正确（{at}）', en: 'the coordinates are malformed ({at})' },
  position: { zh: '{at} 不是 [经度, 纬度] 数值对', en: '{at} is not a [longitude, latitude] pair of numbers' },
  range: { zh: '{at} 超出范围（经度 −180～180，纬度 −90～90）', en: '{at} is out of range (longitude −180…180, latitude −90…90)' },
  ring_too_short: { zh: '{ring}只有 {count} 个坐标，至少需要 4 个', en: '{ring} has {count} positions; at least 4 are needed' },
  ring_not_closed: { zh: '{ring}未闭合（首尾坐标不一致）', en: '{ring} is not closed (its first and last positions differ)' },
  zero_area: { zh: '{ring}面积为零', en: '{ring} encloses no area' },
  self_intersection: { zh: '边界自相交（约在 {at}）', en: 'the boundary crosses itself (near {at})' },
  hole_outside: { zh: '{ring}不在外环之内', en: '{ring} is not inside the outer ring' },
  polygon_not_allowed: { zh: '{kind}不使用边界多边形', en: 'a {kind} has no boundary polygon' },
  point_not_allowed: { zh: '{kind}不使用坐标点', en: 'a {kind} has no point location' },
} as const;
export type GeometryReason = keyof typeof REASONS;

/** A geometry problem, before it is put into words for a feature and a locale. */
export class GeometryProblem extends Error {
  constructor(
    readonly reason: GeometryReason,
    readonly params: { ring?: RingRef; at?: string; count?: number; type?: string; expected?: string; kind?: string } = {},
  ) {
    super(reason);
  }
}

function ringLabel(r: RingRef, locale: Locale): string {
  const en = locale === 'en';
  const ring = r.ring === 0 ? (en ? 'the outer ring' : '外环') : en ? `hole ${r.ring}` : `第 ${r.ring} 个内环`;
  if (r.poly === null) return ring;
  return en ? `polygon ${r.poly + 1}, ${ring}` : `第 ${r.poly + 1} 个多边形的${ring}`;
}

/** The problem in words. */
export function describeProblem(p: GeometryProblem, locale: Locale): string {
  const template = REASONS[p.reason][locale === 'en' ? 'en' : 'zh'];
  const values: Record<string, string> = {
    ring: p.params.ring ? ringLabel(p.params.ring, locale) : '',
    at: p.params.at ?? '',
    count: String(p.params.count ?? ''),
    type: p.params.type ?? '',
    expected: p.params.expected ?? '',
    kind: p.params.kind ?? '',
  };
  return template.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '');
}

/** GEOMETRY_INVALID naming the feature, with the reason in words and as a stable code. */
export function geometryError(p: GeometryProblem, feature: string, locale: Locale, extra: Record<string, unknown> = {}): AppError {
  return new AppError('GEOMETRY_INVALID', { feature, reason: describeProblem(p, locale), reasonCode: p.reason, ...extra });
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const fmt = (v: number) => String(Math.round(v * 1e6) / 1e6);

function checkPosition(p: unknown, at: string): Position {
  if (!Array.isArray(p) || p.length < 2 || p.length > 3 || !p.every(isNum)) throw new GeometryProblem('position', { at });
  const [lng, lat] = p as number[];
  if (lng! < -180 || lng! > 180 || lat! < -90 || lat! > 90) throw new GeometryProblem('range', { at });
  return [lng!, lat!];
}

/** Twice the signed planar area of a ring (lng/lat units); zero for a degenerate ring. */
function ringArea2(ring: Position[]): number {
  let s = 0;
  for (let i = 0; i < ring.length - 1; i++) s += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!;
  return s;
}

function checkRings(rings: unknown, path: string, poly: number | null): Position[][] {
  if (!Array.isArray(rings) || rings.length === 0) throw new GeometryProblem('shape', { at: path });
  return rings.map((ring, r) => {
    const at = `${path}[${r}]`;
    if (!Array.isArray(ring)) throw new GeometryProblem('shape', { at });
    const positions = ring.map((p, i) => checkPosition(p, `${at}[${i}]`));
    const ref = { poly, ring: r };
    if (positions.length < 4) throw new GeometryProblem('ring_too_short', { ring: ref, count: positions.length });
    const first = positions[0]!;
    const last = positions[positions.length - 1]!;
    if (first[0] !== last[0] || first[1] !== last[1]) throw new GeometryProblem('ring_not_closed', { ring: ref });
    return positions;
  });
}

async function checkTopology(rings: Position[][], poly: number | null): Promise<void> {
  const turf = await loadTurf();
  const polygon: Polygon = { type: 'Polygon', coordinates: rings };
  const kinks = turf.kinks(polygon);
  const kink = kinks.features[0];
  if (kink) {
    const [x, y] = kink.geometry.coordinates;
    throw new GeometryProblem('self_intersection', { at: `${fmt(x!)}, ${fmt(y!)}` });
  }
  // after the kink test: a bow-tie's two lobes cancel out to zero signed area
  for (const [r, ring] of rings.entries()) if (ringArea2(ring) === 0) throw new GeometryProblem('zero_area', { ring: { poly, ring: r } });
  const outer: Polygon = { type: 'Polygon', coordinates: [rings[0]!] };
  for (let r = 1; r < rings.length; r++) {
    const hole = rings[r]!;
    const inside = hole.every((p) => turf.booleanPointInPolygon(p, outer)) && turf.booleanPointInPolygon(turf.pointOnFeature({ type: 'Polygon', coordinates: [hole] }), outer, { ignoreBoundary: true });
    if (!inside) throw new GeometryProblem('hole_outside', { ring: { poly, ring: r } });
  }
}

export function bboxOf(geometry: Area): BBox {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  for (const poly of polys) {
    for (const [x, y] of poly[0] ?? []) {
      if (x! < minX) minX = x!;
      if (y! < minY) minY = y!;
      if (x! > maxX) maxX = x!;
      if (y! > maxY) maxY = y!;
    }
  }
  return [minX, minY, maxX, maxY];
}

/**
 * Checks a boundary: Polygon or MultiPolygon; positions are [lng, lat] in range; each ring closed
 * with at least 4 positions and some area; no self-intersection; holes inside the outer ring.
 * Returns it normalised to 2-D positions, with its bounding box. Throws GeometryProblem.
 */
export async function checkArea(geometry: unknown): Promise<{ geometry: Area; bbox: BBox }> {
  if (geometry === null || geometry === undefined) throw new GeometryProblem('missing');
  const g = geometry as { type?: unknown; coordinates?: unknown };
  if (typeof g !== 'object' || (g.type !== 'Polygon' && g.type !== 'MultiPolygon')) {
    throw new GeometryProblem('type', { expected: 'Polygon / MultiPolygon', type: String(g?.type ?? typeof geometry) });
  }
  let clean: Area;
  if (g.type === 'Polygon') {
    const rings = checkRings(g.coordinates, 'coordinates', null);
    await checkTopology(rings, null);
    clean = { type: 'Polygon', coordinates: rings };
  } else {
    if (!Array.isArray(g.coordinates) || g.coordinates.length === 0) throw new GeometryProblem('shape', { at: 'coordinates' });
    const polys = g.coordinates.map((rings, i) => checkRings(rings, `coordinates[${i}]`, i));
    for (const [i, rings] of polys.entries()) await checkTopology(rings, i);
    clean = { type: 'MultiPolygon', coordinates: polys };
  }
  return { geometry: clean, bbox: bboxOf(clean) };
}

/** Checks a point given as lng/lat. Throws GeometryProblem. */
export function checkPoint(lng: unknown, lat: unknown, at = 'point'): { lng: number; lat: number } {
  const [x, y] = checkPosition([lng, lat], at);
  return { lng: x!, lat: y! };
}

/**
 * Share (0–1) of `child` lying outside `parent`: 0 when turf's booleanWithin holds, otherwise the
 * area of the difference over the child's area, so digitising slivers along a shared edge stay small.
 */
export async function outsideShare(child: Area, parent: Area): Promise<number> {
  const turf = await loadTurf();
  try {
    if (turf.booleanWithin(child, parent)) return 0;
  } catch {
    // combinations booleanWithin does not support fall through to the area test
  }
  const childArea = turf.area(child);
  if (childArea === 0) return 0;
  const diff = turf.difference(turf.featureCollection([turf.feature(child), turf.feature(parent)]));
  return diff ? Math.min(1, turf.area(diff) / childArea) : 0;
}

/** Whether a point lies inside (or on the edge of) a boundary. */
export async function pointInside(lng: number, lat: number, area: Area): Promise<boolean> {
  const turf = await loadTurf();
  return turf.booleanPointInPolygon([lng, lat], area);
}
