import type { Executor } from '../../db/database.js';
import type { Actor } from '../../platform/actor.js';
import { orgNames } from '../orgs/orgs.service.js';
import { placeNames } from '../places/places.service.js';
import { chinaDay, pointsRulesOn, ruleAmount } from '../points/points.rules.js';
import { activityCan } from './activities.policy.js';
import { countsOf, phaseOf, type ActivityRow, type SignupRow } from './activities.repo.js';

// Activities as the console and the mobile pages see them: with names, counts, the phase, and the
// points the rules in force give for taking part.

const str = (v: string | null) => (v === null ? null : String(v));

/** Points for taking part, by the rules of `rulesOrgId` (the member's branch; else the organiser) on the day. */
async function pointsPreview(ex: Executor, rows: ActivityRow[], rulesOrgId?: string): Promise<Map<string, number>> {
  const cache = new Map<string, Awaited<ReturnType<typeof pointsRulesOn>>>();
  const out = new Map<string, number>();
  for (const a of rows) {
    const orgId = rulesOrgId ?? String(a.org_id);
    const day = chinaDay(a.starts_at);
    const key = `${orgId}|${day}`;
    if (!cache.has(key)) cache.set(key, await pointsRulesOn(ex, orgId, day));
    const rule = cache.get(key)!.rules.sources[a.kind === 'volunteer' ? 'volunteer' : 'activity'];
    out.set(String(a.id), ruleAmount(rule, Number(a.service_hours) || 1));
  }
  return out;
}

export const signupView = (s: SignupRow | undefined) =>
  s
    ? {
        status: s.status,
        signedUpAt: s.signed_up_at.toISOString(),
        cancelledAt: s.cancelled_at?.toISOString() ?? null,
        checkedInAt: s.checked_in_at?.toISOString() ?? null,
        attendance: s.attendance,
        hours: s.hours === null ? null : Number(s.hours),
      }
    : null;

export interface PresentOpts {
  actor?: Actor;
  rulesOrgId?: string;
  mine?: Map<string, SignupRow>;
  audience?: (a: ActivityRow) => 'org' | 'residence' | 'registered';
  skills?: string[];
}

export async function presentActivities(ex: Executor, rows: ActivityRow[], opts: PresentOpts = {}) {
  const ids = rows.map((r) => String(r.id));
  const [orgs, places, counts, points] = await Promise.all([
    orgNames(ex, [...new Set(rows.map((r) => String(r.org_id)))]),
    placeNames(ex, [...new Set(rows.filter((r) => r.place_id !== null).map((r) => String(r.place_id)))]),
    countsOf(ex, ids),
    pointsPreview(ex, rows, opts.rulesOrgId),
  ]);
  const now = Date.now();
  return rows.map((a) => {
    const id = String(a.id);
    const c = counts.get(id) ?? { signedUp: 0, checkedIn: 0, present: 0, absent: 0 };
    const phase = phaseOf(a, now);
    return {
      id,
      kind: a.kind,
      title: a.title,
      description: a.description,
      orgId: String(a.org_id),
      orgName: orgs.get(String(a.org_id)) ?? '',
      placeId: str(a.place_id),
      placeName: a.place_id === null ? null : (places.get(String(a.place_id)) ?? null),
      organiserName: a.organiser_name || (orgs.get(String(a.org_id)) ?? ''),
      startsAt: a.starts_at.toISOString(),
      endsAt: a.ends_at.toISOString(),
      signupDeadline: a.signup_deadline.toISOString(),
      location: a.location,
      lng: a.lng,
      lat: a.lat,
      capacity: a.capacity,
      skills: a.skills,
      serviceHours: Number(a.service_hours),
      contact: a.contact,
      status: a.status,
      cancelReason: a.cancel_reason,
      phase,
      points: points.get(id) ?? 0,
      counts: c,
      left: Math.max(0, a.capacity - c.signedUp),
      ...(opts.actor ? { can: activityCan(opts.actor, a, now) } : {}),
      ...(opts.mine ? { mine: signupView(opts.mine.get(id)) } : {}),
      ...(opts.audience ? { audience: opts.audience(a) } : {}),
      ...(opts.skills ? { skillsMatch: a.skills.length === 0 || a.skills.some((s) => opts.skills!.includes(s)) } : {}),
    };
  });
}
