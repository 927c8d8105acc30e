import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { inject } from 'vitest';
import { buildApp, type App } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { createDatabase, type Database } from '../src/db/database.js';
import { prepareDatabase } from '../src/db/bootstrap.js';
import { DEMO_PASSWORD, type DemoCity } from '../src/db/seed/demo.js';
import { createFieldCrypto } from '../src/platform/crypto.js';

export interface TestEnv {
  app: App;
  database: Database;
  config: Config;
  key: Buffer;
  /** Builds another server instance on the same database and schema (as behind a load balancer). */
  secondApp(config?: Partial<Config>): Promise<App>;
  login(username: string, password?: string): Promise<string>;
  close(): Promise<void>;
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  // the session cache is off by default so tests see every change at once; one test turns it on
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', SESSION_CACHE_MS: '0', TONGXIN_DATA_DIR: '/tmp/tongxin-test-unused', TONGXIN_KEY_FILE: '/tmp/tongxin-test-unused/key', ...overrides });
}

/** A fresh schema with the demo city, and an app on it. Each test file calls this once. */
export async function setupTestEnv(opts: { config?: Record<string, string> } = {}): Promise<TestEnv> {
  const url = inject('dbUrl');
  const engine = inject('engine');
  const schema = `t_${randomBytes(5).toString('hex')}`;
  const admin = createDatabase({ url, engine });
  await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public`.execute(admin.db);
  await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(admin.db);
  await admin.close();

  const config = testConfig(opts.config);
  const database = createDatabase({ url, engine, schema });
  const key = randomBytes(32);
  const crypto = createFieldCrypto(key);
  await prepareDatabase(database, { demo: 'fixture', crypto });
  const app = await buildApp({ config, database, crypto });
  const extra: { app: App; database: Database }[] = [];

  const env: TestEnv = {
    app,
    database,
    config,
    key,
    async secondApp(overrides = {}) {
      const db2 = createDatabase({ url, engine, schema });
      const app2 = await buildApp({ config: { ...config, ...overrides }, database: db2, crypto });
      extra.push({ app: app2, database: db2 });
      return app2;
    },
    async login(username, password = DEMO_PASSWORD) {
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
      if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
      const cookie = res.cookies.find((c) => c.name === 'tx_session');
      return `tx_session=${cookie!.value}`;
    },
    async close() {
      for (const e of extra) {
        await e.app.close();
        await e.database.close();
      }
      await app.close();
      await sql`DROP SCHEMA ${sql.id(schema)} CASCADE`.execute(database.db);
      await database.close();
    },
  };
  return env;
}

/** Ids of the demo city's nodes by name, read back from the database. */
export async function demoIds(database: Database): Promise<{ orgs: Record<string, string>; places: Record<string, string> }> {
  const orgs = await database.db.selectFrom('orgs').select(['id', 'name']).execute();
  const places = await database.db.selectFrom('places').select(['id', 'name']).execute();
  return { orgs: Object.fromEntries(orgs.map((o) => [o.name, String(o.id)])), places: Object.fromEntries(places.map((p) => [p.name, String(p.id)])) };
}

export type { DemoCity };
