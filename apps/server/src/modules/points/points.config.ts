import type { AppDeps } from '../../app.js';
import type { Executor } from '../../db/database.js';
import type { RequestContext } from '../../platform/actor.js';
import { requireAccess, requireMember } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { todayInChina } from '../../platform/dates.js';
import { AppError } from '../../platform/errors.js';
import { listRuleSets, type PointsRules } from '../../platform/rules.js';
import { memberOrgs } from '../members/members.service.js';
import { orgNames } from '../orgs/orgs.service.js';
import { ownVersions, POINTS_RULES_KEY, pointsRulesOn, type RulesInForce } from './points.rules.js';

// Reading and adding versions of an organisation's points rules (configured by the organisation worker).

async function inForceView(ex: Executor, r: RulesInForce) {
  const name = r.orgId ? ((await orgNames(ex, [r.orgId])).get(r.orgId) ?? '') : null;
  return { key: r.key, orgId: r.orgId, orgName: name, version: r.version, effectiveFrom: r.effectiveFrom, title: r.title, rules: r.rules };
}

/** For an organisation in scope: the rules in force today (and whose), its own versions, the platform's. */
export async function rulesOf(deps: AppDeps, ctx: RequestContext, orgId: string) {
  const { db } = deps.database;
  await requireAccess(db, ctx, 'points:read', 'org', [orgId]);
  const today = todayInChina();
  const [inForce, own, platform] = await Promise.all([pointsRulesOn(db, orgId, today), ownVersions(db, orgId), listRuleSets(db, POINTS_RULES_KEY)]);
  return {
    orgId,
    today,
    inForce: await inForceView(db, inForce),
    own: own.map((v) => ({ id: String(v.id), effectiveFrom: v.effective_from, title: v.title, rules: v.rules as unknown as PointsRules, createdByName: v.created_by_name, createdAt: v.created_at.toISOString() })),
    platform: platform.map((v) => ({ version: v.version, effectiveFrom: v.effectiveFrom, title: v.title, rules: v.rules as unknown as PointsRules })),
  };
}

/** The rules that count for the member's own branch today. */
export async function myRules(deps: AppDeps, ctx: RequestContext) {
  const { db } = deps.database;
  const { memberId } = await requireMember(db, ctx);
  const member = (await memberOrgs(db, [memberId])).get(memberId);
  if (!member) throw new AppError('NOT_FOUND');
  return inForceView(db, await pointsRulesOn(db, member.orgId, todayInChina()));
}

/** A new version for an organisation's subtree, in force from today or a later date; earlier entries keep their amounts. */
export async function addRulesVersion(deps: AppDeps, ctx: RequestContext, input: { orgId: string; effectiveFrom: string; title: string; rules: PointsRules }) {
  const { db } = deps.database;
  const actor = await requireAccess(db, ctx, 'points:configure', 'org', [input.orgId]);
  if (input.effectiveFrom < todayInChina()) throw new AppError('POINTS_RULE_DATE_PAST', {}, { effectiveFrom: 'POINTS_RULE_DATE_PAST' });
  const orgName = (await orgNames(db, [input.orgId])).get(input.orgId) ?? input.orgId;
  const taken = await db.selectFrom('points_rule_versions').select('id').where('org_id', '=', input.orgId).where('effective_from', '=', input.effectiveFrom).executeTakeFirst();
  if (taken) throw new AppError('POINTS_RULE_VERSION_EXISTS', { org: orgName, date: input.effectiveFrom }, { effectiveFrom: 'POINTS_RULE_VERSION_EXISTS' });
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('points_rule_versions')
      .values({ org_id: input.orgId, effective_from: input.effectiveFrom, title: input.title, rules: JSON.stringify(input.rules), created_by: actor.id, created_by_name: actor.displayName || actor.username })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId: actor.id, actorName: actor.username, action: 'points.rules', targetType: 'org', targetId: input.orgId, targetLabel: orgName, ip: ctx.ip,
      changes: { versionId: String(row.id), effectiveFrom: input.effectiveFrom, title: input.title, rules: input.rules },
    });
  });
  return rulesOf(deps, ctx, input.orgId);
}
