import QRCode from 'qrcode';
import type { AppDeps } from '../../app.js';
import type { RequestContext } from '../../platform/actor.js';
import { recordAudit } from '../../platform/audit.js';
import { AppError } from '../../platform/errors.js';
import { memberOrgs } from '../members/members.service.js';
import { awardPointsFor } from '../points/points.service.js';
import { chinaDay } from '../points/points.rules.js';
import { currentCode } from './activities.checkin.js';
import { countsOf, lockActivity } from './activities.repo.js';
import { checkInWindow, volunteerRules } from './activities.rules.js';
import { loadManaged, listSignups } from './activities.service.js';
import { ensureVolunteer, insertHours } from './volunteer.ledger.js';

// The organiser's side of the day itself: the QR code on the screen, and attendance afterwards, which
// awards points and records verified hours.

/** The code the check-in screen shows now, when it changes, and whether check-in is open. */
export async function checkInScreen(deps: AppDeps, ctx: RequestContext, id: string, origin: string) {
  const { row } = await loadManaged(deps, ctx, id);
  if (row.status === 'cancelled') throw new AppError('ACTIVITY_CANCELLED');
  const { db } = deps.database;
  const rules = (await volunteerRules(db, row.starts_at)).rules;
  const { opensAt, closesAt } = checkInWindow(rules, row);
  const now = Date.now();
  const open = now >= opensAt.getTime() && now <= closesAt.getTime();
  const c = open ? currentCode(deps.crypto, rules, id, now) : null;
  const counts = (await countsOf(db, [id])).get(id) ?? { signedUp: 0, checkedIn: 0, present: 0, absent: 0 };
  const path = c ? `/m/activities/${id}/check-in?code=${c.code}` : null;
  return {
    activityId: id,
    title: row.title,
    open,
    opensAt: opensAt.toISOString(),
    closesAt: closesAt.toISOString(),
    code: c?.code ?? null,
    // what the QR code holds: the mobile check-in page with the code, opened by any phone camera too
    path,
    qr: path ? await QRCode.toDataURL(`${origin}${path}`, { errorCorrectionLevel: 'M', margin: 1, width: 320 }) : null,
    refreshAt: c?.refreshAt.toISOString() ?? null,
    stepSeconds: rules.checkIn.stepSeconds,
    serverTime: new Date(now).toISOString(),
    signedUp: counts.signedUp,
    checkedIn: counts.checkedIn,
  };
}

export interface AttendanceItem {
  signupId: string;
  attended: boolean;
  /** verified hours; default the activity's service hours */
  hours?: number;
}

/**
 * Confirms attendance once per sign-up. Present: points (source 'activity' or, for a volunteer job,
 * 'volunteer' per verified hour) and verified hours recorded by the organiser. A confirmation is
 * final; a mistake is put right by a correction entry.
 */
export async function confirmAttendance(deps: AppDeps, ctx: RequestContext, id: string, items: AttendanceItem[]) {
  const { actor, row } = await loadManaged(deps, ctx, id);
  if (row.status === 'cancelled') throw new AppError('ACTIVITY_CANCELLED');
  if (Date.now() < row.starts_at.getTime()) throw new AppError('ACTIVITY_NOT_STARTED');
  const length = Math.ceil(((row.ends_at.getTime() - row.starts_at.getTime()) / 3_600_000) * 100) / 100;
  const { db } = deps.database;
  await db.transaction().execute(async (trx) => {
    const a = (await lockActivity(trx, id))!;
    const signups = await trx.selectFrom('activity_signups').selectAll().where('activity_id', '=', id).where('id', 'in', items.map((i) => i.signupId)).forUpdate().execute();
    const byId = new Map(signups.map((s) => [String(s.id), s]));
    const names = await memberOrgs(trx, signups.map((s) => String(s.member_id)));
    const done: Record<string, unknown>[] = [];
    for (const [index, item] of items.entries()) {
      const s = byId.get(item.signupId);
      if (!s || s.status !== 'signed_up') throw new AppError('VALIDATION_FAILED', {}, { [`items.${index}.signupId`]: 'NOT_FOUND' });
      const name = names.get(String(s.member_id))?.name ?? '';
      if (s.attendance) throw new AppError('ACTIVITY_ATTENDANCE_CONFIRMED', { name });
      const hours = item.attended ? (item.hours ?? Number(a.service_hours)) : 0;
      if (hours > length) throw new AppError('ACTIVITY_HOURS_TOO_LONG', { hours: length }, { [`items.${index}.hours`]: 'ACTIVITY_HOURS_TOO_LONG' });
      await trx
        .updateTable('activity_signups')
        .set({ attendance: item.attended ? 'present' : 'absent', hours: item.attended ? hours : null, confirmed_at: new Date(), confirmed_by: actor.id })
        .where('id', '=', s.id)
        .execute();
      const memberId = String(s.member_id);
      let points: number | null = null;
      if (item.attended) {
        const award = await awardPointsFor(trx, {
          memberId, source: a.kind === 'volunteer' ? 'volunteer' : 'activity', sourceRef: `activity:${id}`, at: a.starts_at, hours: hours || 1, note: a.title,
          actor: { id: actor.id, name: actor.username },
        });
        points = award?.amount ?? null;
        if (hours > 0) {
          await ensureVolunteer(trx, memberId);
          await insertHours(trx, { memberId, kind: 'service', activityId: id, orgId: String(a.org_id), servedOn: chinaDay(a.starts_at), hours, content: a.title, recordedBy: actor.id, recordedByName: actor.displayName || actor.username });
        }
      }
      done.push({ signupId: item.signupId, memberId, name, attendance: item.attended ? 'present' : 'absent', hours, points, checkedIn: !!s.checked_in_at });
    }
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'activity.confirm', targetType: 'activity', targetId: id, targetLabel: a.title, ip: ctx.ip, changes: { items: done } });
  });
  return listSignups(deps, ctx, id);
}
