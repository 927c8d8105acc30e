// npm run seed:city -- --scale demo|street|city [--reset] [--seed N]
// Loads the synthetic city into DATABASE_URL or the embedded database in TONGXIN_DATA_DIR.
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';
import { checkDataKey } from '../db/bootstrap.js';
import { isEmpty, loadCity, resetDomain } from '../db/seed/city/load.js';
import { SCALES } from '../db/seed/city/specs.js';
import { createFieldCrypto, loadMasterKey } from '../platform/crypto.js';

const { values } = parseArgs({ options: { scale: { type: 'string', default: 'demo' }, reset: { type: 'boolean', default: false }, seed: { type: 'string' } } });
const scale = values.scale as keyof typeof SCALES;
if (!SCALES[scale]) {
  console.error(`--scale must be one of: ${Object.keys(SCALES).join(', ')}`);
  process.exit(2);
}
const config = loadConfig();
const key = loadMasterKey(config);
const opened = await openDatabase(config, { role: 'cli' });
try {
  const { db } = opened.database;
  await migrateToLatest(db);
  const crypto = createFieldCrypto(key.key);
  // member data is encrypted with this key: refuse a key other than the database's own
  await db.transaction().execute((trx) => checkDataKey(trx, crypto));
  if (!(await isEmpty(db))) {
    if (!values.reset) {
      console.error('The database already has organisations. Run with --reset to replace the places, organisations, members and accounts (the audit log is kept).');
      process.exitCode = 2;
    } else {
      await resetDomain(db);
    }
  }
  if (process.exitCode !== 2) {
    console.log(`Loading the ${scale} city …`);
    const result = await loadCity(opened.database, crypto, scale, { seed: values.seed ? Number(values.seed) : undefined, log: console.log });
    console.log(`Loaded ${result.places} places, ${result.orgs} organisations, ${result.members} members in ${result.seconds.total} s.`);
    for (const a of result.accounts) console.log(`  ${a.username.padEnd(10)} ${a.password}  ${a.role} — ${a.scope}`);
  }
} finally {
  await opened.close();
}
