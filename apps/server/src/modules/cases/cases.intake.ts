import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import type { CasePriority, CaseSource } from '@tongxin/contracts';
import type { Database } from '../../db/database.js';
import type { RequestContext } from '../../platform/actor.js';
import { can, requirePermission } from '../../platform/access.js';
import { sha256 } from '../../platform/crypto.js';
import { AppError } from '../../platform/errors.js';
import { auditInStatement } from '../../platform/audit.js';
import { notifyInStatement, publishMany } from '../../platform/events.js';
import { caseStepNotificationsInStatement, nextNotificationId } from '../notifications/notifications.service.js';
import { builtGridIndex, GRID_VERSION_KEY, gridIndexOf } from '../places/geo-index.js';
import { canSee, factsFor } from './cases.access.js';
import { isSystem, whoOf, type Caller } from './cases.caller.js';
import { allocateCase, caseById, categoryByCode, intakeLookup, runPrepared } from './cases.repo.js';
import { caseRules } from './cases.rules.js';
import { nextTimelineId, recordStep, stepsInStatement, type StepOf } from './cases.timeline.js';
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
  const draw = { timeline: nextTimelineId(), notifications: nextNotificationId(), notificationCount: audience.length };
  // Routed first by the index this process has built (if any); the first statement then reads the
  // category and the grids' version and, when the category takes the report, draws the number and
  // ids too. The day's counter row is locked only for that statement, not while the case is written
  // (every intake of the day waits for it).
  const built = builtGridIndex(db);
  const guess = built?.locate(input.lng, input.lat) ?? null;
  const first = await intakeLookup(deps.database, { code: input.categoryCode, versionKey: GRID_VERSION_KEY, anonymous, allocate: guess !== null, at: now, draw });
  const { category, gridVersion } = first;
  if (!category || !category.active) throw new AppError('CASE_CATEGORY_UNKNOWN', { code: input.categoryCode }, { categoryCode: 'CASE_CATEGORY_UNKNOWN' });
  if (anonymous && !category.anonymous_allowed) throw new AppError('CASE_ANONYMOUS_NOT_ALLOWED', { category: category.name_zh });

  // the guess stands while the grids have not changed since that index was built; else route again
  const located = built && builtGridIndex(db, gridVersion) === built ? guess : (await gridIndexOf(db, { version: gridVersion })).locate(input.lng, input.lat);
  // (a number drawn on a guess the changed grids overturn is lost: only when grids change meanwhile)
  if (!located) throw new AppError('CASE_OUTSIDE_GRIDS', { lng: input.lng, lat: input.lat }, { lng: 'CASE_OUTSIDE_GRIDS' });

  const trackingCode = anonymous || (system && input.issueTrackingCode) ? newTrackingCode() : null;
  const who = whoOf(caller);
  // no index built yet (the first case after a start), or a point it placed outside every grid
  const ids = first.ids ?? (await allocateCase(deps.database, now, draw));
  const { number } = ids;
  const id = ids.caseId;

  // Everything else in one statement — its own transaction: the case, its first timeline entry, the
  // reporter's notification, the live events and, evaluated last, the audit entry. Nothing of it
  // waits for this process between the audit chain's lock and the commit.
  const steps = [{
    who, c: { id, number },
    step: {
      action: 'report', to: 'received', level: 'grid', attachments: input.attachments, at: now, audience,
      details: { category: category.code, source: anonymous ? 'resident' : input.source, grid: located.gridName, anonymous, ...(input.sourceRef ? { sourceRef: input.sourceRef } : {}) },
    },
  }] satisfies StepOf[];
  const written = stepsInStatement(steps, [ids.timelineId]);
  const notices = caseStepNotificationsInStatement(written.notices);
  if (notices.count !== ids.notificationIds.length) throw new Error('createCase: notification ids do not match the audience');
  const notifications = notices.withIds(ids.notificationIds);
  const events = [...notifications.events, ...written.live];
  const row = {
    id,
    number,
    category_id: String(category.id),
    description: input.description,
    lng: input.lng,
    lat: input.lat,
    address: input.address ?? '',
    grid_id: located.gridId,
    community_id: located.communityId ?? null,
    street_id: located.streetId ?? null,
    district_id: located.districtId ?? null,
    source: anonymous ? 'resident' : input.source,
    source_ref: input.sourceRef ?? null,
    reporter_account_id: actor?.id ?? null,
    reporter_label: system ? who.name : null,
    tracking_code_hash: trackingCode ? sha256(trackingCode) : null,
    // residents do not rank their own reports: command (or a trusted system) sets the priority
    priority: (input.priority && (system || can(actor, 'cases:command')) ? input.priority : null) ?? category.default_priority,
    owner_place_id: located.gridId,
    owner_level: 'grid',
    level: 'grid',
    level_place_id: located.gridId,
    attachments: input.attachments ?? [],
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
  };
  const columns = sql.join(Object.keys(row).map((k) => sql.ref(k)));
  const notify = notifyInStatement(db, events);
  await runPrepared(deps.database, sql`
    WITH c AS (INSERT INTO cases (${columns}) SELECT ${columns} FROM jsonb_populate_record(NULL::cases, ${JSON.stringify(row)}::jsonb) RETURNING id),
         e AS (${written.insert} RETURNING id)
         ${notifications.insert ? sql`, n AS (${notifications.insert} RETURNING id)` : sql``}
    SELECT ${auditInStatement(written.audit)} AS seq${notify ? sql`, ${notify} AS notified` : sql``}
    -- the writes first (this filter reads them), the audit entry after
    WHERE (SELECT count(*) FROM c) + (SELECT count(*) FROM e)${notifications.insert ? sql` + (SELECT count(*) FROM n)` : sql``} > 0`);
  // where events do not travel with the statement (PGlite), they go now that it has committed
  if (!notify) await publishMany(db, events);
  return {
    id, number, state: 'received' as const, trackingCode,
    grid: { id: located.gridId, name: located.gridName, code: located.gridCode },
    communityId: located.communityId ?? null, streetId: located.streetId ?? null, districtId: located.districtId ?? null,
  };
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
