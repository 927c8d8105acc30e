import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { caseHelpers } from './cases.fixtures.js';
import { sweepOnce } from './cases.sweeper.js';

// Deadlines and supervision (CASE-4): overdue cases escalate by themselves with a yellow card, twice
// overdue get a red card, late department reports are marked; two instances act on each deadline once.

let env: TestEnv;
let h: ReturnType<typeof caseHelpers>;
beforeAll(async () => {
  env = await setupTestEnv();
  h = caseHelpers(env);
});
afterAll(() => env.close());

const HOUR = 3_600_000;
const eventsOf = async (action: string, ids?: string[]) => {
  let q = env.database.db.selectFrom('case_events').select(['case_id', 'actor_name']).where('action', '=', action);
  if (ids) q = q.where('case_id', 'in', ids);
  return q.execute();
};
const pending = async (ids: string[]) =>
  Number((await env.database.db.selectFrom('case_deadlines').select(env.database.db.fn.countAll<number>().as('n')).where('case_id', 'in', ids).where('processed_at', 'is', null).executeTakeFirstOrThrow()).n);

describe('the deadline sweeper', () => {
  it('does nothing before a deadline', async () => {
    const id = await h.dispatchedCase({ grid: '新围第1网格' });
    const before = await sweepOnce(env.app.deps, new Date(Date.now() + 23 * HOUR));
    expect(before.escalated + before.yellow + before.red).toBe(0);
    expect(await h.caseRow(id)).toMatchObject({ card: 'none', level: 'grid' });
  });

  it('escalates an overdue case one level with a yellow card, then gives a red card at twice its deadline', async () => {
    const id = await h.dispatchedCase({ grid: '新围第2网格' });
    await h.expectOk(await h.call('gy_command', 'POST', `/api/cases/${id}/accept`, {}));
    const dispatched = (await h.caseRow(id)).dispatched_at!.getTime();
    const first = await sweepOnce(env.app.deps, new Date(dispatched + 24 * HOUR + 1000));
    expect(first).toMatchObject({ escalated: expect.any(Number), yellow: expect.any(Number) });
    expect(await h.caseRow(id)).toMatchObject({ card: 'yellow', level: 'community', level_place_id: await h.placeId('新围社区'), state: 'dispatched' });
    const second = await sweepOnce(env.app.deps, new Date(dispatched + 48 * HOUR + 1000));
    expect(second.red).toBeGreaterThanOrEqual(1);
    expect(await h.caseRow(id)).toMatchObject({ card: 'red', level: 'community' });
    const steps = await h.timeline(id);
    expect(steps.slice(-2)).toEqual([
      expect.objectContaining({ action: 'overdue_escalate', actor_name: 'system:sweeper', from_state: 'handling', to_state: 'dispatched', level: 'community' }),
      expect.objectContaining({ action: 'overdue_red', actor_name: 'system:sweeper' }),
    ]);
    expect((await h.audits(id)).slice(-2).map((a) => [a.action, a.actor_name])).toEqual([['case.overdue', 'system:sweeper'], ['case.overdue', 'system:sweeper']]);
    expect(await pending([id])).toBe(0);
    const again = await sweepOnce(env.app.deps, new Date(dispatched + 100 * HOUR));
    expect(again.processed).toBe(0);
    const list = (await h.call('gy_command', 'GET', '/api/cases?card=red')).json();
    expect(list.items.map((c: { id: string }) => c.id)).toContain(id);
  });

  it('at the street, an overdue case only gets its card; a handled case is left alone', async () => {
    const top = await h.dispatchedCase({ grid: '新围第3网格' });
    await h.expectOk(await h.call('gy_command', 'POST', `/api/cases/${top}/escalate`, { note: '上报社区' }));
    await h.expectOk(await h.call('gy_command', 'POST', `/api/cases/${top}/escalate`, { note: '上报街道' }));
    const done = await h.dispatchedCase({ grid: '新围第4网格' });
    await h.expectOk(await h.call('gy_command', 'POST', `/api/cases/${done}/accept`, {}));
    await h.expectOk(await h.call('gy_command', 'POST', `/api/cases/${done}/handled`, { note: '已处置' }));
    await sweepOnce(env.app.deps, new Date(Date.now() + 25 * HOUR));
    expect(await h.caseRow(top)).toMatchObject({ card: 'yellow', level: 'street' });
    expect((await h.timeline(top)).at(-1)).toMatchObject({ action: 'overdue_yellow' });
    expect(await h.caseRow(done)).toMatchObject({ card: 'none', level: 'grid', state: 'handled' });
    const outcomes = await env.database.db.selectFrom('case_deadlines').select(['kind', 'outcome']).where('case_id', '=', done).where('processed_at', 'is not', null).execute();
    expect(outcomes).toEqual([{ kind: 'case_due', outcome: 'moot' }]);
  });

  it('marks a department that has not reported by the whistle deadline (30 minutes for emergency)', async () => {
    const id = await h.dispatchedCase({ grid: '松园第1网格' });
    await h.expectOk(await h.call('gy_command', 'POST', `/api/cases/${id}/escalate`, { note: '上报社区' }));
    await h.expectOk(await h.call('gy_command', 'POST', `/api/cases/${id}/escalate`, { note: '上报街道' }));
    await h.expectOk(await h.call('gy_command', 'POST', `/api/cases/${id}/whistle`, { kind: 'emergency', departmentIds: [await h.departmentId('GY-GA'), await h.departmentId('GY-XF')], note: '应急吹哨' }), 201);
    await h.expectOk(await h.call('dept_ga', 'POST', `/api/cases/${id}/department/report`, { note: '已到场' }));
    const result = await sweepOnce(env.app.deps, new Date(Date.now() + 31 * 60_000));
    expect(result.whistlesOverdue).toBe(1);
    const whistles = await env.database.db.selectFrom('case_whistles as w').innerJoin('departments as d', 'd.id', 'w.department_id').select(['d.code', 'w.report_overdue']).where('w.case_id', '=', id).orderBy('d.code').execute();
    expect(whistles).toEqual([{ code: 'GY-GA', report_overdue: false }, { code: 'GY-XF', report_overdue: true }]);
    expect((await h.timeline(id)).at(-1)).toMatchObject({ action: 'whistle_overdue', actor_name: 'system:sweeper' });
    const inbox = (await h.call('dept_xf', 'GET', '/api/cases/inbox')).json();
    expect(inbox.find((w: { caseId: string }) => w.caseId === id)).toMatchObject({ reportOverdue: true, status: 'awaiting_report' });
  });

  it('two server instances sweeping at once act on each deadline exactly once', async () => {
    const ids: string[] = [];
    for (const [i, grid] of ['宝安第1网格', '宝安第2网格', '宝安第3网格', '宝安第4网格', '红围第1网格', '红围第2网格', '红围第3网格', '红围第4网格'].entries()) {
      ids.push(await h.dispatchedCase({ grid, offset: i * 0.00001 }));
    }
    const second = await env.secondApp();
    const at = new Date(Date.now() + 49 * HOUR);
    const results = await Promise.all([sweepOnce(env.app.deps, at, { batchSize: 3 }), sweepOnce(second.deps, at, { batchSize: 3 }), sweepOnce(env.app.deps, at, { batchSize: 2 })]);
    expect(await pending(ids)).toBe(0);
    const escalations = await eventsOf('overdue_escalate', ids);
    const reds = await eventsOf('overdue_red', ids);
    expect(escalations).toHaveLength(ids.length);
    expect(reds).toHaveLength(ids.length);
    expect(new Set(escalations.map((e) => String(e.case_id))).size).toBe(ids.length);
    // every row processed at this sweep was counted by exactly one of the instances
    const rows = await env.database.db.selectFrom('case_deadlines').select('id').where('processed_at', '=', at).execute();
    expect(results.reduce((n, r) => n + r.processed, 0)).toBe(rows.length);
    expect(rows.length).toBeGreaterThanOrEqual(ids.length * 2);
    for (const id of ids) expect(await h.caseRow(id)).toMatchObject({ card: 'red', level: 'community' });
    const audited = await env.database.db.selectFrom('audit_log').select('target_id').where('action', '=', 'case.overdue').where('target_id', 'in', ids).execute();
    expect(audited).toHaveLength(ids.length * 2);
  });

  it('the app starts the sweeper when configured and stops it on close', async () => {
    const id = await h.dispatchedCase({ grid: '桂木园第1网格' });
    const past = new Date(Date.now() - 60_000);
    await env.database.db.updateTable('cases').set({ due_at: past }).where('id', '=', id).execute();
    await env.database.db.updateTable('case_deadlines').set({ due_at: past }).where('case_id', '=', id).where('kind', '=', 'case_due').execute();
    const app = await env.secondApp({ caseSweepMs: 50 });
    await app.ready();
    const deadline = Date.now() + 5000;
    while ((await h.caseRow(id)).card === 'none' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await app.close();
    expect(await h.caseRow(id)).toMatchObject({ card: 'yellow', level: 'community' });
    expect(await eventsOf('overdue_escalate', [id])).toEqual([{ case_id: id, actor_name: 'system:sweeper' }]);
  });
});
