import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.js';
import { createFieldCrypto } from '../../platform/crypto.js';
import { LoggingSmsProvider } from '../../platform/sms.js';
import { demoIds, setupTestEnv, testConfig, type TestEnv } from '../../../test/harness.js';
import { demoBranches, testIdNumber } from '../members/members.fixtures.js';
import { caseHelpers } from '../cases/cases.fixtures.js';

let env: TestEnv;
beforeAll(async () => {
  env = await setupTestEnv();
});
afterAll(() => env.close());

const post = (url: string, payload: object, ip = '10.0.0.1') => env.app.inject({ method: 'POST', url, payload, remoteAddress: ip });

/** The code of the newest message to a phone, read from the developer inbox. */
async function codeFor(phone: string): Promise<string> {
  const res = await env.app.inject({ url: '/api/dev/sms' });
  expect(res.statusCode).toBe(200);
  const msg = (res.json() as { phone: string; text: string }[]).find((m) => m.phone === phone);
  return /(\d{6})/.exec(msg!.text)![1]!;
}

describe('phone and one-time code login (residents)', () => {
  it('sends a code, logs in with it, and the resident may report a case', async () => {
    const phone = '13800138000';
    const req = await post('/api/auth/otp/request', { phone });
    expect(req.statusCode).toBe(200);
    const code = await codeFor(phone);
    expect(code).toMatch(/^\d{6}$/);

    // only a hash is stored; the audit entry has the masked phone and no code
    const stored = await env.database.db.selectFrom('otp_codes').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(code);
    const audits = await env.database.db.selectFrom('audit_log').selectAll().where('action', 'like', 'auth.otp%').execute();
    expect(JSON.stringify(audits)).not.toContain(code);
    expect(JSON.stringify(audits)).not.toContain(phone);

    const res = await post('/api/auth/otp/verify', { phone, code });
    expect(res.statusCode).toBe(200);
    expect(res.json().user).toMatchObject({ roles: [{ key: 'resident' }], permissions: ['cases:report'] });
    expect(res.json().user.username).toMatch(/^r_/);
    expect(res.json().user.displayName).toBe('居民138****8000');
    const cookie = `tx_session=${res.cookies.find((c) => c.name === 'tx_session')!.value}`;

    const me = await env.app.inject({ url: '/api/auth/me', headers: { cookie } });
    expect(me.statusCode).toBe(200);

    const at = await caseHelpers(env).centreOf('老围第1网格');
    const created = await env.app.inject({ method: 'POST', url: '/api/cases', headers: { cookie }, payload: { categoryCode: 'sanitation', description: '楼道里堆满垃圾', ...at, source: 'resident' } });
    expect(created.statusCode).toBe(201);
    const mine = await env.app.inject({ url: '/api/cases?view=mine', headers: { cookie } });
    expect(mine.statusCode).toBe(200);
    expect(JSON.stringify(mine.json())).toContain(created.json().number);

    // the code is used up; a second login by the same phone finds the same account
    expect((await post('/api/auth/otp/verify', { phone, code })).statusCode).toBe(401);
  });

  it('counts wrong codes and refuses the 6th attempt, even with the right code', async () => {
    const phone = '13900139000';
    expect((await post('/api/auth/otp/request', { phone }, '10.0.0.2')).statusCode).toBe(200);
    const code = await codeFor(phone);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      const res = await post('/api/auth/otp/verify', { phone, code: wrong }, '10.0.0.2');
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('AUTH_OTP_INVALID');
    }
    const sixth = await post('/api/auth/otp/verify', { phone, code }, '10.0.0.2');
    expect(sixth.statusCode).toBe(429);
    expect(sixth.json().error.code).toBe('AUTH_OTP_EXHAUSTED');
    const row = await env.database.db.selectFrom('otp_codes').select('attempts').where('consumed_at', 'is', null).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    expect(row.attempts).toBe(5);
  });

  it('limits requests per phone and refuses a malformed number', async () => {
    const phone = '13700137000';
    expect((await post('/api/auth/otp/request', { phone }, '10.0.0.3')).statusCode).toBe(200);
    const again = await post('/api/auth/otp/request', { phone }, '10.0.0.3');
    expect(again.statusCode).toBe(429);
    expect(again.json().error.code).toBe('RATE_LIMITED');
    expect((await post('/api/auth/otp/request', { phone: '12345' }, '10.0.0.3')).statusCode).toBe(400);
  });

  it('uses an injected SMS provider, and has no developer inbox in production', async () => {
    const sent: string[] = [];
    const config = { ...testConfig(), production: true };
    const app = await buildApp({ config, database: env.database, crypto: createFieldCrypto(env.key), sms: { send: async (_p, text) => void sent.push(text) } });
    try {
      expect((await app.inject({ url: '/api/dev/sms' })).statusCode).toBe(404);
      const res = await app.inject({ method: 'POST', url: '/api/auth/otp/request', payload: { phone: '+86 136 0013 6000' }, remoteAddress: '10.0.0.4' });
      expect(res.statusCode).toBe(200);
      expect(sent[0]).toMatch(/\d{6}/);
    } finally {
      await app.close();
    }
    const prodLogging = await buildApp({ config, database: env.database, crypto: createFieldCrypto(env.key), sms: new LoggingSmsProvider() });
    try {
      expect((await prodLogging.inject({ url: '/api/dev/sms' })).statusCode).toBe(404);
    } finally {
      await prodLogging.close();
    }
  });

  it('serves the mobile pages at /m/ with their own single-page fallback', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tx-mobile-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>mobile</title>');
    const app = await buildApp({ config: env.config, database: env.database, crypto: createFieldCrypto(env.key), mobileDir: dir });
    try {
      for (const url of ['/m/', '/m/report', '/m/cases/12']) {
        const res = await app.inject({ url });
        expect(res.statusCode).toBe(200);
        expect(res.body).toContain('mobile');
      }
      expect((await app.inject({ url: '/m' })).statusCode).toBe(302);
      expect((await app.inject({ url: '/m/assets/missing.js' })).statusCode).toBe(404);
      expect((await app.inject({ url: '/api/nothing' })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });

  it("links a member's phone to the member: the login gets the member role and the member id", async () => {
    const ids = await demoIds(env.database);
    const branches = await demoBranches(env.database.db, ids.orgs);
    const gy = await env.login('guiyuan');
    const phone = '13500135000';
    const created = await env.app.inject({
      method: 'POST', url: '/api/members', headers: { cookie: gy },
      payload: { name: '陈党员', idNumber: testIdNumber(77), phone, status: 'full', joinedOn: '2010-07-01', fullOn: '2011-07-01', category: 'in_service', orgId: branches.laoweiBranch },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect((await post('/api/auth/otp/request', { phone }, '10.0.0.5')).statusCode).toBe(200);
    const res = await post('/api/auth/otp/verify', { phone, code: await codeFor(phone) }, '10.0.0.5');
    expect(res.statusCode).toBe(200);
    const user = res.json().user;
    expect(user.memberId).toBe(String(created.json().id));
    expect(user.displayName).toBe('陈党员');
    expect(user.roles.map((r: { key: string }) => r.key).sort()).toEqual(['member', 'resident']);
    expect(user.permissions).toContain('self:member');
    const link = await env.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'auth.member_link').execute();
    expect(link).toHaveLength(1);
    expect(link[0]!.target_id).toBe(String(created.json().id));
  });

  it('gives a plain resident no member id and refuses member-only actions', async () => {
    const phone = '13400134000';
    expect((await post('/api/auth/otp/request', { phone }, '10.0.0.6')).statusCode).toBe(200);
    const res = await post('/api/auth/otp/verify', { phone, code: await codeFor(phone) }, '10.0.0.6');
    expect(res.json().user.memberId).toBeNull();
  });
});
