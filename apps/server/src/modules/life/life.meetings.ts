import { MEETING_KINDS, ORG_KINDS, type MeetingKind, type OrgKind } from '@tongxin/contracts';
import type { AppDeps } from '../../app.js';
import type { Executor, Tx } from '../../db/database.js';
import type { Actor, RequestContext } from '../../platform/actor.js';
import { requireAccess, requirePermission } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { AppError } from '../../platform/errors.js';
import type { LifeRules, RuleSet } from '../../platform/rules.js';
import { postFeedItem } from '../feed/feed.service.js';
import { checkAttachments, describeFiles, type FileInfo } from '../files/files.service.js';
import { activeRoll, memberOrgs } from '../members/members.service.js';
import { getOrg } from '../orgs/orgs.service.js';
import { awardPoints } from '../points/points.service.js';
import { chinaDate, chinaDateTime, meetingSummary } from './life.present.js';
import { attendanceOf, findMeetings, lockMeeting, meetingById, replaceAttendance, type AttendanceRow, type MeetingFilter, type MeetingRow } from './life.repo.js';
import { lifeRulesOn, quorumMet, ruleLabel, WHOLE_BRANCH_KINDS } from './life.rules.js';
import type { MeetingDetail } from './life.schema.js';

// Organisational life (LIFE-1): plan a meeting, record it as held with attendance (quorum judged
// by the rule set in force on its date), correct it until the branch confirms it, cancel a planned
// one. Recording posts it to the branch feed; confirming awards the points of those present.

type Attendance = AttendanceRow['status'];
interface AttendanceInput { memberId: string; status: Attendance; note?: string }
interface MeetingFields { title?: string; startsAt?: string; endsAt?: string | null; place?: string; host?: string; recorder?: string; agenda?: string; minutes?: string; attachments?: string[] }

const kindLabel = (kind: string, locale: 'zh-CN' | 'en') => MEETING_KINDS[kind as MeetingKind]?.[locale === 'en' ? 'en' : 'zh'] ?? kind;
const orgKindLabel = (kind: string, locale: 'zh-CN' | 'en') => ORG_KINDS[kind as OrgKind]?.[locale === 'en' ? 'en' : 'zh'] ?? kind;

/** The organisation must hold this kind of meeting: a party group its group meetings, a branch the rest. */
async function meetingOrg(ex: Executor, orgId: string, kind: MeetingKind, rules: LifeRules, locale: 'zh-CN' | 'en'): Promise<{ branchId: string }> {
  const org = await getOrg(ex, orgId);
  if (!org) throw new AppError('NOT_FOUND');
  if (org.status !== 'active') throw new AppError('ORG_NOT_ACTIVE');
  const wrong = (allowed: string[]) =>
    new AppError('MEETING_KIND_ORG', { kind: kindLabel(kind, locale), allowed: allowed.map((k) => orgKindLabel(k, locale)).join(locale === 'en' ? ' or ' : '或'), org: org.name, orgKind: orgKindLabel(org.kind, locale) }, { orgId: 'MEETING_KIND_ORG' });
  if (kind === 'group_meeting') {
    if (org.kind !== 'party_group' || !org.parent_id) throw wrong(['party_group']);
    return { branchId: String(org.parent_id) };
  }
  if (!rules.branchKinds.includes(org.kind)) throw wrong(rules.branchKinds);
  return { branchId: String(org.id) };
}

function checkTimes(startsAt: Date, endsAt: Date | null) {
  if (endsAt && endsAt.getTime() <= startsAt.getTime()) throw new AppError('MEETING_END_BEFORE_START', {}, { endsAt: 'MEETING_END_BEFORE_START' });
}

/** Refuses changes to a cancelled or confirmed record. */
function assertOpen(row: MeetingRow) {
  if (row.status === 'cancelled') throw new AppError('MEETING_CANCELLED');
  if (row.locked_at) throw new AppError('MEETING_LOCKED', { at: chinaDateTime(row.locked_at) });
}

async function loadMeeting(deps: AppDeps, ctx: RequestContext, id: string, permission: 'life:read' | 'life:write'): Promise<{ actor: Actor; row: MeetingRow }> {
  const { db } = deps.database;
  await requirePermission(db, ctx, permission, { type: 'meeting', id });
  const row = await meetingById(db, id);
  if (!row) throw new AppError('NOT_FOUND');
  const actor = await requireAccess(db, ctx, permission, 'org', [String(row.org_id)]);
  return { actor, row };
}

interface Tallies { expected: number; present: number; excused: number; absent: number; votingTotal: number; votingPresent: number }

/**
 * The attendance list. Recording: for meetings of the whole branch everybody on the roll (absent
 * unless marked), otherwise those listed. Correcting: the list as recorded plus any roll members
 * now named (the roll of the day stays; newcomers are not added as absent). Voting = full member.
 */
async function buildAttendance(ex: Executor, row: MeetingRow, input: AttendanceInput[], previous: AttendanceRow[] | null) {
  const roll = await activeRoll(ex, String(row.branch_id));
  const onRoll = new Map(roll.map((m) => [m.id, m]));
  const before = new Map((previous ?? []).map((a) => [String(a.member_id), a]));
  const given = new Map(input.map((a) => [a.memberId, a]));
  const unknown = input.filter((a) => !onRoll.has(a.memberId) && !before.has(a.memberId)).map((a) => `#${a.memberId}`);
  if (unknown.length) throw new AppError('MEETING_NOT_ON_ROLL', { names: unknown.join('、') }, { attendance: 'MEETING_NOT_ON_ROLL' });
  const whole = WHOLE_BRANCH_KINDS.has(row.kind);
  const ids = previous
    ? whole ? [...new Set([...before.keys(), ...given.keys()])] : [...given.keys()]
    : whole ? roll.map((m) => m.id) : [...given.keys()];
  const rows = ids.map((memberId) => ({
    memberId,
    status: given.get(memberId)?.status ?? ('absent' as const),
    voting: before.get(memberId)?.voting ?? onRoll.get(memberId)?.status === 'full',
    note: given.get(memberId)?.note ?? '',
  }));
  const t: Tallies = { expected: rows.length, present: 0, excused: 0, absent: 0, votingTotal: 0, votingPresent: 0 };
  for (const r of rows) {
    t[r.status]++;
    if (r.voting) {
      t.votingTotal++;
      if (r.status === 'present') t.votingPresent++;
    }
  }
  if (t.present === 0) throw new AppError('MEETING_NOBODY_PRESENT', {}, { attendance: 'MEETING_NOBODY_PRESENT' });
  return { rows, tallies: t };
}

/** Quorum (general meetings only) and whether the record counts toward compliance. */
function judge(kind: MeetingKind, rules: RuleSet<LifeRules>, t: Pick<Tallies, 'present' | 'votingTotal' | 'votingPresent'>) {
  const general = kind === 'general_meeting';
  const quorum = general ? quorumMet(rules.rules, t.votingPresent, t.votingTotal) : null;
  return {
    voting_total: general ? t.votingTotal : null,
    voting_present: general ? t.votingPresent : null,
    quorum_met: quorum,
    counts: t.present > 0 && (!general || quorum === true),
    rule_version: ruleLabel(rules),
  };
}

export async function listMeetings(deps: AppDeps, ctx: RequestContext, f: MeetingFilter & { page: number; pageSize: number }) {
  const { db } = deps.database;
  const actor = f.orgId ? await requireAccess(db, ctx, 'life:read', 'org', [f.orgId]) : await requirePermission(db, ctx, 'life:read');
  const { rows, total } = await findMeetings(db, actor, f, f);
  return { items: rows.map((r) => meetingSummary(actor, r)), total, page: f.page, pageSize: f.pageSize };
}

const filesOf = async (ex: Executor, ids: string[]): Promise<FileInfo[]> => {
  const files = await describeFiles(ex, ids);
  return ids.map((id) => files.get(id)).filter((f): f is FileInfo => !!f);
};

async function detail(ex: Executor, actor: Actor, row: MeetingRow): Promise<MeetingDetail> {
  const attendance = await attendanceOf(ex, String(row.id));
  const roll = await activeRoll(ex, String(row.branch_id));
  const names = await memberOrgs(ex, attendance.map((a) => String(a.member_id)));
  const rules = await lifeRulesOn(ex, row.held_on ?? chinaDate(row.starts_at));
  return {
    ...meetingSummary(actor, row),
    recorder: row.recorder,
    agenda: row.agenda,
    minutes: row.minutes,
    attachments: row.attachments,
    files: await filesOf(ex, row.attachments),
    ruleVersion: row.rule_version,
    cancelReason: row.cancel_reason,
    lockedAt: row.locked_at?.toISOString() ?? null,
    attendance: attendance
      .map((a) => ({ memberId: String(a.member_id), name: names.get(String(a.member_id))?.name ?? '', status: a.status, voting: a.voting, note: a.note }))
      .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0)),
    roll: roll.map((m) => ({ memberId: m.id, name: m.name, status: m.status })),
    quorumRule: { share: rules.rules.quorumShare, ruleSet: ruleLabel(rules) },
  };
}

export async function getMeeting(deps: AppDeps, ctx: RequestContext, id: string): Promise<MeetingDetail> {
  const { actor, row } = await loadMeeting(deps, ctx, id, 'life:read');
  return detail(deps.database.db, actor, row);
}

async function after(deps: AppDeps, actor: Actor, id: string) {
  const row = await meetingById(deps.database.db, id);
  if (!row) throw new AppError('NOT_FOUND');
  return detail(deps.database.db, actor, row);
}

const audit = (trx: Tx, actor: Actor, ctx: RequestContext, action: string, row: { id: string | number; title: string }, changes: Record<string, unknown>) =>
  recordAudit(trx, { actorId: actor.id, actorName: actor.username, action, targetType: 'meeting', targetId: String(row.id), targetLabel: row.title, ip: ctx.ip, changes });

export async function planMeeting(deps: AppDeps, ctx: RequestContext, input: MeetingFields & { orgId: string; kind: MeetingKind; title: string; startsAt: string }) {
  const { db } = deps.database;
  const actor = await requireAccess(db, ctx, 'life:write', 'org', [input.orgId]);
  const startsAt = new Date(input.startsAt);
  const endsAt = input.endsAt ? new Date(input.endsAt) : null;
  checkTimes(startsAt, endsAt);
  const rules = await lifeRulesOn(db, chinaDate(startsAt));
  const { branchId } = await meetingOrg(db, input.orgId, input.kind, rules.rules, ctx.locale);
  await checkAttachments(db, ctx, input.attachments, { documents: true });
  const id = await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('meetings')
      .values({
        org_id: input.orgId, branch_id: branchId, kind: input.kind, title: input.title, starts_at: startsAt, ends_at: endsAt,
        place: input.place ?? '', host: input.host ?? '', recorder: input.recorder ?? '', agenda: input.agenda ?? '', minutes: input.minutes ?? '', attachments: input.attachments ?? [], created_by: actor.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, actor, ctx, 'meeting.plan', { id: row.id, title: input.title }, { orgId: input.orgId, kind: input.kind, startsAt: startsAt.toISOString(), place: input.place ?? '', attachments: input.attachments?.length ?? 0 });
    return String(row.id);
  });
  return after(deps, actor, id);
}

const TEXT_FIELDS = { title: 'title', place: 'place', host: 'host', recorder: 'recorder', agenda: 'agenda', minutes: 'minutes' } as const;

/** Changes the record's own fields (not its attendance) until it is confirmed. */
export async function updateMeeting(deps: AppDeps, ctx: RequestContext, id: string, input: MeetingFields) {
  const { actor, row: seen } = await loadMeeting(deps, ctx, id, 'life:write');
  const { db } = deps.database;
  // photos already on the record may be another clerk's: only the ones added now must be the caller's
  await checkAttachments(db, ctx, input.attachments?.filter((a) => !seen.attachments.includes(a)), { documents: true });
  await db.transaction().execute(async (trx) => {
    const row = (await lockMeeting(trx, id))!;
    assertOpen(row);
    const set: Record<string, unknown> = {};
    const changes: Record<string, unknown> = {};
    for (const [field, column] of Object.entries(TEXT_FIELDS)) {
      const value = input[field as keyof typeof TEXT_FIELDS];
      if (value === undefined || value === row[column]) continue;
      set[column] = value;
      changes[field] = { from: row[column], to: value };
    }
    const startsAt = input.startsAt ? new Date(input.startsAt) : row.starts_at;
    const endsAt = input.endsAt !== undefined ? (input.endsAt ? new Date(input.endsAt) : null) : row.ends_at;
    checkTimes(startsAt, endsAt);
    if (startsAt.getTime() !== row.starts_at.getTime()) {
      if (row.status === 'held' && startsAt.getTime() > Date.now()) throw new AppError('MEETING_IN_FUTURE', {}, { startsAt: 'MEETING_IN_FUTURE' });
      set.starts_at = startsAt;
      changes.startsAt = { from: row.starts_at.toISOString(), to: startsAt.toISOString() };
      if (row.status === 'held') {
        // another date may fall under another rule version: the quorum is judged again
        const heldOn = chinaDate(startsAt);
        const rules = await lifeRulesOn(trx, heldOn);
        const judged = judge(row.kind, rules, { present: row.present, votingTotal: row.voting_total ?? 0, votingPresent: row.voting_present ?? 0 });
        Object.assign(set, { held_on: heldOn, quorum_met: judged.quorum_met, counts: judged.counts, rule_version: judged.rule_version });
        changes.heldOn = { from: row.held_on, to: heldOn };
        if (judged.counts !== row.counts) changes.counts = { from: row.counts, to: judged.counts };
      }
    }
    if ((endsAt?.getTime() ?? null) !== (row.ends_at?.getTime() ?? null)) {
      set.ends_at = endsAt;
      changes.endsAt = { from: row.ends_at?.toISOString() ?? null, to: endsAt?.toISOString() ?? null };
    }
    if (input.attachments && JSON.stringify(input.attachments) !== JSON.stringify(row.attachments)) {
      set.attachments = input.attachments;
      changes.attachments = { from: row.attachments, to: input.attachments };
    }
    if (Object.keys(set).length) await trx.updateTable('meetings').set({ ...set, updated_at: new Date() }).where('id', '=', id).execute();
    await audit(trx, actor, ctx, 'meeting.update', row, changes);
  });
  return after(deps, actor, id);
}

function feedBody(row: MeetingRow, startsAt: Date, place: string, t: Tallies, judged: ReturnType<typeof judge>): string {
  const parts = [`${chinaDateTime(startsAt)}${place ? ` 于${place}` : ''}召开`, `应到 ${t.expected} 人，实到 ${t.present} 人，请假 ${t.excused} 人`];
  if (row.kind === 'general_meeting') parts.push(`有表决权党员 ${t.votingTotal} 人，到会 ${t.votingPresent} 人，${judged.quorum_met ? '超过半数，会议有效' : '未超过半数，会议无效'}`);
  return parts.join('；') + '。';
}

/** A planned meeting took place: its date, minutes and attendance; posted to the branch feed. */
export async function recordMeeting(deps: AppDeps, ctx: RequestContext, id: string, input: Omit<MeetingFields, 'title' | 'agenda'> & { attendance: AttendanceInput[] }) {
  const { actor, row: seen } = await loadMeeting(deps, ctx, id, 'life:write');
  const { db } = deps.database;
  await checkAttachments(db, ctx, input.attachments?.filter((a) => !seen.attachments.includes(a)), { documents: true });
  await db.transaction().execute(async (trx) => {
    const row = (await lockMeeting(trx, id))!;
    assertOpen(row);
    if (row.status !== 'planned') throw new AppError('MEETING_NOT_PLANNED', { status: row.status });
    const startsAt = input.startsAt ? new Date(input.startsAt) : row.starts_at;
    const endsAt = input.endsAt !== undefined ? (input.endsAt ? new Date(input.endsAt) : null) : row.ends_at;
    checkTimes(startsAt, endsAt);
    if (startsAt.getTime() > Date.now()) throw new AppError('MEETING_IN_FUTURE', {}, { startsAt: 'MEETING_IN_FUTURE' });
    const heldOn = chinaDate(startsAt);
    const rules = await lifeRulesOn(trx, heldOn);
    const { rows, tallies } = await buildAttendance(trx, row, input.attendance, null);
    const judged = judge(row.kind, rules, tallies);
    const place = input.place ?? row.place;
    await trx
      .updateTable('meetings')
      .set({
        status: 'held', held_on: heldOn, starts_at: startsAt, ends_at: endsAt, place, host: input.host ?? row.host, recorder: input.recorder ?? row.recorder, minutes: input.minutes ?? row.minutes,
        attachments: input.attachments ?? row.attachments, expected: tallies.expected, present: tallies.present, excused: tallies.excused, absent: tallies.absent, ...judged, updated_at: new Date(),
      })
      .where('id', '=', id)
      .execute();
    await replaceAttendance(trx, id, rows);
    await postFeedItem(trx, {
      orgId: String(row.branch_id), kind: 'meeting', title: `${kindLabel(row.kind, 'zh-CN')}：${row.title}`, body: feedBody(row, startsAt, place, tallies, judged),
      refType: 'meeting', refId: id, actor: { id: actor.id, name: actor.username }, authorName: actor.displayName, ip: ctx.ip,
    });
    await audit(trx, actor, ctx, 'meeting.record', row, {
      heldOn, expected: tallies.expected, present: tallies.present, excused: tallies.excused, absent: tallies.absent,
      votingTotal: judged.voting_total, votingPresent: judged.voting_present, quorumMet: judged.quorum_met, counts: judged.counts, ruleSet: judged.rule_version,
    });
  });
  return after(deps, actor, id);
}

/** Corrects the attendance of a held meeting until it is confirmed; the quorum is judged again. */
export async function correctAttendance(deps: AppDeps, ctx: RequestContext, id: string, attendance: AttendanceInput[]) {
  const { actor } = await loadMeeting(deps, ctx, id, 'life:write');
  const { db } = deps.database;
  await db.transaction().execute(async (trx) => {
    const row = (await lockMeeting(trx, id))!;
    assertOpen(row);
    if (row.status !== 'held') throw new AppError('MEETING_NOT_HELD');
    const previous = await attendanceOf(trx, id);
    const { rows, tallies } = await buildAttendance(trx, row, attendance, previous);
    const judged = judge(row.kind, await lifeRulesOn(trx, row.held_on!), tallies);
    const before = new Map(previous.map((a) => [String(a.member_id), a.status]));
    const after = new Map(rows.map((r) => [r.memberId, r.status]));
    const changed = [...new Set([...before.keys(), ...after.keys()])]
      .filter((m) => before.get(m) !== after.get(m))
      .map((memberId) => ({ memberId, from: before.get(memberId) ?? null, to: after.get(memberId) ?? null }));
    await trx
      .updateTable('meetings')
      .set({ expected: tallies.expected, present: tallies.present, excused: tallies.excused, absent: tallies.absent, ...judged, updated_at: new Date() })
      .where('id', '=', id)
      .execute();
    await replaceAttendance(trx, id, rows);
    await audit(trx, actor, ctx, 'meeting.attendance', row, {
      changed, present: { from: row.present, to: tallies.present }, quorumMet: { from: row.quorum_met, to: judged.quorum_met }, counts: { from: row.counts, to: judged.counts },
    });
  });
  return after(deps, actor, id);
}

export async function cancelMeeting(deps: AppDeps, ctx: RequestContext, id: string, reason: string) {
  const { actor } = await loadMeeting(deps, ctx, id, 'life:write');
  await deps.database.db.transaction().execute(async (trx) => {
    const row = (await lockMeeting(trx, id))!;
    assertOpen(row);
    if (row.status !== 'planned') throw new AppError('MEETING_NOT_PLANNED', { status: row.status });
    await trx.updateTable('meetings').set({ status: 'cancelled', cancel_reason: reason, updated_at: new Date() }).where('id', '=', id).execute();
    await audit(trx, actor, ctx, 'meeting.cancel', row, { status: { from: 'planned', to: 'cancelled' }, reason });
  });
  return after(deps, actor, id);
}

/**
 * The branch confirms the record: no more changes; those present earn the points of the rules
 * (once per member and meeting — the points module ignores a repeated award).
 */
export async function lockMeetingRecord(deps: AppDeps, ctx: RequestContext, id: string) {
  const { actor } = await loadMeeting(deps, ctx, id, 'life:write');
  await deps.database.db.transaction().execute(async (trx) => {
    const row = (await lockMeeting(trx, id))!;
    assertOpen(row);
    if (row.status !== 'held') throw new AppError('MEETING_NOT_HELD');
    await trx.updateTable('meetings').set({ locked_at: new Date(), locked_by: actor.id, updated_at: new Date() }).where('id', '=', id).execute();
    const present = (await attendanceOf(trx, id)).filter((a) => a.status === 'present');
    let awarded = 0;
    for (const a of present) {
      const award = await awardPoints(trx, {
        memberId: String(a.member_id), source: 'meeting', sourceRef: `meeting:${id}`, orgId: String(row.branch_id), at: row.starts_at,
        note: `${kindLabel(row.kind, 'zh-CN')}：${row.title}`, actor: { id: actor.id, name: actor.username },
      });
      if (award) awarded++;
    }
    await audit(trx, actor, ctx, 'meeting.lock', row, { locked: true, counts: row.counts, pointsAwarded: awarded });
  });
  return after(deps, actor, id);
}
