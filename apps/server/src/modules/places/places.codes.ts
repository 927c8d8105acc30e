import { sql } from 'kysely';
import type { Locale, PlaceKind } from '@tongxin/contracts';
import type { Executor } from '../../db/database.js';
import { AppError } from '../../platform/errors.js';
import { kindLabel, kindRule, PLACE_RULES } from './places.rules.js';

// Place codes: GB/T 2260 for cities and districts (6 digits), then 3 digits per level —
// street 9, community 12, grid 15 (community code + a 3-digit sequence numbered west→east,
// north→south). Located places (compounds, buildings, enterprises) carry an optional free identifier.

const FREE_CODE = /^[0-9A-Za-z_-]{1,40}$/;

/**
 * The prefix a child's code must start with. GB/T 2260 pads a prefecture with "00" (440300), so a
 * district under it shares only the significant digits (4403); below a district the full code is kept.
 */
export function codePrefixFor(parentKind: string, parentCode: string): string {
  if (parentKind === 'city') return parentCode.replace(/(00)+$/, '');
  return parentCode;
}

/**
 * The normalised code for a new or renamed place, or null when the kind has none. Throws
 * PLACE_CODE_REQUIRED / PLACE_CODE_FORMAT / PLACE_CODE_PREFIX.
 */
export function checkCode(kind: PlaceKind, code: string | null | undefined, parent: { kind: string; code: string | null } | null, locale: Locale): string | null {
  const value = code?.trim() || null;
  const length = kindRule(kind).codeLength;
  if (length === null) {
    if (value !== null && !FREE_CODE.test(value)) throw new AppError('PLACE_CODE_CHARS', { code: value });
    return value;
  }
  if (value === null) throw new AppError('PLACE_CODE_REQUIRED', { kind: kindLabel(kind, locale) });
  if (!new RegExp(`^\\d{${length}}$`).test(value)) throw new AppError('PLACE_CODE_FORMAT', { kind: kindLabel(kind, locale), length, code: value });
  if (parent?.code) {
    const prefix = codePrefixFor(parent.kind, parent.code);
    if (!value.startsWith(prefix) || value === parent.code) throw new AppError('PLACE_CODE_PREFIX', { code: value, prefix });
  }
  return value;
}

/** The kind a structured code implies: 15 grid, 12 community, 9 street, 6 district (or city when it ends in 00). */
export function kindFromCode(code: string): PlaceKind | null {
  if (!/^\d+$/.test(code)) return null;
  switch (code.length) {
    case 15: return 'grid';
    case 12: return 'community';
    case 9: return 'street';
    case 6: return code.endsWith('00') ? 'city' : 'district';
    default: return null;
  }
}

/** The parent's code a structured code implies (a grid's community, a community's street …). */
export function parentCodeFromCode(kind: PlaceKind, code: string): string | null {
  if (!/^\d+$/.test(code)) return null;
  switch (kind) {
    case 'grid': return code.length === 15 ? code.slice(0, 12) : null;
    case 'community': return code.length === 12 ? code.slice(0, 9) : null;
    case 'street': return code.length === 9 ? code.slice(0, 6) : null;
    case 'district': return code.length === 6 ? `${code.slice(0, 4)}00` : null;
    default: return null;
  }
}

const seqDigits = PLACE_RULES.gridSeqDigits;
const maxSeq = 10 ** seqDigits - 1;
export const gridCode = (communityCode: string, seq: number) => `${communityCode}${String(seq).padStart(seqDigits, '0')}`;

/** The highest grid sequence used under a community code (0 when none). Codes are unique over all places. */
export async function lastGridSeq(ex: Executor, communityCode: string): Promise<number> {
  const lo = gridCode(communityCode, 0);
  const hi = gridCode(communityCode, maxSeq);
  const { rows } = await sql<{ code: string | null }>`
    SELECT max(code) AS code FROM places WHERE code >= ${lo} AND code <= ${hi} AND length(code) = ${lo.length}`.execute(ex);
  const code = rows[0]?.code;
  return code ? Number(code.slice(communityCode.length)) : 0;
}

/** `count` fresh grid codes after the last one used in the community; PLACE_CODE_EXHAUSTED past 999. */
export async function nextGridCodes(ex: Executor, community: { code: string | null; name: string; kind: string }, count: number, locale: Locale): Promise<string[]> {
  if (community.kind !== 'community') throw new AppError('PLACE_KIND_NOT_ALLOWED', { parentKind: kindLabel(community.kind, locale), kind: kindLabel('grid', locale), parentKindCode: community.kind, kindCode: 'grid' });
  if (!community.code) throw new AppError('PLACE_CODE_REQUIRED', { kind: kindLabel('community', locale) });
  const last = await lastGridSeq(ex, community.code);
  if (last + count > maxSeq) throw new AppError('PLACE_CODE_EXHAUSTED', { name: community.name });
  return Array.from({ length: count }, (_, i) => gridCode(community.code!, last + 1 + i));
}

export interface Located {
  /** [minLng, minLat, maxLng, maxLat] */
  bbox: readonly number[];
}

/**
 * Reading order for numbering grids: rows from north to south, west to east within a row. A row
 * starts with the northernmost remaining grid and takes every grid whose centre lies within that
 * grid's latitude span, so slightly uneven tilings still number row by row.
 */
export function readingOrder<T extends Located>(items: readonly T[]): T[] {
  const centre = (b: readonly number[]) => ({ x: (b[0]! + b[2]!) / 2, y: (b[1]! + b[3]!) / 2 });
  const rest = [...items].sort((a, b) => centre(b.bbox).y - centre(a.bbox).y || centre(a.bbox).x - centre(b.bbox).x);
  const out: T[] = [];
  while (rest.length) {
    const lead = rest[0]!;
    const row = rest.filter((it) => centre(it.bbox).y >= lead.bbox[1]!);
    row.sort((a, b) => centre(a.bbox).x - centre(b.bbox).x || centre(b.bbox).y - centre(a.bbox).y);
    out.push(...row);
    for (const it of row) rest.splice(rest.indexOf(it), 1);
  }
  return out;
}
