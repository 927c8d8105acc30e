import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { checkAttachments } from '../files/files.service.js';
import { z } from 'zod';
import { cardCase, closeCase, rateCase, reopenCase, reworkCase, startVerification } from './cases.closing.js';
import { configRoutes } from './cases.config.routes.js';
import { getCaseDetail } from './cases.detail.js';
import { acceptCase, dispatchCase, escalateCase, fileCase, markHandled, rejectCase } from './cases.handling.js';
import { createCase, findDuplicates, followCase } from './cases.intake.js';
import { releaseCaseIds } from './cases.numbers.js';
import { departmentInbox, listCases } from './cases.query.js';
import { publicCaseRoutes } from './cases.public.routes.js';
import { caseRates } from './cases.rates.js';
import {
  cardBody, caseDetail, casePage, createdSchema, departmentBody, dispatchBody, duplicatesQuery, duplicatesSchema, fileBody, idParam, inboxItem, inboxQuery, listQuery,
  noteBody, rateBody, ratesQuery, ratesSchema, rejectBody, reportBody, requiredNoteBody, verifyBody, whistleBody, whistleCreated, whistleParams,
} from './cases.schema.js';
import { startCaseSweeper, type SweeperHandle } from './cases.sweeper.js';
import { departmentReport, departmentResult, rateDepartment, whistleDepartments } from './cases.whistles.js';

// Cases: intake, the workflow, whistles, rates. Routes are thin: schema, service, status.

export async function caseRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  // Attachments are ids of files the caller uploaded: a case must not become a way to see someone
  // else's photo (a file is served to whoever may see a case that references it).
  app.addHook('preHandler', async (req) => {
    const attachments = (req.body as { attachments?: unknown } | undefined)?.attachments;
    if (Array.isArray(attachments) && attachments.length) await checkAttachments(app.deps.database.db, req.ctx, attachments as string[]);
  });
  const tags = ['cases'];
  const deps = app.deps;
  const ok = z.object({ ok: z.literal(true) });
  const done = { ok: true as const };

  // the deadline sweeper runs with the server (CASE_SWEEP_SECONDS; off in tests, which call sweepOnce)
  let sweeper: SweeperHandle | null = null;
  app.addHook('onReady', async () => {
    if (deps.config.caseSweepMs > 0) sweeper = startCaseSweeper(deps, deps.config.caseSweepMs, app.log);
  });
  app.addHook('onClose', async () => {
    await sweeper?.stop();
    // numbers this process reserved and did not use go back to the day's counter (where they are its last)
    await releaseCaseIds(deps.database);
  });

  await app.register(configRoutes);
  await app.register(publicCaseRoutes);

  app.post('/api/cases', { schema: { tags, summary: 'Report a case: routed to its grid by its location (CASE_OUTSIDE_GRIDS outside every grid)', body: reportBody, response: { 201: createdSchema } } }, async (req, reply) => {
    const created = await createCase(deps, req.ctx, { ...req.body, source: req.body.source as never });
    reply.status(201);
    return created;
  });

  app.get('/api/cases', { schema: { tags, summary: 'Cases in my area, my own reports (view=mine) or my department’s whistles (view=department)', querystring: listQuery, response: { 200: casePage } } }, async (req) =>
    listCases(deps, req.ctx, req.query),
  );

  app.get('/api/cases/duplicates', { schema: { tags, summary: 'Open cases of the same category nearby (default radius from the rule set, 250 m)', querystring: duplicatesQuery, response: { 200: duplicatesSchema } } }, async (req) =>
    findDuplicates(deps, req.ctx, { categoryCode: req.query.category, lng: req.query.lng, lat: req.query.lat, radiusMeters: req.query.radius }),
  );

  app.get('/api/cases/rates', { schema: { tags, summary: 'Response, resolution, satisfaction, composite, whistle and on-time rates per unit, ranked', querystring: ratesQuery, response: { 200: ratesSchema } } }, async (req) =>
    caseRates(deps, req.ctx, req.query),
  );

  app.get('/api/cases/inbox', { schema: { tags, summary: 'Department inbox: whistles waiting for my departments (or done ones with done=1)', querystring: inboxQuery, response: { 200: z.array(inboxItem) } } }, async (req) =>
    departmentInbox(deps, req.ctx, { done: req.query.done }),
  );

  app.get('/api/cases/:id', { schema: { tags, summary: 'One case with its timeline, whistles, proposed departments and what I may do (404 outside my reach)', params: idParam, response: { 200: caseDetail } } }, async (req) =>
    getCaseDetail(deps, req.ctx, req.params.id) as Promise<z.infer<typeof caseDetail>>,
  );

  app.post('/api/cases/:id/follow', { schema: { tags, summary: 'Follow an open case instead of reporting it again', params: idParam, response: { 200: ok } } }, async (req) => {
    await followCase(deps, req.ctx, req.params.id);
    return done;
  });

  // command
  app.post('/api/cases/:id/file', { schema: { tags, summary: 'File a received case (command centre), optionally setting its priority', params: idParam, body: fileBody, response: { 200: ok } } }, async (req) => {
    await fileCase(deps, req.ctx, req.params.id, req.body);
    return done;
  });
  app.post('/api/cases/:id/reject', { schema: { tags, summary: 'Reject a received case with a reason (invalid or duplicate)', params: idParam, body: rejectBody, response: { 200: ok } } }, async (req) => {
    await rejectCase(deps, req.ctx, req.params.id, req.body);
    return done;
  });
  app.post('/api/cases/:id/dispatch', { schema: { tags, summary: 'Dispatch a filed case to its grid (or another level): the clock starts', params: idParam, body: dispatchBody, response: { 200: ok } } }, async (req) => {
    await dispatchCase(deps, req.ctx, req.params.id, req.body);
    return done;
  });

  // the unit holding the case
  app.post('/api/cases/:id/accept', { schema: { tags, summary: 'Take up a dispatched case at the level holding it', params: idParam, body: noteBody, response: { 200: ok } } }, async (req) => {
    await acceptCase(deps, req.ctx, req.params.id, req.body);
    return done;
  });
  app.post('/api/cases/:id/escalate', { schema: { tags, summary: 'Escalate one level: grid → community → street', params: idParam, body: requiredNoteBody, response: { 200: ok } } }, async (req) => {
    await escalateCase(deps, req.ctx, req.params.id, req.body);
    return done;
  });
  app.post('/api/cases/:id/whistle', { schema: { tags, summary: 'Whistle departments (the street; the community where the rule set allows)', params: idParam, body: whistleBody, response: { 201: whistleCreated } } }, async (req, reply) => {
    const created = await whistleDepartments(deps, req.ctx, req.params.id, req.body);
    reply.status(201);
    return created;
  });
  app.post('/api/cases/:id/handled', { schema: { tags, summary: 'Mark the case handled (every whistled department has submitted its result)', params: idParam, body: requiredNoteBody, response: { 200: ok } } }, async (req) => {
    await markHandled(deps, req.ctx, req.params.id, req.body);
    return done;
  });

  // departments
  app.post('/api/cases/:id/department/report', { schema: { tags, summary: 'My department reports (acknowledges and arrives) to its whistle', params: idParam, body: departmentBody, response: { 200: z.object({ whistleId: z.string() }) } } }, async (req) =>
    departmentReport(deps, req.ctx, req.params.id, req.body),
  );
  app.post('/api/cases/:id/department/result', { schema: { tags, summary: 'My department submits its result with photos', params: idParam, body: departmentBody, response: { 200: z.object({ whistleId: z.string() }) } } }, async (req) =>
    departmentResult(deps, req.ctx, req.params.id, req.body),
  );
  app.post('/api/cases/:id/whistles/:whistleId/rate', { schema: { tags, summary: 'The street rates a whistled department’s work', params: whistleParams, body: rateBody, response: { 200: ok } } }, async (req) => {
    await rateDepartment(deps, req.ctx, req.params.id, req.params.whistleId, req.body);
    return done;
  });

  // supervision
  app.post('/api/cases/:id/verify/start', { schema: { tags, summary: 'Start verifying a handled case on site', params: idParam, body: noteBody, response: { 200: ok } } }, async (req) => {
    await startVerification(deps, req.ctx, req.params.id, req.body);
    return done;
  });
  app.post('/api/cases/:id/verify', {
    schema: { tags, summary: 'Record the verification: passed closes the case, failed sends it back for rework', params: idParam, body: verifyBody, response: { 200: ok } },
  }, async (req) => {
    if (req.body.passed) await closeCase(deps, req.ctx, req.params.id, req.body);
    else await reworkCase(deps, req.ctx, req.params.id, { ...req.body, note: req.body.note! });
    return done;
  });
  app.post('/api/cases/:id/card', { schema: { tags, summary: 'Give a yellow or red supervision card', params: idParam, body: cardBody, response: { 200: ok } } }, async (req) => {
    await cardCase(deps, req.ctx, req.params.id, req.body);
    return done;
  });

  // the reporter
  app.post('/api/cases/:id/rate', { schema: { tags, summary: 'The reporter rates the closed case (once)', params: idParam, body: rateBody, response: { 200: ok } } }, async (req) => {
    await rateCase(deps, req.ctx, req.params.id, req.body);
    return done;
  });
  app.post('/api/cases/:id/reopen', { schema: { tags, summary: 'The dissatisfied reporter reopens the case (limit from the rule set)', params: idParam, body: z.object({ note: z.string().trim().min(1).max(2000) }), response: { 200: ok } } }, async (req) => {
    await reopenCase(deps, req.ctx, req.params.id, req.body);
    return done;
  });
}
