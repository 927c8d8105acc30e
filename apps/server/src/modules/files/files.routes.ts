import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { rateLimitStore } from '../../platform/limits.js';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../platform/errors.js';
import { DOCUMENT_EXTENSIONS } from './files.document.js';
import { readStoredFile, sweepAnonymousUploads, uploadAnonymousFile, uploadDocument, uploadFile, type FilesDeps } from './files.service.js';
import { localFileStore } from './files.store.js';

// Photos (PLAT-6): POST /api/files (multipart, field "file"), GET the photo and its thumbnail;
// POST /api/files/anonymous for anonymous reports (public, limited per client address);
// POST /api/files/documents for the documents of notices and meeting records (GET answers a download).

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
const uploadedDocument = z.object({ id: z.string(), mime: z.string(), size: z.number(), name: z.string(), createdAt: z.string() });
const idParam = z.object({ id: z.string().max(64) });

/** The one file of a multipart request in the field "file", read into memory (the upload limit applies). */
async function partOf(req: FastifyRequest): Promise<{ bytes: Buffer; name: string | undefined }> {
  if (!req.isMultipart()) throw new AppError('FILE_REQUIRED');
  const part = await req.file();
  if (!part || part.fieldname !== 'file') throw new AppError('FILE_REQUIRED');
  return { bytes: await part.toBuffer(), name: part.filename || undefined };
}
const fileOf = async (req: FastifyRequest) => (await partOf(req)).bytes;

/** A download's Content-Disposition: an ASCII fallback and the UTF-8 name (RFC 6266 / 5987). */
const attachment = (name: string) =>
  `attachment; filename="${name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;

const sendBytes = (reply: FastifyReply, f: { mime: string; bytes: Buffer; name?: string | null }) =>
  (f.name ? reply.header('content-disposition', attachment(f.name)) : reply)
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

  app.post('/api/files/documents', {
    schema: {
      tags, summary: `Upload a document for a notice or a meeting record (${DOCUMENT_EXTENSIONS.join(', ')}; no macros or scripts); GET /api/files/:id answers it as a download`,
      consumes: ['multipart/form-data'], description: 'multipart/form-data with one document in the field "file"; its file name is kept (cleaned)', response: { 201: uploadedDocument },
    },
  }, async (req, reply) => {
    const part = await partOf(req);
    return reply.status(201).send(await uploadDocument(deps, req.ctx, part.bytes, part.name));
  });

  app.post('/api/files/anonymous', {
    config: { public: true, rateLimit: { max: ANONYMOUS_UPLOADS_PER_MINUTE, timeWindow: '1 minute' } },
    schema: {
      tags, summary: 'Upload a photo for an anonymous report (no session): answers the file id and a one-time upload token', consumes: ['multipart/form-data'],
      description: `The same checks as POST /api/files; at most ${ANONYMOUS_UPLOADS_PER_MINUTE} uploads a minute per client address, and a cap on unclaimed uploads per address. An upload no report claims within 2 hours is removed.`,
      response: { 201: anonymousUploaded },
    },
  }, async (req, reply) => reply.status(201).send(await uploadAnonymousFile(deps, { ...req.ctx, actor: null }, await fileOf(req))));

  app.get('/api/files/:id', { schema: { tags, summary: 'The photo or document, to its uploader and to those who may see a case, notice, commitment or meeting carrying it (documents as downloads)', params: idParam } }, async (req, reply) =>
    sendBytes(reply, await readStoredFile(deps, req.ctx, req.params.id, 'original')),
  );

  app.get('/api/files/:id/thumbnail', { schema: { tags, summary: 'The photo as a thumbnail (JPEG, at most 320 px)', params: idParam } }, async (req, reply) =>
    sendBytes(reply, await readStoredFile(deps, req.ctx, req.params.id, 'thumbnail')),
  );
}
