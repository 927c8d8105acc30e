import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTestEnv, type TestEnv } from '../../../test/harness.js';

let env: TestEnv;
let sys: string;
let sec: string;
let aud: string;
beforeAll(async () => {
  env = await setupTestEnv();
  [sys, sec, aud] = [await env.login('sysadmin'), await env.login('secadmin'), await env.login('auditor')];
});
afterAll(() => env.close());

const call = (cookie: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object) => env.app.inject({ method, url, headers: { cookie }, payload });
const accountId = async (username: string) => (await env.database.db.selectFrom('accounts').select('id').where('username', '=', username).executeTakeFirstOrThrow()).id;
const roleId = async (key: string) => (await env.database.db.selectFrom('roles').select('id').where('key', '=', key).executeTakeFirstOrThrow()).id;

describe('separation of the three administrators (三员分立)', () => {
  it('the system administrator manages accounts but neither roles nor the audit log', async () => {
    expect((await call(sys, 'GET', '/api/accounts')).statusCode).toBe(200);
    expect((await call(sys, 'GET', '/api/roles')).statusCode).toBe(403);
    expect((await call(sys, 'POST', '/api/roles', { key: 'x_role', name: 'x', permissions: [] })).statusCode).toBe(403);
    expect((await call(sys, 'PUT', `/api/accounts/${await accountId('guiyuan')}/roles`, { roleIds: [] })).statusCode).toBe(403);
    expect((await call(sys, 'GET', '/api/audit')).statusCode).toBe(403);
    expect((await call(sys, 'POST', '/api/audit/verify')).statusCode).toBe(403);
  });

  it('the security administrator manages roles and grants them, but creates no accounts and reads no audit log', async () => {
    expect((await call(sec, 'GET', '/api/roles')).statusCode).toBe(200);
    expect((await call(sec, 'POST', '/api/accounts', { username: 'sec.made', displayName: 'x', password: 'Good-pass1' })).statusCode).toBe(403);
    expect((await call(sec, 'POST', `/api/accounts/${await accountId('guiyuan')}/disable`)).statusCode).toBe(403);
    expect((await call(sec, 'GET', '/api/audit')).statusCode).toBe(403);
    // nor grants itself more
    expect((await call(sec, 'PUT', `/api/accounts/${await accountId('secadmin')}/roles`, { roleIds: [await roleId('audit_admin')] })).json().error.code).toBe('SELF_ACTION');
  });

  it('the audit administrator reads the audit log and nothing else', async () => {
    expect((await call(aud, 'GET', '/api/audit')).statusCode).toBe(200);
    expect((await call(aud, 'POST', '/api/audit/verify')).json().ok).toBe(true);
    for (const [method, url] of [['GET', '/api/accounts'], ['GET', '/api/roles'], ['GET', '/api/orgs']] as const) {
      expect((await call(aud, method, url)).statusCode, url).toBe(403);
    }
    expect((await call(aud, 'POST', '/api/accounts', { username: 'aud.made', displayName: 'x', password: 'Good-pass1' })).statusCode).toBe(403);
  });

  it('never lets one role or one account combine two administrator groups', async () => {
    const mixed = await call(sec, 'POST', '/api/roles', { key: 'super_admin', name: '超级管理员', permissions: ['accounts:write', 'audit:read'] });
    expect(mixed.statusCode).toBe(409);
    expect(mixed.json().error.code).toBe('ADMIN_SEPARATION');
    const both = await call(sec, 'PUT', `/api/accounts/${await accountId('guiyuan')}/roles`, { roleIds: [await roleId('system_admin'), await roleId('audit_admin')] });
    expect(both.json().error.code).toBe('ADMIN_SEPARATION');
    expect((await call(sec, 'PATCH', `/api/roles/${await roleId('audit_admin')}`, { permissions: ['audit:read', 'accounts:write'] })).json().error.code).toBe('ROLE_BUILTIN');
    // A custom role that a system administrator holds cannot later gain audit permissions.
    const custom = await call(sec, 'POST', '/api/roles', { key: 'org_viewer', name: '组织查看', permissions: ['orgs:read'] });
    expect(custom.statusCode).toBe(201);
    await call(sec, 'PUT', `/api/accounts/${await accountId('sysadmin')}/roles`, { roleIds: [await roleId('system_admin'), custom.json().id] });
    const widen = await call(sec, 'PATCH', `/api/roles/${custom.json().id}`, { permissions: ['orgs:read', 'audit:read'] });
    expect(widen.json().error.code).toBe('ADMIN_SEPARATION');
  });

  it('refuses to delete a role in use or built in, and audits role changes', async () => {
    const inUse = await call(sec, 'DELETE', `/api/roles/${await roleId('org_viewer')}`);
    expect(inUse.json().error).toMatchObject({ code: 'ROLE_IN_USE', params: { count: 1 } });
    expect((await call(sec, 'DELETE', `/api/roles/${await roleId('org_worker')}`)).json().error.code).toBe('ROLE_BUILTIN');
    const temp = await call(sec, 'POST', '/api/roles', { key: 'temp_role', name: '临时', permissions: [] });
    expect((await call(sec, 'DELETE', `/api/roles/${temp.json().id}`)).statusCode).toBe(204);
    const actions = (await env.database.db.selectFrom('audit_log').select('action').where('actor_name', '=', 'secadmin').execute()).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['role.create', 'role.delete', 'account.assign_roles', 'access.denied']));
  });

  it('audits refused attempts with the actor and the permission', async () => {
    await call(sys, 'GET', '/api/audit');
    const entry = await env.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'access.denied').where('actor_name', '=', 'sysadmin').orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ result: 'denied', target_type: 'audit_log' });
    expect(entry.reason).toContain('audit:read');
  });
});
