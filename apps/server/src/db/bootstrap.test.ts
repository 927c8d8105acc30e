import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, expect, inject, it } from 'vitest';
import { createFieldCrypto } from '../platform/crypto.js';
import { prepareDatabase } from './bootstrap.js';
import { createDatabase, type Database } from './database.js';

// Several instances behind a load balancer may start together on an empty database: the demo city
// (npm start) is loaded by one of them, once; the others find it there.

const url = inject('dbUrl');
const engine = inject('engine');
const schema = `t_${randomBytes(5).toString('hex')}`;
const opened: Database[] = [];

afterAll(async () => {
  const admin = createDatabase({ url, engine });
  await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(admin.db);
  await admin.close();
  for (const d of opened) await d.close();
});

it('loads the demo city once when two instances start together on an empty database', async () => {
  const admin = createDatabase({ url, engine });
  await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public`.execute(admin.db);
  await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(admin.db);
  await admin.close();
  const crypto = createFieldCrypto(randomBytes(32));
  const a = createDatabase({ url, engine, schema });
  const b = createDatabase({ url, engine, schema });
  opened.push(a, b);

  const results = await Promise.all([prepareDatabase(a, { demo: 'articles', crypto }), prepareDatabase(b, { demo: 'articles', crypto })]);
  expect(results.filter((r) => r?.demo === true)).toHaveLength(1);
  expect(results.filter((r) => r === null)).toHaveLength(1);
  const n = async (q: ReturnType<typeof sql<{ n: string }>>) => Number((await q.execute(a.db)).rows[0]!.n);
  expect(await n(sql<{ n: string }>`SELECT count(*) AS n FROM places WHERE parent_id IS NULL`)).toBe(1);
  expect(await n(sql<{ n: string }>`SELECT count(*) AS n FROM orgs WHERE parent_id IS NULL`)).toBe(1);
  expect(await n(sql<{ n: string }>`SELECT count(*) AS n FROM audit_log WHERE action = 'system.seed'`)).toBe(1);
}, 120_000);
