import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { resolveSession, SESSION_COOKIE } from '../../platform/session.js';
import { loginBody, meSchema, passwordBody, tokenResponse, totpCodeBody, totpDisableBody, totpSetupResponse } from './auth.schema.js';
import * as auth from './auth.service.js';

export async function authRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['auth'];
  const early = { allowRestricted: true };

  app.post('/api/auth/login', { config: { public: true }, schema: { tags, summary: 'Log in with username, password and (if enrolled) a TOTP code; sets the session cookie', body: loginBody, response: { 200: z.object({ user: meSchema }) } } }, async (req, reply) => {
    const session = await auth.login(app.deps, { ...req.body, kind: 'cookie', ip: req.ip, userAgent: req.headers['user-agent'] });
    reply.setCookie(SESSION_COOKIE, session.token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: app.deps.config.cookieSecure,
      expires: session.expiresAt,
    });
    const actor = await resolveSession(app.deps.database, session.token, app.deps.config);
    return { user: await auth.me(app.deps, actor) };
  });

  app.post('/api/auth/token', { config: { public: true }, schema: { tags, summary: 'Issue a bearer token for API clients (same checks as login)', body: loginBody, response: { 200: tokenResponse } } }, async (req) => {
    const session = await auth.login(app.deps, { ...req.body, kind: 'bearer', ip: req.ip, userAgent: req.headers['user-agent'] });
    return { token: session.token, expiresAt: session.expiresAt.toISOString() };
  });

  app.post('/api/auth/logout', { config: early, schema: { tags, summary: 'End the current session' } }, async (req, reply) => {
    await auth.logout(app.deps, req.ctx);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  app.get('/api/auth/me', { config: early, schema: { tags, summary: 'The current user, permissions and data scope', response: { 200: meSchema } } }, async (req) => auth.me(app.deps, req.ctx.actor!));

  app.post('/api/auth/password', { config: early, schema: { tags, summary: 'Change my password', body: passwordBody } }, async (req, reply) => {
    await auth.changePassword(app.deps, req.ctx, req.body.currentPassword, req.body.newPassword);
    return reply.status(204).send();
  });

  app.post('/api/auth/totp/setup', { config: early, schema: { tags, summary: 'Start TOTP enrolment: a new secret and its QR code', response: { 200: totpSetupResponse } } }, async (req) => auth.totpSetup(app.deps, req.ctx));

  app.post('/api/auth/totp/enable', { config: early, schema: { tags, summary: 'Finish TOTP enrolment with a code from the authenticator', body: totpCodeBody } }, async (req, reply) => {
    await auth.totpEnable(app.deps, req.ctx, req.body.code);
    return reply.status(204).send();
  });

  app.post('/api/auth/totp/disable', { schema: { tags, summary: 'Remove the second factor (password required)', body: totpDisableBody } }, async (req, reply) => {
    await auth.totpDisable(app.deps, req.ctx, req.body.password);
    return reply.status(204).send();
  });
}
