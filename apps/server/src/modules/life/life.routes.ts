import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { branchCompliance, complianceRanking } from './life.compliance.js';
import { cancelMeeting, correctAttendance, getMeeting, listMeetings, lockMeetingRecord, planMeeting, recordMeeting, updateMeeting } from './life.meetings.js';
import { myMeeting, myMeetings, myStudy } from './life.member.js';
import {
  addStudyRecordsBody, attendanceBody, branchCompliance as branchComplianceSchema, branchComplianceQuery, cancelMeetingBody, complianceQuery, complianceRanking as complianceRankingSchema,
  correctStudyRecordBody, createStudyBody, idParam, meetingDetail, meetingListQuery, meetingPage, myMeetingDetail, myMeetingsPage, myMeetingsQuery, myStudy as myStudySchema, myStudyQuery,
  orgIdParam, planMeetingBody, recordMeetingBody, studyDetail, studyHours as studyHoursSchema, studyHoursQuery, studyListQuery, studyPage, updateMeetingBody, updateStudyBody,
} from './life.schema.js';
import { addStudyRecords, correctStudyRecord, createStudy, getStudy, listStudy, studyHours, updateStudy } from './life.study.js';

// Organisational life and study (issue 5: LIFE-1, LIFE-3). Staff routes under /api/life, a
// member's own under /api/me.

export async function lifeRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const deps = () => app.deps;
  const tags = ['life'];
  const one = { 200: meetingDetail };

  app.get('/api/life/meetings', { schema: { tags, summary: 'Meetings of a subtree (or the data scope), filtered and paged', querystring: meetingListQuery, response: { 200: meetingPage } } }, (req) => listMeetings(deps(), req.ctx, req.query));
  app.post('/api/life/meetings', { schema: { tags, summary: 'Plan a meeting of a branch (or a party group meeting)', body: planMeetingBody, response: { 201: meetingDetail } } }, async (req, reply) => {
    reply.status(201);
    return planMeeting(deps(), req.ctx, req.body);
  });
  app.get('/api/life/meetings/:id', { schema: { tags, summary: 'One meeting with its attendance, quorum and the branch roll', params: idParam, response: one } }, (req) => getMeeting(deps(), req.ctx, req.params.id));
  app.patch('/api/life/meetings/:id', { schema: { tags, summary: 'Change the record (until it is confirmed); audited with what changed', params: idParam, body: updateMeetingBody, response: one } }, (req) =>
    updateMeeting(deps(), req.ctx, req.params.id, req.body),
  );
  app.post('/api/life/meetings/:id/record', { schema: { tags, summary: 'Record a planned meeting as held, with attendance; the quorum is judged and the meeting posted to the branch feed', params: idParam, body: recordMeetingBody, response: one } }, (req) =>
    recordMeeting(deps(), req.ctx, req.params.id, req.body),
  );
  app.put('/api/life/meetings/:id/attendance', { schema: { tags, summary: 'Correct the attendance of a held meeting (until it is confirmed)', params: idParam, body: attendanceBody, response: one } }, (req) =>
    correctAttendance(deps(), req.ctx, req.params.id, req.body.attendance),
  );
  app.post('/api/life/meetings/:id/cancel', { schema: { tags, summary: 'Cancel a planned meeting, with a reason', params: idParam, body: cancelMeetingBody, response: one } }, (req) => cancelMeeting(deps(), req.ctx, req.params.id, req.body.reason));
  app.post('/api/life/meetings/:id/lock', { schema: { tags, summary: 'Confirm a held meeting’s record: no more changes; those present earn points', params: idParam, response: one } }, (req) => lockMeetingRecord(deps(), req.ctx, req.params.id));

  app.get('/api/life/compliance', { schema: { tags, summary: 'Branches of a subtree ranked by organisational-life compliance in a period, with what each is missing', querystring: complianceQuery, response: { 200: complianceRankingSchema } } }, (req) =>
    complianceRanking(deps(), req.ctx, req.query),
  );
  app.get('/api/life/branches/:orgId/compliance', { schema: { tags, summary: 'One branch: every required meeting of the period, held or missing, and when it is due', params: orgIdParam, querystring: branchComplianceQuery, response: { 200: branchComplianceSchema } } }, (req) =>
    branchCompliance(deps(), req.ctx, req.params.orgId, req.query),
  );

  app.get('/api/life/study/sessions', { schema: { tags, summary: 'Study sessions (first agenda, courses, lectures) of a subtree', querystring: studyListQuery, response: { 200: studyPage } } }, (req) => listStudy(deps(), req.ctx, req.query));
  app.post('/api/life/study/sessions', { schema: { tags, summary: 'Record a study session and who took part (points for study)', body: createStudyBody, response: { 201: studyDetail } } }, async (req, reply) => {
    reply.status(201);
    return createStudy(deps(), req.ctx, req.body);
  });
  app.get('/api/life/study/sessions/:id', { schema: { tags, summary: 'One study session with its members’ records', params: idParam, response: { 200: studyDetail } } }, (req) => getStudy(deps(), req.ctx, req.params.id));
  app.patch('/api/life/study/sessions/:id', { schema: { tags, summary: 'Change a study session’s title, provider or note', params: idParam, body: updateStudyBody, response: { 200: studyDetail } } }, (req) => updateStudy(deps(), req.ctx, req.params.id, req.body));
  app.post('/api/life/study/sessions/:id/records', { schema: { tags, summary: 'Add members’ records (a course completed, a session made up)', params: idParam, body: addStudyRecordsBody, response: { 200: studyDetail } } }, (req) =>
    addStudyRecords(deps(), req.ctx, req.params.id, req.body),
  );
  app.patch('/api/life/study/records/:id', { schema: { tags, summary: 'Correct one member’s hours (audited)', params: idParam, body: correctStudyRecordBody, response: { 200: studyDetail } } }, (req) =>
    correctStudyRecord(deps(), req.ctx, req.params.id, req.body.hours),
  );
  app.get('/api/life/study/hours', { schema: { tags, summary: 'Study hours per member or per organisation in a subtree, with its totals', querystring: studyHoursQuery, response: { 200: studyHoursSchema } } }, (req) => studyHours(deps(), req.ctx, req.query));

  app.get('/api/me/meetings', { schema: { tags, summary: 'My branch’s meetings with my attendance', querystring: myMeetingsQuery, response: { 200: myMeetingsPage } } }, (req) => myMeetings(deps(), req.ctx, req.query));
  app.get('/api/me/meetings/:id', { schema: { tags, summary: 'One meeting of my branch', params: idParam, response: { 200: myMeetingDetail } } }, (req) => myMeeting(deps(), req.ctx, req.params.id));
  app.get('/api/me/study', { schema: { tags, summary: 'My study hours and records, and my meeting attendance', querystring: myStudyQuery, response: { 200: myStudySchema } } }, (req) => myStudy(deps(), req.ctx, req.query.year));
}
