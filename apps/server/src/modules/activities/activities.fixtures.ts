import type { Db } from '../../db/database.js';
import { DEMO_PASSWORD } from '../../db/seed/demo.js';
import { hashPassword } from '../../platform/passwords.js';

// Test support for activities: a branch secretary's account, and moving an activity in time (an
// activity can only be published for the future; check-in and attendance tests need it under way).

export async function secretaryAccount(db: Db, username: string, orgId: string): Promise<void> {
  const role = await db.selectFrom('roles').select('id').where('key', '=', 'branch_secretary').executeTakeFirstOrThrow();
  const account = await db.insertInto('accounts').values({ username, display_name: `${username}书记`, password_hash: await hashPassword(DEMO_PASSWORD) }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('account_roles').values({ account_id: account.id, role_id: role.id }).execute();
  await db.insertInto('account_scopes').values({ account_id: account.id, kind: 'org', node_id: orgId }).execute();
}

/** Moves an activity so that it starts `startMin` minutes from now and lasts `lengthMin` minutes. */
export async function shiftActivity(db: Db, id: string, startMin: number, lengthMin = 120, deadlineMin = startMin): Promise<void> {
  const now = Date.now();
  await db
    .updateTable('activities')
    .set({ starts_at: new Date(now + startMin * 60_000), ends_at: new Date(now + (startMin + lengthMin) * 60_000), signup_deadline: new Date(now + deadlineMin * 60_000) })
    .where('id', '=', id)
    .execute();
}

/** An ISO instant `minutes` from now. */
export const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
