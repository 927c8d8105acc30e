import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createEventBus } from '../../platform/events.js';
import { AppError } from '../../platform/errors.js';
import { pageQuery } from '../../platform/pagination.js';
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
      summary: 'Live updates for me (Server-Sent Events): notifications and steps on cases I reported, follow or was whistled for',
      description: 'text/event-stream; a heartbeat comment every 25 s; Last-Event-ID replays the notifications after it',
      headers: z.object({ 'last-event-id': z.string().max(64).optional() }),
    },
  }, async (req, reply) => {
    const actor = req.ctx.actor;
    if (!actor) throw new AppError('AUTH_REQUIRED');
    reply.hijack();
    await hub.open(actor.id, reply.raw, req.headers['last-event-id']).catch((err) => {
      app.log.error({ err }, 'event stream failed to open');
      reply.raw.end();
    });
  });
}
