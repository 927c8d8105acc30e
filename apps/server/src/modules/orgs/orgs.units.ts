import type { AppDeps } from '../../app.js';
import type { RequestContext } from '../../platform/actor.js';
import { requireAccess } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { AppError } from '../../platform/errors.js';
import { getOrg } from './orgs.service.js';

// The units (enterprises, office buildings, compounds) an organisation covers, e.g. a joint branch.

export async function listUnits(deps: AppDeps, orgId: string) {
  const rows = await deps.database.db
    .selectFrom('org_units as u')
    .innerJoin('places as p', 'p.id', 'u.place_id')
    .select(['p.id', 'p.name', 'p.kind'])
    .where('u.org_id', '=', orgId)
    .orderBy('p.id')
    .execute();
  return rows.map((r) => ({ id: String(r.id), name: r.name, kind: r.kind }));
}

export async function setUnits(deps: AppDeps, ctx: RequestContext, orgId: string, placeIds: string[]) {
  const { db } = deps.database;
  const actor = await requireAccess(db, ctx, 'orgs:write', 'org', [orgId]);
  const unique = [...new Set(placeIds)];
  if (unique.length) await requireAccess(db, ctx, 'orgs:write', 'place', unique);
  const places = unique.length ? await db.selectFrom('places').select(['id', 'kind']).where('id', 'in', unique).execute() : [];
  const wrong = places.filter((p) => !['compound', 'office_building', 'enterprise'].includes(p.kind));
  if (wrong.length) throw new AppError('VALIDATION_FAILED', {}, { placeIds: `not a unit: ${wrong.map((w) => w.id).join(', ')}` });
  const before = (await listUnits(deps, orgId)).map((u) => u.id);
  await db.transaction().execute(async (trx) => {
    const org = await getOrg(trx, orgId);
    if (!org || org.status !== 'active') throw new AppError('ORG_NOT_ACTIVE');
    await trx.deleteFrom('org_units').where('org_id', '=', orgId).execute();
    if (unique.length) await trx.insertInto('org_units').values(unique.map((place_id) => ({ org_id: orgId, place_id }))).execute();
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'org.units', targetType: 'org', targetId: orgId, targetLabel: org.name, ip: ctx.ip, changes: { units: { from: before, to: unique } } });
  });
  return listUnits(deps, orgId);
}
