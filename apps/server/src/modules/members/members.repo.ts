import { sql, type Selectable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { MembersTable } from '../../db/types.js';
import type { Actor } from '../../platform/actor.js';
import { inScope } from '../../platform/access.js';
import { mask, type FieldCrypto } from '../../platform/crypto.js';
import { parseSort } from '../../platform/pagination.js';

export interface MemberFilter {
  q?: string;
  idNumber?: string;
  phone?: string;
  /** Subtree root; the caller has checked that it lies in the actor's scope. */
  orgId?: string;
  category?: string;
  status?: string;
  state?: string;
  notRegistered?: boolean;
  sort?: string;
}

export type MemberRow = Omit<Selectable<MembersTable>, 'id_number_enc' | 'id_number_hmac' | 'phone_enc' | 'phone_hmac'> & { registered: boolean };

const COLUMNS = [
  'm.id', 'm.name', 'm.gender', 'm.birth_date', 'm.ethnicity', 'm.id_number_masked', 'm.phone_masked', 'm.status', 'm.joined_on', 'm.full_on', 'm.category',
  'm.education', 'm.occupation', 'm.work_unit', 'm.skills', 'm.interests', 'm.org_id', 'm.residence_place_id', 'm.work_place_id', 'm.state', 'm.created_at', 'm.updated_at',
] as const;
const registered = sql<boolean>`EXISTS (SELECT 1 FROM community_registrations r WHERE r.member_id = m.id AND r.ended_on IS NULL)`;

// Chinese names sort by code point on both engines (PGlite's default collation is C, PostgreSQL's may not be).
const SORTS = { name: sql`m.name COLLATE "C"`, joinedOn: sql`m.joined_on`, birthDate: sql`m.birth_date` } as const;

export const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);

function filtered(ex: Executor, actor: Actor, crypto: FieldCrypto, f: MemberFilter) {
  let q = ex.selectFrom('members as m');
  // The subtree root goes in as a parameter: a closure lookup inside the statement defeats the index.
  q = f.orgId ? q.where(sql<boolean>`m.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ${f.orgId}::bigint)`) : q.where(inScope(actor, 'org', 'm.org_id'));
  if (f.state && f.state !== 'all') q = q.where('m.state', '=', f.state as 'active');
  // the character index narrows to names holding every character (members_name_chars), LIKE keeps
  // those where they stand together; the expression must match the index exactly
  if (f.q) q = q.where(sql<boolean>`string_to_array(m.name, NULL) @> string_to_array(${f.q}, NULL)`).where('m.name', 'like', `%${escapeLike(f.q)}%`);
  if (f.idNumber) q = q.where('m.id_number_hmac', '=', crypto.lookupHash(f.idNumber));
  if (f.phone) q = q.where('m.phone_hmac', '=', crypto.lookupHash(f.phone));
  if (f.category) q = q.where('m.category', '=', f.category);
  if (f.status) q = q.where('m.status', '=', f.status as 'full');
  if (f.notRegistered) q = q.where('m.category', '=', 'in_service').where(sql<boolean>`NOT ${registered}`);
  return q;
}

export async function findMembers(ex: Executor, actor: Actor, crypto: FieldCrypto, f: MemberFilter, page?: { page: number; pageSize: number; limit?: number }) {
  const base = filtered(ex, actor, crypto, f);
  const sort = parseSort(f.sort, Object.keys(SORTS) as (keyof typeof SORTS)[], 'name');
  let rowsQ = base.select(COLUMNS).select(registered.as('registered')).orderBy(SORTS[sort.field], sort.dir).orderBy('m.id');
  if (page) rowsQ = rowsQ.limit(page.pageSize).offset((page.page - 1) * page.pageSize);
  const [rows, total] = await Promise.all([rowsQ.execute(), base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()]);
  return { rows: rows as MemberRow[], total: total.n };
}

/** Encrypted values of the given members, for an unmasked export. */
export async function secretsOf(ex: Executor, ids: string[]) {
  const out = new Map<string, { id_number_enc: string; phone_enc: string | null }>();
  for (let i = 0; i < ids.length; i += 5000) {
    const rows = await ex.selectFrom('members').select(['id', 'id_number_enc', 'phone_enc']).where('id', 'in', ids.slice(i, i + 5000)).execute();
    for (const r of rows) out.set(String(r.id), r);
  }
  return out;
}

export async function memberById(ex: Executor, id: string): Promise<MemberRow | undefined> {
  return (await ex.selectFrom('members as m').select(COLUMNS).select(registered.as('registered')).where('m.id', '=', id).executeTakeFirst()) as MemberRow | undefined;
}

/** The member row locked for the rest of the transaction: counts are computed from what it holds. */
export async function lockMember(ex: Executor, id: string) {
  return ex.selectFrom('members').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function memberByIdNumberHash(ex: Executor, hash: string) {
  return ex.selectFrom('members').select(['id', 'name', 'org_id']).where('id_number_hmac', '=', hash).executeTakeFirst();
}

export async function insertMove(ex: Executor, m: { memberId: string; kind: string; fromOrgId: string | null; toOrgId: string | null; reason: string; actorId: string | null; at?: Date }) {
  await ex
    .insertInto('member_moves')
    .values({ member_id: m.memberId, kind: m.kind, from_org_id: m.fromOrgId, to_org_id: m.toOrgId, reason: m.reason, actor_id: m.actorId, ...(m.at ? { at: m.at } : {}) })
    .execute();
}

export interface NewMember {
  name: string;
  gender: 'male' | 'female';
  birthDate: string;
  ethnicity?: string;
  idNumber: string;
  phone?: string | null;
  status: 'probationary' | 'full';
  joinedOn: string;
  fullOn?: string | null;
  category: string;
  education?: string | null;
  occupation?: string | null;
  workUnit?: string | null;
  skills: string[];
  interests: string[];
  orgId: string;
  residencePlaceId?: string | null;
  workPlaceId?: string | null;
}

/** Column values of a new file: ID and phone encrypted, with a keyed hash for lookup and a mask for lists. */
export function memberValues(crypto: FieldCrypto, m: NewMember) {
  return {
    name: m.name,
    gender: m.gender,
    birth_date: m.birthDate,
    ...(m.ethnicity ? { ethnicity: m.ethnicity } : {}),
    id_number_enc: crypto.encrypt(m.idNumber),
    id_number_hmac: crypto.lookupHash(m.idNumber),
    id_number_masked: mask(m.idNumber)!,
    phone_enc: m.phone ? crypto.encrypt(m.phone) : null,
    phone_hmac: m.phone ? crypto.lookupHash(m.phone) : null,
    phone_masked: mask(m.phone),
    status: m.status,
    joined_on: m.joinedOn,
    full_on: m.fullOn ?? null,
    category: m.category,
    education: m.education ?? null,
    occupation: m.occupation ?? null,
    work_unit: m.workUnit ?? null,
    skills: m.skills,
    interests: m.interests,
    org_id: m.orgId,
    residence_place_id: m.residencePlaceId ?? null,
    work_place_id: m.workPlaceId ?? null,
  };
}

/** Whether a place of one of these kinds exists, anywhere in the city. */
export async function isPlaceOfKind(ex: Executor, placeId: string, kinds: string[]): Promise<boolean> {
  const p = await ex.selectFrom('places').select('kind').where('id', '=', placeId).executeTakeFirst();
  return !!p && kinds.includes(p.kind);
}
