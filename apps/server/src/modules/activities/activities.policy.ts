import { can } from '../../platform/access.js';
import type { Actor } from '../../platform/actor.js';
import type { ActivityRow } from './activities.repo.js';

/** What a staff actor may do with an activity they can see; the console's buttons follow. */
export function activityCan(actor: Actor, a: Pick<ActivityRow, 'status' | 'starts_at' | 'ends_at'>, now = Date.now()) {
  const manage = can(actor, 'activities:manage') && a.status === 'published';
  const started = now >= a.starts_at.getTime();
  return {
    edit: manage && !started,
    cancel: manage && !started,
    // the QR screen opens any time; the code itself is refused outside the check-in window
    checkIn: manage && now < a.ends_at.getTime() + 24 * 3600_000,
    confirm: manage && started,
  };
}
