import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { myCommitments, publishCommitments } from './commitments.member.js';
import { lockCommitments, memberCommitments, recordFulfilment, reopenCommitments } from './commitments.review.js';
import { commitmentSchema, fulfilmentBody, idParam, memberCommitments as memberCommitmentsSchema, myCommitments as myCommitmentsSchema, publishBody, reopenBody, yearParam } from './commitments.schema.js';

// Public commitments (亮身份、做承诺、践诺, MEM-10): the member publishes, the branch confirms and records fulfilment.

export async function commitmentRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['commitments'];
  const deps = () => app.deps;
  const one = { 200: commitmentSchema };

  app.get('/api/me/commitments', {
    schema: { tags, summary: 'My commitments, every year, with their fulfilment; and the rule in force', response: { 200: myCommitmentsSchema } },
  }, (req) => myCommitments(deps(), req.ctx));

  app.put('/api/me/commitments/:year', {
    schema: { tags, summary: 'Publish or change my commitments for a year (until the branch confirms them); the first publication goes to the branch feed', params: yearParam, body: publishBody, response: one },
  }, (req) => publishCommitments(deps(), req.ctx, req.params.year, req.body.items));

  app.get('/api/members/:id/commitments', {
    schema: { tags, summary: 'A member’s commitments and their fulfilment, for staff in scope', params: idParam, response: { 200: memberCommitmentsSchema } },
  }, (req) => memberCommitments(deps(), req.ctx, req.params.id));

  app.post('/api/commitments/:id/lock', {
    schema: { tags, summary: 'Confirm a member’s commitments (the member can no longer change them)', params: idParam, response: one },
  }, (req) => lockCommitments(deps(), req.ctx, req.params.id));

  app.post('/api/commitments/:id/reopen', {
    schema: { tags, summary: 'Send confirmed commitments back to the member for changes (only before any fulfilment is recorded)', params: idParam, body: reopenBody, response: one },
  }, (req) => reopenCommitments(deps(), req.ctx, req.params.id, req.body.reason));

  app.post('/api/commitments/items/:id/fulfilments', {
    schema: { tags, summary: 'Record the fulfilment of one commitment with a note and evidence photos (confirms the set; fulfilled: to the branch feed, and points)', params: idParam, body: fulfilmentBody, response: { 201: commitmentSchema } },
  }, async (req, reply) => {
    reply.status(201);
    return recordFulfilment(deps(), req.ctx, req.params.id, req.body);
  });
}
