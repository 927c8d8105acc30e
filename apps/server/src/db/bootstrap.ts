import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { BuiltinRoleKey } from '@tongxin/contracts';
import { recordAudit } from '../platform/audit.js';
import { hashPassword } from '../platform/passwords.js';
import type { Database } from './database.js';
import { migrateToLatest } from './migrate.js';
import { DEMO_PASSWORD, loadDemoCity } from './seed/demo.js';
import { ensureBuiltinRoles } from './seed/roles.js';

export interface FirstAccounts {
  demo: boolean;
  accounts: { username: string; password: string; role: BuiltinRoleKey; displayName: string; scope: string }[];
}

/**
 * Migrates, keeps the built-in roles current and, on an empty database, creates the first accounts:
 * the demo city (default) or just the three administrators with random passwords.
 */
export async function prepareDatabase(database: Database, opts: { loadDemo: boolean }): Promise<FirstAccounts | null> {
  await migrateToLatest(database.db);
  return database.db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(7270002)`.execute(trx); // two instances starting together seed once
    const roles = await ensureBuiltinRoles(trx);
    const any = await trx.selectFrom('accounts').select('id').limit(1).executeTakeFirst();
    if (any) return null;
    if (opts.loadDemo) {
      const city = await loadDemoCity(trx);
      await recordAudit(trx, { actorName: 'system', action: 'system.seed', targetType: 'database', result: 'ok', changes: { demo: true, accounts: city.accounts.length } });
      return { demo: true, accounts: city.accounts.map((a) => ({ ...a, password: DEMO_PASSWORD })) };
    }
    const accounts: FirstAccounts['accounts'] = [];
    for (const [username, role, displayName] of [
      ['sysadmin', 'system_admin', '系统管理员'],
      ['secadmin', 'security_admin', '安全保密管理员'],
      ['auditor', 'audit_admin', '安全审计员'],
    ] as const) {
      const password = `Tx-${randomBytes(9).toString('base64url')}1a`;
      const row = await trx.insertInto('accounts').values({ username, display_name: displayName, password_hash: await hashPassword(password) }).returning('id').executeTakeFirstOrThrow();
      await trx.insertInto('account_roles').values({ account_id: row.id, role_id: roles.get(role)! }).execute();
      accounts.push({ username, password, role, displayName, scope: '—' });
    }
    await recordAudit(trx, { actorName: 'system', action: 'system.seed', targetType: 'database', result: 'ok', changes: { demo: false, accounts: accounts.length } });
    return { demo: false, accounts };
  });
}
