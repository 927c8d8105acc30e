import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { publish } from '../../platform/events.js';
import { caseHelpers } from '../cases/cases.fixtures.js';
import { listenPort, openSse, type SseFrame } from './notifications.fixtures.js';

// PLAT-4: steps on a case notify its reporter in-app and live (SSE), on one instance and across two.

let env: TestEnv;
let h: ReturnType<typeof caseHelpers>;
let port: number;
beforeAll(async () => {
  env = await setupTestEnv();
  h = caseHelpers(env);
  port = await listenPort(env.app);
});
afterAll(() => env.close());

const engine = inject('engine');
const isCase = (caseId: string, action: string) => (f: SseFrame) => f.event === 'case' && JSON.parse(f.data!).caseId === caseId && JSON.parse(f.data!).action === action;
const isNotice = (caseId: string) => (f: SseFrame) => f.event === 'notification' && JSON.parse(f.data!).caseId === caseId;

describe('notifications', () => {
  it('a step on a case notifies the reporter; the list shows it unread first; read and read-all mark it', async () => {
    const id = await h.dispatchedCase();
    const list = (await h.expectOk(await h.call('gy_grid', 'GET', '/api/notifications'))).json();
    const mine = list.items.filter((n: { caseId: string }) => n.caseId === id);
    expect(mine.map((n: { kind: string }) => n.kind)).toEqual(['case_state', 'case_state', 'case_state']);
    expect(mine[0]).toMatchObject({ readAt: null, title: expect.stringContaining('派遣') });
    expect(list.unread).toBeGreaterThanOrEqual(3);

    // each account sees only its own
    const other = (await h.expectOk(await h.call('gy_command', 'GET', '/api/notifications'))).json();
    expect(other.items.some((n: { id: string }) => n.id === mine[0].id)).toBe(false);
    expect((await h.call('gy_command', 'POST', `/api/notifications/${mine[0].id}/read`)).json().error.code).toBe('NOT_FOUND');

    const read = (await h.expectOk(await h.call('gy_grid', 'POST', `/api/notifications/${mine[0].id}/read`))).json();
    expect(read.readAt).not.toBeNull();
    const after = (await h.expectOk(await h.call('gy_grid', 'GET', '/api/notifications?pageSize=100'))).json();
    expect(after.unread).toBe(list.unread - 1);
    expect(after.items.at(-1).id).toBe(mine[0].id); // read ones come last
    expect((await h.expectOk(await h.call('gy_grid', 'POST', '/api/notifications/read-all'))).json().updated).toBe(list.unread - 1);
    expect((await h.call('gy_grid', 'GET', '/api/notifications')).json().unread).toBe(0);
    const audits = await env.database.db.selectFrom('audit_log').select('action').where('action', 'like', 'notification.%').execute();
    expect(audits.map((a) => a.action).sort()).toEqual(['notification.read', 'notification.read_all']);
  });

  it('a whistle notifies the staff of the whistled department, live and in-app', async () => {
    const id = await h.dispatchedCase();
    const sse = await openSse(port, await h.cookieOf('dept_cg'));
    await sse.waitFor((f) => f.retry === '3000');
    await h.expectOk(await h.call('gy_grid', 'POST', `/api/cases/${id}/escalate`, { note: '上报社区' }));
    await h.expectOk(await h.call('lw_community', 'POST', `/api/cases/${id}/escalate`, { note: '上报街道' }));
    await h.expectOk(await h.call('gy_command', 'POST', `/api/cases/${id}/whistle`, { kind: 'emergency', departmentIds: [await h.departmentId('GY-CG')], note: '吹哨' }), 201);
    const notice = JSON.parse((await sse.waitFor(isNotice(id))).data!);
    expect(notice).toMatchObject({ kind: 'case_whistle', title: expect.stringContaining('应急吹哨') });
    await sse.waitFor(isCase(id, 'whistle'));
    sse.close();
    const list = (await h.call('dept_yj', 'GET', '/api/notifications')).json();
    expect(list.items.some((n: { caseId: string }) => n.caseId === id)).toBe(false); // not whistled
  });

  it('an SSE client receives the notification and the case event within a second; Last-Event-ID replays', async () => {
    expect((await env.app.inject({ method: 'GET', url: '/api/events' })).json().error.code).toBe('AUTH_REQUIRED');
    const id = await h.dispatchedCase();
    const sse = await openSse(port, await h.cookieOf('gy_grid'));
    expect(sse.status).toBe(200);
    expect(sse.contentType).toContain('text/event-stream');
    await sse.waitFor((f) => f.retry === '3000');
    await h.expectOk(await h.call('gy_command', 'POST', `/api/cases/${id}/accept`, {}));
    const notice = await sse.waitFor(isNotice(id));
    expect(JSON.parse(notice.data!)).toMatchObject({ kind: 'case_state', readAt: null });
    expect(notice.id).toBe(JSON.parse(notice.data!).id);
    const event = await sse.waitFor(isCase(id, 'accept'));
    expect(JSON.parse(event.data!)).toMatchObject({ to: 'handling' });
    expect(event.id).toMatch(/^\d+-c\d+$/);
    sse.close();
    await sse.ended;

    // a reconnecting client gets the notifications it missed
    const before = (await h.call('gy_grid', 'GET', '/api/notifications')).json().items[0].id as string;
    await h.expectOk(await h.call('gy_command', 'POST', `/api/cases/${id}/handled`, { note: '已清运' }));
    const again = await openSse(port, await h.cookieOf('gy_grid'), { 'last-event-id': `${before}-c1` });
    const replayed = await again.waitFor(isNotice(id));
    expect(BigInt(replayed.id!)).toBeGreaterThan(BigInt(before));
    again.close();
  });

  it('?watch=<case id>: a page showing a case hears its steps, if the account may see it', async () => {
    const id = await h.dispatchedCase();
    // gy_command is neither reporter, follower nor whistled: without watch it hears nothing of the case
    const plain = await openSse(port, await h.cookieOf('gy_command'));
    const watching = await openSse(port, await h.cookieOf('gy_command'), {}, `?watch=${id}`);
    expect(watching.status).toBe(200);
    await plain.waitFor((f) => f.retry === '3000');
    await watching.waitFor((f) => f.retry === '3000');
    await h.expectOk(await h.call('gy_grid', 'POST', `/api/cases/${id}/accept`, {}));
    const event = JSON.parse((await watching.waitFor(isCase(id, 'accept'))).data!);
    expect(event).toMatchObject({ caseId: id, to: 'handling' });
    // the same account's stream without watch did not hear it (both are written in the same fan-out)
    expect(plain.frames.some(isCase(id, 'accept'))).toBe(false);
    plain.close();
    watching.close();

    // a case outside the account's scope: 404 before the stream opens, audited
    const other = await openSse(port, await h.cookieOf('dx_command'), {}, `?watch=${id}`);
    expect(other.status).toBe(404);
    other.close();
    const denied = await env.database.db.selectFrom('audit_log').select('reason').where('actor_name', '=', 'dx_command').where('target_id', '=', id).where('result', '=', 'denied').execute();
    expect(denied.map((d) => d.reason)).toContain('out_of_scope: case (events watch)');
    const bad = await openSse(port, await h.cookieOf('gy_command'), {}, '?watch=abc');
    expect(bad.status).toBe(400);
    bad.close();
  });

  it('an event is not delivered when its transaction rolls back', async () => {
    const id = await h.dispatchedCase();
    const sse = await openSse(port, await h.cookieOf('gy_grid'));
    await sse.waitFor((f) => f.retry === '3000');
    await env.database.db
      .transaction()
      .execute(async (trx) => {
        await publish(trx, { type: 'case', caseId: id, number: 'X', action: 'rolled_back', eventId: '1', to: null });
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await env.database.db.transaction().execute(async (trx) => {
      await sql`SELECT 1`.execute(trx);
      await publish(trx, { type: 'case', caseId: id, number: 'X', action: 'committed', eventId: '2', to: null });
    });
    await sse.waitFor(isCase(id, 'committed'));
    expect(sse.frames.some(isCase(id, 'rolled_back'))).toBe(false);
    sse.close();
  });

  it(`crosses instances: ${engine === 'postgresql' ? 'PostgreSQL — a step on instance A reaches an SSE client on instance B (LISTEN/NOTIFY)' : 'PGlite — in-process delivery on the instance that made the step'}`, async () => {
    const id = await h.dispatchedCase();
    const target = engine === 'postgresql' ? await env.secondApp() : env.app;
    const targetPort = target === env.app ? port : await listenPort(target);
    const sse = await openSse(targetPort, await h.cookieOf('gy_grid'));
    await sse.waitFor((f) => f.retry === '3000');
    await h.expectOk(await h.call('gy_command', 'POST', `/api/cases/${id}/accept`, {}));
    await sse.waitFor(isNotice(id));
    await sse.waitFor(isCase(id, 'accept'));
    sse.close();
  });

  it(`the listener reconnects after losing its connection (${engine === 'postgresql' ? 'PostgreSQL: backend terminated' : 'PGlite: no listener, in-process path only'})`, async () => {
    const id = await h.dispatchedCase();
    if (engine === 'postgresql') {
      const name = `tongxin-events:${env.database.schema}`;
      const killed = (await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE application_name = ${name}`.execute(env.database.db)).rows.map((r) => r.pid);
      expect(killed.length).toBeGreaterThan(0);
      await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ANY(${killed})`.execute(env.database.db);
      for (let i = 0; i < 100; i++) {
        const back = await sql<{ n: string }>`SELECT count(*)::text AS n FROM pg_stat_activity WHERE application_name = ${name} AND query ILIKE 'LISTEN%' AND NOT (pid = ANY(${killed}))`.execute(env.database.db);
        if (Number(back.rows[0]!.n) >= killed.length) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const sse = await openSse(port, await h.cookieOf('gy_grid'));
    await sse.waitFor((f) => f.retry === '3000');
    await h.expectOk(await h.call('gy_command', 'POST', `/api/cases/${id}/accept`, {}));
    await sse.waitFor(isCase(id, 'accept'), 2000);
    sse.close();
  });

  it('closes open streams when the server closes', async () => {
    const other = await env.secondApp();
    const otherPort = await listenPort(other);
    const sse = await openSse(otherPort, await h.cookieOf('gy_grid'));
    await sse.waitFor((f) => f.retry === '3000');
    await other.close();
    await sse.ended;
  });
});
