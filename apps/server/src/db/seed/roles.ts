import { BUILTIN_ROLES, PERMISSIONS, type BuiltinRoleKey, type PermissionKey } from '@tongxin/contracts';
import type { Executor } from '../database.js';

const byGroup = (group: string) => (Object.keys(PERMISSIONS) as PermissionKey[]).filter((k) => PERMISSIONS[k].group === group);

/** Permissions of the built-in roles. The three administrators share nothing (三员分立). */
export const BUILTIN_ROLE_PERMISSIONS: Record<BuiltinRoleKey, PermissionKey[]> = {
  system_admin: [...byGroup('directory'), ...byGroup('system')],
  security_admin: [...byGroup('directory'), ...byGroup('security')],
  audit_admin: byGroup('audit'),
  org_worker: ['orgs:read', 'orgs:write', 'places:read', 'places:write', 'members:read', 'members:write', 'members:read_sensitive', 'members:import', 'members:export', 'rules:read', 'rules:write', 'points:read', 'points:correct', 'points:configure', 'activities:read', 'activities:manage', 'volunteer:certify', 'feed:read', 'feed:post', 'commitments:read', 'commitments:review', 'life:read', 'life:write'],
  branch_secretary: ['orgs:read', 'places:read', 'members:read', 'members:write', 'members:export', 'rules:read', 'points:read', 'points:correct', 'activities:read', 'activities:manage', 'volunteer:certify', 'feed:read', 'feed:post', 'commitments:read', 'commitments:review', 'life:read', 'life:write'],
  // cases (issue 4): command and supervision are separate; departments see only what they were whistled for
  command_centre: ['cases:report', 'cases:read', 'cases:handle', 'cases:command', 'cases:whistle', 'cases:configure', 'places:read', 'rules:read'],
  supervision_centre: ['cases:read', 'cases:supervise', 'places:read', 'rules:read'],
  department_handler: ['cases:department'],
  grid_worker: ['cases:report', 'cases:read', 'cases:handle', 'cases:supervise', 'places:read'],
  // residents log in by phone and one-time code (CASE-6): they report and follow their own cases
  resident: ['cases:report'],
  // a party member's own login (issue 5): their branch, feed, activities, points; they report too
  member: ['self:member', 'cases:report'],
};

/** Creates missing built-in roles and sets the fixed permission sets of existing ones. */
export async function ensureBuiltinRoles(ex: Executor): Promise<Map<BuiltinRoleKey, string>> {
  const ids = new Map<BuiltinRoleKey, string>();
  for (const key of Object.keys(BUILTIN_ROLES) as BuiltinRoleKey[]) {
    const existing = await ex.selectFrom('roles').select(['id', 'permissions']).where('key', '=', key).executeTakeFirst();
    const permissions = BUILTIN_ROLE_PERMISSIONS[key];
    if (existing) {
      // Built-in roles cannot be edited through the API; a release's new keys reach them here.
      const wanted = [...permissions].sort();
      if (wanted.join() !== [...existing.permissions].sort().join()) await ex.updateTable('roles').set({ permissions: wanted }).where('id', '=', existing.id).execute();
      ids.set(key, existing.id);
    } else {
      const row = await ex
        .insertInto('roles')
        .values({ key, name: BUILTIN_ROLES[key].zh, description: BUILTIN_ROLES[key].en, builtin: true, permissions })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids.set(key, row.id);
    }
  }
  return ids;
}
