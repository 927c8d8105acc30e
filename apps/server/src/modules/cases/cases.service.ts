import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { RequestContext } from '../../platform/actor.js';
import { canSee, factsFor } from './cases.access.js';
import { caseById } from './cases.repo.js';

// The cases module as other modules see it (Open311, the mobile pages, IoT ingesters, places).
// They call these functions, never the case tables.

export { systemCtx, type Caller, type SystemCaller } from './cases.caller.js';
export { createCase, findDuplicates, followCase, type CaseInput, type CreatedCase } from './cases.intake.js';
export { searchCases, listCases, departmentInbox, type CaseFilter, type CaseSummary } from './cases.query.js';
export { getCaseDetail, publicCaseView } from './cases.detail.js';
export { listCategories, type Category } from './cases.config.js';
export { caseIdByTrackingCode, rateByTrackingCode, reopenByTrackingCode, rateCase, reopenCase } from './cases.closing.js';
export { proposeDepartments } from './cases.routing.js';
export { caseRates } from './cases.rates.js';
export { sweepOnce, startCaseSweeper } from './cases.sweeper.js';
export { timelineOf } from './cases.timeline.js';

/** Cases, departments and routing entries that refer to a place (the places module refuses to delete it then). */
export async function countCaseRefsAtPlace(ex: Executor, placeId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT (SELECT count(*) FROM cases WHERE ${placeId}::bigint IN (grid_id, community_id, street_id, district_id, owner_place_id, level_place_id))::int
         + (SELECT count(*) FROM departments WHERE place_id = ${placeId}::bigint)::int AS n`.execute(ex);
  return Number(rows[0]?.n ?? 0);
}

/** Cases whose report, timeline or department results carry the file (the files module serves it to their viewers). */
export async function casesReferencingFile(ex: Executor, fileId: string, limit = 50): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM cases WHERE attachments @> ARRAY[${fileId}]::text[]
    UNION SELECT case_id FROM case_events WHERE attachments @> ARRAY[${fileId}]::text[]
    UNION SELECT case_id FROM case_whistles WHERE result_attachments @> ARRAY[${fileId}]::text[]
    LIMIT ${limit}`.execute(ex);
  return rows.map((r) => String(r.id));
}

/** May the caller see the case (its detail page)? The same rule as loadVisibleCase, without throwing. */
export async function mayViewCase(ex: Executor, ctx: RequestContext, caseId: string): Promise<boolean> {
  if (!ctx.actor) return false;
  const row = await caseById(ex, caseId);
  return !!row && canSee(await factsFor(ex, ctx.actor, row));
}
