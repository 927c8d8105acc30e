import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIds, setupTestEnv, type TestEnv } from '../../../test/harness.js';

let env: TestEnv;
let ids: Awaited<ReturnType<typeof demoIds>>;
let sys: string;
beforeAll(async () => {
  env = await setupTestEnv();
  ids = await demoIds(env.database);
  sys = await env.login('sysadmin');
});
afterAll(() => env.close());

const audits = (action: string, targetId?: string) => {
  let q = env.database.db.selectFrom('audit_log').selectAll().where('action', '=', action);
  if (targetId) q = q.where('target_id', '=', targetId);
  return q.orderBy('seq', 'desc').execute();
};

describe('accounts', () => {
  let created: { id: string; username: string };

  it('creates an account with an encrypted phone and a scope, leaving an audit entry without secrets', async () => {
    const res = await env.app.inject({
      method: 'POST', url: '/api/accounts', headers: { cookie: sys },
      payload: { username: 'Laowei.Worker', displayName: '老围社区组织员', password: 'Laowei-2026', phone: '13912345678', scopes: [{ kind: 'place', id: ids.places['老围社区'] }] },
    });
    expect(res.statusCode).toBe(201);
    created = res.json();
    expect(res.json()).toMatchObject({ username: 'laowei.worker', phoneMasked: '139****5678', status: 'active', scopes: [{ kind: 'place', name: '老围社区' }] });
    const row = await env.database.db.selectFrom('accounts').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(row.phone_enc).not.toContain('13912345678');
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    const [entry] = await audits('account.create', created.id);
    expect(entry).toMatchObject({ actor_name: 'sysadmin', result: 'ok', target_label: 'laowei.worker' });
    expect(JSON.stringify(entry!.changes)).not.toContain('Laowei-2026');
    expect(JSON.stringify(entry!.changes)).not.toContain('13912345678');
  });

  it('refuses bad input with field errors and changes nothing', async () => {
    const before = (await env.database.db.selectFrom('accounts').select('id').execute()).length;
    const cases = [
      { payload: { username: 'x', displayName: 'a', password: 'Good-pass1' }, field: 'username' },
      { payload: { username: 'weak.one', displayName: 'a', password: 'password' }, code: 'AUTH_PASSWORD_WEAK' },
      { payload: { username: 'laowei.worker', displayName: 'a', password: 'Good-pass1' }, code: 'USERNAME_TAKEN' },
      { payload: { username: 'phone.bad', displayName: 'a', password: 'Good-pass1', phone: '12345' }, field: 'phone' },
    ];
    for (const c of cases) {
      const res = await env.app.inject({ method: 'POST', url: '/api/accounts', headers: { cookie: sys }, payload: c.payload });
      expect(res.statusCode, JSON.stringify(c)).toBeGreaterThanOrEqual(400);
      if (c.field) expect(res.json().error.fields).toHaveProperty([c.field]);
      if (c.code) expect(res.json().error.code).toBe(c.code);
    }
    expect((await env.database.db.selectFrom('accounts').select('id').execute()).length).toBe(before);
  });

  it('refuses to attach a scope outside the creator’s own (404)', async () => {
    const guiyuanAdmin = await env.database.db.selectFrom('accounts').select('id').where('username', '=', 'guiyuan').executeTakeFirstOrThrow();
    expect(guiyuanAdmin).toBeTruthy();
    const res = await env.app.inject({ method: 'POST', url: '/api/accounts', headers: { cookie: sys }, payload: { username: 'scope.bad', displayName: 'a', password: 'Good-pass1', scopes: [{ kind: 'org', id: '999999' }] } });
    expect(res.statusCode).toBe(404);
  });

  it('lists masked phones, searches, filters and reveals the full number only with an audit entry', async () => {
    const list = await env.app.inject({ url: '/api/accounts?q=laowei', headers: { cookie: sys } });
    expect(list.json().items).toHaveLength(1);
    expect(list.json().items[0].phoneMasked).toBe('139****5678');
    expect(list.body).not.toContain('13912345678');
    expect(list.json().items[0].can).toMatchObject({ edit: true, disable: true, assignRoles: false, revealPhone: true });
    const disabled = await env.app.inject({ url: '/api/accounts?status=disabled', headers: { cookie: sys } });
    expect(disabled.json().total).toBe(0);
    const reveal = await env.app.inject({ url: `/api/accounts/${created.id}/phone`, headers: { cookie: sys } });
    expect(reveal.json()).toEqual({ phone: '13912345678' });
    const [entry] = await audits('account.read_sensitive', created.id);
    expect(entry).toMatchObject({ actor_name: 'sysadmin', changes: { field: 'phone' } });
  });

  it('disables (ending sessions), enables and resets passwords', async () => {
    const userCookie = await env.login('laowei.worker', 'Laowei-2026');
    const dis = await env.app.inject({ method: 'POST', url: `/api/accounts/${created.id}/disable`, headers: { cookie: sys } });
    expect(dis.json().status).toBe('disabled');
    expect((await env.app.inject({ url: '/api/auth/me', headers: { cookie: userCookie } })).statusCode).toBe(401);
    const blocked = await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'laowei.worker', password: 'Laowei-2026' } });
    expect(blocked.json().error.code).toBe('AUTH_ACCOUNT_DISABLED');
    await env.app.inject({ method: 'POST', url: `/api/accounts/${created.id}/enable`, headers: { cookie: sys } });
    const reset = await env.app.inject({ method: 'POST', url: `/api/accounts/${created.id}/reset-password`, headers: { cookie: sys }, payload: { newPassword: 'Reset-2026x' } });
    expect(reset.statusCode).toBe(204);
    expect((await env.login('laowei.worker', 'Reset-2026x')).length).toBeGreaterThan(10);
    expect((await audits('account.disable', created.id)).length).toBe(1);
    expect((await audits('account.enable', created.id)).length).toBe(1);
    expect((await audits('account.reset_password', created.id))[0]!.changes).toEqual({ password: '[secret]' });
    const self = await env.database.db.selectFrom('accounts').select('id').where('username', '=', 'sysadmin').executeTakeFirstOrThrow();
    expect((await env.app.inject({ method: 'POST', url: `/api/accounts/${self.id}/disable`, headers: { cookie: sys } })).json().error.code).toBe('SELF_ACTION');
  });

  it('updates the scope and exports the filtered list as a spreadsheet of masked values', async () => {
    const upd = await env.app.inject({ method: 'PATCH', url: `/api/accounts/${created.id}`, headers: { cookie: sys }, payload: { displayName: '老围社区组织员（新）', scopes: [{ kind: 'place', id: ids.places['新围社区'] }] } });
    expect(upd.json()).toMatchObject({ displayName: '老围社区组织员（新）', scopes: [{ name: '新围社区' }] });
    expect((await audits('account.update', created.id))[0]!.changes).toMatchObject({ displayName: { from: '老围社区组织员', to: '老围社区组织员（新）' } });
    const xlsx = await env.app.inject({ url: '/api/accounts/export?q=laowei', headers: { cookie: sys } });
    expect(xlsx.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(1).getCell(1).value).toBe('用户名');
    expect(ws.rowCount).toBe(2);
    expect(ws.getRow(2).getCell(3).value).toBe('139****5678');
  });

  it('hides accounts scoped outside the viewer’s scope', async () => {
    // a district-level system administrator sees accounts of its district only
    const sec = await env.login('secadmin');
    const roles = await env.app.inject({ url: '/api/roles?pageSize=100', headers: { cookie: sec } });
    const sysRole = roles.json().items.find((r: { key: string }) => r.key === 'system_admin');
    const mk = await env.app.inject({ method: 'POST', url: '/api/accounts', headers: { cookie: sys }, payload: { username: 'dongxiao.admin', displayName: '东晓账号管理员', password: 'Dongxiao-2026', scopes: [{ kind: 'place', id: ids.places['东晓街道'] }, { kind: 'org', id: ids.orgs['中共深圳市罗湖区东晓街道工作委员会'] }] } });
    await env.app.inject({ method: 'PUT', url: `/api/accounts/${mk.json().id}/roles`, headers: { cookie: sec }, payload: { roleIds: [sysRole.id] } });
    const first = await env.login('dongxiao.admin', 'Dongxiao-2026');
    // an account made by an administrator starts with a password its owner must replace
    const blocked = await env.app.inject({ url: '/api/accounts', headers: { cookie: first } });
    expect(blocked.json().error.code).toBe('AUTH_PASSWORD_CHANGE_REQUIRED');
    expect((await env.app.inject({ method: 'POST', url: '/api/auth/password', headers: { cookie: first }, payload: { currentPassword: 'Dongxiao-2026', newPassword: 'Dongxiao-2027' } })).statusCode).toBe(204);
    const dx = first;
    const list = await env.app.inject({ url: '/api/accounts?pageSize=100', headers: { cookie: dx } });
    const names: string[] = list.json().items.map((a: { username: string }) => a.username);
    expect(names).toContain('dongxiao');
    expect(names).not.toContain('guiyuan');
    // an account reaching beyond the viewer's scope (here also into Guiyuan) is not the viewer's to manage
    await env.app.inject({ method: 'POST', url: '/api/accounts', headers: { cookie: sys }, payload: { username: 'two.streets', displayName: '两街道账号', password: 'TwoStreets-1', scopes: [{ kind: 'place', id: ids.places['东晓街道'] }, { kind: 'place', id: ids.places['桂园街道'] }] } });
    const again = await env.app.inject({ url: '/api/accounts?q=two.streets', headers: { cookie: dx } });
    expect(again.json().total).toBe(0);
    const guiyuan = await env.database.db.selectFrom('accounts').select('id').where('username', '=', 'guiyuan').executeTakeFirstOrThrow();
    expect((await env.app.inject({ url: `/api/accounts/${guiyuan.id}`, headers: { cookie: dx } })).statusCode).toBe(404);
  });
});
