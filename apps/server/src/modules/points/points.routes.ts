import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { addRulesVersion, myRules, rulesOf } from './points.config.js';
import { publishRanking } from './points.publish.js';
import {
  correctionBody, entryPage, entrySchema, inForceSchema, ledgerQuery, memberIdParam, myRankingQuery, orgIdQuery, periodQuery, publishRankingBody, publishRankingResult, rankingQuery, rankingSchema, rulesBody, rulesViewSchema, summarySchema,
} from './points.schema.js';
import { correctPoints, memberLedger, memberPoints, myBranchRanking, myLedger, myPoints, rankingFor } from './points.service.js';

export async function pointsRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['points'];
  const deps = () => app.deps;

  // a member's own points
  app.get('/api/me/points', { schema: { tags, summary: 'My balance, this period by source, my place in my branch', querystring: periodQuery, response: { 200: summarySchema } } }, (req) => myPoints(deps(), req.ctx, req.query.period));
  app.get('/api/me/points/entries', { schema: { tags, summary: 'My points ledger', querystring: ledgerQuery, response: { 200: entryPage } } }, (req) => myLedger(deps(), req.ctx, req.query));
  app.get('/api/me/points/ranking', { schema: { tags, summary: 'The ranking of my branch', querystring: myRankingQuery, response: { 200: rankingSchema } } }, (req) => myBranchRanking(deps(), req.ctx, req.query));
  app.get('/api/me/points/rules', { schema: { tags, summary: 'The points rules in force for my branch', response: { 200: inForceSchema } } }, (req) => myRules(deps(), req.ctx));

  // staff
  app.get('/api/points/rankings', { schema: { tags, summary: 'Members ranked by points within an organisation or its subtree', querystring: rankingQuery, response: { 200: rankingSchema } } }, (req) =>
    rankingFor(deps(), req.ctx, { ...req.query, subtree: req.query.scope === 'subtree' }),
  );
  app.get('/api/points/members/:memberId', { schema: { tags, summary: 'A member’s balance and totals', params: memberIdParam, querystring: periodQuery, response: { 200: summarySchema } } }, (req) =>
    memberPoints(deps(), req.ctx, req.params.memberId, req.query.period),
  );
  app.get('/api/points/members/:memberId/entries', { schema: { tags, summary: 'A member’s points ledger', params: memberIdParam, querystring: ledgerQuery, response: { 200: entryPage } } }, (req) =>
    memberLedger(deps(), req.ctx, req.params.memberId, req.query),
  );
  app.post('/api/points/corrections', { schema: { tags, summary: 'Correct a member’s points with a new entry and a reason', body: correctionBody, response: { 201: entrySchema } } }, async (req, reply) => {
    reply.status(201);
    return correctPoints(deps(), req.ctx, req.body);
  });
  app.get('/api/points/rules', { schema: { tags, summary: 'Points rules of an organisation: in force today, its own versions, the platform default', querystring: orgIdQuery, response: { 200: rulesViewSchema } } }, (req) =>
    rulesOf(deps(), req.ctx, req.query.orgId),
  );
  app.post('/api/points/rankings/publish', { schema: { tags, summary: 'Publish the first places of a month’s or year’s ranking to the organisation’s feed', body: publishRankingBody, response: { 201: publishRankingResult } } }, async (req, reply) => {
    reply.status(201);
    return publishRanking(deps(), req.ctx, req.body);
  });
  app.post('/api/points/rules', { schema: { tags, summary: 'Add a version of an organisation’s points rules, in force from a date', body: rulesBody, response: { 201: rulesViewSchema } } }, async (req, reply) => {
    reply.status(201);
    return addRulesVersion(deps(), req.ctx, req.body);
  });
}
