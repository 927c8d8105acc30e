import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import type { FieldCrypto } from './platform/crypto.js';
import type { RequestContext } from './platform/actor.js';
import { recordAudit } from './platform/audit.js';
import { AppError } from './platform/errors.js';
import { installErrorHandling, sendError } from './platform/http.js';
import { localeFrom } from './platform/i18n.js';
import type { SmsProvider } from './platform/sms.js';
import { invalidateSessionCache, resolveSession, SESSION_COOKIE } from './platform/session.js';
import { registerModules } from './modules/index.js';

export interface AppDeps {
  config: Config;
  database: Database;
  crypto: FieldCrypto;
  /** Directory of the built console; served at / when it exists. */
  consoleDir?: string;
  /** Directory of the built mobile pages; served at /m/ when it exists. */
  mobileDir?: string;
  /** SMS gateway for one-time login codes; the logging provider when absent. */
  sms?: SmsProvider;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
  }
  interface FastifyRequest {
    ctx: RequestContext;
  }
  interface FastifyContextConfig {
    /** Reachable without a session (health, login, docs). */
    public?: boolean;
    /** Reachable before a required password change or TOTP enrolment (my account pages). */
    allowRestricted?: boolean;
  }
}

export type App = FastifyInstance;

// Routes under these prefixes go through the session check unless marked public.
const API_PREFIX = '/api/';

// Query strings can carry personal data (a search by ID or phone number): logs keep only the path
// and the names of the parameters.
function logRequest(req: FastifyRequest) {
  const [path, query] = req.url.split('?');
  const names = query ? [...new URLSearchParams(query).keys()].join(',') : undefined;
  return { method: req.method, url: path, ...(names ? { query: names } : {}), remoteAddress: req.ip };
}

function originHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null; // 'null' or garbage: never our own origin
  }
}

function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
}

/**
 * The content policy of the console, the mobile pages and the API docs: scripts, styles, fonts and
 * requests from this origin only (an injected script cannot run or send data elsewhere); no plugins;
 * no <base> or form posts elsewhere; never framed. Inline styles are allowed (Element Plus, Vant and
 * Swagger UI set them); images may be data: or blob: URLs (ECharts exports, previews); MapLibre runs
 * its worker from a blob: URL. The maps use a blank style, so no tile server is needed.
 */
export const PAGE_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data: blob:", "font-src 'self' data:",
  "connect-src 'self'", "worker-src 'self' blob:", "child-src 'self' blob:", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel, serializers: { req: logRequest } },
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('deps', deps);
  app.decorateRequest('ctx', null as unknown as RequestContext);
  installErrorHandling(app, { bodyLimit: config.bodyLimit, uploadLimit: config.uploadLimit });

  await app.register(cookie);
  await app.register(multipart, { limits: { fileSize: config.uploadLimit, files: 10, fields: 20 } });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Tongxin API (同心)', description: 'Party-building-led grassroots governance platform', version: config.version },
      components: {
        securitySchemes: {
          cookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ cookie: [] }, { bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list' } });

  app.addHook('onRequest', async (req) => {
    req.ctx = { actor: null, ip: req.ip, locale: localeFrom(req.headers['accept-language']) };
    if (!req.url.startsWith(API_PREFIX) || req.url.startsWith('/api/docs') || req.routeOptions.config?.public || !req.routeOptions.url) return;
    const token = bearerToken(req) ?? req.cookies[SESSION_COOKIE];
    if (!token) throw new AppError('AUTH_REQUIRED');
    if (!bearerToken(req) && !['GET', 'HEAD', 'OPTIONS'].includes(req.method)) {
      // Cookie sessions: a write must come from our own origin (SameSite=Lax is the first line).
      const origin = req.headers.origin;
      if (origin && originHost(origin) !== req.headers.host) {
        await recordAudit(deps.database.db, { action: 'access.denied', result: 'denied', reason: `cross-origin write from ${origin.slice(0, 100)}`, targetType: 'route', targetId: req.routeOptions.url ?? null, ip: req.ip });
        throw new AppError('FORBIDDEN');
      }
    }
    req.ctx.actor = await resolveSession(deps.database, token, config);
    // Restricted sessions reach only their own account pages until the condition is met.
    if (!req.routeOptions.config?.allowRestricted) {
      if (req.ctx.actor.mustChangePassword) throw new AppError('AUTH_PASSWORD_CHANGE_REQUIRED');
      if (req.ctx.actor.totpEnrolmentRequired) throw new AppError('AUTH_TOTP_ENROLMENT_REQUIRED');
    }
  });

  // Every answer, API or page: no MIME sniffing, never inside another site's frame (clickjacking),
  // no full URLs (with ids) in the Referer sent elsewhere, HTTPS only once served over it, and a
  // content policy (PAGE_CSP). A route with its own policy (photos, certificates) keeps it.
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'same-origin');
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', PAGE_CSP);
    if (config.cookieSecure) reply.header('strict-transport-security', 'max-age=15552000');
    return payload;
  });

  // After (not inside) a committed change to accounts, roles or my own account, cached sessions of
  // this process resolve afresh; other instances catch up within SESSION_CACHE_MS.
  app.addHook('onResponse', async (req) => {
    if (req.method !== 'GET' && /^\/api\/(auth|accounts|roles)\//.test(req.url)) invalidateSessionCache();
  });

  app.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  await app.register(registerModules);

  const consoleDir = deps.consoleDir;
  const hasConsole = !!consoleDir && existsSync(join(consoleDir, 'index.html'));
  if (hasConsole) {
    // wildcard: files are looked up per request, so a console rebuilt while the server runs is served
    await app.register(fastifyStatic, { root: consoleDir!, prefix: '/', wildcard: true, index: ['index.html'] });
  }
  const mobileDir = deps.mobileDir;
  const hasMobile = !!mobileDir && existsSync(join(mobileDir, 'index.html'));
  if (hasMobile) {
    // the residents' mobile pages (CASE-6) at /m/, a second single-page app
    await app.register(fastifyStatic, { root: mobileDir!, prefix: '/m/', wildcard: true, index: ['index.html'], decorateReply: !hasConsole });
    app.get('/m', { schema: { hide: true } }, (_req, reply) => reply.redirect('/m/'));
  }
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    if (hasMobile && req.method === 'GET' && path.startsWith('/m/') && !/\.\w+$/.test(path)) {
      return reply.type('text/html').sendFile('index.html', mobileDir!);
    }
    // The console is a single-page app: unknown non-API GETs get its index.html.
    if (hasConsole && req.method === 'GET' && !path.startsWith('/api') && !path.startsWith('/open311') && !/\.\w+$/.test(path)) {
      return reply.type('text/html').sendFile('index.html');
    }
    return sendError(reply, req, 'ROUTE_NOT_FOUND', { method: req.method, url: path });
  });

  return app;
}
