import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTestEnv, type TestEnv } from '../../test/harness.js';
import { canonicalJson, contentPieces, recordAudit, recordAudits, recordAuditsAndCommit, redact, verifyAuditChain, type AuditEntry } from './audit.js';

// Appends in the database (audit_append, migration 0013): the server sends each entry's canonical
// JSON in pieces, the database hashes it under the chain lock; verifyAuditChain (unchanged) must agree.

let env: TestEnv;
beforeAll(async () => {
  env = await setupTestEnv();
});
afterAll(() => env.close());

// text that quoting, escaping, JSON or UTF-8 could get wrong
const awkward = [
  `it's "quoted" \\ back\\slashed`,
  '多字节：同心 🚩 e\u0301',
  'line\nbreak\ttab\r\u0001\u001f',
  '$tongxin_audit$ the dollar tag itself',
  '\u2028\u2029 </script>',
];
const entries = (tag: string): AuditEntry[] =>
  awkward.map((text, i) => ({
    actorName: `tester ${text}`,
    action: `test.${tag}`,
    targetType: 'thing',
    targetId: String(i),
    targetLabel: text,
    reason: i % 2 ? text : null,
    ip: '::1',
    changes: { text, n: i, big: 12345678901234567890, small: 1.5e-7, neg: -0, list: [text, null, true, { z: 1, a: [2, { y: text }] }], password: 'hunter2', nested: { token: 'abc', keep: 'yes' }, when: new Date(0) },
  }));
const rowsOf = (action: string) => env.database.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('seq').execute();

describe('appending to the audit chain in the database', () => {
  it('splits the canonical content around at and seq exactly', () => {
    const row = { actor_id: null, actor_name: 'x', action: 'a', target_type: null, target_id: '1', target_label: 'l', result: 'ok', reason: null, ip: null, changes: { b: [1, { d: 2, c: 'é' }], a: null } };
    const [p0, p1, p2] = contentPieces(row);
    const at = new Date('2026-12-05T01:02:03.456Z');
    expect(`${p0}"${at.toISOString()}"${p1}"42"${p2}`).toBe(
      canonicalJson({ seq: '42', at: at.toISOString(), actorId: null, actorName: 'x', action: 'a', targetType: null, targetId: '1', targetLabel: 'l', result: 'ok', reason: null, ip: null, changes: row.changes }),
    );
  });

  it('stores awkward text as given (secrets redacted) and the chain verifies', async () => {
    await recordAudits(env.database.db, entries('awkward'));
    await recordAudit(env.database.db, { action: 'test.awkward', changes: null });
    const rows = await rowsOf('test.awkward');
    expect(rows).toHaveLength(awkward.length + 1);
    rows.slice(0, awkward.length).forEach((r, i) => {
      expect(r).toMatchObject({ actor_name: `tester ${awkward[i]}`, target_label: awkward[i], reason: i % 2 ? awkward[i] : null, ip: '::1', result: 'ok' });
      expect(r.changes).toMatchObject({ text: awkward[i], password: '[secret]', nested: { token: '[secret]', keep: 'yes' }, when: '1970-01-01T00:00:00.000Z' });
    });
    expect(rows.at(-1)!.changes).toBeNull();
    // one batch: consecutive numbers, one time
    const seqs = rows.map((r) => Number(r.seq));
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    expect(new Set(rows.slice(0, awkward.length).map((r) => r.at.toISOString())).size).toBe(1);
    expect(await verifyAuditChain(env.database.db)).toMatchObject({ ok: true, firstBroken: null });
  });

  it('stores plain changes (the one-pass path) exactly as the JSON round trip of the redacted changes', async () => {
    const plain: Record<string, unknown>[] = [
      { a: 1, b: [1, 'x', null, undefined, [true, { c: -0 }]], nested: { otp: 123456, deeper: { newPassword: undefined, keep: 1e21 } }, skipped: undefined },
      { 'tab\tkey': 'ok', 'quote"key': 'v', empty: {}, list: [], num: 0.1 + 0.2, neg: -5e-324 },
      Object.assign(Object.create(null), { nullProto: true, token: 'x' }),
    ];
    await recordAudits(env.database.db, plain.map((changes) => ({ action: 'test.plain', changes })));
    const rows = await rowsOf('test.plain');
    expect(rows.map((r) => r.changes)).toEqual(plain.map((c) => JSON.parse(JSON.stringify(redact(c)))));
    expect((await verifyAuditChain(env.database.db)).ok).toBe(true);
  });

  it('commits the entries with the transaction in one message, or not at all', async () => {
    await env.database.db.transaction().execute(async (trx) => {
      await sql`INSERT INTO platform_meta (key, value) VALUES ('audit_bulk_test', 'kept')`.execute(trx);
      await recordAuditsAndCommit(trx, entries('committed'));
    });
    expect(await rowsOf('test.committed')).toHaveLength(awkward.length);
    expect(await env.database.db.selectFrom('platform_meta').select('value').where('key', '=', 'audit_bulk_test').executeTakeFirst()).toEqual({ value: 'kept' });

    await expect(
      env.database.db.transaction().execute(async (trx) => {
        await sql`INSERT INTO platform_meta (key, value) VALUES ('audit_bulk_test_2', 'lost')`.execute(trx);
        await recordAuditsAndCommit(trx, [{ action: 'test.rolled_back', targetType: 'thing', targetId: '1', changes: { bad: '\u0000' } }]);
      }),
    ).rejects.toThrow();
    expect(await rowsOf('test.rolled_back')).toHaveLength(0);
    expect(await env.database.db.selectFrom('platform_meta').select('value').where('key', '=', 'audit_bulk_test_2').executeTakeFirst()).toBeUndefined();
    expect((await verifyAuditChain(env.database.db)).ok).toBe(true);
  });

  it('keeps concurrent batches in one unbroken chain, each batch together', async () => {
    await Promise.all(
      Array.from({ length: 12 }, (_, b) =>
        b % 3 === 0
          ? env.database.db.transaction().execute((trx) => recordAuditsAndCommit(trx, Array.from({ length: 4 }, (_, i) => ({ action: 'test.concurrent_bulk', targetId: `${b}.${i}` }))))
          : recordAudits(env.database.db, Array.from({ length: 4 }, (_, i) => ({ action: 'test.concurrent_bulk', targetId: `${b}.${i}` }))),
      ),
    );
    const rows = await rowsOf('test.concurrent_bulk');
    expect(rows).toHaveLength(48);
    for (let i = 0; i < rows.length; i += 4) {
      const batch = rows.slice(i, i + 4).map((r) => r.target_id!.split('.'));
      expect(new Set(batch.map(([b]) => b)).size).toBe(1);
      expect(batch.map(([, n]) => n)).toEqual(['0', '1', '2', '3']);
    }
    expect(await verifyAuditChain(env.database.db)).toMatchObject({ ok: true, firstBroken: null });
  });
});
