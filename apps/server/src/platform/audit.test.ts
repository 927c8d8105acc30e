import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTestEnv, type TestEnv } from '../../test/harness.js';
import { canonicalJson, recordAudit, verifyAuditChain } from './audit.js';

let env: TestEnv;
beforeAll(async () => {
  env = await setupTestEnv();
});
afterAll(() => env.close());

describe('audit hash chain', () => {
  it('hashes canonical content independently of key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}');
  });

  it('chains every entry to the previous one', async () => {
    for (let i = 0; i < 5; i++) await recordAudit(env.database.db, { actorName: 'tester', action: 'test.write', targetType: 'thing', targetId: String(i), changes: { n: i, name: `名称${i}` } });
    const rows = await env.database.db.selectFrom('audit_log').select(['seq', 'prev_hash', 'hash']).orderBy('seq').execute();
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
    expect(await verifyAuditChain(env.database.db)).toMatchObject({ ok: true, checked: rows.length, firstBroken: null });
  });

  it('keeps concurrent appends in one unbroken chain', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => recordAudit(env.database.db, { actorName: 'tester', action: 'test.concurrent', targetId: String(i) })));
    expect((await verifyAuditChain(env.database.db)).ok).toBe(true);
  });

  it('refuses UPDATE and DELETE through the database trigger', async () => {
    await expect(sql`UPDATE audit_log SET actor_name = 'mallory' WHERE seq = 2`.execute(env.database.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_log WHERE seq = 2`.execute(env.database.db)).rejects.toThrow(/append-only/);
  });

  it('names the first broken row when an entry is changed behind its back', async () => {
    const target = await env.database.db.selectFrom('audit_log').select(['seq']).where('action', '=', 'test.write').where('target_id', '=', '2').executeTakeFirstOrThrow();
    // The table owner switches the trigger off, as an attacker with database access could.
    await env.database.db.transaction().execute(async (trx) => {
      await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update`.execute(trx);
      await sql`UPDATE audit_log SET changes = '{"n": 99}'::jsonb WHERE seq = ${target.seq}`.execute(trx);
      await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update`.execute(trx);
    });
    const result = await verifyAuditChain(env.database.db);
    expect(result.ok).toBe(false);
    expect(result.firstBroken).toMatchObject({ seq: String(target.seq), reason: 'hash' });

    // The audit administrator sees the same through the API, and the check itself is recorded.
    const cookie = await env.login('auditor');
    const api = await env.app.inject({ method: 'POST', url: '/api/audit/verify', headers: { cookie } });
    expect(api.json()).toMatchObject({ ok: false, firstBroken: { seq: String(target.seq) } });
    const entry = await env.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'audit.verify').orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(entry.result).toBe('failed');
  });

  it('searches the log by actor, action, result and time', async () => {
    const cookie = await env.login('auditor');
    const res = await env.app.inject({ url: `/api/audit?actor=tester&action=test.write&from=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`, headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.json().total).toBe(5);
    expect(res.json().items[0]).toMatchObject({ actorName: 'tester', action: 'test.write', result: 'ok' });
    const denied = await env.app.inject({ url: '/api/audit?result=denied', headers: { cookie } });
    expect(denied.json().items.every((i: { result: string }) => i.result === 'denied')).toBe(true);
    const future = await env.app.inject({ url: `/api/audit?from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`, headers: { cookie } });
    expect(future.json()).toMatchObject({ total: 0, items: [] });
  });
});
