import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { verifyAuditChain } from '../../platform/audit.js';
import { caseHelpers } from './cases.fixtures.js';
import { releaseCaseIds } from './cases.numbers.js';
import { sweepOnce } from './cases.sweeper.js';

// Issue 4: intake in one statement (numbers and ids reserved ahead, cases reported meanwhile written
// together), and the set-based deadline sweep (batches written with a few statements, several workers and instances).
// The same outcomes as one case at a time: every row once, timeline and audit per step, in order.

let env: TestEnv;
let h: ReturnType<typeof caseHelpers>;
beforeAll(async () => {
  env = await setupTestEnv();
  h = caseHelpers(env);
});
afterAll(() => env.close());

const HOUR = 3_600_000;
const db = () => env.database.db;
const counter = async () => Number((await db().selectFrom('case_counters').select('n').orderBy('day', 'desc').executeTakeFirst())?.n ?? 0);

describe('intake', () => {
  it('takes concurrent reports: consecutive numbers, and each case with its timeline entry, notification, live event and audit entry', async () => {
    const at = await h.centreOf('老围第1网格');
    const cookie = await h.cookieOf('gy_grid');
    const before = await counter();
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        env.app.inject({ method: 'POST', url: '/api/cases', headers: { cookie }, payload: { categoryCode: 'sanitation', description: `并发上报 ${i}`, lng: at.lng + i * 1e-5, lat: at.lat, source: 'grid_worker' } }),
      ),
    );
    for (const r of results) expect(r.statusCode, r.body).toBe(201);
    const created = results.map((r) => r.json() as { id: string; number: string });
    const serials = created.map((c) => Number(c.number.slice(-4))).sort((a, b) => a - b);
    expect(serials).toEqual(serials.map((_, i) => before + 1 + i));
    const ids = created.map((c) => c.id);
    const rows = await db().selectFrom('cases').select(['id', 'number', 'state', 'grid_id', 'reporter_account_id', 'description']).where('id', 'in', ids).execute();
    expect(rows).toHaveLength(24);
    for (const r of rows) expect(r).toMatchObject({ state: 'received', grid_id: await h.placeId('老围第1网格'), number: created.find((c) => c.id === String(r.id))!.number });
    const events = await db().selectFrom('case_events').select(['case_id', 'action', 'actor_name', 'to_state']).where('case_id', 'in', ids).execute();
    expect(events).toHaveLength(24);
    expect(events.every((e) => e.action === 'report' && e.actor_name === 'gy_grid' && e.to_state === 'received')).toBe(true);
    const audits = await db().selectFrom('audit_log').select(['target_id', 'target_label', 'action']).where('action', '=', 'case.report').where('target_id', 'in', ids).execute();
    expect(audits.map((a) => a.target_id).sort()).toEqual([...ids].sort());
    expect(audits.every((a) => created.find((c) => c.id === a.target_id)!.number === a.target_label)).toBe(true);
    const notes = await db().selectFrom('notifications').select(['case_id', 'account_id', 'kind', 'title']).where('case_id', 'in', ids).execute();
    expect(notes).toHaveLength(24);
    expect(notes.every((n) => n.kind === 'case_state' && n.account_id === rows[0]!.reporter_account_id && n.title === `案件 ${created.find((c) => c.id === String(n.case_id))!.number}：受理`)).toBe(true);
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true });
    // numbers reserved ahead and not used go back to the day's counter when the server stops
    await releaseCaseIds(env.database);
    expect(await counter()).toBe(before + 24);
  });

  it('two instances reporting at once use every number once; at stop, unused numbers go back where they are the counter\'s last', async () => {
    const second = await env.secondApp();
    const at = await h.centreOf('老围第2网格');
    const cookie = await h.cookieOf('gy_grid');
    const before = await counter();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? second : env.app).inject({ method: 'POST', url: '/api/cases', headers: { cookie }, payload: { categoryCode: 'sanitation', description: `两个实例 ${i}`, lng: at.lng + i * 1e-5, lat: at.lat, source: 'grid_worker' } }),
      ),
    );
    for (const r of results) expect(r.statusCode, r.body).toBe(201);
    const serials = results.map((r) => Number((r.json() as { number: string }).number.slice(11)));
    expect(new Set(serials).size).toBe(40);
    expect(Math.min(...serials)).toBe(before + 1);
    await releaseCaseIds(second.deps.database);
    await releaseCaseIds(env.database);
    // what is left between the counter and the last number used: only what the first instance to
    // stop could not give back because the other had taken numbers after its block
    const after = await counter();
    expect(after - Math.max(...serials)).toBeGreaterThanOrEqual(0);
    expect(after - Math.max(...serials)).toBeLessThan(32);
    const next = (await h.expectOk(await h.call('gy_grid', 'POST', '/api/cases', { categoryCode: 'sanitation', description: '两个实例之后', ...at, source: 'grid_worker' }), 201)).json() as { number: string };
    expect(Number(next.number.slice(11))).toBe(after + 1);
  });

  it('a bad report among concurrent ones fails alone: the others, written with it in one statement, are written again without it', async () => {
    const at = await h.centreOf('老围第3网格');
    const cookie = await h.cookieOf('gy_grid');
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        env.app.inject({ method: 'POST', url: '/api/cases', headers: { cookie }, payload: { categoryCode: 'sanitation', description: i === 9 ? 'bad \u0000 byte' : `同批上报 ${i}`, lng: at.lng + i * 1e-5, lat: at.lat, source: 'grid_worker' } }),
      ),
    );
    expect(results.map((r) => r.statusCode < 300)).toEqual(Array.from({ length: 16 }, (_, i) => i !== 9));
    const ids = results.filter((r) => r.statusCode === 201).map((r) => (r.json() as { id: string }).id);
    expect(await db().selectFrom('cases').select('id').where('description', 'like', '同批上报%').execute()).toHaveLength(15);
    expect(await db().selectFrom('case_events').select('id').where('case_id', 'in', ids).execute()).toHaveLength(15);
    expect(await db().selectFrom('audit_log').select('seq').where('action', '=', 'case.report').where('target_id', 'in', ids).execute()).toHaveLength(15);
    expect(await db().selectFrom('cases').select('id').where('description', 'like', 'bad%').execute()).toHaveLength(0);
    expect((await verifyAuditChain(db())).ok).toBe(true);
  });

  it('writes only while the category is as this instance read it: changed elsewhere, the case takes the change or is refused, and its number goes to the next case', async () => {
    const at = await h.centreOf('老围第3网格');
    const report = (description: string) => h.call('gy_grid', 'POST', '/api/cases', { categoryCode: 'sanitation', description, ...at, source: 'grid_worker' });
    const first = (await h.expectOk(await report('类别校验 1'), 201)).json() as { id: string; number: string };
    const serial = (n: string) => Number(n.slice(11));
    try {
      // behind this instance's back (by hand, or another instance): a new default priority …
      await sql`UPDATE case_categories SET default_priority = 'urgent' WHERE code = 'sanitation'`.execute(db());
      const second = (await h.expectOk(await report('类别校验 2'), 201)).json() as { id: string; number: string };
      expect(serial(second.number)).toBe(serial(first.number) + 1);
      expect((await h.caseRow(second.id)).priority).toBe('urgent');
      // … then the category is switched off: refused, nothing written, no number used
      await sql`UPDATE case_categories SET active = false WHERE code = 'sanitation'`.execute(db());
      const audits = Number((await db().selectFrom('audit_log').select(db().fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
      const refused = await report('类别校验 3');
      expect(refused.json().error.code).toBe('CASE_CATEGORY_UNKNOWN');
      expect(await db().selectFrom('cases').select('id').where('description', '=', '类别校验 3').execute()).toHaveLength(0);
      expect(Number((await db().selectFrom('audit_log').select(db().fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n)).toBe(audits);
      await sql`UPDATE case_categories SET active = true WHERE code = 'sanitation'`.execute(db());
      const fourth = (await h.expectOk(await report('类别校验 4'), 201)).json() as { id: string; number: string };
      expect(serial(fourth.number)).toBe(serial(first.number) + 2);
    } finally {
      await sql`UPDATE case_categories SET active = true, default_priority = ${(await h.caseRow(first.id)).priority} WHERE code = 'sanitation'`.execute(db());
    }
  });

  it('a number handed out again (the counter set back under a running server) is skipped, not refused', async () => {
    const at = await h.centreOf('老围第3网格');
    const report = async (description: string) => (await h.expectOk(await h.call('gy_grid', 'POST', '/api/cases', { categoryCode: 'sanitation', description, ...at, source: 'grid_worker' }), 201)).json() as { number: string };
    await releaseCaseIds(env.database);
    const first = await report('计数器回退 1');
    await releaseCaseIds(env.database);
    // the counter gives back the number of the case just written
    const serial = Number(first.number.slice(11));
    expect(await counter()).toBe(serial);
    await sql`UPDATE case_counters SET n = n - 1 WHERE n = ${serial}`.execute(db());
    const second = await report('计数器回退 2');
    expect(Number(second.number.slice(11))).toBeGreaterThan(serial);
    expect(await db().selectFrom('cases').select('id').where('description', 'like', '计数器回退%').execute()).toHaveLength(2);
  });

  it('a report that fails to be written leaves nothing behind', async () => {
    const at = await h.centreOf('老围第2网格');
    const count = async () => Number((await sql<{ n: string }>`SELECT (SELECT count(*) FROM cases) + (SELECT count(*) FROM case_events) + (SELECT count(*) FROM notifications) AS n`.execute(db())).rows[0]!.n);
    const before = await count();
    const audits = Number((await db().selectFrom('audit_log').select(db().fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    // \u0000 cannot be stored: the one statement fails as a whole
    const res = await h.call('gy_grid', 'POST', '/api/cases', { categoryCode: 'sanitation', description: 'bad \u0000 byte', ...at, source: 'grid_worker' });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(await count()).toBe(before);
    expect(Number((await db().selectFrom('audit_log').select(db().fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n)).toBe(audits);
    expect((await verifyAuditChain(db())).ok).toBe(true);
  });
});

describe('the set-based deadline sweep', () => {
  it('acts on every due row once across workers and instances, with the same outcomes, timeline, audit and notifications as one by one', async () => {
    // one real case, copied 90 times: a third still dispatched, the rest in handling; all due at t0
    const template = await h.dispatchedCase({ grid: '松园第2网格' });
    const t0 = new Date(Date.now() - 49 * HOUR);
    const { rows: copies } = await sql<{ id: string; state: string }>`
      INSERT INTO cases (number, category_id, description, lng, lat, address, grid_id, community_id, street_id, district_id, source, priority, state,
                         reporter_account_id, owner_place_id, owner_level, level, level_place_id, first_due_at, due_at, red_at, created_at, filed_at, dispatched_at, updated_at)
      SELECT 'BULK-' || i, category_id, description, lng, lat, address, grid_id, community_id, street_id, district_id, source, priority,
             CASE WHEN i % 3 = 0 THEN 'dispatched' ELSE 'handling' END,
             reporter_account_id, owner_place_id, owner_level, 'grid', grid_id, ${t0}, ${t0}, ${new Date(t0.getTime() + 24 * HOUR)}, created_at, filed_at, dispatched_at, updated_at
      FROM cases, generate_series(1, 90) AS i WHERE id = ${template}
      RETURNING id, state`.execute(db());
    const ids = copies.map((c) => String(c.id));
    await sql`INSERT INTO case_deadlines (case_id, kind, due_at)
      SELECT id, 'case_due', due_at FROM cases WHERE id = ANY(${ids}::bigint[])
      UNION ALL SELECT id, 'case_red', red_at FROM cases WHERE id = ANY(${ids}::bigint[])`.execute(db());
    // somebody follows one of them
    await h.expectOk(await h.call('gy_command', 'POST', `/api/cases/${ids[1]}/follow`, {}));

    const second = await env.secondApp();
    const now = new Date();
    const results = await Promise.all([
      sweepOnce(env.app.deps, now, { batchSize: 25, workers: 3 }),
      sweepOnce(second.deps, now, { batchSize: 40 }),
      // two batches listed ahead: the rest is found by searching
      sweepOnce(env.app.deps, now, { batchSize: 7, workers: 1, plannedBatches: 2 }),
    ]);
    const total = (k: keyof (typeof results)[0]) => results.reduce((n, r) => n + r[k], 0);
    expect(total('escalated')).toBe(90);
    expect(total('red')).toBe(90);
    const processed = await db().selectFrom('case_deadlines').select(['case_id', 'kind', 'outcome']).where('case_id', 'in', ids).execute();
    expect(processed.every((d) => d.outcome !== null)).toBe(true);
    expect(total('processed')).toBe(processed.length);
    expect(processed.length).toBe(180);

    for (const c of await db().selectFrom('cases').select(['id', 'state', 'card', 'level', 'level_place_id', 'community_id']).where('id', 'in', ids).execute()) {
      expect(c).toMatchObject({ state: 'dispatched', card: 'red', level: 'community', level_place_id: c.community_id });
    }
    // per case: the escalation, then the red card, each with its audit entry in the same order
    const steps = await db().selectFrom('case_events').select(['case_id', 'action', 'actor_name', 'from_state', 'to_state', 'level']).where('case_id', 'in', ids).orderBy('id').execute();
    const audits = await db().selectFrom('audit_log').select(['target_id', 'action', 'actor_name', 'changes']).where('target_id', 'in', ids).where('action', '=', 'case.overdue').orderBy('seq').execute();
    const initial = new Map(copies.map((c) => [String(c.id), c.state]));
    for (const id of ids) {
      const mine = steps.filter((s) => String(s.case_id) === id && s.actor_name === 'system:sweeper');
      expect(mine.map((s) => s.action)).toEqual(['overdue_escalate', 'overdue_red']);
      expect(mine[0]).toMatchObject({ from_state: initial.get(id), to_state: 'dispatched', level: 'community' });
      expect(audits.filter((a) => a.target_id === id).map((a) => (a.changes as { event: string }).event)).toEqual(['overdue_escalate', 'overdue_red']);
    }
    // the reporter (and the follower) hear of handling → dispatched; a case already dispatched changes no state
    const reporter = (await db().selectFrom('cases').select('reporter_account_id').where('id', '=', template).executeTakeFirstOrThrow()).reporter_account_id;
    const notes = await db().selectFrom('notifications').select(['case_id', 'account_id', 'body']).where('case_id', 'in', ids).where('kind', '=', 'case_state').execute();
    const handling = copies.filter((c) => c.state === 'handling').map((c) => String(c.id));
    expect(notes.filter((n) => n.account_id === reporter).map((n) => String(n.case_id)).sort()).toEqual([...handling].sort());
    expect(notes.filter((n) => n.account_id !== reporter).map((n) => String(n.case_id))).toEqual(handling.includes(ids[1]!) ? [ids[1]] : []);
    expect(new Set(notes.map((n) => n.body))).toEqual(new Set(['处置中 → 派遣']));
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true });
    // nothing is left, and a second pass does nothing
    expect((await sweepOnce(env.app.deps, now)).processed).toBe(0);
  });

  it('takes, after the rows it listed ahead, the due rows the list left out', async () => {
    const id = await h.dispatchedCase({ grid: '老围第4网格' });
    const late = new Date(Date.now() + 100 * HOUR);
    // one batch of one row listed ahead: the case's other due row is found by searching
    const r = await sweepOnce(env.app.deps, late, { batchSize: 1, workers: 1, plannedBatches: 1 });
    expect(r.processed).toBeGreaterThanOrEqual(2);
    expect(await h.caseRow(id)).toMatchObject({ card: 'red', level: 'community' });
    expect(await db().selectFrom('case_deadlines').select('kind').where('case_id', '=', id).where('processed_at', 'is', null).execute()).toEqual([]);
  });

  it('leaves a case locked by a request for the next sweep, and takes it then', async () => {
    const id = await h.dispatchedCase({ grid: '松园第3网格' });
    const due = new Date(Date.now() + 25 * HOUR);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = env.database.db.transaction().execute(async (trx) => {
      await trx.selectFrom('cases').select('id').where('id', '=', id).forUpdate().execute();
      locked();
      await held;
    });
    await isLocked;
    // PGlite has one connection, held by the transaction: there the sweep would queue behind it
    if (env.database.engine === 'postgresql') {
      const second = await env.secondApp();
      await sweepOnce(second.deps, due);
      expect(await h.caseRow(id)).toMatchObject({ card: 'none', level: 'grid' });
      const pending = await env.database.db.selectFrom('case_deadlines').select('kind').where('case_id', '=', id).where('processed_at', 'is', null).execute();
      expect(pending.map((d) => d.kind).sort()).toEqual(['case_due', 'case_red']);
    }
    release();
    await holder;
    await sweepOnce(env.app.deps, due);
    expect(await h.caseRow(id)).toMatchObject({ card: 'yellow', level: 'community' });
  });
});
