import type { Locale } from '@tongxin/contracts';
import { outsideShare, pointInside, type Area } from './places.geometry.js';
import { PLACE_RULES } from './places.rules.js';
import type { PlaceWarning } from './places.schema.js';

// Warnings do not refuse a write: a grid drawn slightly outside its community is saved and flagged.

/** How an import names a feature: its index in the collection and its name. */
export const featureLabel = (index: number, name: string | null | undefined) => (name ? `#${index} ${name}` : `#${index}`);

export interface Shape {
  geometry: Area | null;
  lng: number | null;
  lat: number | null;
}

/**
 * OUTSIDE_PARENT when more than the tolerated share of a boundary (or a point) lies outside the
 * parent's boundary; null when inside or when either has no shape to compare.
 */
export async function outsideParentWarning(
  child: Shape & { code: string | null },
  parent: { geometry: Area | null; code: string | null; name: string },
  feature: { label: string; index: number | null },
  locale: Locale,
): Promise<PlaceWarning | null> {
  if (!parent.geometry) return null;
  let share: number;
  if (child.geometry) share = await outsideShare(child.geometry, parent.geometry);
  else if (child.lng !== null && child.lat !== null) share = (await pointInside(child.lng, child.lat, parent.geometry)) ? 0 : 1;
  else return null;
  if (share <= PLACE_RULES.outsideParentTolerance) return null;
  const pct = Math.round(share * 1000) / 10;
  const isPoint = !child.geometry;
  const message =
    locale === 'en'
      ? isPoint
        ? `The point of ${feature.label} lies outside its parent ${parent.name}`
        : `${pct}% of ${feature.label} lies outside its parent ${parent.name}`
      : isPoint
        ? `${feature.label} 的坐标点位于上级 ${parent.name} 的边界之外`
        : `${feature.label} 有 ${pct}% 位于上级 ${parent.name} 的边界之外`;
  return { code: 'OUTSIDE_PARENT', feature: feature.label, featureIndex: feature.index, placeCode: child.code, parentCode: parent.code, outsideShare: Math.round(share * 1e4) / 1e4, message };
}
