import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  accountExportQuery, accountIdParam, accountListQuery, accountPage, accountSchema, assignRolesBody, createAccountBody, resetPasswordBody, updateAccountBody,
} from './accounts.schema.js';
import * as svc from './accounts.service.js';

export async function accountRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['accounts'];
  const one = { 200: accountSchema };

  app.get('/api/accounts', { schema: { tags, summary: 'Search staff accounts', querystring: accountListQuery, response: { 200: accountPage } } }, (req) => svc.listAccounts(app.deps, req.ctx, req.query));

  app.get('/api/accounts/export', { schema: { tags, summary: 'Export the filtered accounts as .xlsx', querystring: accountExportQuery } }, async (req, reply) => {
    const buf = await svc.exportAccounts(app.deps, req.ctx, req.query);
    return reply
      .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="accounts.xlsx"; filename*=UTF-8''${encodeURIComponent('账号列表.xlsx')}`)
      .send(buf);
  });

  app.post('/api/accounts', { schema: { tags, summary: 'Create a staff account', body: createAccountBody, response: { 201: accountSchema } } }, async (req, reply) => {
    reply.status(201);
    return svc.createAccount(app.deps, req.ctx, req.body);
  });

  app.get('/api/accounts/:id', { schema: { tags, summary: 'One account', params: accountIdParam, response: one } }, (req) => svc.getAccount(app.deps, req.ctx, req.params.id));

  app.get('/api/accounts/:id/phone', { schema: { tags, summary: 'Reveal the full phone number (audited)', params: accountIdParam, response: { 200: z.object({ phone: z.string() }) } } }, (req) =>
    svc.revealPhone(app.deps, req.ctx, req.params.id),
  );

  app.patch('/api/accounts/:id', { schema: { tags, summary: 'Update name, phone or data scope', params: accountIdParam, body: updateAccountBody, response: one } }, (req) =>
    svc.updateAccount(app.deps, req.ctx, req.params.id, req.body),
  );

  app.post('/api/accounts/:id/disable', { schema: { tags, summary: 'Disable an account and end its sessions', params: accountIdParam, response: one } }, (req) => svc.disableAccount(app.deps, req.ctx, req.params.id));
  app.post('/api/accounts/:id/enable', { schema: { tags, summary: 'Enable an account', params: accountIdParam, response: one } }, (req) => svc.enableAccount(app.deps, req.ctx, req.params.id));
  app.post('/api/accounts/:id/unlock', { schema: { tags, summary: 'Lift a login lock (security administrator)', params: accountIdParam, response: one } }, (req) => svc.unlockAccount(app.deps, req.ctx, req.params.id));

  app.post('/api/accounts/:id/reset-password', { schema: { tags, summary: 'Set a new password and end the account’s sessions', params: accountIdParam, body: resetPasswordBody } }, async (req, reply) => {
    await svc.resetPassword(app.deps, req.ctx, req.params.id, req.body.newPassword);
    return reply.status(204).send();
  });

  app.put('/api/accounts/:id/roles', { schema: { tags, summary: 'Assign roles (security administrator)', params: accountIdParam, body: assignRolesBody, response: one } }, (req) =>
    svc.assignRoles(app.deps, req.ctx, req.params.id, req.body.roleIds),
  );
}
