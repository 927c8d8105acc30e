import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import type { CasePriority, CaseSource } from '@tongxin/contracts';
import type { Database } from '../../db/database.js';
import type { RequestContext } from '../../platform/actor.js';
import { can, requirePermission } from '../../platform/access.js';
import { AppError } from '../../platform/errors.js';
import { builtGridIndex, gridIndexOf } from '../places/geo-index.js';
import { canSee, factsFor } from './cases.access.js';
import { isSystem, whoOf, type Caller } from './cases.caller.js';
import { caseById, categoryByCode, type IntakeCategory } from './cases.repo.js';
import { forgetCaseIds, isTakenIdError, returnCaseIds, takeCaseIds } from './cases.numbers.js';
import { writeCase } from './cases.intake.write.js';
import { caseRules } from './cases.rules.js';
import { recordStep } from './cases.timeline.js';
import { notAllowed, OPEN_STATES } from './cases.workflow.js';

// Intake (CASE-1): a point routed to its grid (and so to its community, street and district), a
// number, the first timeline entry. Usable by the HTTP route, an Open311 route and an IoT ingester.

type Deps = { database: Database };

/** Sources a logged-in account may claim; iot and open311 come only from system callers. */
export const ACCOUNT_SOURCES: readonly CaseSource[] = ['resident', 'grid_worker', 'grid_helper', 'member', 'hotline'];

export interface CaseInput {
  categoryCode: string;
  description: string;
  lng: number;
  lat: number;
  address?: string;
  source: CaseSource;
  /** the caller's own id for it (IoT alarm id, hotline ticket, Open311 client request) */
  sourceRef?: string;
  /** honoured for command centres and system callers; others get the category's default */
  priority?: CasePriority;
  /** file ids of photos already uploaded */
  attachments?: string[];
  /** system callers: also issue a tracking code (anonymous reports always get one) */
  issueTrackingCode?: boolean;
}

export interface CreatedCase {
  id: string;
  number: string;
  state: 'received';
  trackingCode: string | null;
  grid: { id: string; name: string; code: string | null };
  communityId: string | null;
  streetId: string | null;
  districtId: string | null;
}

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const newTrackingCode = () => Array.from({ length: 10 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');

export async function createCase(deps: Deps, caller: Caller, input: CaseInput): Promise<CreatedCase> {
  const { db } = deps.database;
  const system = isSystem(caller);
  const actor = system ? null : caller.actor;
  if (actor) {
    await requirePermission(db, caller as RequestContext, 'cases:report', { type: 'case' });
    if (!ACCOUNT_SOURCES.includes(input.source)) throw new AppError('BAD_REQUEST', { reason: `source ${input.source}` }, { source: 'BAD_REQUEST' });
  }
  const anonymous = !system && !actor;
  const now = new Date();
  // a new case has no followers yet: the reporter is the whole audience of its first step
  const audience = actor ? [actor.id] : [];
  const trackingCode = anonymous || (system && input.issueTrackingCode) ? newTrackingCode() : null;

  // One statement per case (shared with cases reported meanwhile, see writeCase) where this process
  // already knows the category and has the grid index built: the statement writes only while both
  // are as this process read them (else nothing, and the case is tried again with both read
  // afresh). Refusals are decided on fresh reads only. Numbers and ids: see cases.numbers.ts.
  const built = builtGridIndex(db);
  for (let attempt = 0; ; attempt++) {
    const fresh = attempt > 0 || !built;
    const category = await intakeCategory(deps.database, input.categoryCode, anonymous, fresh);
    const index = fresh || !built ? await gridIndexOf(db) : built;
    const located = index.locate(input.lng, input.lat);
    if (!located) {
      // the built index may predate a grid that holds the point: refused only by a current one
      if (!fresh) continue;
      throw new AppError('CASE_OUTSIDE_GRIDS', { lng: input.lng, lat: input.lat }, { lng: 'CASE_OUTSIDE_GRIDS' });
    }
    const ids = await takeCaseIds(deps.database, now, audience.length);
    let written: boolean;
    try {
      written = await writeCase(deps.database, { input, category, located, gridStamp: index.stamp, ids, caller, anonymous, trackingCode, audience, at: now });
    } catch (err) {
      if (!isTakenIdError(err) || attempt >= 3) throw err;
      // numbers reserved before the counter was set back (a reset under a running server): new ones
      forgetCaseIds(deps.database);
      continue;
    }
    if (written) {
      return {
        id: ids.caseId, number: ids.number, state: 'received' as const, trackingCode,
        grid: { id: located.gridId, name: located.gridName, code: located.gridCode },
        communityId: located.communityId ?? null, streetId: located.streetId ?? null, districtId: located.districtId ?? null,
      };
    }
    returnCaseIds(deps.database, ids);
    // only should the category or the grids change again and again while one case is reported
    if (attempt >= 3) throw new AppError('CASE_REPORT_RETRY');
  }
}

/** The categories this process has read, by code: an intake checks in its own statement that they still hold. */
const knownCategories = new WeakMap<Database, Map<string, IntakeCategory>>();

/** The category of a report, refused if unknown, inactive, or closed to anonymous reports (on a fresh read only). */
async function intakeCategory(database: Database, code: string, anonymous: boolean, fresh: boolean): Promise<IntakeCategory> {
  let known = knownCategories.get(database);
  if (!known) knownCategories.set(database, (known = new Map()));
  const accepts = (c: IntakeCategory | undefined) => !!c && c.active && (c.anonymous_allowed || !anonymous);
  let category = fresh ? undefined : known.get(code);
  if (!accepts(category)) {
    category = await categoryByCode(database.db, code);
    if (category) known.set(code, category);
    else known.delete(code);
  }
  if (!category || !category.active) throw new AppError('CASE_CATEGORY_UNKNOWN', { code }, { categoryCode: 'CASE_CATEGORY_UNKNOWN' });
  if (anonymous && !category.anonymous_allowed) throw new AppError('CASE_ANONYMOUS_NOT_ALLOWED', { category: category.name_zh });
  return category;
}

const EARTH_RADIUS_M = 6_371_008.8;

/** Great-circle distance in metres. */
export function haversineMeters(lng1: number, lat1: number, lng2: number, lat2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLng = (lng2 - lng1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

export interface Duplicate {
  id: string;
  number: string;
  state: string;
  description: string;
  address: string;
  distanceMeters: number;
  createdAt: string;
  followers: number;
}

/** Open cases of the category within the radius (rule set default 250 m), nearest first. */
export async function findDuplicates(deps: Deps, ctx: RequestContext, q: { categoryCode: string; lng: number; lat: number; radiusMeters?: number }): Promise<{ radiusMeters: number; items: Duplicate[] }> {
  const { db } = deps.database;
  if (!can(ctx.actor, 'cases:read')) await requirePermission(db, ctx, 'cases:report', { type: 'case' });
  const category = await categoryByCode(db, q.categoryCode);
  if (!category || !category.active) throw new AppError('CASE_CATEGORY_UNKNOWN', { code: q.categoryCode }, { categoryCode: 'CASE_CATEGORY_UNKNOWN' });
  const radius = q.radiusMeters ?? (await caseRules(db)).rules.duplicateRadiusMeters;
  // bounding box on the partial index, exact distance after
  const dLat = radius / 111_320;
  const dLng = radius / (111_320 * Math.max(0.01, Math.cos((q.lat * Math.PI) / 180)));
  const rows = await db
    .selectFrom('cases as c')
    .select(['c.id', 'c.number', 'c.state', 'c.description', 'c.address', 'c.lng', 'c.lat', 'c.created_at'])
    .select(sql<number>`(SELECT count(*)::int FROM case_followers f WHERE f.case_id = c.id)`.as('followers'))
    .where('c.category_id', '=', category.id)
    .where('c.state', 'not in', ['rejected', 'closed', 'rated'])
    .where('c.lat', '>=', q.lat - dLat)
    .where('c.lat', '<=', q.lat + dLat)
    .where('c.lng', '>=', q.lng - dLng)
    .where('c.lng', '<=', q.lng + dLng)
    .limit(200)
    .execute();
  const items = rows
    .map((r) => ({ r, d: haversineMeters(q.lng, q.lat, r.lng, r.lat) }))
    .filter((x) => x.d <= radius)
    .sort((a, b) => a.d - b.d || Number(a.r.id) - Number(b.r.id))
    .slice(0, 20)
    .map(({ r, d }) => ({
      id: String(r.id),
      number: r.number,
      state: r.state,
      description: r.description.length > 120 ? `${r.description.slice(0, 120)}…` : r.description,
      address: r.address,
      distanceMeters: Math.round(d),
      createdAt: r.created_at.toISOString(),
      followers: r.followers,
    }));
  return { radiusMeters: radius, items };
}

/** Follow an open case instead of reporting it again: the follower sees its timeline and is told of changes. */
export async function followCase(deps: Deps, ctx: RequestContext, id: string): Promise<void> {
  const { db } = deps.database;
  const actor = await requirePermission(db, ctx, 'cases:report', { type: 'case', id });
  const row = await caseById(db, id);
  if (!row) throw new AppError('NOT_FOUND');
  const facts = await factsFor(db, actor, row);
  if (facts.isReporter || facts.isFollower) throw new AppError('CASE_ALREADY_FOLLOWING');
  await db.transaction().execute(async (trx) => {
    const locked = await trx.selectFrom('cases').select(['id', 'number', 'state', 'level']).where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
    if (!OPEN_STATES.includes(locked.state as never)) throw notAllowed(locked.state, 'follow', ctx.locale);
    const inserted = await trx.insertInto('case_followers').values({ case_id: id, account_id: actor.id }).onConflict((oc) => oc.doNothing()).returning('case_id').executeTakeFirst();
    if (!inserted) throw new AppError('CASE_ALREADY_FOLLOWING');
    await recordStep(trx, whoOf(ctx), { id, number: locked.number }, { action: 'follow', level: locked.level, details: { seen: canSee(facts) } });
  });
}
