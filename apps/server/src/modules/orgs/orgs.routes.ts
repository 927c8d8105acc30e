import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { OrgsTable } from '../../db/types.js';
import { requireAccess, requirePermission } from '../../platform/access.js';
import type { Actor } from '../../platform/actor.js';
import { AppError } from '../../platform/errors.js';
import { placeNames } from '../places/places.service.js';
import { countsInScope, countsOf } from './org-counts.js';
import { addCommitteeMember, endCommitteeMember, listCommittee } from './orgs.committee.js';
import { abolishOrg, foundOrg, mergeOrg, moveOrg, orgHistory, updateOrg } from './orgs.lifecycle.js';
import { orgCan } from './orgs.policy.js';
import { listUnits, setUnits } from './orgs.units.js';
import {
  abolishBody, committeeBody, endCommitteeBody, foundBody, idParam, mergeBody, moveBody, orgDetail, orgListQuery, orgPage, orgSchema, statsSchema, treeNode, treeQuery, updateBody,
} from './orgs.schema.js';
import { getOrg, listOrgs, orgChildren, orgNames, orgPath } from './orgs.service.js';

type OrgRow = { [K in keyof OrgsTable]: unknown } & { id: string; parent_id: string | null; name: string; kind: string; domain: string | null; status: string };

function termEnds(started: string | null, years: number | null): string | null {
  if (!started || !years) return null;
  const d = new Date(`${started}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d.toISOString().slice(0, 10);
}

const present = (actor: Actor, r: OrgRow, counts: { own: number; subtree: number; children: number }) => ({
  id: String(r.id),
  parentId: r.parent_id === null ? null : String(r.parent_id),
  name: r.name,
  kind: r.kind,
  domain: r.domain,
  code: (r.code as string | null) ?? null,
  status: r.status,
  placeId: r.place_id === null ? null : String(r.place_id),
  foundedOn: (r.founded_on as string | null) ?? null,
  abolishedOn: (r.abolished_on as string | null) ?? null,
  termStartedOn: (r.term_started_on as string | null) ?? null,
  termYears: (r.term_years as number | null) ?? null,
  termEndsOn: termEnds(r.term_started_on as string | null, r.term_years as number | null),
  ownMembers: counts.own,
  subtreeMembers: counts.subtree,
  children: counts.children,
  can: orgCan(actor, { status: r.status, kind: r.kind, parentId: r.parent_id }),
});

export async function orgRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['orgs'];
  const db = () => app.deps.database.db;

  // The tree picker is open to every staff account, limited to its own scope.
  app.get('/api/orgs/tree', { schema: { tags, summary: 'Children of an organisation (or my scope roots), for tree pickers', querystring: treeQuery, response: { 200: z.array(treeNode) } } }, async (req) =>
    orgChildren(db(), req.ctx.actor!, req.query.parentId),
  );

  app.get('/api/orgs', { schema: { tags, summary: 'Organisations in my scope (search, filters, subtree)', querystring: orgListQuery, response: { 200: orgPage } } }, async (req) => {
    const actor = await requirePermission(db(), req.ctx, 'orgs:read');
    if (req.query.parentId) await requireAccess(db(), req.ctx, 'orgs:read', 'org', [req.query.parentId]);
    const { items, total } = await listOrgs(db(), actor, req.query);
    return {
      items: items.map((r) => present(actor, r as unknown as OrgRow, { own: r.own_members, subtree: r.subtree_members, children: r.children })),
      total,
      page: req.query.page,
      pageSize: req.query.pageSize,
    };
  });

  app.post('/api/orgs', { schema: { tags, summary: 'Found an organisation under a parent', body: foundBody, response: { 201: z.object({ id: z.string() }) } } }, async (req, reply) => {
    const id = await foundOrg(app.deps, req.ctx, req.body);
    reply.status(201);
    return { id };
  });

  app.get('/api/orgs/:id', { schema: { tags, summary: 'One organisation with committee and path (404 outside my scope)', params: idParam, response: { 200: orgDetail } } }, async (req) => {
    const actor = await requireAccess(db(), req.ctx, 'orgs:read', 'org', [req.params.id]);
    const row = await getOrg(db(), req.params.id);
    if (!row) throw new AppError('NOT_FOUND');
    const [counts, path, committee, place, merged] = await Promise.all([
      countsOf(db(), req.params.id),
      orgPath(db(), req.params.id),
      listCommittee(app.deps, req.params.id),
      row.place_id ? placeNames(db(), [String(row.place_id)]) : Promise.resolve(new Map<string, string>()),
      row.merged_into_id ? orgNames(db(), [String(row.merged_into_id)]) : Promise.resolve(new Map<string, string>()),
    ]);
    const placeRow = row.place_id ? await db().selectFrom('places').select(['id', 'name', 'kind']).where('id', '=', row.place_id).executeTakeFirst() : undefined;
    return {
      ...present(actor, row as unknown as OrgRow, { own: counts.own_members?.total ?? 0, subtree: counts.members?.total ?? 0, children: counts.own_children?.total ?? 0 }),
      contactPhone: row.contact_phone,
      note: row.note,
      mergedInto: row.merged_into_id ? { id: String(row.merged_into_id), name: merged.get(String(row.merged_into_id)) ?? '' } : null,
      place: placeRow ? { id: String(placeRow.id), name: place.get(String(placeRow.id)) ?? placeRow.name, kind: placeRow.kind } : null,
      path,
      committee,
    };
  });

  app.get('/api/orgs/:id/stats', { schema: { tags, summary: 'Subtree statistics from the maintained count table', params: idParam, response: { 200: statsSchema } } }, async (req) => {
    const actor = await requirePermission(db(), req.ctx, 'orgs:read');
    let c = await countsInScope(db(), actor, req.params.id);
    if (!c) {
      await requireAccess(db(), req.ctx, 'orgs:read', 'org', [req.params.id]); // 404 (audited) outside the scope
      c = {};
    }
    return {
      orgId: req.params.id,
      orgs: { total: c.orgs?.total ?? 0, byKind: c.org_kind ?? {}, byDomain: c.org_domain ?? {} },
      members: { total: c.members?.total ?? 0, byStatus: c.member_status ?? {}, byCategory: c.member_category ?? {} },
      own: { members: c.own_members?.total ?? 0, byStatus: c.own_member_status ?? {}, children: c.own_children?.total ?? 0 },
    };
  });

  app.get('/api/orgs/:id/history', {
    schema: {
      tags, summary: 'History of an organisation (found, moves, merges, abolition, changes)', params: idParam,
      response: { 200: z.array(z.object({ id: z.string(), at: z.string(), action: z.string(), fromParent: z.object({ id: z.string(), name: z.string() }).nullable(), toParent: z.object({ id: z.string(), name: z.string() }).nullable(), details: z.unknown(), actor: z.string().nullable() })) },
    },
  }, async (req) => {
    await requireAccess(db(), req.ctx, 'orgs:read', 'org', [req.params.id]);
    return orgHistory(app.deps, req.params.id);
  });

  app.patch('/api/orgs/:id', { schema: { tags, summary: 'Change an organisation’s details', params: idParam, body: updateBody } }, async (req, reply) => {
    await updateOrg(app.deps, req.ctx, req.params.id, req.body);
    return reply.status(204).send();
  });

  app.post('/api/orgs/:id/move', { schema: { tags, summary: 'Move an organisation and its subtree under another parent', params: idParam, body: moveBody } }, async (req, reply) => {
    await moveOrg(app.deps, req.ctx, req.params.id, req.body.parentId, req.body.reason);
    return reply.status(204).send();
  });

  app.post('/api/orgs/:id/merge', { schema: { tags, summary: 'Merge into another organisation (members and sub-organisations move)', params: idParam, body: mergeBody, response: { 200: z.object({ members: z.number(), children: z.number() }) } } }, async (req) =>
    mergeOrg(app.deps, req.ctx, req.params.id, req.body.intoId, req.body.reason),
  );

  app.post('/api/orgs/:id/abolish', { schema: { tags, summary: 'Abolish (refused while members or sub-organisations remain)', params: idParam, body: abolishBody } }, async (req, reply) => {
    await abolishOrg(app.deps, req.ctx, req.params.id, req.body.reason, req.body.on ?? undefined);
    return reply.status(204).send();
  });

  const unitList = z.array(z.object({ id: z.string(), name: z.string(), kind: z.string() }));
  app.get('/api/orgs/:id/units', { schema: { tags, summary: 'Units (enterprises, buildings, compounds) the organisation covers', params: idParam, response: { 200: unitList } } }, async (req) => {
    await requireAccess(db(), req.ctx, 'orgs:read', 'org', [req.params.id]);
    return listUnits(app.deps, req.params.id);
  });
  app.put('/api/orgs/:id/units', { schema: { tags, summary: 'Set the units a (joint) branch covers', params: idParam, body: z.object({ placeIds: z.array(z.string().regex(/^\d{1,18}$/)).max(200) }), response: { 200: unitList } } }, async (req) =>
    setUnits(app.deps, req.ctx, req.params.id, req.body.placeIds),
  );

  app.get('/api/orgs/:id/committee', { schema: { tags, summary: 'Committee members (sitting, or all with ?all=1)', params: idParam, querystring: z.object({ all: z.preprocess((v) => v === '1' || v === 'true', z.boolean()).optional() }) } }, async (req) => {
    await requireAccess(db(), req.ctx, 'orgs:read', 'org', [req.params.id]);
    return listCommittee(app.deps, req.params.id, req.query.all);
  });

  app.post('/api/orgs/:id/committee', { schema: { tags, summary: 'Add a committee member', params: idParam, body: committeeBody, response: { 201: z.object({ id: z.string() }) } } }, async (req, reply) => {
    const id = await addCommitteeMember(app.deps, req.ctx, req.params.id, req.body);
    reply.status(201);
    return { id };
  });

  app.post('/api/orgs/committee/:id/end', { schema: { tags, summary: 'End a committee member’s term', params: idParam, body: endCommitteeBody } }, async (req, reply) => {
    await endCommitteeMember(app.deps, req.ctx, req.params.id, req.body.endedOn);
    return reply.status(204).send();
  });
}

export { orgSchema };
