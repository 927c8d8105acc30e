import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { emptyAsUndefined, optionalString, pageOf, pageQuery } from '../../platform/pagination.js';
import * as svc from './audit.service.js';

const entry = z.object({
  id: z.string(),
  seq: z.string(),
  at: z.string(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  targetLabel: z.string().nullable(),
  result: z.string(),
  reason: z.string().nullable(),
  ip: z.string().nullable(),
  changes: z.unknown(),
  hash: z.string(),
});

export const auditQuery = z.object({
  actor: optionalString(64),
  action: optionalString(64),
  targetType: optionalString(40),
  targetId: optionalString(100),
  result: z.preprocess(emptyAsUndefined, z.enum(['ok', 'denied', 'failed']).optional()),
  from: z.preprocess(emptyAsUndefined, z.coerce.date().optional()),
  to: z.preprocess(emptyAsUndefined, z.coerce.date().optional()),
  ...pageQuery,
});

export async function auditRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['audit'];
  app.get('/api/audit', { schema: { tags, summary: 'Search the audit log (audit administrator)', querystring: auditQuery, response: { 200: pageOf(entry) } } }, (req) => svc.searchAudit(app.deps, req.ctx, req.query));
  app.post('/api/audit/verify', {
    schema: { tags, summary: 'Recompute the hash chain and name the first broken row', response: { 200: z.object({ ok: z.boolean(), checked: z.number(), firstBroken: z.object({ seq: z.string(), at: z.string(), reason: z.string() }).nullable() }) } },
  }, (req) => svc.verify(app.deps, req.ctx));
}
