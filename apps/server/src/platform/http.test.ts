import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTestEnv, type TestEnv } from '../../test/harness.js';
import { PAGE_CSP } from '../app.js';

let env: TestEnv;
beforeAll(async () => {
  env = await setupTestEnv();
});
afterAll(() => env.close());

describe('HTTP plumbing', () => {
  it('answers health with the engine and version', async () => {
    const res = await env.app.inject({ url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', database: env.database.engine, version: env.config.version });
  });

  it('sends the security headers with every answer, and keeps a route’s own content policy', async () => {
    for (const url of ['/api/health', '/api/nothing-here']) {
      const res = await env.app.inject({ url });
      expect(res.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'same-origin', 'content-security-policy': PAGE_CSP });
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['strict-transport-security']).toBeUndefined(); // plain HTTP in tests
    }
    const secure = await env.secondApp({ cookieSecure: true });
    expect((await secure.inject({ url: '/api/health' })).headers['strict-transport-security']).toBe('max-age=15552000');
  });

  it('serves an OpenAPI 3 document covering every API route', async () => {
    const res = await env.app.inject({ url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of ['/api/health', '/api/auth/login', '/api/accounts', '/api/accounts/{id}', '/api/roles', '/api/audit', '/api/audit/verify', '/api/orgs/{id}', '/api/places/tree']) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    const docs = await env.app.inject({ url: '/api/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });

  it('answers an unknown route with a JSON 404 in the requested language', async () => {
    const zh = await env.app.inject({ url: '/api/nope' });
    expect(zh.statusCode).toBe(404);
    expect(zh.json().error).toMatchObject({ code: 'ROUTE_NOT_FOUND', params: { method: 'GET', url: '/api/nope' } });
    expect(zh.json().error.message).toContain('接口不存在');
    const en = await env.app.inject({ url: '/api/nope', headers: { 'accept-language': 'en-GB,en;q=0.9' } });
    expect(en.json().error.message).toContain('No such endpoint');
  });

  it('refuses malformed JSON with 400 and an oversized body with 413', async () => {
    const bad = await env.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"username": ' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('MALFORMED_JSON');
    const big = await env.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ username: 'x'.repeat(env.config.bodyLimit + 10), password: 'y' }) });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('reports field errors in both languages', async () => {
    const res = await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: '', password: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(Object.keys(res.json().error.fields)).toContain('username');
    expect(res.json().error.fields.username).toMatch(/[\u4e00-\u9fff]/);
    const en = await env.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'accept-language': 'en' }, payload: { username: '', password: 'x' } });
    expect(en.json().error.fields.username).toMatch(/[a-z]/i);
  });

  it('requires a session for API routes', async () => {
    const res = await env.app.inject({ url: '/api/accounts' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('AUTH_REQUIRED');
  });

  it('stores strings that look like SQL or HTML literally', async () => {
    const cookie = await env.login('sysadmin');
    const name = `'); DROP TABLE accounts; -- <script>alert(1)</script>`;
    const res = await env.app.inject({ method: 'POST', url: '/api/accounts', headers: { cookie }, payload: { username: 'literal.user', displayName: name, password: 'Lit3ral-pass' } });
    expect(res.statusCode).toBe(201);
    const got = await env.app.inject({ url: `/api/accounts/${res.json().id}`, headers: { cookie } });
    expect(got.json().displayName).toBe(name);
    const count = await env.database.db.selectFrom('accounts').select(env.database.db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBeGreaterThan(1);
  });

  it('refuses a cookie-authenticated write from another origin', async () => {
    const cookie = await env.login('sysadmin');
    const res = await env.app.inject({ method: 'POST', url: '/api/accounts', headers: { cookie, origin: 'https://evil.example' }, payload: { username: 'csrf.user', displayName: 'x', password: 'Lit3ral-pass' } });
    expect(res.statusCode).toBe(403);
    const exists = await env.database.db.selectFrom('accounts').select('id').where('username', '=', 'csrf.user').executeTakeFirst();
    expect(exists).toBeUndefined();
  });
});
