// npm run migrate — applies pending migrations (the server also does this at start).
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';

const config = loadConfig();
const opened = await openDatabase(config, { role: 'cli' });
try {
  const result = await migrateToLatest(opened.database.db);
  const applied = result.results?.filter((r) => r.status === 'Success').map((r) => r.migrationName) ?? [];
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
} finally {
  await opened.close();
}
