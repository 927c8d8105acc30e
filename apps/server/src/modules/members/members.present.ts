import type { AppDeps } from '../../app.js';
import type { Executor } from '../../db/database.js';
import type { Actor } from '../../platform/actor.js';
import { AppError } from '../../platform/errors.js';
import { namesOf } from '../../platform/tree.js';
import { memberCan } from './members.policy.js';
import { memberById, type MemberRow } from './members.repo.js';
import type { MemberView } from './members.schema.js';

/** Masked views with organisation and community names, two lookups for any page size. */
export async function present(ex: Executor, actor: Actor, rows: MemberRow[]): Promise<MemberView[]> {
  const orgNames = await namesOf(ex, 'org', [...new Set(rows.map((r) => String(r.org_id)))]);
  const placeNames = await namesOf(ex, 'place', [...new Set(rows.flatMap((r) => [r.residence_place_id, r.work_place_id]).filter((p): p is string => p !== null).map(String))]);
  const place = (id: string | null) => (id === null ? null : (placeNames.get(String(id)) ?? null));
  return rows.map((r) => ({
    id: String(r.id),
    name: r.name,
    gender: r.gender,
    birthDate: r.birth_date,
    ethnicity: r.ethnicity,
    idNumberMasked: r.id_number_masked,
    phoneMasked: r.phone_masked,
    status: r.status,
    joinedOn: r.joined_on,
    fullOn: r.full_on,
    category: r.category,
    education: r.education,
    occupation: r.occupation,
    workUnit: r.work_unit,
    skills: r.skills,
    interests: r.interests,
    orgId: String(r.org_id),
    orgName: orgNames.get(String(r.org_id)) ?? '',
    residencePlaceId: r.residence_place_id === null ? null : String(r.residence_place_id),
    residenceName: place(r.residence_place_id),
    workPlaceId: r.work_place_id === null ? null : String(r.work_place_id),
    workPlaceName: place(r.work_place_id),
    state: r.state,
    registered: r.registered,
    can: memberCan(actor, r),
  }));
}

export async function memberView(deps: AppDeps, actor: Actor, id: string): Promise<MemberView> {
  const row = await memberById(deps.database.db, id);
  if (!row) throw new AppError('NOT_FOUND');
  return (await present(deps.database.db, actor, [row]))[0]!;
}

