import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { AddressFailures } from './auth.limits.js';
import { totpNow } from './totp.js';

let env: TestEnv;
beforeAll(async () => {
  env = await setupTestEnv();
});
afterAll(() => env.close());

const login = (payload: Record<string, unknown>) => env.app.inject({ method: 'POST', url: '/api/auth/login', payload });

async function lastAudit(action: string, actorName?: string) {
  let q = env.database.db.selectFrom('audit_log').selectAll().where('action', '=', action);
  if (actorName) q = q.where('actor_name', '=', actorName);
  return q.orderBy('seq', 'desc').limit(1).executeTakeFirst();
}

describe('login and sessions', () => {
  it('logs in with an HttpOnly cookie and answers /me with roles, permissions and scope', async () => {
    const res = await login({ username: 'guiyuan', password: 'Tongxin@2026' });
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'tx_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    const me = await env.app.inject({ url: '/api/auth/me', headers: { cookie: `tx_session=${cookie.value}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ username: 'guiyuan', roles: [{ key: 'org_worker' }] });
    expect(me.json().scopes.map((s: { name: string }) => s.name)).toContain('桂园街道');
    const entry = await lastAudit('auth.login', 'guiyuan');
    expect(entry).toMatchObject({ result: 'ok', target_type: 'account' });
  });

  it('refuses a wrong password with a stable code and audits the failure', async () => {
    const res = await login({ username: 'dongxiao', password: 'wrong-Password1' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('AUTH_INVALID_CREDENTIALS');
    expect(await lastAudit('auth.login', 'dongxiao')).toMatchObject({ result: 'failed', reason: 'wrong_password' });
    const unknown = await login({ username: 'nobody', password: 'whatever-Pass1' });
    expect(unknown.json().error.code).toBe('AUTH_INVALID_CREDENTIALS');
    expect(await lastAudit('auth.login', 'nobody')).toMatchObject({ result: 'failed', reason: 'unknown_user' });
  });

  it('locks an account after 5 failures for 15 minutes, even for the right password', async () => {
    for (let i = 0; i < 4; i++) expect((await login({ username: 'luohu', password: `bad-Password${i}` })).json().error.code).toBe('AUTH_INVALID_CREDENTIALS');
    const fifth = await login({ username: 'luohu', password: 'bad-Password5' });
    expect(fifth.statusCode).toBe(423);
    expect(fifth.json().error.code).toBe('AUTH_ACCOUNT_LOCKED');
    const until = new Date(fifth.json().error.params.until).getTime();
    expect(until - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(until - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    const right = await login({ username: 'luohu', password: 'Tongxin@2026' });
    expect(right.statusCode).toBe(423);
    expect(await lastAudit('auth.login', 'luohu')).toMatchObject({ result: 'denied', reason: 'locked' });

    // The security administrator lifts the lock; the system administrator cannot.
    const account = await env.database.db.selectFrom('accounts').select('id').where('username', '=', 'luohu').executeTakeFirstOrThrow();
    const sys = await env.login('sysadmin');
    expect((await env.app.inject({ method: 'POST', url: `/api/accounts/${account.id}/unlock`, headers: { cookie: sys } })).statusCode).toBe(403);
    const sec = await env.login('secadmin');
    const unlocked = await env.app.inject({ method: 'POST', url: `/api/accounts/${account.id}/unlock`, headers: { cookie: sec } });
    expect(unlocked.statusCode).toBe(200);
    expect(unlocked.json().lockedUntil).toBeNull();
    expect((await login({ username: 'luohu', password: 'Tongxin@2026' })).statusCode).toBe(200);
  });

  it('expires a session idle for longer than the limit and revokes it on logout', async () => {
    const cookie = await env.login('kk100');
    expect((await env.app.inject({ url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(200);
    const sessionId = (await env.database.db.selectFrom('sessions').innerJoin('accounts', 'accounts.id', 'sessions.account_id').select('sessions.id').where('accounts.username', '=', 'kk100').orderBy('sessions.created_at', 'desc').executeTakeFirstOrThrow()).id;
    await env.database.db.updateTable('sessions').set({ last_seen_at: new Date(Date.now() - 31 * 60_000) }).where('id', '=', sessionId).execute();
    const expired = await env.app.inject({ url: '/api/auth/me', headers: { cookie } });
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error.code).toBe('AUTH_SESSION_EXPIRED');

    const fresh = await env.login('kk100');
    expect((await env.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: fresh } })).statusCode).toBe(204);
    expect((await env.app.inject({ url: '/api/auth/me', headers: { cookie: fresh } })).json().error.code).toBe('AUTH_REQUIRED');
  });

  it('issues bearer tokens that a second server instance accepts, as does its cookie session', async () => {
    const tok = await env.app.inject({ method: 'POST', url: '/api/auth/token', payload: { username: 'guiyuan', password: 'Tongxin@2026' } });
    expect(tok.statusCode).toBe(200);
    const other = await env.secondApp();
    const viaBearer = await other.inject({ url: '/api/auth/me', headers: { authorization: `Bearer ${tok.json().token}` } });
    expect(viaBearer.statusCode).toBe(200);
    expect(viaBearer.json().username).toBe('guiyuan');
    const cookie = await env.login('dongxiao');
    expect((await other.inject({ url: '/api/auth/me', headers: { cookie } })).json().username).toBe('dongxiao');
    // Logging out on one instance ends the session on the other.
    await other.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } });
    expect((await env.app.inject({ url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(401);
  });

  it('caches resolved sessions briefly, and forgets them when this instance changes accounts', async () => {
    const cached = await env.secondApp({ sessionCacheMs: 60_000 });
    const cookie = await env.login('luohu');
    expect((await cached.inject({ url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(200);
    // a change made behind the instance's back is seen only when the cache time runs out …
    await env.database.db.updateTable('sessions').set({ revoked_at: new Date() }).where('revoked_at', 'is', null).execute();
    expect((await cached.inject({ url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(200);
    // … while a write through the instance (here a failed password change) drops its cache at once
    await cached.inject({ method: 'POST', url: '/api/auth/password', headers: { cookie }, payload: { currentPassword: 'wrong-Password1', newPassword: 'Str0ng-enough2' } });
    expect((await cached.inject({ url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(401);
  });

  it('enforces the password policy on change and keeps the old password on refusal', async () => {
    const cookie = await env.login('dongxiao');
    const weak = await env.app.inject({ method: 'POST', url: '/api/auth/password', headers: { cookie }, payload: { currentPassword: 'Tongxin@2026', newPassword: 'alllowercase' } });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error).toMatchObject({ code: 'AUTH_PASSWORD_WEAK', params: { min: 8 } });
    expect(weak.json().error.fields.newPassword).toBeTruthy();
    const wrong = await env.app.inject({ method: 'POST', url: '/api/auth/password', headers: { cookie }, payload: { currentPassword: 'nope-Nope1', newPassword: 'Str0ng-enough' } });
    expect(wrong.json().error.code).toBe('AUTH_PASSWORD_WRONG');
    expect((await login({ username: 'dongxiao', password: 'Tongxin@2026' })).statusCode).toBe(200);
    const ok = await env.app.inject({ method: 'POST', url: '/api/auth/password', headers: { cookie }, payload: { currentPassword: 'Tongxin@2026', newPassword: 'Str0ng-enough' } });
    expect(ok.statusCode).toBe(204);
    expect((await login({ username: 'dongxiao', password: 'Str0ng-enough' })).statusCode).toBe(200);
    const entry = await lastAudit('auth.password_change', 'dongxiao');
    expect(entry?.changes).toEqual({ password: '[secret]' });
  });
});

describe('failed logins per client address', () => {
  it('refuses an address after too many failures across accounts (429, audited), not other addresses, and not for successful logins', async () => {
    // two server instances: the failures are counted together
    const apps = [await env.secondApp({ loginAddressFailures: 3 }), await env.secondApp({ loginAddressFailures: 3 })];
    let turn = 0;
    const from = (remoteAddress: string, username: string, password: string) => apps[turn++ % 2]!.inject({ method: 'POST', url: '/api/auth/login', remoteAddress, payload: { username, password } });
    // an office logs in all morning from one address: successes are not counted
    for (let i = 0; i < 5; i++) expect((await from('203.0.113.9', 'guiyuan', 'Tongxin@2026')).statusCode).toBe(200);
    // spraying: one password against several accounts and names that do not exist
    expect((await from('203.0.113.7', 'dongxiao', 'Summer2026!')).json().error.code).toBe('AUTH_INVALID_CREDENTIALS');
    expect((await from('203.0.113.7', 'nobody1', 'Summer2026!')).json().error.code).toBe('AUTH_INVALID_CREDENTIALS');
    expect((await from('203.0.113.7', 'kk100', 'Summer2026!')).json().error.code).toBe('AUTH_INVALID_CREDENTIALS');
    const refused = await from('203.0.113.7', 'guiyuan', 'Tongxin@2026');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error).toMatchObject({ code: 'RATE_LIMITED', params: { retryAfter: expect.any(Number) } });
    expect(await lastAudit('auth.login', 'guiyuan')).toMatchObject({ result: 'denied', reason: 'address_limited', ip: '203.0.113.7' });
    // the accounts themselves are not locked by it, and another address logs in
    expect((await from('203.0.113.8', 'guiyuan', 'Tongxin@2026')).statusCode).toBe(200);
    expect((await from('203.0.113.9', 'kk100', 'Tongxin@2026')).statusCode).toBe(200);
  });

  it('lets an address try again when its window ends', async () => {
    const db = env.database.db;
    const limit = new AddressFailures(db, 2, 60_000);
    await limit.failed('198.51.100.1');
    await limit.failed('198.51.100.1');
    expect(await limit.refusedFor('198.51.100.1')).toBeGreaterThanOrEqual(59);
    expect(await limit.refusedFor('198.51.100.1')).toBeLessThanOrEqual(60);
    expect(await limit.refusedFor('198.51.100.2')).toBe(0);
    // a minute later (the window's start moved back past its end): allowed, and a failure starts a new window
    await sql`UPDATE rate_windows SET started_at = started_at - interval '61 seconds' WHERE key = 'login-failures:198.51.100.1'`.execute(db);
    expect(await limit.refusedFor('198.51.100.1')).toBe(0);
    await limit.failed('198.51.100.1');
    expect(await limit.refusedFor('198.51.100.1')).toBe(0);
    expect(await db.selectFrom('rate_windows').select('hits').where('key', '=', 'login-failures:198.51.100.1').executeTakeFirstOrThrow()).toEqual({ hits: 1 });
  });
});

describe('TOTP second factor', () => {
  it('enrols with a QR code, then requires and checks a code at login, refusing a replay', async () => {
    const cookie = await env.login('auditor');
    const setup = await env.app.inject({ method: 'POST', url: '/api/auth/totp/setup', headers: { cookie } });
    expect(setup.statusCode).toBe(200);
    const { secret, qrDataUrl, otpauthUrl } = setup.json();
    expect(qrDataUrl).toMatch(/^data:image\/png;base64,/);
    expect(otpauthUrl).toContain('otpauth://totp/');
    expect((await env.app.inject({ method: 'POST', url: '/api/auth/totp/enable', headers: { cookie }, payload: { code: '000000' === totpNow(secret) ? '111111' : '000000' } })).json().error.code).toBe('AUTH_TOTP_INVALID');
    expect((await env.app.inject({ method: 'POST', url: '/api/auth/totp/enable', headers: { cookie }, payload: { code: totpNow(secret) } })).statusCode).toBe(204);

    const first = await login({ username: 'auditor', password: 'Tongxin@2026' });
    expect(first.statusCode).toBe(401);
    expect(first.json().error.code).toBe('AUTH_TOTP_REQUIRED');
    // The code used for enrolment cannot be used again.
    const replay = await login({ username: 'auditor', password: 'Tongxin@2026', code: totpNow(secret) });
    expect(replay.json().error.code).toBe('AUTH_TOTP_INVALID');
    const next = await login({ username: 'auditor', password: 'Tongxin@2026', code: totpNow(secret, Date.now() + 30_000) });
    expect(next.statusCode).toBe(200);
    // a session alone cannot swap the authenticator: it must be removed first, with the password
    const again = await env.app.inject({ method: 'POST', url: '/api/auth/totp/setup', headers: { cookie: `tx_session=${next.cookies.find((c) => c.name === 'tx_session')!.value}` } });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({ code: 'TOTP_ALREADY_ENABLED', message: '已绑定动态验证码；如需更换，请先解除绑定（需输入密码）' });
  });

  it('requires administrators to enrol before anything else in production', async () => {
    const prod = await env.secondApp({ production: true });
    const res = await prod.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'secadmin', password: 'Tongxin@2026' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().user.totpEnrolmentRequired).toBe(true);
    const cookie = `tx_session=${res.cookies.find((c) => c.name === 'tx_session')!.value}`;
    const blocked = await prod.inject({ url: '/api/roles', headers: { cookie } });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().error.code).toBe('AUTH_TOTP_ENROLMENT_REQUIRED');
    expect((await prod.inject({ method: 'POST', url: '/api/auth/totp/setup', headers: { cookie } })).statusCode).toBe(200);
    // An ordinary organisation worker is not forced.
    const worker = await prod.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'guiyuan', password: 'Tongxin@2026' } });
    expect(worker.json().user.totpEnrolmentRequired).toBe(false);
  });
});
