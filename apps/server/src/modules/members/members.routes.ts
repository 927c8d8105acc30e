import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../platform/errors.js';
import { XLSX_MIME } from './members.excel.js';
import { addDifficulty, addVisit, listDifficulty, revealDifficultyDetail, updateDifficulty } from './members.difficulty.js';
import { getMemberFile } from './members.file.js';
import { leaveMember, moveMember } from './members.moves.js';
import { addCommunityReview, addMobileRecord, endMobileRecord, registerCommunity } from './members.registers.js';
import { commitImport, exportMembers, importTemplate, previewImport } from './members.roster.js';
import {
  createMemberBody, difficultyBody, difficultyListQuery, difficultyPage, difficultySchema, endMobileBody, importCommitSchema, importPreviewSchema, leaveBody, memberExportQuery,
  memberFileSchema, memberIdParam, memberListQuery, memberPage, memberSchema, mobileRecordBody, mobileRecordSchema, moveBody, recordIdParam, registrationBody, registrationSchema,
  reviewBody, reviewSchema, sensitiveQuery, updateDifficultyBody, updateMemberBody, visitBody, visitSchema,
} from './members.schema.js';
import { createMember, listMembers, revealSensitive, updateMember } from './members.service.js';

const NO_FILE = { zh: '请上传一个 .xlsx 文件（表单字段 file）', en: 'upload one .xlsx file (form field "file")' };

/** The uploaded workbook of a multipart request, read into memory (the size limit applies). */
async function upload(req: FastifyRequest): Promise<Buffer> {
  const reason = NO_FILE[req.ctx.locale === 'en' ? 'en' : 'zh'];
  if (!req.isMultipart()) throw new AppError('FILE_INVALID', { reason });
  const file = await req.file();
  if (!file) throw new AppError('FILE_INVALID', { reason });
  return file.toBuffer();
}

const sendXlsx = (reply: FastifyReply, buf: Buffer, ascii: string, name: string) =>
  reply.header('content-type', XLSX_MIME).header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`).send(buf);

const uploadDoc = { consumes: ['multipart/form-data'], description: 'multipart/form-data with one .xlsx file in the field "file"' };

export async function memberRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['members'];
  const deps = () => app.deps;

  // ---- static paths first
  app.get('/api/members', { schema: { tags, summary: 'Search member files in my scope (masked)', querystring: memberListQuery, response: { 200: memberPage } } }, (req) => listMembers(deps(), req.ctx, req.query));

  app.post('/api/members', { schema: { tags, summary: 'Create a member file', body: createMemberBody, response: { 201: memberSchema } } }, async (req, reply) => {
    reply.status(201);
    return createMember(deps(), req.ctx, req.body);
  });

  app.get('/api/members/export', { schema: { tags, summary: 'Export the filtered roster as .xlsx (masked unless unmask=1; audited)', querystring: memberExportQuery } }, async (req, reply) =>
    sendXlsx(reply, await exportMembers(deps(), req.ctx, req.query), 'members.xlsx', '党员花名册.xlsx'),
  );

  app.get('/api/members/import/template', { schema: { tags, summary: 'The roster import template (.xlsx with dropdowns)' } }, async (req, reply) =>
    sendXlsx(reply, await importTemplate(deps(), req.ctx), 'member-import-template.xlsx', '党员花名册导入模板.xlsx'),
  );

  app.post('/api/members/import/preview', { schema: { tags, summary: 'Check a roster file row by row; writes nothing', ...uploadDoc, response: { 200: importPreviewSchema } } }, async (req) =>
    previewImport(deps(), req.ctx, await upload(req)),
  );

  app.post('/api/members/import/commit', { schema: { tags, summary: 'Import a roster file: all rows in one transaction, or none when any row is wrong', ...uploadDoc, response: { 200: importCommitSchema } } }, async (req) =>
    commitImport(deps(), req.ctx, await upload(req)),
  );

  app.get('/api/members/difficulty', { schema: { tags, summary: 'The register of members in difficulty, with visits and amounts', querystring: difficultyListQuery, response: { 200: difficultyPage } } }, (req) =>
    listDifficulty(deps(), req.ctx, req.query),
  );

  app.patch('/api/members/mobile-records/:id', { schema: { tags, summary: 'End a mobile-member record', params: recordIdParam, body: endMobileBody, response: { 200: mobileRecordSchema } } }, (req) =>
    endMobileRecord(deps(), req.ctx, req.params.id, req.body),
  );

  app.patch('/api/members/difficulty-records/:id', { schema: { tags, summary: 'Change the level or detail of a difficulty record, or end it', params: recordIdParam, body: updateDifficultyBody, response: { 200: difficultySchema } } }, (req) =>
    updateDifficulty(deps(), req.ctx, req.params.id, req.body),
  );

  app.get('/api/members/difficulty-records/:id/detail', { schema: { tags, summary: 'Reveal the hardship or health detail (members:read_sensitive; audited)', params: recordIdParam, response: { 200: z.object({ detail: z.string().nullable() }) } } }, (req) =>
    revealDifficultyDetail(deps(), req.ctx, req.params.id),
  );

  app.post('/api/members/difficulty-records/:id/visits', { schema: { tags, summary: 'Record an assistance visit', params: recordIdParam, body: visitBody, response: { 201: visitSchema } } }, async (req, reply) => {
    reply.status(201);
    return addVisit(deps(), req.ctx, req.params.id, req.body);
  });

  // ---- one member file
  const params = memberIdParam;
  app.get('/api/members/:id', { schema: { tags, summary: 'The member file: masked fields, history and registers (404 outside my scope)', params, response: { 200: memberFileSchema } } }, (req) =>
    getMemberFile(deps(), req.ctx, req.params.id),
  );

  app.get('/api/members/:id/sensitive', { schema: { tags, summary: 'Reveal the full ID or phone number (members:read_sensitive; audited)', params, querystring: sensitiveQuery, response: { 200: z.object({ field: z.string(), value: z.string().nullable() }) } } }, (req) =>
    revealSensitive(deps(), req.ctx, req.params.id, req.query.field),
  );

  app.patch('/api/members/:id', { schema: { tags, summary: 'Update a member file (status and category changes update the counts)', params, body: updateMemberBody, response: { 200: memberSchema } } }, (req) =>
    updateMember(deps(), req.ctx, req.params.id, req.body),
  );

  app.post('/api/members/:id/move', { schema: { tags, summary: 'Move the member to another organisation (both in my scope)', params, body: moveBody, response: { 200: memberSchema } } }, (req) =>
    moveMember(deps(), req.ctx, req.params.id, req.body),
  );

  app.post('/api/members/:id/leave', { schema: { tags, summary: 'Take the member off the roll: transferred out, deceased or left', params, body: leaveBody, response: { 200: memberSchema } } }, (req) =>
    leaveMember(deps(), req.ctx, req.params.id, req.body),
  );

  app.post('/api/members/:id/community-registration', { schema: { tags, summary: 'Register an in-service member with the residential community', params, body: registrationBody, response: { 201: registrationSchema } } }, async (req, reply) => {
    reply.status(201);
    return registerCommunity(deps(), req.ctx, req.params.id, req.body);
  });

  app.post('/api/members/:id/community-reviews', { schema: { tags, summary: 'Record the yearly community review', params, body: reviewBody, response: { 201: reviewSchema } } }, async (req, reply) => {
    reply.status(201);
    return addCommunityReview(deps(), req.ctx, req.params.id, req.body);
  });

  app.post('/api/members/:id/mobile-records', { schema: { tags, summary: 'Record an outflow or inflow of a mobile member', params, body: mobileRecordBody, response: { 201: mobileRecordSchema } } }, async (req, reply) => {
    reply.status(201);
    return addMobileRecord(deps(), req.ctx, req.params.id, req.body);
  });

  app.post('/api/members/:id/difficulty-records', { schema: { tags, summary: 'Enter the member in the difficulty register', params, body: difficultyBody, response: { 201: difficultySchema } } }, async (req, reply) => {
    reply.status(201);
    return addDifficulty(deps(), req.ctx, req.params.id, req.body);
  });
}
