import { PLACE_KINDS, type Locale, type PlaceKind } from '@tongxin/contracts';
import { AppError } from '../../platform/errors.js';

// The rules of the places tree in one table: which kind sits under which, how codes are built,
// which shape and which fields each kind has. Versioned like the other rule sets, so a refusal
// can name the rule that produced it.

export type PlaceField = 'floors' | 'buildingUse' | 'households' | 'units';

export interface KindRule {
  /** Kinds this kind may sit under; empty for a root. */
  parents: readonly PlaceKind[];
  /** Digits of the full code (required), or null: an optional free identifier. */
  codeLength: number | null;
  /** May carry a boundary (GeoJSON Polygon or MultiPolygon). */
  polygon: boolean;
  /** May carry a point (lng/lat). */
  point: boolean;
  /** Must carry a point or a boundary. */
  located: boolean;
  /** Kind-specific fields it may fill. */
  fields: readonly PlaceField[];
  /** Depth in the hierarchy; a parent always has a lower rank (orders an import parent-first). */
  rank: number;
}

export const PLACE_RULES = {
  key: 'place_rules',
  version: '2026.1',
  effectiveFrom: '2026-01-01',
  title: '区划与网格：层级与编码（GB/T 2260 区县 6 位 + 街道 3 位 + 社区 3 位 + 网格序号 3 位）',
  kinds: {
    city: { parents: [], codeLength: 6, polygon: true, point: false, located: false, fields: [], rank: 0 },
    district: { parents: ['city'], codeLength: 6, polygon: true, point: false, located: false, fields: [], rank: 1 },
    street: { parents: ['district'], codeLength: 9, polygon: true, point: false, located: false, fields: [], rank: 2 },
    community: { parents: ['street'], codeLength: 12, polygon: true, point: false, located: false, fields: [], rank: 3 },
    grid: { parents: ['community'], codeLength: 15, polygon: true, point: false, located: false, fields: [], rank: 4 },
    compound: { parents: ['community', 'grid'], codeLength: null, polygon: true, point: true, located: true, fields: [], rank: 5 },
    office_building: { parents: ['community', 'grid'], codeLength: null, polygon: true, point: true, located: true, fields: ['floors', 'buildingUse', 'units'], rank: 5 },
    enterprise: { parents: ['community', 'grid', 'office_building'], codeLength: null, polygon: false, point: true, located: true, fields: [], rank: 6 },
    building: { parents: ['compound'], codeLength: null, polygon: true, point: true, located: false, fields: ['floors', 'buildingUse', 'households'], rank: 6 },
  } satisfies Record<PlaceKind, KindRule>,
  /** Digits of the grid sequence inside a community (001–999). */
  gridSeqDigits: 3,
  /** Share of a child's area that may lie outside its parent before an import warns. */
  outsideParentTolerance: 0.01,
} as const;

export const PLACE_KIND_KEYS = Object.keys(PLACE_RULES.kinds) as PlaceKind[];
/** Administrative levels whose codes are required and structured. */
export const AREA_KINDS: readonly PlaceKind[] = PLACE_KIND_KEYS.filter((k) => PLACE_RULES.kinds[k].codeLength !== null);

export const isPlaceKind = (v: unknown): v is PlaceKind => typeof v === 'string' && Object.hasOwn(PLACE_RULES.kinds, v);
export const kindRule = (kind: PlaceKind): KindRule => PLACE_RULES.kinds[kind];
export const kindLabel = (kind: string, locale: Locale): string => {
  const d = (PLACE_KINDS as Record<string, { zh: string; en: string }>)[kind];
  return d ? (locale === 'en' ? d.en.toLowerCase() : d.zh) : kind;
};

/** Kinds that may sit directly under `kind`. */
export function childKinds(kind: string): PlaceKind[] {
  return PLACE_KIND_KEYS.filter((k) => (kindRule(k).parents as readonly string[]).includes(kind));
}

export function kindAllowed(parentKind: string | null, kind: PlaceKind): boolean {
  const parents = kindRule(kind).parents as readonly string[];
  return parentKind === null ? parents.length === 0 : parents.includes(parentKind);
}

/** Throws PLACE_KIND_NOT_ALLOWED, with kind names in the caller's language, unless `kind` may sit under `parentKind`. */
export function assertKindAllowed(parentKind: string | null, kind: PlaceKind, locale: Locale): void {
  if (kindAllowed(parentKind, kind)) return;
  throw new AppError('PLACE_KIND_NOT_ALLOWED', {
    parentKind: parentKind === null ? (locale === 'en' ? 'top level' : '顶层') : kindLabel(parentKind, locale),
    kind: kindLabel(kind, locale),
    parentKindCode: parentKind,
    kindCode: kind,
    rule: `${PLACE_RULES.key}@${PLACE_RULES.version}`,
  });
}

/** Fields given for a kind that does not have them, as field errors. */
export function assertFieldsApplicable(kind: PlaceKind, given: Partial<Record<PlaceField, unknown>>): void {
  const allowed = kindRule(kind).fields as readonly PlaceField[];
  const wrong = (Object.keys(given) as PlaceField[]).filter((f) => given[f] !== undefined && given[f] !== null && !allowed.includes(f));
  if (wrong.length) throw new AppError('VALIDATION_FAILED', {}, Object.fromEntries(wrong.map((f) => [f, 'PLACE_FIELD_NOT_APPLICABLE'])));
}
