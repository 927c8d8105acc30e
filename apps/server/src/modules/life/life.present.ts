import type { Actor } from '../../platform/actor.js';
import { todayInChina } from '../../platform/dates.js';
import { meetingCan } from './life.policy.js';
import type { MeetingRow } from './life.repo.js';
import type { MeetingSummary } from './life.schema.js';

// Shapes of meetings as the API returns them, and the dates and times they are shown in.

/** A local date and time in China, for messages ("2026-05-12 14:30"). */
export function chinaDateTime(d: Date): string {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}

/** The local date in China of an instant: the day a meeting counts on. */
export const chinaDate = (d: Date): string => todayInChina(d.getTime());

export function meetingSummary(actor: Actor, r: MeetingRow): MeetingSummary {
  const locked = r.locked_at !== null;
  return {
    id: String(r.id),
    org: { id: String(r.org_id), name: r.org_name, kind: r.org_kind },
    branch: { id: String(r.branch_id), name: r.branch_name, kind: r.branch_kind },
    kind: r.kind,
    title: r.title,
    status: r.status,
    startsAt: r.starts_at.toISOString(),
    endsAt: r.ends_at?.toISOString() ?? null,
    heldOn: r.held_on,
    place: r.place,
    host: r.host,
    expected: r.expected,
    present: r.present,
    excused: r.excused,
    absent: r.absent,
    votingTotal: r.voting_total,
    votingPresent: r.voting_present,
    quorumMet: r.quorum_met,
    counts: r.counts,
    locked,
    can: meetingCan(actor, { status: r.status, locked }),
  };
}
