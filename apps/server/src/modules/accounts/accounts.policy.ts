import { can } from '../../platform/access.js';
import type { Actor } from '../../platform/actor.js';

export interface AccountFacts {
  id: string;
  status: 'active' | 'disabled';
  lockedUntil: Date | null;
  hasPhone: boolean;
}

/** What the actor may do with one account; the console enables its buttons from this. */
export function accountCan(actor: Actor, a: AccountFacts) {
  const self = actor.id === a.id;
  const write = can(actor, 'accounts:write');
  return {
    edit: write,
    disable: write && !self && a.status === 'active',
    enable: write && a.status === 'disabled',
    resetPassword: write && !self,
    // Nobody grants roles to themselves: that is how one administrator would become all three.
    assignRoles: can(actor, 'accounts:assign_roles') && !self,
    unlock: can(actor, 'accounts:unlock') && !!a.lockedUntil && a.lockedUntil.getTime() > Date.now(),
    revealPhone: can(actor, 'accounts:read_sensitive') && a.hasPhone,
  };
}
