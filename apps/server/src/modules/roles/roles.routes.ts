import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PERMISSIONS } from '@tongxin/contracts';
import { optionalString, pageOf, pageQuery } from '../../platform/pagination.js';
import * as svc from './roles.service.js';

const roleSchema = z.object({
  id: z.string(),
  key: z.string(),
  name: z.string(),
  description: z.string(),
  builtin: z.boolean(),
  permissions: z.array(z.string()),
  accountCount: z.number().int(),
  can: z.object({ edit: z.boolean(), delete: z.boolean() }),
});
const idParam = z.object({ id: z.string().uuid() });
const permissions = z.array(z.string().max(64)).max(200);

export async function roleRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['roles'];

  app.get('/api/permissions', { schema: { tags, summary: 'The catalogue of permission keys', response: { 200: z.array(z.object({ key: z.string(), zh: z.string(), en: z.string(), group: z.string() })) } } }, async () =>
    Object.entries(PERMISSIONS).map(([key, p]) => ({ key, ...p })),
  );

  app.get('/api/roles', { schema: { tags, summary: 'Roles with their permissions', querystring: z.object({ q: optionalString(64), ...pageQuery }), response: { 200: pageOf(roleSchema) } } }, (req) =>
    svc.listRoles(app.deps, req.ctx, req.query),
  );

  app.post('/api/roles', {
    schema: {
      tags, summary: 'Create a role',
      body: z.object({ key: z.string().trim().regex(/^[a-z][a-z0-9_]{1,39}$/), name: z.string().trim().min(1).max(40), description: z.string().max(200).optional(), permissions }),
      response: { 201: z.object({ id: z.string() }) },
    },
  }, async (req, reply) => {
    reply.status(201);
    return svc.createRole(app.deps, req.ctx, req.body);
  });

  app.patch('/api/roles/:id', { schema: { tags, summary: 'Update a role', params: idParam, body: z.object({ name: z.string().trim().min(1).max(40).optional(), description: z.string().max(200).optional(), permissions: permissions.optional() }) } }, async (req, reply) => {
    await svc.updateRole(app.deps, req.ctx, req.params.id, req.body);
    return reply.status(204).send();
  });

  app.delete('/api/roles/:id', { schema: { tags, summary: 'Delete an unused, non-built-in role', params: idParam } }, async (req, reply) => {
    await svc.deleteRole(app.deps, req.ctx, req.params.id);
    return reply.status(204).send();
  });
}
