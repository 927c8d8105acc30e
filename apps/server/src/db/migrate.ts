import { Migrator, type MigrationResultSet } from 'kysely/migration';
import type { Db } from './database.js';
import { migrations } from './migrations/index.js';

/**
 * Runs pending migrations. The bookkeeping tables live in `schema`, named explicitly: Kysely looks
 * for them in any schema otherwise, and a second schema in the same database (tests give each file
 * its own) would make it skip creating them in this one.
 */
export async function migrateToLatest(db: Db, schema = 'public'): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: schema,
  });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${String((result.error as Error).message ?? result.error)}`);
  }
  return result;
}
