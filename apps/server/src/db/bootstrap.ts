import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { BuiltinRoleKey } from '@tongxin/contracts';
import { recordAudit } from '../platform/audit.js';
import { hashPassword } from '../platform/passwords.js';
import type { Database, Tx } from './database.js';
import type { FieldCrypto } from '../platform/crypto.js';
import { createOrg } from '../modules/orgs/orgs.service.js';
import { createPlace } from '../modules/places/places.service.js';
import { migrateToLatest } from './migrate.js';
import { DEMO_PASSWORD, loadDemoCity } from './seed/demo.js';
import { ensureBuiltinRoles } from './seed/roles.js';
import { loadCity } from './seed/city/load.js';
import { ensureDefaultRuleSets } from '../platform/rules.js';

export interface FirstAccounts {
  demo: boolean;
  accounts: { username: string; password: string; role: BuiltinRoleKey; displayName: string; scope: string }[];
}

/**
 * Migrates, keeps the built-in roles current and, on an empty database, creates the first accounts:
 * the demo city (default) or just the three administrators with random passwords.
 */
export interface PrepareOptions {
  /** 'fixture': the small demo city tests use; 'articles': the demo scale of the synthetic city (npm start). */
  demo: 'fixture' | 'articles' | false;
  crypto: FieldCrypto;
  root?: { placeName: string; placeCode: string; orgName: string };
}

export async function prepareDatabase(database: Database, opts: PrepareOptions): Promise<FirstAccounts | null> {
  await migrateToLatest(database.db, database.schema);
  const first = await database.db.transaction().execute(async (trx): Promise<FirstAccounts | 'articles' | null> => {
    await sql`SELECT pg_advisory_xact_lock(7270002)`.execute(trx); // two instances starting together seed once
    await checkDataKey(trx, opts.crypto);
    const roles = await ensureBuiltinRoles(trx);
    await ensureDefaultRuleSets(trx);
    const any = await trx.selectFrom('accounts').select('id').limit(1).executeTakeFirst();
    if (any) return null;
    if (opts.demo === 'articles') return 'articles';
    if (opts.demo === 'fixture') {
      const city = await loadDemoCity(trx);
      await recordAudit(trx, { actorName: 'system', action: 'system.seed', targetType: 'database', result: 'ok', changes: { demo: true, accounts: city.accounts.length } });
      return { demo: true, accounts: city.accounts.map((a) => ({ ...a, password: DEMO_PASSWORD })) };
    }
    // Without the demo: the root of each tree, so the administrators have a scope to hand out.
    const root = opts.root ?? { placeName: '深圳市', placeCode: '440300', orgName: '中共深圳市委员会' };
    const placeId = await createPlace(trx, { parentId: null, kind: 'city', name: root.placeName, code: root.placeCode });
    const orgId = await createOrg(trx, { parentId: null, kind: 'committee', domain: 'government', name: root.orgName, placeId });
    const accounts: FirstAccounts['accounts'] = [];
    for (const [username, role, displayName] of [
      ['sysadmin', 'system_admin', '系统管理员'],
      ['secadmin', 'security_admin', '安全保密管理员'],
      ['auditor', 'audit_admin', '安全审计员'],
    ] as const) {
      const password = `Tx-${randomBytes(9).toString('base64url')}1a`;
      // printed once at first start (and so in the service log): it must be changed at first login
      const row = await trx.insertInto('accounts').values({ username, display_name: displayName, password_hash: await hashPassword(password), must_change_password: true }).returning('id').executeTakeFirstOrThrow();
      await trx.insertInto('account_roles').values({ account_id: row.id, role_id: roles.get(role)! }).execute();
      await trx.insertInto('account_scopes').values([{ account_id: row.id, kind: 'org', node_id: orgId }, { account_id: row.id, kind: 'place', node_id: placeId }]).execute();
      accounts.push({ username, password, role, displayName, scope: root.placeName });
    }
    await recordAudit(trx, { actorName: 'system', action: 'system.seed', targetType: 'database', result: 'ok', changes: { demo: false, accounts: accounts.length } });
    return { demo: false, accounts };
  });
  if (first !== 'articles') return first;
  // The article city is loaded with set-based inserts in several transactions of its own, so the
  // transaction's lock above does not cover it: a lock of its own, held across the load, and a
  // second look once it is held (another instance may have loaded the city meanwhile).
  return withDemoLoadLock(database, async () => {
    if (await database.db.selectFrom('accounts').select('id').limit(1).executeTakeFirst()) return null;
    const city = await loadCity(database, opts.crypto, 'demo');
    return { demo: true, accounts: city.accounts.map((a) => ({ username: a.username, password: a.password, role: a.role as BuiltinRoleKey, displayName: a.username, scope: a.scope })) };
  });
}

const DEMO_LOAD_LOCK = 7_270_003;
let inProcess: Promise<unknown> = Promise.resolve();

/**
 * Runs `load` while no other loader of the demo city runs: in this process (a promise chain), and on
 * PostgreSQL in any instance (a session advisory lock on a connection of its own, held until the load
 * ends). PGlite serves one process only, so the chain is enough there.
 */
async function withDemoLoadLock<T>(database: Database, load: () => Promise<T>): Promise<T> {
  const previous = inProcess;
  let done!: () => void;
  inProcess = new Promise<void>((resolve) => (done = resolve));
  await previous.catch(() => undefined);
  try {
    if (database.engine !== 'postgresql') return await load();
    const client = await database.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [DEMO_LOAD_LOCK]);
      try {
        return await load();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [DEMO_LOAD_LOCK]);
      }
    } finally {
      client.release();
    }
  } finally {
    done();
  }
}

const KEY_CHECK = 'data_key_check';

/**
 * The database remembers a keyed hash of a constant: a server started with another data key (a
 * lost key file, an instance without TONGXIN_DATA_KEY) refuses to start instead of failing later.
 */
export async function checkDataKey(trx: Tx, crypto: FieldCrypto) {
  const expected = crypto.lookupHash('tongxin data key check v1');
  const row = await trx.selectFrom('platform_meta').select('value').where('key', '=', KEY_CHECK).executeTakeFirst();
  if (!row) {
    await trx.insertInto('platform_meta').values({ key: KEY_CHECK, value: expected }).execute();
  } else if (row.value !== expected) {
    throw new Error('The data key does not match the key this database was created with. Set TONGXIN_DATA_KEY (or TONGXIN_KEY_FILE) to the original key; encrypted fields cannot be read without it.');
  }
}
