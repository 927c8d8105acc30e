import { jpegWithGps, multipart } from '../files/files.fixtures.js';
import type { TestEnv } from '../../../test/harness.js';

// Helpers for the case tests: logins by demo account, HTTP calls, points inside demo grids, and a
// case taken through intake → filed → dispatched.

export type Method = 'GET' | 'POST' | 'PUT';

export function caseHelpers(env: TestEnv) {
  const cookies = new Map<string, string>();
  const cookieOf = async (user: string) => {
    if (!cookies.has(user)) cookies.set(user, await env.login(user));
    return cookies.get(user)!;
  };
  const call = async (user: string, method: Method, url: string, payload?: object) =>
    env.app.inject({ method, url, headers: { cookie: await cookieOf(user) }, ...(payload ? { payload } : {}) });

  /** The centre of a named place's boundary (a grid, a community …). */
  const centreOf = async (name: string): Promise<{ lng: number; lat: number }> => {
    const row = await env.database.db.selectFrom('places').select('bbox').where('name', '=', name).executeTakeFirstOrThrow();
    const [w, s, e, n] = row.bbox!;
    return { lng: Math.round(((w! + e!) / 2) * 1e6) / 1e6, lat: Math.round(((s! + n!) / 2) * 1e6) / 1e6 };
  };

  const placeId = async (name: string) => String((await env.database.db.selectFrom('places').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id);
  const departmentId = async (code: string) => String((await env.database.db.selectFrom('departments').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id);

  const expectOk = async <R extends { statusCode: number; body: string }>(res: R, status = 200): Promise<R> => {
    if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
    return res;
  };

  /** Reports a case in a grid (as the grid worker by default), files and dispatches it (gy_command). */
  async function dispatchedCase(opts: { grid?: string; category?: string; reporter?: string; command?: string; description?: string; offset?: number } = {}) {
    const at = await centreOf(opts.grid ?? '老围第1网格');
    const res = await expectOk(await call(opts.reporter ?? 'gy_grid', 'POST', '/api/cases', {
      categoryCode: opts.category ?? 'sanitation', description: opts.description ?? '楼道堆物', lng: at.lng + (opts.offset ?? 0), lat: at.lat, source: 'grid_worker',
    }), 201);
    const id = res.json().id as string;
    const command = opts.command ?? 'gy_command';
    await expectOk(await call(command, 'POST', `/api/cases/${id}/file`, {}));
    await expectOk(await call(command, 'POST', `/api/cases/${id}/dispatch`, {}));
    return id;
  }

  const timeline = async (id: string) => (await env.database.db.selectFrom('case_events').select(['action', 'actor_name', 'from_state', 'to_state', 'level']).where('case_id', '=', id).orderBy('at').orderBy('id').execute());
  const caseRow = async (id: string) => env.database.db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const audits = async (id: string, result: 'ok' | 'denied' = 'ok') =>
    env.database.db.selectFrom('audit_log').select(['action', 'actor_name', 'reason']).where('target_type', '=', 'case').where('target_id', '=', id).where('result', '=', result).orderBy('seq').execute();

  /** Uploads a real photo as `user` and returns its file id (attachments must be the caller's own uploads). */
  const photo = async (user: string) => {
    const { payload, headers } = multipart('file', 'photo.jpg', 'image/jpeg', await jpegWithGps());
    const res = await env.app.inject({ method: 'POST', url: '/api/files', headers: { ...headers, cookie: await cookieOf(user) }, payload });
    if (res.statusCode !== 201) throw new Error(`upload failed: ${res.statusCode} ${res.body}`);
    return res.json().id as string;
  };
  return { call, cookieOf, centreOf, placeId, departmentId, expectOk, dispatchedCase, timeline, caseRow, audits, photo };
}
