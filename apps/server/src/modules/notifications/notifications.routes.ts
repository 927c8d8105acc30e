import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createEventBus } from '../../platform/events.js';
import { recordAudit } from '../../platform/audit.js';
import { AppError } from '../../platform/errors.js';
import { pageQuery } from '../../platform/pagination.js';
import { mayViewCase } from '../cases/cases.service.js';
import { listNotifications, markAllRead, markRead } from './notifications.service.js';
import { createStreamHub } from './notifications.stream.js';

// In-app notifications and the live event stream (PLAT-4).

const notification = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  body: z.string(),
  caseId: z.string().nullable(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});
const listQuery = z.object({ ...pageQuery, unread: z.enum(['true', 'false', '']).optional().transform((v) => v === 'true') });
const idParam = z.object({ id: z.string().max(20) });
/** ?watch=1,2: case ids the page shows (at most 10), each of which the account must be allowed to see. */
const eventsQuery = z.object({
  watch: z
    .string()
    .max(200)
    .regex(/^(\d{1,18})(,\d{1,18}){0,9}$/)
    .optional()
    .describe('comma-separated case ids (at most 10): also hear the steps on these cases'),
});

export async function notificationRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { database } = app.deps;
  const { db } = database;

  // One event bus and one set of open streams per server instance.
  const bus = createEventBus(database, app.log);
  const hub = createStreamHub(database, bus, app.log);
  app.addHook('onReady', async () => bus.start());
  app.addHook('preClose', async () => hub.closeAll());
  app.addHook('onClose', async () => bus.stop());

  const tags = ['notifications'];
  app.get('/api/notifications', {
    schema: {
      tags,
      summary: 'My notifications, unread first, newest first; with the count of unread ones',
      querystring: listQuery,
      response: { 200: z.object({ items: z.array(notification), total: z.number().int(), unread: z.number().int(), page: z.number().int(), pageSize: z.number().int() }) },
    },
  }, async (req) => listNotifications(db, req.ctx, req.query));

  app.post('/api/notifications/:id/read', {
    schema: { tags, summary: 'Mark one of my notifications read', params: idParam, response: { 200: notification } },
  }, async (req) => markRead(db, req.ctx, req.params.id));

  app.post('/api/notifications/read-all', {
    schema: { tags, summary: 'Mark all my notifications read', response: { 200: z.object({ updated: z.number().int() }) } },
  }, async (req) => markAllRead(db, req.ctx));

  app.get('/api/events', {
    schema: {
      tags: ['events'],
      summary: 'Live updates for me (Server-Sent Events): notifications, steps on cases I reported, follow or was whistled for, and (a member’s own login) my branch feed',
      description: 'text/event-stream; a heartbeat comment every 25 s; Last-Event-ID replays the notifications after it; ?watch=<case ids> adds the steps on those cases (each must be visible to me, else 404)',
      headers: z.object({ 'last-event-id': z.string().max(64).optional() }),
      querystring: eventsQuery,
    },
  }, async (req, reply) => {
    const actor = req.ctx.actor;
    if (!actor) throw new AppError('AUTH_REQUIRED');
    const watch = [...new Set((req.query.watch ?? '').split(',').filter(Boolean))];
    for (const caseId of watch) {
      if (await mayViewCase(db, req.ctx, caseId)) continue;
      await recordAudit(db, { actorId: actor.id, actorName: actor.username, action: 'access.denied', targetType: 'case', targetId: caseId, result: 'denied', reason: 'out_of_scope: case (events watch)', ip: req.ctx.ip });
      throw new AppError('NOT_FOUND');
    }
    reply.hijack();
    await hub.open(actor.id, reply.raw, req.headers['last-event-id'], watch, actor.memberId).catch((err) => {
      app.log.error({ err }, 'event stream failed to open');
      reply.raw.end();
    });
  });
}
