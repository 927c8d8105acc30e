import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { checkInScreen, confirmAttendance } from './activities.attendance.js';
import { cancelSignup, checkIn, myActivity, myMenu, signUp } from './activities.member.js';
import {
  activityPage, activitySchema, attendanceBody, cancelBody, certificateBody, certificateSchema, checkInBody, checkInScreenSchema, correctionBody, decisionBody, idParam, listQuery, memberIdParam,
  menuPage, menuQuery, myActivitySchema, myCertificateBody, myRequestSchema, publishBody, requestBody, requestPage, requestsQuery, signupSchema, staffRequestSchema, updateBody, volunteerPage,
  volunteerSchema, volunteersQuery,
} from './activities.schema.js';
import { cancelActivity, getActivity, listActivities, listSignups, publishActivity, updateActivity } from './activities.service.js';
import { certificateHtml, issueCertificate, issueMyCertificate } from './volunteer.certificate.js';
import { correctHours, decideRequest, listRequests, memberVolunteer, myVolunteer, requestCorrection, volunteersOf } from './volunteer.service.js';

export async function activityRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['activities'];
  const vtags = ['volunteer'];
  const deps = () => app.deps;

  // ---- organisers (console)
  app.get('/api/activities', { schema: { tags, summary: 'Activities and volunteer jobs in my scope', querystring: listQuery, response: { 200: activityPage } } }, (req) => listActivities(deps(), req.ctx, req.query));
  app.post('/api/activities', { schema: { tags, summary: 'Publish an activity or a volunteer job (posted to the organiser’s feed)', body: publishBody, response: { 201: activitySchema } } }, async (req, reply) => {
    reply.status(201);
    return publishActivity(deps(), req.ctx, req.body);
  });
  app.get('/api/activities/:id', { schema: { tags, summary: 'One activity', params: idParam, response: { 200: activitySchema } } }, (req) => getActivity(deps(), req.ctx, req.params.id));
  app.patch('/api/activities/:id', { schema: { tags, summary: 'Change an activity before it starts', params: idParam, body: updateBody, response: { 200: activitySchema } } }, (req) =>
    updateActivity(deps(), req.ctx, req.params.id, req.body),
  );
  app.post('/api/activities/:id/cancel', { schema: { tags, summary: 'Cancel an activity before it starts', params: idParam, body: cancelBody, response: { 200: activitySchema } } }, (req) =>
    cancelActivity(deps(), req.ctx, req.params.id, req.body.reason),
  );
  app.get('/api/activities/:id/signups', { schema: { tags, summary: 'Sign-ups with check-in and attendance', params: idParam, response: { 200: z.array(signupSchema) } } }, (req) => listSignups(deps(), req.ctx, req.params.id));
  app.get('/api/activities/:id/check-in-code', { schema: { tags, summary: 'The current QR check-in code (changes every few seconds; valid only in the check-in window)', params: idParam, response: { 200: checkInScreenSchema } } }, (req) =>
    checkInScreen(deps(), req.ctx, req.params.id, `${req.protocol}://${req.host}`),
  );
  app.post('/api/activities/:id/attendance', { schema: { tags, summary: 'Confirm attendance: points and verified hours follow', params: idParam, body: attendanceBody, response: { 200: z.array(signupSchema) } } }, (req) =>
    confirmAttendance(deps(), req.ctx, req.params.id, req.body.items),
  );

  // ---- members (mobile pages)
  app.get('/api/me/activities', { schema: { tags, summary: 'My menu: activities and volunteer jobs for my organisation, my community and my skills', querystring: menuQuery, response: { 200: menuPage } } }, (req) =>
    myMenu(deps(), req.ctx, req.query),
  );
  app.get('/api/me/activities/:id', { schema: { tags, summary: 'One activity of my menu, with my sign-up', params: idParam, response: { 200: myActivitySchema } } }, (req) => myActivity(deps(), req.ctx, req.params.id));
  app.post('/api/me/activities/:id/signup', { schema: { tags, summary: 'Sign up (claim a volunteer job)', params: idParam, response: { 200: myActivitySchema } } }, (req) => signUp(deps(), req.ctx, req.params.id));
  app.post('/api/me/activities/:id/cancel', { schema: { tags, summary: 'Cancel my sign-up before the deadline', params: idParam, response: { 200: myActivitySchema } } }, (req) => cancelSignup(deps(), req.ctx, req.params.id));
  app.post('/api/me/activities/:id/check-in', { schema: { tags, summary: 'Check in with the code of the QR screen', params: idParam, body: checkInBody, response: { 200: myActivitySchema } } }, (req) =>
    checkIn(deps(), req.ctx, req.params.id, req.body.code),
  );

  // ---- volunteer hours and certificates
  app.get('/api/me/volunteer', { schema: { tags: vtags, summary: 'My volunteer number, verified and scheduled hours, star level, records, requests, certificates', response: { 200: volunteerSchema } } }, (req) => myVolunteer(deps(), req.ctx));
  app.post('/api/me/volunteer/correction-requests', { schema: { tags: vtags, summary: 'Ask the organiser to correct my hours', body: requestBody, response: { 201: myRequestSchema } } }, async (req, reply) => {
    reply.status(201);
    return requestCorrection(deps(), req.ctx, req.body);
  });
  app.post('/api/me/volunteer/certificates', { schema: { tags: vtags, summary: 'Issue a certificate of the hours an organisation recorded for me (audited)', body: myCertificateBody, response: { 201: certificateSchema } } }, async (req, reply) => {
    reply.status(201);
    return issueMyCertificate(deps(), req.ctx, req.body.orgId);
  });
  app.get('/api/volunteer/volunteers', { schema: { tags: vtags, summary: 'Volunteers by the verified hours an organisation’s subtree recorded', querystring: volunteersQuery, response: { 200: volunteerPage } } }, (req) => volunteersOf(deps(), req.ctx, req.query));
  app.get('/api/volunteer/members/:memberId', { schema: { tags: vtags, summary: 'A member’s volunteer record', params: memberIdParam, response: { 200: volunteerSchema } } }, (req) => memberVolunteer(deps(), req.ctx, req.params.memberId));
  app.post('/api/volunteer/corrections', { schema: { tags: vtags, summary: 'Correct verified hours with a new entry (who asked, who approved, why)', body: correctionBody, response: { 201: volunteerSchema.extend({ id: z.string() }) } } }, async (req, reply) => {
    reply.status(201);
    return correctHours(deps(), req.ctx, req.body);
  });
  app.get('/api/volunteer/correction-requests', { schema: { tags: vtags, summary: 'Volunteers’ correction requests to organisations of a subtree', querystring: requestsQuery, response: { 200: requestPage } } }, (req) => listRequests(deps(), req.ctx, req.query));
  app.post('/api/volunteer/correction-requests/:id/decision', { schema: { tags: vtags, summary: 'Approve (a correction entry follows) or reject a request', params: idParam, body: decisionBody, response: { 200: staffRequestSchema } } }, (req) =>
    decideRequest(deps(), req.ctx, req.params.id, req.body),
  );
  app.post('/api/volunteer/certificates', { schema: { tags: vtags, summary: 'Issue a certificate of verified hours (audited)', body: certificateBody, response: { 201: certificateSchema } } }, async (req, reply) => {
    reply.status(201);
    return issueCertificate(deps(), req.ctx, req.body);
  });
  app.get('/api/volunteer/certificates/:id/print', { schema: { tags: vtags, summary: 'The printable certificate (HTML)', params: idParam } }, async (req, reply) => {
    const html = await certificateHtml(deps(), req.ctx, req.params.id);
    return reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'").header('cache-control', 'no-store').send(html);
  });
}
