import type { FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { rateLimitStore } from '../../platform/limits.js';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { claimAnonymousUploads } from '../files/files.service.js';
import { caseIdByTrackingCode, rateByTrackingCode, reopenByTrackingCode } from './cases.closing.js';
import { publicCaseView } from './cases.detail.js';
import { createCase } from './cases.intake.js';
import { anonymousReportBody, createdSchema, publicCaseSchema, rateBody, trackingParam } from './cases.schema.js';

// Anonymous residents (categories that allow it): report without an account, then follow, rate or
// reopen the case with the tracking code given at intake. Public routes, limited per client address.
// Photos: uploaded through POST /api/files/anonymous, presented here as { id, token } (never by id
// alone: `attachments` is refused for anonymous callers); the report claims them once.

const anonymousPhoto = z.object({ id: z.string().uuid(), token: z.string().min(16).max(100) });
const anonymousBody = anonymousReportBody.extend({ photos: z.array(anonymousPhoto).max(9).default([]).describe('photos from POST /api/files/anonymous, each with its upload token') });

export async function publicCaseRoutes(fastify: FastifyInstance) {
  await fastify.register(rateLimit, { global: false, store: rateLimitStore(fastify.deps.database.db) });
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['cases'];
  const deps = app.deps;
  const write = { public: true, rateLimit: { max: 10, timeWindow: '1 minute' } };
  const read = { public: true, rateLimit: { max: 60, timeWindow: '1 minute' } };

  app.post('/api/cases/anonymous', { config: write, schema: { tags, summary: 'Report anonymously (only categories that allow it): answers a tracking code', body: anonymousBody, response: { 201: createdSchema } } }, async (req, reply) => {
    const { photos, ...body } = req.body;
    const claim = await claimAnonymousUploads(deps.database.db, photos);
    try {
      const created = await createCase(deps, { ...req.ctx, actor: null }, { ...body, attachments: claim.ids, source: 'resident' });
      reply.status(201);
      return created;
    } catch (e) {
      await claim.release();
      throw e;
    }
  });

  app.get('/api/cases/track/:code', { config: read, schema: { tags, summary: 'The progress of an anonymous report, by its tracking code', params: trackingParam, response: { 200: publicCaseSchema } } }, async (req) =>
    publicCaseView(deps, await caseIdByTrackingCode(deps, req.params.code)),
  );

  app.post('/api/cases/track/:code/rate', { config: write, schema: { tags, summary: 'Rate a closed anonymous report (once)', params: trackingParam, body: rateBody, response: { 200: z.object({ ok: z.literal(true) }) } } }, async (req) => {
    await rateByTrackingCode(deps, { ...req.ctx, actor: null }, req.params.code, req.body);
    return { ok: true as const };
  });

  app.post('/api/cases/track/:code/reopen', { config: write, schema: { tags, summary: 'Reopen a closed anonymous report rated dissatisfied', params: trackingParam, body: z.object({ note: z.string().trim().min(1).max(2000) }), response: { 200: z.object({ ok: z.literal(true) }) } } }, async (req) => {
    await reopenByTrackingCode(deps, { ...req.ctx, actor: null }, req.params.code, req.body);
    return { ok: true as const };
  });
}
