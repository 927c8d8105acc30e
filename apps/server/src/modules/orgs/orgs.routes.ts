import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { can, requireAccess, requirePermission } from '../../platform/access.js';
import type { Actor } from '../../platform/actor.js';
import { AppError } from '../../platform/errors.js';
import { idParam, orgListQuery, orgPage, orgSchema, treeNode, treeQuery } from './orgs.schema.js';
import { getOrg, listOrgs, orgChildren, orgPath } from './orgs.service.js';

type OrgRow = { id: string; parent_id: string | null; name: string; kind: string; domain: string | null; place_id: string | null; founded_on: string | null };
const present = (actor: Actor, r: OrgRow) => ({
  id: String(r.id),
  parentId: r.parent_id === null ? null : String(r.parent_id),
  name: r.name,
  kind: r.kind,
  domain: r.domain,
  placeId: r.place_id === null ? null : String(r.place_id),
  foundedOn: r.founded_on,
  can: { edit: can(actor, 'orgs:write') },
});

export async function orgRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['orgs'];

  // The tree picker is open to every staff account, limited to its own scope.
  app.get('/api/orgs/tree', { schema: { tags, summary: 'Children of an organisation (or my scope roots), for tree pickers', querystring: treeQuery, response: { 200: z.array(treeNode) } } }, async (req) =>
    orgChildren(app.deps.database.db, req.ctx.actor!, req.query.parentId),
  );

  app.get('/api/orgs', { schema: { tags, summary: 'Organisations in my scope', querystring: orgListQuery, response: { 200: orgPage } } }, async (req) => {
    const { db } = app.deps.database;
    const actor = await requirePermission(db, req.ctx, 'orgs:read');
    if (req.query.parentId) await requireAccess(db, req.ctx, 'orgs:read', 'org', [req.query.parentId]);
    const { items, total } = await listOrgs(db, actor, req.query);
    return { items: items.map((r) => present(actor, r)), total, page: req.query.page, pageSize: req.query.pageSize };
  });

  app.get('/api/orgs/:id', { schema: { tags, summary: 'One organisation (404 outside my scope)', params: idParam, response: { 200: orgSchema } } }, async (req) => {
    const { db } = app.deps.database;
    const actor = await requireAccess(db, req.ctx, 'orgs:read', 'org', [req.params.id]);
    const row = await getOrg(db, req.params.id);
    if (!row) throw new AppError('NOT_FOUND');
    return { ...present(actor, row), path: await orgPath(db, req.params.id) };
  });
}
