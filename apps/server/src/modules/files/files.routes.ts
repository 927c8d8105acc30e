import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { rateLimitStore } from '../../platform/limits.js';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../platform/errors.js';
import { readStoredFile, sweepAnonymousUploads, uploadAnonymousFile, uploadFile, type FilesDeps } from './files.service.js';
import { localFileStore } from './files.store.js';

// Photos (PLAT-6): POST /api/files (multipart, field "file"), GET the photo and its thumbnail;
// POST /api/files/anonymous for anonymous reports (public, limited per client address).

/** Requests per minute and client address to the anonymous upload (a report carries at most 9 photos). */
export const ANONYMOUS_UPLOADS_PER_MINUTE = 20;
/** How often each instance removes expired, unclaimed anonymous uploads. */
const SWEEP_MS = 10 * 60_000;

const uploaded = z.object({
  id: z.string(),
  mime: z.string(),
  size: z.number(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  gps: z.object({ lng: z.number(), lat: z.number() }).nullable(),
  createdAt: z.string(),
});
const anonymousUploaded = uploaded.extend({
  uploadToken: z.string().describe('one-time: the anonymous report presents it with the id in photos[]'),
  expiresAt: z.string(),
});
const idParam = z.object({ id: z.string().max(64) });

/** The one file of a multipart request in the field "file", read into memory (the upload limit applies). */
async function fileOf(req: FastifyRequest): Promise<Buffer> {
  if (!req.isMultipart()) throw new AppError('FILE_REQUIRED');
  const part = await req.file();
  if (!part || part.fieldname !== 'file') throw new AppError('FILE_REQUIRED');
  return part.toBuffer();
}

const sendBytes = (reply: FastifyReply, f: { mime: string; bytes: Buffer }) =>
  reply
    .header('content-type', f.mime)
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'")
    .header('cache-control', 'private, max-age=3600')
    .send(f.bytes);

export async function fileRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['files'];
  const deps: FilesDeps = { database: app.deps.database, store: localFileStore(app.deps.config.dataDir) };
  await app.register(rateLimit, { global: false, store: rateLimitStore(app.deps.database.db) });

  // expired anonymous uploads no report claimed are removed by every instance (each row once)
  let sweeper: NodeJS.Timeout | null = null;
  app.addHook('onReady', async () => {
    if (app.deps.config.env === 'test') return; // the tests call sweepAnonymousUploads
    sweeper = setInterval(() => void sweepAnonymousUploads(deps).catch((err) => app.log.error({ err }, 'anonymous upload sweep failed')), SWEEP_MS);
    sweeper.unref();
  });
  app.addHook('onClose', async () => {
    if (sweeper) clearInterval(sweeper);
  });

  app.post('/api/files', {
    schema: { tags, summary: 'Upload a photo (JPEG, PNG, WebP; EXIF GPS read, metadata removed, thumbnail made)', consumes: ['multipart/form-data'], description: 'multipart/form-data with one image in the field "file"', response: { 201: uploaded } },
  }, async (req, reply) => reply.status(201).send(await uploadFile(deps, req.ctx, await fileOf(req))));

  app.post('/api/files/anonymous', {
    config: { public: true, rateLimit: { max: ANONYMOUS_UPLOADS_PER_MINUTE, timeWindow: '1 minute' } },
    schema: {
      tags, summary: 'Upload a photo for an anonymous report (no session): answers the file id and a one-time upload token', consumes: ['multipart/form-data'],
      description: `The same checks as POST /api/files; at most ${ANONYMOUS_UPLOADS_PER_MINUTE} uploads a minute per client address, and a cap on unclaimed uploads per address. An upload no report claims within 2 hours is removed.`,
      response: { 201: anonymousUploaded },
    },
  }, async (req, reply) => reply.status(201).send(await uploadAnonymousFile(deps, { ...req.ctx, actor: null }, await fileOf(req))));

  app.get('/api/files/:id', { schema: { tags, summary: 'The photo, to its uploader and to those who may see a case carrying it', params: idParam } }, async (req, reply) =>
    sendBytes(reply, await readStoredFile(deps, req.ctx, req.params.id, 'original')),
  );

  app.get('/api/files/:id/thumbnail', { schema: { tags, summary: 'The photo as a thumbnail (JPEG, at most 320 px)', params: idParam } }, async (req, reply) =>
    sendBytes(reply, await readStoredFile(deps, req.ctx, req.params.id, 'thumbnail')),
  );
}
