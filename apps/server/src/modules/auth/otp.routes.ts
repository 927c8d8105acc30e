import type { FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { rateLimitStore } from '../../platform/limits.js';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../platform/errors.js';
import { resolveSession, SESSION_COOKIE } from '../../platform/session.js';
import { LoggingSmsProvider } from '../../platform/sms.js';
import { meSchema } from './auth.schema.js';
import * as auth from './auth.service.js';
import { requestCode, smsProviderOf, verifyCode } from './otp.service.js';

// Phone + one-time code login for residents (CASE-6), and the developer SMS inbox (not in production).

const phone = z.string().trim().min(5).max(20);
const requestBody = z.object({ phone });
const verifyBody = z.object({ phone, code: z.string().trim().min(1).max(10) });

export async function otpRoutes(fastify: FastifyInstance) {
  await fastify.register(rateLimit, { global: false, store: rateLimitStore(fastify.deps.database.db) });
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['auth'];
  const sms = smsProviderOf(app.deps, app.log);
  // per client address; the per-phone limit is kept in the database (it holds across instances)
  const limited = (max: number) => ({ public: true, rateLimit: { max, timeWindow: '10 minutes' } });

  app.post('/api/auth/otp/request', { config: limited(20), schema: { tags, summary: 'Send a one-time login code by SMS (6 digits, valid 5 minutes)', body: requestBody, response: { 200: z.object({ expiresAt: z.string(), resendAfter: z.number() }) } } }, async (req) =>
    requestCode(app.deps, { phone: req.body.phone, ip: req.ip }),
  );

  app.post('/api/auth/otp/verify', { config: limited(30), schema: { tags, summary: 'Log in with the phone number and its one-time code (a resident account is created on first login); sets the session cookie', body: verifyBody, response: { 200: z.object({ user: meSchema }) } } }, async (req, reply) => {
    const session = await verifyCode(app.deps, { phone: req.body.phone, code: req.body.code, ip: req.ip, userAgent: req.headers['user-agent'] });
    reply.setCookie(SESSION_COOKIE, session.token, { path: '/', httpOnly: true, sameSite: 'lax', secure: app.deps.config.cookieSecure, expires: session.expiresAt });
    const actor = await resolveSession(app.deps.database, session.token, app.deps.config);
    return { user: await auth.me(app.deps, actor) };
  });

  app.get('/api/dev/sms', { config: { public: true }, schema: { tags: ['dev'], summary: 'Developer inbox: the last 50 SMS of the built-in provider (not in production)', response: { 200: z.array(z.object({ phone: z.string(), text: z.string(), at: z.string() })) } } }, async (req) => {
    if (app.deps.config.production || !(sms instanceof LoggingSmsProvider)) throw new AppError('ROUTE_NOT_FOUND', { method: req.method, url: '/api/dev/sms' });
    return sms.inbox();
  });
}
