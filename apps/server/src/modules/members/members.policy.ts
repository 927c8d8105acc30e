import { can } from '../../platform/access.js';
import type { Actor } from '../../platform/actor.js';

export interface MemberFacts {
  state: string;
  category: string;
  registered: boolean;
}

/** What the actor may do with one member file (already known to be in scope); the console's buttons follow. */
export function memberCan(actor: Actor, m: MemberFacts) {
  // A file that left the roll is history: it is read, not changed.
  const write = can(actor, 'members:write') && m.state === 'active';
  return {
    edit: write,
    move: write,
    leave: write,
    revealSensitive: can(actor, 'members:read_sensitive'),
    registerCommunity: write && m.category === 'in_service',
    review: write && m.registered,
    addMobileRecord: write,
    addDifficulty: write,
  };
}
