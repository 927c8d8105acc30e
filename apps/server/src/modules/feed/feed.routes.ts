import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { markFeedRead, myBranch, myFeed, myFeedItem } from './feed.member.js';
import { idParam, myBranchSchema, myFeedItemSchema, myFeedPage, myFeedQuery, noticeBody, orgFeedPage, orgFeedQuery, readBody, readResult, staffFeedItemSchema } from './feed.schema.js';
import { orgFeed, postNotice, withdrawNotice } from './feed.staff.js';

// My branch and the branch feed (MEM-2). Live updates: GET /api/events sends `feed` events to the
// members whose feed holds a new or withdrawn item (modules/notifications).

export async function feedRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['feed'];
  const deps = () => app.deps;

  app.get('/api/me/branch', {
    schema: { tags, summary: 'My branch (a member’s own login): the branch, its secretary and committee, the organisations above it, its member count', response: { 200: myBranchSchema } },
  }, (req) => myBranch(deps(), req.ctx));

  app.get('/api/me/feed', {
    schema: { tags, summary: 'My branch feed, newest first: my branch’s items and the cascading items of the organisations above it, with unread marks', querystring: myFeedQuery, response: { 200: myFeedPage } },
  }, (req) => myFeed(deps(), req.ctx, req.query));

  app.post('/api/me/feed/read', {
    schema: { tags, summary: 'Mark my feed read up to an item (default: the newest)', body: readBody, response: { 200: readResult } },
  }, (req) => markFeedRead(deps(), req.ctx, req.body.upTo));

  app.get('/api/me/feed/:id', {
    schema: { tags, summary: 'One item of my feed, or a public item of another organisation', params: idParam, response: { 200: myFeedItemSchema } },
  }, (req) => myFeedItem(deps(), req.ctx, req.params.id));

  app.get('/api/orgs/:id/feed', {
    schema: { tags, summary: 'An organisation’s feed as its members see it (its items and those cascading from above), for staff in scope', params: idParam, querystring: orgFeedQuery, response: { 200: orgFeedPage } },
  }, (req) => orgFeed(deps(), req.ctx, req.params.id, req.query));

  app.post('/api/orgs/:id/feed', {
    schema: { tags, summary: 'Post a notice to an organisation’s feed, optionally reaching every organisation below', params: idParam, body: noticeBody, response: { 201: staffFeedItemSchema } },
  }, async (req, reply) => {
    reply.status(201);
    return postNotice(deps(), req.ctx, req.params.id, req.body);
  });

  app.delete('/api/feed/items/:id', {
    schema: { tags, summary: 'Withdraw a notice (it leaves every feed; audited)', params: idParam },
  }, async (req, reply) => {
    await withdrawNotice(deps(), req.ctx, req.params.id);
    return reply.status(204).send();
  });
}
