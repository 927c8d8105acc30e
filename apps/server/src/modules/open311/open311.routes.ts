import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { formatMessage } from '@tongxin/contracts';
import { AppError } from '../../platform/errors.js';
import { localeFrom } from '../../platform/i18n.js';
import { formatOfUrl, send, sendErrors, toXml, toXmlObject, type Format, type Item } from './open311.format.js';
import { createKey, listKeys, revokeKey } from './open311.keys.js';
import { sharedLimiter, type Limiter } from '../../platform/limits.js';
import { POSTS_PER_MINUTE_PER_IP, POSTS_PER_MINUTE_PER_KEY, WINDOW_MS } from './open311.limits.js';
import { createdKeySchema, fileParam, keyBody, keyIdParam, keySchema, postBody, requestsQuery } from './open311.schema.js';
import { authenticate, getRequest, listRequests, Open311Error, postRequest, serviceDefinition, services, tokenLookup } from './open311.service.js';

// Open311 GeoReport v2 (CASE-7) under /open311/v2, public (no session; POST needs an api_key), and
// the console's management of API keys under /api/open311/keys.

const FORMATS: Format[] = ['json', 'xml'];
const SPEC = 'http://wiki.open311.org/GeoReport_v2';
const CHANGESET = '2026-11-23T00:00:00+08:00';

/** 429 in the spec's error format, with Retry-After. */
export class Open311RateLimited extends Error {
  constructor(readonly retryAfter: number, readonly description: string) {
    super(description);
  }
}

async function checkLimit(limiter: Limiter, key: string, what: string): Promise<void> {
  const wait = await limiter.hit(key);
  if (wait !== null) throw new Open311RateLimited(wait, `rate limit exceeded: at most ${limiter.max} POST requests per minute per ${what}; retry after ${wait} s`);
}

/** "123.json" → { name: "123", format: "json" }; anything else is not a resource of ours. */
function splitFile(file: string): { name: string; format: Format } {
  const m = /^(.+)\.(json|xml)$/i.exec(file);
  if (!m) throw new Open311Error(404, `${file} not found: use .json or .xml`);
  return { name: decodeURIComponent(m[1]!), format: m[2]!.toLowerCase() as Format };
}

const REQUESTS_XML = (items: Item[]) => toXml('service_requests', 'request', items);

function open311ErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const format = formatOfUrl(req.url);
  const locale = localeFrom(req.headers['accept-language']);
  if (err instanceof Open311Error) return sendErrors(reply, format, err.status, [{ code: err.status, description: err.description }]);
  if (err instanceof Open311RateLimited) {
    reply.header('retry-after', String(err.retryAfter));
    return sendErrors(reply, format, 429, [{ code: 429, description: err.description }]);
  }
  if (err instanceof AppError) {
    const status = err.status === 401 ? 403 : err.status;
    return sendErrors(reply, format, status, [{ code: status, description: formatMessage(err.code, err.params, locale) }]);
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const errors = err.validation.map((v) => ({ code: 400, description: `${v.instancePath.replace(/^\//, '') || err.validationContext}: ${v.message ?? v.keyword}` }));
    return sendErrors(reply, format, 400, errors.length ? errors : [{ code: 400, description: 'invalid parameters' }]);
  }
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
  if (status === 500) req.log.error({ err }, 'open311: unhandled error');
  return sendErrors(reply, format, status, [{ code: status, description: status === 500 ? 'internal error' : err.message }]);
}

async function geoReport(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['open311'];
  const deps = app.deps;
  const config = { public: true };
  const localeOf = (req: FastifyRequest) => localeFrom(req.headers['accept-language']);
  const perIp = sharedLimiter(deps.database.db, 'open311-ip', POSTS_PER_MINUTE_PER_IP, WINDOW_MS);
  const perKey = sharedLimiter(deps.database.db, 'open311-key', POSTS_PER_MINUTE_PER_KEY, WINDOW_MS);

  app.setErrorHandler(open311ErrorHandler);
  app.setNotFoundHandler((req, reply) => sendErrors(reply, formatOfUrl(req.url), 404, [{ code: 404, description: `${(req.url.split('?')[0] ?? '').slice(0, 200)} not found` }]));
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  for (const fmt of FORMATS) {
    app.get(`/discovery.${fmt}`, { config, schema: { tags, summary: `Discovery (${fmt})` } }, async (req, reply) => {
      const url = `${req.protocol}://${req.host}/open311/v2`;
      const doc = {
        changeset: CHANGESET,
        contact: 'Tongxin (同心) — the operator of this jurisdiction',
        key_service: `${req.protocol}://${req.host}/ (console: Open311 API keys, issued by the system administrator)`,
        endpoints: [{ specification: SPEC, url, changeset: CHANGESET, type: 'production', formats: ['text/xml', 'application/json'] }],
      };
      return send(reply, fmt, 200, () => toXmlObject('discovery', doc as unknown as Item, { endpoints: 'endpoint', formats: 'format' }), doc);
    });

    app.get(`/services.${fmt}`, { config, schema: { tags, summary: `Case categories as services (${fmt})` } }, async (req, reply) => {
      const items = await services(deps, localeOf(req));
      return send(reply, fmt, 200, () => toXml('services', 'service', items), items);
    });

    app.get(`/requests.${fmt}`, { config, schema: { tags, summary: `Requests: the last 90 days by default, at most 1,000 (${fmt})`, querystring: requestsQuery } }, async (req, reply) => {
      const items = await listRequests(deps, req.query, localeOf(req));
      return send(reply, fmt, 200, () => REQUESTS_XML(items), items);
    });

    app.post(`/requests.${fmt}`, {
      config,
      schema: { tags, summary: `Create a request (a case, source open311) with an api_key (${fmt})`, consumes: ['application/x-www-form-urlencoded', 'application/json'], body: postBody },
      // the client address and the key first: a client over a limit hears 429, one without a key 403,
      // whatever else is wrong
      preValidation: async (req) => {
        await checkLimit(perIp, req.ip, 'client address');
        const body = (req.body ?? {}) as Record<string, unknown>;
        const query = (req.query ?? {}) as Record<string, unknown>;
        const key = typeof body.api_key === 'string' && body.api_key ? body.api_key : typeof query.api_key === 'string' ? query.api_key : undefined;
        const client = await authenticate(deps, key);
        await checkLimit(perKey, client.id, 'api_key');
        if (body && typeof body === 'object' && !body.api_key && key) body.api_key = key;
      },
    }, async (req, reply) => {
      const items = await postRequest(deps, req.body, req.ip, localeOf(req));
      return send(reply, fmt, 201, () => REQUESTS_XML(items), items);
    });
  }

  app.get('/services/:file', { config, schema: { tags, summary: 'Service definition: only for services with metadata=true, so 404 here', params: fileParam } }, async (req) => {
    const { name } = splitFile(req.params.file);
    return serviceDefinition(deps, name);
  });

  app.get('/requests/:file', { config, schema: { tags, summary: 'One request by its id (.json or .xml)', params: fileParam } }, async (req, reply) => {
    const { name, format } = splitFile(req.params.file);
    const items = await getRequest(deps, name, localeOf(req));
    return send(reply, format, 200, () => REQUESTS_XML(items), items);
  });

  app.get('/tokens/:file', { config, schema: { tags, summary: 'The request id of a token (.json or .xml)', params: fileParam } }, async (req, reply) => {
    const { name, format } = splitFile(req.params.file);
    const items = await tokenLookup(deps, name);
    return send(reply, format, 200, () => REQUESTS_XML(items), items);
  });
}

async function keyRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['open311'];
  const deps = app.deps;
  app.get('/api/open311/keys', { schema: { tags, summary: 'Open311 API keys (never the keys themselves)', response: { 200: z.object({ items: z.array(keySchema) }) } } }, async (req) => ({
    items: await listKeys(deps, req.ctx),
  }));
  app.post('/api/open311/keys', { schema: { tags, summary: 'Issue an API key to an Open311 client; the key is shown once', body: keyBody, response: { 201: createdKeySchema } } }, async (req, reply) =>
    reply.status(201).send(await createKey(deps, req.ctx, req.body.name)),
  );
  app.delete('/api/open311/keys/:id', { schema: { tags, summary: 'Revoke an API key', params: keyIdParam, response: { 200: z.object({ ok: z.literal(true) }) } } }, async (req) => {
    await revokeKey(deps, req.ctx, req.params.id);
    return { ok: true as const };
  });
}

export async function open311Routes(app: FastifyInstance) {
  await app.register(keyRoutes);
  await app.register(geoReport, { prefix: '/open311/v2' });
}
