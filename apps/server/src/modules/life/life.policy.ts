import { can } from '../../platform/access.js';
import type { Actor } from '../../platform/actor.js';

/**
 * What the actor may do with one meeting (already known to lie in their scope); the pages enable
 * their buttons from this. A record is the branch's to correct until it is confirmed (locked).
 */
export function meetingCan(actor: Actor, m: { status: 'planned' | 'held' | 'cancelled'; locked: boolean }) {
  const write = can(actor, 'life:write');
  const open = write && !m.locked && m.status !== 'cancelled';
  return {
    edit: open,
    record: open && m.status === 'planned',
    cancel: open && m.status === 'planned',
    attendance: open && m.status === 'held',
    lock: open && m.status === 'held',
  };
}

export function studyCan(actor: Actor) {
  const write = can(actor, 'life:write');
  return { edit: write, addRecords: write };
}
