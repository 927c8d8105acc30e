import type { PlaceKind } from '@tongxin/contracts';

export type PlaceField = 'floors' | 'buildingUse' | 'households' | 'units';
export interface PlaceKindShape { codeLength: number | null; polygon: boolean; point: boolean; located: boolean; fields: PlaceField[] }

/**
 * What each kind of place carries, to show only the fields that apply in the form.
 * Mirrors the server's place rules (places.rules.ts); the server still decides.
 */
export const PLACE_SHAPES: Record<PlaceKind, PlaceKindShape> = {
  city: { codeLength: 6, polygon: true, point: false, located: false, fields: [] },
  district: { codeLength: 6, polygon: true, point: false, located: false, fields: [] },
  street: { codeLength: 9, polygon: true, point: false, located: false, fields: [] },
  community: { codeLength: 12, polygon: true, point: false, located: false, fields: [] },
  grid: { codeLength: 15, polygon: true, point: false, located: false, fields: [] },
  compound: { codeLength: null, polygon: true, point: true, located: true, fields: [] },
  office_building: { codeLength: null, polygon: true, point: true, located: true, fields: ['floors', 'buildingUse', 'units'] },
  enterprise: { codeLength: null, polygon: false, point: true, located: true, fields: [] },
  building: { codeLength: null, polygon: true, point: true, located: false, fields: ['floors', 'buildingUse', 'households'] },
};

export function shapeOf(kind: string): PlaceKindShape {
  return PLACE_SHAPES[kind as PlaceKind] ?? { codeLength: null, polygon: true, point: true, located: false, fields: [] };
}

/** Places that count as units for coverage (and that a joint branch may cover). */
export const UNIT_KINDS = ['compound', 'office_building', 'enterprise'] as const;
