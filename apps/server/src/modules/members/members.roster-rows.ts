import { formatMessage, type ErrorCode } from '@tongxin/contracts';
import type { Executor } from '../../db/database.js';
import type { Actor } from '../../platform/actor.js';
import { idsInScope } from '../../platform/access.js';
import { columnLabel, optionLookup, ROSTER_COLUMNS, type CellValue, type RosterRow } from './members.excel.js';
import type { NewMember } from './members.repo.js';
import { checkIdentity, checkStatusDates, isValidDate, orgRefusal, RESIDENCE_KINDS, WORK_PLACE_KINDS } from './members.rules.js';

// Validation of roster rows, each problem reported against the row and column the user sees in Excel.

type Locale = 'zh-CN' | 'en';
export interface RowError { row: number; column: string; code: string; message: string }
export interface ValidRow { row: number; member: NewMember; orgName: string; residenceName: string | null; hash: string }

const ROW_TEXT: Record<string, { zh: string; en: string }> = {
  REQUIRED: { zh: '{col}不能为空', en: '{col} is required' },
  ID_NUMBER_INVALID: { zh: '{col}{reason}', en: '{col}: {reason}' },
  ID_NUMBER_NOT_TEXT: { zh: '{col}须以文本格式填写（数字格式会丢失末几位）', en: '{col} must be entered as text (a number loses its last digits)' },
  ID_NUMBER_DUPLICATE_IN_FILE: { zh: '{col}与第{first}行重复', en: '{col} repeats row {first}' },
  ID_NUMBER_DUPLICATE: { zh: '{col}已在党员档案中', en: '{col} is already on file' },
  OPTION_INVALID: { zh: '{col}“{value}”不是可选值', en: '{col} "{value}" is not one of the options' },
  DATE_INVALID: { zh: '{col}不是有效日期', en: '{col} is not a valid date' },
  DATE_IN_FUTURE: { zh: '{col}不能晚于今天', en: '{col} cannot be in the future' },
  PHONE_FORMAT: { zh: '{col}应为 11 位手机号码', en: '{col} must be an 11-digit mobile number' },
  TOO_LONG: { zh: '{col}过长', en: '{col} is too long' },
  ORG_NOT_FOUND: { zh: '{col}“{value}”不存在或不在您的管理范围内', en: '{col} "{value}" does not exist or is outside your scope' },
  ORG_AMBIGUOUS: { zh: '{col}“{value}”有重名，请填写编号', en: '{col} "{value}" is ambiguous; enter its id' },
  COMMUNITY_NOT_FOUND: { zh: '{col}“{value}”不存在', en: '{col} "{value}" does not exist' },
  COMMUNITY_AMBIGUOUS: { zh: '{col}“{value}”有重名，请填写编号', en: '{col} "{value}" is ambiguous; enter its id' },
};

function rowMessage(row: number, code: string, params: Record<string, unknown>, locale: Locale): string {
  const t = ROW_TEXT[code];
  const text = t ? (locale === 'en' ? t.en : t.zh).replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? '')) : formatMessage(code as ErrorCode, params, locale);
  return locale === 'en' ? `Row ${row}: ${text}` : `第${row}行: ${text}`;
}

const COLUMN = Object.fromEntries(ROSTER_COLUMNS.map((c) => [c.key, c]));
const FIELD_COLUMN: Record<string, string> = { idNumber: 'idNumber', gender: 'gender', joinedOn: 'joinedOn', fullOn: 'fullOn', birthDate: 'idNumber' };

/** 'YYYY-MM-DD' from an Excel date, serial number, YYYYMMDD or typed text (2015-7-1, 2015/07/01, 2015年7月1日). */
export function cellDate(v: CellValue): string | 'invalid' | null {
  if (v === null) return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'invalid' : v.toISOString().slice(0, 10);
  let s = String(v).trim();
  if (typeof v === 'number' && !/^\d{8}$/.test(s)) {
    if (v <= 0 || v >= 2958466) return 'invalid';
    return new Date(Math.round((v - 25569) * 86_400_000)).toISOString().slice(0, 10);
  }
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(s) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (!m) return 'invalid';
  s = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  return isValidDate(s) ? s : 'invalid';
}

const text = (v: CellValue) => (v === null ? null : v instanceof Date ? v.toISOString().slice(0, 10) : String(v).trim() || null);
const tags = (v: CellValue) => (text(v) ?? '').split(/[、,，;；\s]+/).filter(Boolean);

interface Lookups {
  orgs: Map<string, { id: string; name: string } | { refusal: string; params?: Record<string, unknown> }>;
  communities: Map<string, { id: string; name: string } | { refusal: string }>;
  /** Work units whose text names exactly one office building or enterprise. */
  workPlaces: Map<string, string>;
  existing: Set<string>;
}

/** Resolves organisation references (id, code or name) within the actor's scope, and communities city-wide. */
async function lookups(ex: Executor, actor: Actor, rows: RosterRow[], hashes: string[], locale: Locale): Promise<Lookups> {
  const refsOf = (key: string) => [...new Set(rows.map((r) => text(r.values[key] ?? null)).filter((x): x is string => !!x))];
  const orgRefs = refsOf('org');
  const placeRefs = refsOf('residence');
  const numeric = (refs: string[]) => refs.filter((r) => /^\d{1,18}$/.test(r));
  const orgRows = orgRefs.length
    ? await ex.selectFrom('orgs').select(['id', 'name', 'code', 'kind', 'status'])
        .where((eb) => eb.or([eb('name', 'in', orgRefs), eb('code', 'in', orgRefs), ...(numeric(orgRefs).length ? [eb('id', 'in', numeric(orgRefs))] : [])]))
        .execute()
    : [];
  const visible = await idsInScope(ex, actor, 'org', orgRows.map((o) => String(o.id)));
  const orgs: Lookups['orgs'] = new Map();
  for (const ref of orgRefs) {
    const hits = orgRows.filter((o) => visible.has(String(o.id)) && (String(o.id) === ref || o.code === ref || o.name === ref));
    const active = hits.filter((o) => o.status === 'active');
    const pick = active.length ? active : hits;
    if (pick.length === 0) orgs.set(ref, { refusal: 'ORG_NOT_FOUND' });
    else if (pick.length > 1 && !pick.some((o) => String(o.id) === ref)) orgs.set(ref, { refusal: 'ORG_AMBIGUOUS' });
    else {
      const o = pick.find((x) => String(x.id) === ref) ?? pick[0]!;
      const refusal = orgRefusal(o, locale);
      orgs.set(ref, refusal ? { refusal: refusal.code, params: refusal.params } : { id: String(o.id), name: o.name });
    }
  }
  const placeRows = placeRefs.length
    ? await ex.selectFrom('places').select(['id', 'name', 'code']).where('kind', 'in', RESIDENCE_KINDS)
        .where((eb) => eb.or([eb('name', 'in', placeRefs), eb('code', 'in', placeRefs), ...(numeric(placeRefs).length ? [eb('id', 'in', numeric(placeRefs))] : [])]))
        .execute()
    : [];
  const communities: Lookups['communities'] = new Map();
  for (const ref of placeRefs) {
    const hits = placeRows.filter((p) => String(p.id) === ref || p.code === ref || p.name === ref);
    const exact = hits.find((p) => String(p.id) === ref);
    if (hits.length === 0) communities.set(ref, { refusal: 'COMMUNITY_NOT_FOUND' });
    else if (hits.length > 1 && !exact) communities.set(ref, { refusal: 'COMMUNITY_AMBIGUOUS' });
    else communities.set(ref, { id: String((exact ?? hits[0]!).id), name: (exact ?? hits[0]!).name });
  }
  const unitRefs = refsOf('workUnit');
  const units = unitRefs.length ? await ex.selectFrom('places').select(['id', 'name']).where('kind', 'in', WORK_PLACE_KINDS).where('name', 'in', unitRefs).execute() : [];
  const workPlaces = new Map<string, string>();
  for (const ref of unitRefs) {
    const hits = units.filter((u) => u.name === ref);
    if (hits.length === 1) workPlaces.set(ref, String(hits[0]!.id));
  }
  const existing = new Set<string>();
  for (let i = 0; i < hashes.length; i += 1000) {
    const found = await ex.selectFrom('members').select('id_number_hmac').where('id_number_hmac', 'in', hashes.slice(i, i + 1000)).execute();
    for (const f of found) existing.add(f.id_number_hmac);
  }
  return { orgs, communities, workPlaces, existing };
}

const OPTION_MAPS = Object.fromEntries(ROSTER_COLUMNS.filter((c) => c.options).map((c) => [c.key, optionLookup(c.options!)]));

/** Checks every row; nothing is written. */
export async function validateRows(ex: Executor, actor: Actor, lookupHash: (s: string) => string, rows: RosterRow[], today: string, locale: Locale) {
  const errors: RowError[] = [];
  const valid: ValidRow[] = [];
  const parsed = rows.map((r) => {
    const raw = r.values.idNumber ?? null;
    const id = typeof raw === 'string' ? checkIdentity({ idNumber: raw }, today, locale).id : undefined;
    return { r, id, hash: id ? lookupHash(id.value) : undefined };
  });
  const found = await lookups(ex, actor, rows, [...new Set(parsed.flatMap((p) => (p.hash ? [p.hash] : [])))], locale);
  const firstRowOf = new Map<string, number>();

  for (const { r, id, hash } of parsed) {
    const rowErrors: RowError[] = [];
    const fail = (key: string, code: string, params: Record<string, unknown> = {}) => {
      const c = COLUMN[key]!;
      rowErrors.push({ row: r.row, column: c.zh, code, message: rowMessage(r.row, code, { col: columnLabel(c, locale), ...params }, locale) });
    };
    const v = (key: string) => r.values[key] ?? null;
    for (const c of ROSTER_COLUMNS) if (c.required && v(c.key) === null) fail(c.key, 'REQUIRED');
    const option = (key: string) => {
      const t = text(v(key));
      if (t === null) return null;
      const code = OPTION_MAPS[key]!.get(t.toLowerCase());
      if (!code) fail(key, 'OPTION_INVALID', { value: t });
      return code ?? null;
    };
    const date = (key: string) => {
      const d = cellDate(v(key));
      if (d === 'invalid') fail(key, 'DATE_INVALID');
      return d === 'invalid' ? null : d;
    };
    const name = text(v('name'));
    if (name && name.length > 50) fail('name', 'TOO_LONG');
    const gender = option('gender') as 'male' | 'female' | null;
    const status = option('status') as 'full' | 'probationary' | null;
    const category = option('category');
    const education = option('education');
    const joinedOn = date('joinedOn');
    const fullOn = date('fullOn');
    if (typeof v('idNumber') === 'number') fail('idNumber', 'ID_NUMBER_NOT_TEXT');
    else if (v('idNumber') !== null) {
      const check = checkIdentity({ idNumber: String(v('idNumber')), gender }, today, locale);
      for (const p of check.problems) fail(FIELD_COLUMN[p.field] ?? 'idNumber', p.code, p.params);
    }
    if (id && joinedOn && status) {
      for (const p of checkStatusDates({ status, joinedOn, fullOn, birthDate: id.birthDate }, today)) fail(FIELD_COLUMN[p.field] ?? 'joinedOn', p.code);
    }
    const phone = text(v('phone'));
    if (phone && !/^1[3-9]\d{9}$/.test(phone)) fail('phone', 'PHONE_FORMAT');
    for (const [key, max] of [['occupation', 50], ['workUnit', 100]] as const) if ((text(v(key))?.length ?? 0) > max) fail(key, 'TOO_LONG');
    const skills = tags(v('skills'));
    const interests = tags(v('interests'));
    for (const [key, list] of [['skills', skills], ['interests', interests]] as const) if (list.length > 20 || list.some((t) => t.length > 30)) fail(key, 'TOO_LONG');
    const orgRef = text(v('org'));
    const org = orgRef ? found.orgs.get(orgRef) : undefined;
    if (org && 'refusal' in org) fail('org', org.refusal, { value: orgRef, ...org.params });
    const resRef = text(v('residence'));
    const residence = resRef ? found.communities.get(resRef) : undefined;
    if (residence && 'refusal' in residence) fail('residence', residence.refusal, { value: resRef });
    if (hash) {
      const first = firstRowOf.get(hash);
      if (first !== undefined) fail('idNumber', 'ID_NUMBER_DUPLICATE_IN_FILE', { first });
      else {
        firstRowOf.set(hash, r.row);
        if (found.existing.has(hash)) fail('idNumber', 'ID_NUMBER_DUPLICATE');
      }
    }
    if (rowErrors.length) {
      errors.push(...rowErrors);
      continue;
    }
    const o = org as { id: string; name: string };
    const res = residence as { id: string; name: string } | undefined;
    valid.push({
      row: r.row,
      hash: hash!,
      orgName: o.name,
      residenceName: res?.name ?? null,
      member: {
        name: name!, gender: id!.gender, birthDate: id!.birthDate, idNumber: id!.value, phone, status: status!, joinedOn: joinedOn!, fullOn: status === 'full' ? fullOn : null,
        category: category!, education, occupation: text(v('occupation')), workUnit: text(v('workUnit')), skills, interests, orgId: o.id, residencePlaceId: res?.id ?? null,
        workPlaceId: found.workPlaces.get(text(v('workUnit')) ?? '') ?? null,
      },
    });
  }
  return { valid, errors, badRows: new Set(errors.map((e) => e.row)).size };
}
