import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { can, requireAccess } from '../../platform/access.js';
import { AppError } from '../../platform/errors.js';
import { idParam, treeNode, treeQuery } from '../orgs/orgs.schema.js';
import { getPlace, placeChildren, placePath } from './places.service.js';

const placeNode = treeNode.extend({ code: z.string().nullable() });
const placeSchema = z.object({
  id: z.string(),
  parentId: z.string().nullable(),
  name: z.string(),
  kind: z.string(),
  code: z.string().nullable(),
  path: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string() })),
  can: z.object({ edit: z.boolean() }),
});

export async function placeRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['places'];

  app.get('/api/places/tree', { schema: { tags, summary: 'Children of a place (or my scope roots), for tree pickers', querystring: treeQuery, response: { 200: z.array(placeNode) } } }, async (req) =>
    placeChildren(app.deps.database.db, req.ctx.actor!, req.query.parentId),
  );

  app.get('/api/places/:id', { schema: { tags, summary: 'One place (404 outside my scope)', params: idParam, response: { 200: placeSchema } } }, async (req) => {
    const { db } = app.deps.database;
    const actor = await requireAccess(db, req.ctx, 'places:read', 'place', [req.params.id]);
    const row = await getPlace(db, req.params.id);
    if (!row) throw new AppError('NOT_FOUND');
    return {
      id: String(row.id),
      parentId: row.parent_id === null ? null : String(row.parent_id),
      name: row.name,
      kind: row.kind,
      code: row.code,
      path: await placePath(db, req.params.id),
      can: { edit: can(actor, 'places:write') },
    };
  });
}
