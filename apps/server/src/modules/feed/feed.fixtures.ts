import type { BuiltinRoleKey } from '@tongxin/contracts';
import type { TestEnv } from '../../../test/harness.js';
import { DEMO_PASSWORD } from '../../db/seed/demo.js';
import { hashPassword } from '../../platform/passwords.js';
import { jpegWithGps, multipart } from '../files/files.fixtures.js';

// Test support for the feed and commitments modules: staff accounts scoped to one organisation,
// requests with a cookie, photo uploads.

/** A staff account with one built-in role and one organisation as its scope; returns its cookie. */
export async function staffWithScope(env: TestEnv, username: string, role: BuiltinRoleKey, orgId: string): Promise<string> {
  const db = env.database.db;
  const roleRow = await db.selectFrom('roles').select('id').where('key', '=', role).executeTakeFirstOrThrow();
  const account = await db.insertInto('accounts').values({ username, display_name: `${username}（测试）`, password_hash: await hashPassword(DEMO_PASSWORD) }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('account_roles').values({ account_id: account.id, role_id: roleRow.id }).execute();
  await db.insertInto('account_scopes').values({ account_id: account.id, kind: 'org', node_id: orgId }).execute();
  return env.login(username);
}

export function caller(env: TestEnv) {
  return async (cookie: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    env.app.inject({ method, url, headers: { cookie }, ...(payload === undefined ? {} : { payload: payload as object }) });
}

/** Uploads a real photo as the given account; returns the file id. */
export async function uploadPhoto(env: TestEnv, cookie: string): Promise<string> {
  const m = multipart('file', 'photo.jpg', 'image/jpeg', await jpegWithGps());
  const res = await env.app.inject({ method: 'POST', url: '/api/files', payload: m.payload, headers: { ...m.headers, cookie } });
  if (res.statusCode !== 201) throw new Error(`upload: ${res.statusCode} ${res.body}`);
  return res.json().id as string;
}
