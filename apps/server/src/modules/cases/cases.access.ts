import type { Executor } from '../../db/database.js';
import type { Actor, RequestContext } from '../../platform/actor.js';
import { idsInScope } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { AppError } from '../../platform/errors.js';
import { caseById, departmentIdsOf, type CaseRow } from './cases.repo.js';
import type { CaseFacts } from './cases.workflow.js';

// Who may see a case: staff whose place scope holds its grid (with cases:read), its reporter and
// followers, and the departments whistled for it. Everyone else gets 404, as if it did not exist.

const NO_PERMISSIONS: ReadonlySet<string> = new Set();

export async function factsFor(ex: Executor, actor: Actor | null, row: CaseRow): Promise<CaseFacts> {
  if (!actor) {
    return { permissions: NO_PERMISSIONS, coversArea: false, coversLevel: false, coversStreet: false, isReporter: false, isFollower: false, openWhistleDepartments: [], whistledDepartments: [] };
  }
  const places = [row.grid_id, row.level_place_id, row.street_id].filter((p): p is string => p !== null).map(String);
  const [covered, follower, departments] = await Promise.all([
    idsInScope(ex, actor, 'place', places),
    ex.selectFrom('case_followers').select('case_id').where('case_id', '=', row.id).where('account_id', '=', actor.id).executeTakeFirst(),
    actor.permissions.has('cases:department') ? departmentIdsOf(ex, actor.id) : Promise.resolve([] as string[]),
  ]);
  const whistles = departments.length
    ? await ex.selectFrom('case_whistles').select(['department_id', 'result_at']).where('case_id', '=', row.id).where('department_id', 'in', departments).execute()
    : [];
  return {
    permissions: actor.permissions,
    coversArea: covered.has(String(row.grid_id)),
    coversLevel: covered.has(String(row.level_place_id)),
    coversStreet: row.street_id !== null && covered.has(String(row.street_id)),
    isReporter: row.reporter_account_id !== null && String(row.reporter_account_id) === actor.id,
    isFollower: !!follower,
    openWhistleDepartments: whistles.filter((w) => w.result_at === null).map((w) => String(w.department_id)),
    whistledDepartments: [...new Set(whistles.map((w) => String(w.department_id)))],
  };
}

/** May see the case at all (the detail page, the timeline). */
export function canSee(f: CaseFacts): boolean {
  return (f.coversArea && f.permissions.has('cases:read')) || f.isReporter || f.isFollower || f.whistledDepartments.length > 0;
}

/** A refused attempt stays in the audit log (outside any transaction that is about to roll back). */
export async function auditRefusal(ex: Executor, ctx: RequestContext, caseId: string, reason: string): Promise<void> {
  await recordAudit(ex, {
    actorId: ctx.actor?.id,
    actorName: ctx.actor?.username ?? 'anonymous',
    action: 'access.denied',
    targetType: 'case',
    targetId: caseId,
    result: 'denied',
    reason,
    ip: ctx.ip,
  });
}

/** The case and the actor's standing, or NOT_FOUND (audited) when the actor may not see it. */
export async function loadVisibleCase(ex: Executor, ctx: RequestContext, id: string): Promise<{ actor: Actor; row: CaseRow; facts: CaseFacts }> {
  const actor = ctx.actor;
  if (!actor) throw new AppError('AUTH_REQUIRED');
  const row = await caseById(ex, id);
  if (!row) throw new AppError('NOT_FOUND');
  const facts = await factsFor(ex, actor, row);
  if (!canSee(facts)) {
    await auditRefusal(ex, ctx, id, 'out_of_scope: case');
    throw new AppError('NOT_FOUND');
  }
  return { actor, row, facts };
}
